"""The in-memory model every reader produces: named layers in run order.

A `Dense` layer computes act(W x + b); a `Conv` layer act(conv(x, W) + b) over an image
(C, H, W); an LSTM layer is `workloads.lstm.LSTMLayer`. Weights keep their pruned zeros
and their biases; nothing is dropped on the way to an accelerator: a design that cannot
run a layer refuses it with one line (see `to_workload`, `to_lstm`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.formats import CSC
from sparsesim.workloads.layer import Layer, Workload
from sparsesim.workloads.lstm import LSTMLayer, LSTMModel

EIE_ACTIVATIONS = ("relu", "none")  # what EIE's PEs apply at write-back


@dataclass(frozen=True)
class Dense:
    """y = act(W x + b): W is (outputs, inputs)."""

    name: str
    weight: np.ndarray  # float64 (outputs, inputs), pruned entries zero
    bias: np.ndarray | None = None  # float64 (outputs,)
    activation: str = "none"  # "relu", "none", or an op name a design may refuse


@dataclass(frozen=True)
class Conv:
    """2-D convolution: weight (C_out, C_in / groups, kh, kw); stride and padding in pixels."""

    name: str
    weight: np.ndarray
    bias: np.ndarray | None = None
    activation: str = "none"
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    groups: int = 1


ModelLayer = Dense | Conv | LSTMLayer


@dataclass(frozen=True)
class Model:
    """A network read from a file: layers in run order, each feeding the next."""

    name: str
    layers: tuple[ModelLayer, ...]
    source: str  # the file format it came from, e.g. "safetensors state dict"
    input: np.ndarray | None = None  # a stored input (vector, or (T, inputs) frames for an LSTM)
    input_shape: tuple[int, ...] | None = None  # (C, H, W) of one image, for convolutions
    test_images: np.ndarray | None = None  # (images, inputs) float32
    test_labels: np.ndarray | None = None  # (images,) int64
    notes: tuple[str, ...] = field(default=())  # assumptions the reader made, for the heading

    def __post_init__(self) -> None:
        if not self.layers:
            raise WorkloadError(f"model {self.name}: has no layers; a model needs at least one "
                                "weight matrix")

    def dense_only(self) -> tuple[Dense, ...]:
        """The layers, all Dense, or one line naming the first EIE cannot run."""
        for layer in self.layers:
            if isinstance(layer, Conv):
                raise WorkloadError(f"model {self.name}: layer {layer.name} is a convolution; "
                                    "EIE runs FC/LSTM layers (use --accel stc for networks "
                                    "with convolutions)")
            if not isinstance(layer, Dense):
                raise WorkloadError(f"model {self.name}: layer {layer.name} is an LSTM; "
                                    "sparsesim runs LSTM layers on ESE (use --accel ese)")
        return self.layers  # type: ignore[return-value]

    def to_workload(self, seed: int = 0, inputs: np.ndarray | None = None) -> Workload:
        """A chained FC workload for EIE: the first layer takes `inputs`, else the stored
        input, else a seeded random vector in [0, 1)."""
        layers = self.dense_only()
        for layer in layers:
            if layer.activation not in EIE_ACTIVATIONS:
                raise WorkloadError(f"model {self.name}: layer {layer.name} has activation "
                                    f"{layer.activation!r}; EIE applies only "
                                    f"{' or '.join(EIE_ACTIVATIONS)}")
        x = first_input(self, layers[0].weight.shape[1], inputs, seed)
        built = []
        for i, layer in enumerate(layers):
            x_i = x if i == 0 else np.zeros(layer.weight.shape[1], dtype=np.float32)
            bias = None if layer.bias is None else layer.bias.astype(np.float32)
            built.append(Layer(layer.name, CSC.from_dense(layer.weight.astype(np.float32)), x_i,
                               relu=layer.activation == "relu", bias=bias))
        return Workload(self.name, tuple(built), chained=True)

    def to_lstm(self, inputs: np.ndarray | None = None, seed: int = 0) -> LSTMModel:
        """The stacked LSTM for ESE, over `inputs` frames (T, inputs), else the stored
        frames, else 8 seeded standard normal frames."""
        layers = []
        for layer in self.layers:
            if not isinstance(layer, LSTMLayer):
                raise WorkloadError(f"model {self.name}: layer {layer.name} is not an LSTM; "
                                    "ESE runs LSTM layers only (use --accel eie for FC layers)")
            layers.append(layer)
        frames = inputs if inputs is not None else self.input
        if frames is None:
            frames = np.random.default_rng(seed).standard_normal((8, layers[0].inputs))
        frames = np.asarray(frames, dtype=np.float64)
        if frames.ndim != 2 or frames.shape[1] != layers[0].inputs:
            raise WorkloadError(f"model {self.name}: input must be frames (T, "
                                f"{layers[0].inputs}), got shape {frames.shape}")
        return LSTMModel(self.name, tuple(layers), frames)


def first_input(model: Model, width: int, inputs: np.ndarray | None, seed: int) -> np.ndarray:
    """The first layer's input vector: given, stored, or seeded uniform [0, 1)."""
    x = inputs if inputs is not None else model.input
    if x is None:
        return np.random.default_rng(seed).random(width, dtype=np.float32)
    x = np.asarray(x)
    if x.shape != (width,):
        raise WorkloadError(f"model {model.name}: input has shape {x.shape} but the first layer "
                            f"takes {width} inputs; give a vector of {width} values")
    if not np.all(np.isfinite(x)):
        raise WorkloadError(f"model {model.name}: input contains NaN or infinity")
    return x.astype(np.float32)
