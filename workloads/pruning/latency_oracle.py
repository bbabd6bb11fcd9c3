"""Latency oracle for hardware-aware pruning: per-layer lookup tables of simulated seconds
(NetAdapt, Yang et al., ECCV 2018, Sec. 3.3 builds such tables by measuring each layer on
the target), filled by a simulator callback, plus real simulation of whole models.

workloads/ never imports an accelerator: the caller passes `simulate(index, weights,
inputs) -> seconds`, the mean simulated seconds per input of weighted layer `index` with
the (masked) weights `weights` (outputs, inputs) of a fully connected layer or (out
channels, in channels, k, k) of a convolution, on that layer's inputs for the probe
images (vectors (images, inputs) or feature maps (images, channels, h, w)).
sparsesim/cli/hw_latency.py builds it for EIE (fully connected layers only) and for the
tensor core (both).

Two kinds of table per layer, each built once from the reference (dense, trained) model
and cached:
- fine: the layer alone pruned by magnitude to each sparsity of a grid;
- neuron: the layer keeping its k output rows (neurons, or a convolution's output
  channels) of largest L1 norm (the rest removed), with the next weighted layer's
  matching inputs removed too (input channels, or through a flatten each channel's
  block of columns); seconds of both layers together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.nn.layers import Dense
from sparsesim.workloads.nn.network import Network
from sparsesim.workloads.pruning.channel import keep_rows, remove_neurons
from sparsesim.workloads.pruning.magnitude import magnitude_mask

LayerSimulator = Callable[[int, np.ndarray, np.ndarray], float]  # (index, W, X) -> seconds
Weights = dict[str, np.ndarray]

FINE_SPARSITIES = tuple(round(0.025 * i, 3) for i in range(39)) + (0.96, 0.97, 0.98, 0.99)
MIN_KEPT_ROWS_FRACTION = 0.1  # neuron moves keep at least this fraction of a layer's rows


@dataclass(frozen=True)
class LatencyTable:
    """Simulated seconds per input at each point of one layer's pruning grid."""

    layer: int  # index among the weighted layers
    kind: str  # "fine" (points: sparsity) or "neuron" (points: kept output rows)
    points: tuple[float, ...]  # ascending pruning: sparsity up, or kept rows down
    seconds: tuple[float, ...]  # fine: this layer; neuron: this layer and the next

    def at(self, point: float) -> float:
        """Seconds at `point`, linear between stored points."""
        xs, ys = np.array(self.points), np.array(self.seconds)
        if self.kind == "neuron":
            xs, ys = xs[::-1], ys[::-1]
        return float(np.interp(point, xs, ys))


def dense_layers(network: Network) -> list[Dense]:
    """The network's weighted layers; a WorkloadError unless all are fully connected."""
    layers = network.weighted_layers
    if not all(isinstance(layer, Dense) for layer in layers) or len(layers) != len(
            network.layers):
        raise WorkloadError(f"hardware-aware pruning on EIE needs a fully connected network "
                            f"(EIE runs matrix-vector layers); {network.name} has other layers; "
                            "use --model lenet300 or --accel stc")
    return layers


def layer_inputs(network: Network, weights: Weights, images: np.ndarray) -> list[np.ndarray]:
    """The inputs of every weighted layer, in order (numpy forward pass with `weights`)."""
    inputs, x = [], images
    for layer in network.layers:
        if layer.weight_shape is not None:
            inputs.append(x)
        x, _ = layer.forward(x, weights.get(layer.name))
    return inputs


class LatencyOracle:
    """Tables and real simulations of one network's layers on one accelerator."""

    def __init__(self, simulate: LayerSimulator, reference: Network, probe: np.ndarray,
                 sparsities: Sequence[float] = FINE_SPARSITIES, neuron_points: int = 32) -> None:
        self.layers = reference.weighted_layers
        self.names = [layer.name for layer in self.layers]
        self.simulate, self.probe = simulate, np.asarray(probe, dtype=np.float32)
        self.reference = {k: v.copy() for k, v in reference.weights.items()}
        self.network = reference
        self.sparsities, self.neuron_points = tuple(sparsities), neuron_points
        self._inputs = layer_inputs(reference, self.reference, self.probe)
        self._tables: dict[tuple[str, int], LatencyTable] = {}

    # -- real simulation ------------------------------------------------------------------
    def layer_seconds(self, weights: Weights) -> list[float]:
        """Simulated seconds per input of each layer, each fed the probe images' real
        activations under `weights` (so pruning a neuron also empties the next input)."""
        inputs = layer_inputs(self.network, weights, self.probe)
        return [self.simulate(i, weights[n], inputs[i]) for i, n in enumerate(self.names)]

    def seconds(self, weights: Weights) -> float:
        """Simulated seconds per input of the whole model."""
        return float(sum(self.layer_seconds(weights)))

    # -- tables ---------------------------------------------------------------------------
    def min_rows(self, index: int) -> int:
        rows = self.reference[self.names[index]].shape[0]
        return max(1, int(np.ceil(MIN_KEPT_ROWS_FRACTION * rows)))

    def neuron_movable(self, index: int) -> bool:
        """Rows of the last layer are classes: only hidden layers lose neurons."""
        return index < len(self.names) - 1

    def table(self, index: int, kind: str) -> LatencyTable:
        key = (kind, index)
        if key not in self._tables:
            self._tables[key] = (self._fine_table(index) if kind == "fine"
                                 else self._neuron_table(index))
        return self._tables[key]

    def fine_point(self, index: int, sparsity: float) -> float:
        """Direct simulation of the reference layer pruned by magnitude to `sparsity`."""
        w = self.reference[self.names[index]]
        return self.simulate(index, w * magnitude_mask(w, sparsity), self._inputs[index])

    def neuron_point(self, index: int, kept: int) -> float:
        """Direct simulation of layer `index` keeping `kept` rows, plus the next layer."""
        weights = dict(self.reference)
        weights.update(remove_neurons(self.reference, self.names, index,
                                      keep_rows(self.reference[self.names[index]], kept)))
        inputs = layer_inputs(self.network, weights, self.probe)
        return sum(self.simulate(i, weights[self.names[i]], inputs[i])
                   for i in (index, index + 1))

    def _fine_table(self, index: int) -> LatencyTable:
        return LatencyTable(index, "fine", self.sparsities,
                            tuple(self.fine_point(index, s) for s in self.sparsities))

    def _neuron_table(self, index: int) -> LatencyTable:
        rows = self.reference[self.names[index]].shape[0]
        kept = np.unique(np.round(np.linspace(rows, self.min_rows(index),
                                              self.neuron_points)).astype(int))[::-1]
        return LatencyTable(index, "neuron", tuple(float(k) for k in kept),
                            tuple(self.neuron_point(index, int(k)) for k in kept))

    def floor_weights(self, neurons: bool) -> Weights:
        """The reference model at the end of the search space: each hidden layer at its
        fewest rows (if `neurons`), then every layer at the largest tabled sparsity."""
        masks = {n: np.ones(w.shape, dtype=bool) for n, w in self.reference.items()}
        if neurons:
            for i, name in enumerate(self.names[:-1]):
                rows = keep_rows(self.reference[name] * masks[name], self.min_rows(i))
                for n, m in remove_neurons(masks, self.names, i, rows).items():
                    masks[n] = m
        top = max(self.sparsities)
        return {n: w * masks[n] * magnitude_mask(w * masks[n], top)
                for n, w in self.reference.items()}
