"""Layer and Workload: what an accelerator model is asked to run."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.formats import CSC


@dataclass(frozen=True)
class Layer:
    """A fully connected layer y = act(W x + b): W is (outputs, inputs), stored as CSC."""

    name: str
    weights: CSC
    activations: np.ndarray  # the layer's input vector x, float32
    relu: bool = True
    bias: np.ndarray | None = None  # b, float32 (outputs,); None: the layer has no bias

    def __post_init__(self) -> None:
        n_out, n_in = self.weights.shape
        if self.activations.shape != (n_in,):
            raise WorkloadError(f"layer {self.name}: weight matrix takes {n_in} inputs but the "
                                f"activation vector has shape {self.activations.shape}")
        if not np.all(np.isfinite(self.weights.values)):
            raise WorkloadError(f"layer {self.name}: weights contain NaN or infinity; "
                                "fix or re-export the model")
        if not np.all(np.isfinite(self.activations)):
            raise WorkloadError(f"layer {self.name}: input activations contain NaN or infinity")
        if self.bias is not None and (self.bias.shape != (n_out,)
                                      or not np.all(np.isfinite(self.bias))):
            raise WorkloadError(f"layer {self.name}: bias must be {n_out} finite values, got "
                                f"shape {self.bias.shape}")

    @property
    def weight_density(self) -> float:
        n_out, n_in = self.weights.shape
        return self.weights.nnz / max(1, n_out * n_in)

    @property
    def activation_density(self) -> float:
        return float(np.count_nonzero(self.activations)) / max(1, len(self.activations))

    def with_activations(self, activations: np.ndarray) -> Layer:
        return replace(self, activations=np.asarray(activations, dtype=np.float32))

    def bias_as_column(self) -> Layer:
        """The same function without a bias: b becomes one more weight column whose input
        activation is 1.0, so W' [x; 1] = W x + b (how EIE's authors feed a bias through
        the broadcast). A layer without a bias is returned unchanged."""
        if self.bias is None:
            return self
        rows, cols = self.weights.coordinates()
        kept = np.flatnonzero(self.bias)
        n_out, n_in = self.weights.shape
        weights = CSC.from_coo((n_out, n_in + 1), np.concatenate([rows, kept]),
                               np.concatenate([cols, np.full(len(kept), n_in)]),
                               np.concatenate([self.weights.values,
                                               self.bias[kept].astype(self.weights.values.dtype)]))
        x = np.append(self.activations, np.float32(1.0)).astype(np.float32)
        return Layer(self.name, weights, x, self.relu)


@dataclass(frozen=True)
class Workload:
    """Named layers. In a chain, each layer after the first takes the previous
    layer's simulated output as its input (its own `activations` are then ignored)."""

    name: str
    layers: tuple[Layer, ...]
    chained: bool = False

    def __post_init__(self) -> None:
        if not self.layers:
            raise WorkloadError(f"workload {self.name}: has no layers")
        if self.chained:
            for before, after in zip(self.layers, self.layers[1:]):
                if after.weights.shape[1] != before.weights.shape[0]:
                    raise WorkloadError(
                        f"workload {self.name}: shape mismatch, layer {after.name} takes "
                        f"{after.weights.shape[1]} inputs but {before.name} gives "
                        f"{before.weights.shape[0]} outputs")

    def with_input(self, x: np.ndarray) -> Workload:
        """The same workload with `x` as the first layer's input vector (checked)."""
        first = self.layers[0]
        x = np.asarray(x)
        width = first.weights.shape[1]
        if x.shape != (width,):
            raise WorkloadError(f"workload {self.name}: the input has shape {x.shape} but layer "
                                f"{first.name} takes a vector of {width} values")
        if not np.all(np.isfinite(x)):
            raise WorkloadError(f"workload {self.name}: the input contains NaN or infinity")
        return replace(self, layers=(first.with_activations(x), *self.layers[1:]))
