"""Layer and Workload: what an accelerator model is asked to run."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.formats import CSC


@dataclass(frozen=True)
class Layer:
    """A fully connected layer y = act(W x): W is (outputs, inputs), stored as CSC."""

    name: str
    weights: CSC
    activations: np.ndarray  # the layer's input vector x, float32
    relu: bool = True

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

    @property
    def weight_density(self) -> float:
        n_out, n_in = self.weights.shape
        return self.weights.nnz / max(1, n_out * n_in)

    @property
    def activation_density(self) -> float:
        return float(np.count_nonzero(self.activations)) / max(1, len(self.activations))

    def with_activations(self, activations: np.ndarray) -> Layer:
        return Layer(self.name, self.weights, np.asarray(activations, dtype=np.float32),
                     self.relu)


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
