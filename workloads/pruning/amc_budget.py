"""The resource of AMC's resource-constrained mode (He et al., ECCV 2018, Sec. 3.3): a
limit, a prediction that clips each action so the limit stays reachable, and the real
measurement of a pruned model.

- LatencyBudget: simulated seconds per image, predicted by the latency oracle's tables
  (fine-grained actions only: each table holds one layer alone);
- MacsBudget: MACs per image (the paper's FLOPs), predicted from the layer geometry,
  for fine-grained actions (each layer keeps 1 - a of its MACs) or channel actions
  (layer t keeps (1 - a_t) of its outputs and (1 - a_{t-1}) of its inputs).

An action is the fraction pruned: of a layer's weights (fine) or of its output channels
(channel). `predict(actions, t, candidates)` is the resource with layers before t at
`actions`, layer t at each candidate and every later layer at `top`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np

from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.nn.network import Weights
from sparsesim.workloads.pruning.latency_oracle import LatencyOracle
from sparsesim.workloads.pruning.layer_geometry import LayerGeometry, nonzero_macs

GRANULARITIES = ("fine", "channel")


class Budget(Protocol):
    limit: float  # in the resource's unit
    unit: str  # "s" or "MACs"

    def predict(self, actions: Sequence[float], t: int, candidates: np.ndarray,
                top: float) -> np.ndarray: ...

    def measure(self, weights: Weights) -> float: ...


class LatencyBudget:
    """Simulated seconds per image, through the oracle."""

    unit = "s"

    def __init__(self, oracle: LatencyOracle, seconds: float, granularity: str) -> None:
        if granularity != "fine":
            raise ConfigError("a latency budget takes fine-grained actions only (the oracle's "
                              "tables hold one layer at a time); for channel actions give a "
                              "MACs budget (--flops-ratio) or use --reward flops-error")
        self.oracle, self.limit = oracle, seconds

    def predict(self, actions: Sequence[float], t: int, candidates: np.ndarray,
                top: float) -> np.ndarray:
        o = self.oracle
        spent = sum(o.table(i, "fine").at(a) for i, a in enumerate(actions[:t]))
        later = sum(o.table(i, "fine").at(top) for i in range(t + 1, len(o.names)))
        table = o.table(t, "fine")
        return spent + later + np.interp(candidates, table.points, table.seconds)

    def measure(self, weights: Weights) -> float:
        return self.oracle.seconds(weights)


def predicted_macs(shapes: Sequence[LayerGeometry], actions: np.ndarray,
                   granularity: str) -> np.ndarray:
    """MACs per image with actions[..., t] the fraction pruned from layer t (rounding to
    whole weights or channels ignored); a trailing axis of one action per layer (channel:
    per layer but the last, whose outputs are the classes)."""
    dense = np.array([g.macs for g in shapes], dtype=float)
    if granularity == "fine":
        return ((1.0 - actions) * dense).sum(axis=-1)
    outputs = 1.0 - np.concatenate([actions, np.zeros(actions.shape[:-1] + (1,))], axis=-1)
    inputs = np.concatenate([np.ones(actions.shape[:-1] + (1,)), outputs[..., :-1]], axis=-1)
    return (outputs * inputs * dense).sum(axis=-1)


class MacsBudget:
    """MACs per image (nonzero weights times output pixels), predicted from the geometry."""

    unit = "MACs"

    def __init__(self, shapes: Sequence[LayerGeometry], macs: float, granularity: str) -> None:
        self.shapes, self.limit, self.granularity = list(shapes), macs, granularity

    def predict(self, actions: Sequence[float], t: int, candidates: np.ndarray,
                top: float) -> np.ndarray:
        steps = len(self.shapes) - (self.granularity == "channel")
        grid = np.tile(np.array(list(actions[:t]) + [0.0] + [top] * (steps - t - 1)),
                       (len(candidates), 1))
        grid[:, t] = candidates
        return predicted_macs(self.shapes, grid, self.granularity)

    def measure(self, weights: Weights) -> float:
        return float(nonzero_macs(self.shapes, weights))
