"""Per-layer sensitivity scan (Han et al., NeurIPS 2015, Fig. 6): prune one layer at a
time by magnitude, no fine-tuning, and measure test accuracy at each sparsity."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sparsesim.workloads.mnist import Split
from sparsesim.workloads.nn.network import Network
from sparsesim.workloads.pruning.magnitude import magnitude_mask

DEFAULT_SPARSITIES = (0.0, 0.5, 0.7, 0.8, 0.9, 0.95, 0.97, 0.99)


@dataclass(frozen=True)
class SensitivityPoint:
    layer: str
    sparsity: float  # fraction of this layer's weights removed; other layers dense
    accuracy: float  # test accuracy, fraction


def sensitivity_scan(network: Network, test: Split,
                     sparsities: Sequence[float] = DEFAULT_SPARSITIES) -> list[SensitivityPoint]:
    """Accuracy with each layer alone pruned to each sparsity; `network` is unchanged."""
    points = []
    for name, original in network.weights.items():
        for sparsity in sparsities:
            trial = network.copy()
            trial.weights[name] = original * magnitude_mask(original, sparsity)
            points.append(SensitivityPoint(name, float(sparsity),
                                           trial.accuracy(test.images, test.labels)))
    return points
