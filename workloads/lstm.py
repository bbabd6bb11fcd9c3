"""LSTM workloads: layers of gate matrices, an input sequence, and the float reference.

Gate order is PyTorch's (i, f, g, o): rows [0, H) input gate, [H, 2H) forget gate,
[2H, 3H) cell candidate, [3H, 4H) output gate. One step of a layer:
    gates = W_ih x_t + W_hh h_{t-1} + bias
    c_t = sigmoid(f) * c_{t-1} + sigmoid(i) * tanh(g);   m_t = sigmoid(o) * tanh(c_t)
    h_t = W_proj m_t if the layer has a projection, else m_t.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from sparsesim.simulator.errors import WorkloadError

Activation = Callable[[np.ndarray], np.ndarray]


def sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * x))


@dataclass(frozen=True)
class LSTMLayer:
    """One LSTM layer; matrices are float64 (outputs x inputs), pruned entries zero."""

    name: str
    w_ih: np.ndarray  # (4H, inputs)
    w_hh: np.ndarray  # (4H, P) with P = projection size, or H without projection
    bias: np.ndarray  # (4H,) b_ih + b_hh
    w_proj: np.ndarray | None = None  # (P, H)

    def __post_init__(self) -> None:
        rows = self.w_ih.shape[0]
        if rows % 4 or self.w_hh.shape[0] != rows or self.bias.shape != (rows,):
            raise WorkloadError(f"LSTM layer {self.name}: W_ih, W_hh and bias need 4H rows "
                                f"each, got {self.w_ih.shape}, {self.w_hh.shape}, "
                                f"{self.bias.shape}")
        recurrent = self.w_proj.shape[0] if self.w_proj is not None else self.hidden
        if self.w_hh.shape[1] != recurrent or (self.w_proj is not None
                                               and self.w_proj.shape[1] != self.hidden):
            raise WorkloadError(f"LSTM layer {self.name}: W_hh takes {self.w_hh.shape[1]} "
                                f"inputs but the recurrent state has {recurrent}")
        for name in ("w_ih", "w_hh", "bias", "w_proj"):
            value = getattr(self, name)
            if value is not None and not np.all(np.isfinite(value)):
                raise WorkloadError(f"LSTM layer {self.name}: {name} contains NaN or infinity")

    @property
    def hidden(self) -> int:
        """H, cells per layer."""
        return self.w_ih.shape[0] // 4

    @property
    def inputs(self) -> int:
        return self.w_ih.shape[1]

    @property
    def outputs(self) -> int:
        """Size of h_t (the projection's, if any)."""
        return self.w_hh.shape[1]

    def matrices(self) -> dict[str, np.ndarray]:
        out = {"w_ih": self.w_ih, "w_hh": self.w_hh}
        if self.w_proj is not None:
            out["w_proj"] = self.w_proj
        return out

    def forward(self, frames: np.ndarray, sig: Activation = sigmoid,
                tanh: Activation = np.tanh) -> np.ndarray:
        """Hidden states (T, outputs) for an input sequence (T, inputs), float64."""
        h = np.zeros(self.outputs)
        c = np.zeros(self.hidden)
        out = np.zeros((len(frames), self.outputs))
        size = self.hidden
        for t, x in enumerate(np.asarray(frames, dtype=np.float64)):
            gates = self.w_ih @ x + self.w_hh @ h + self.bias
            i, f, g, o = (gates[k * size:(k + 1) * size] for k in range(4))
            c = sig(f) * c + sig(i) * tanh(g)
            m = sig(o) * tanh(c)
            h = self.w_proj @ m if self.w_proj is not None else m
            out[t] = h
        return out


@dataclass(frozen=True)
class LSTMModel:
    """Stacked LSTM layers and the input sequence (T, inputs) they run on."""

    name: str
    layers: tuple[LSTMLayer, ...]
    frames: np.ndarray

    def __post_init__(self) -> None:
        if not self.layers:
            raise WorkloadError(f"LSTM {self.name}: has no layers")
        if self.frames.ndim != 2 or self.frames.shape[1] != self.layers[0].inputs:
            raise WorkloadError(f"LSTM {self.name}: first layer takes {self.layers[0].inputs} "
                                f"inputs per frame, frames have shape {self.frames.shape}")
        if len(self.frames) < 1:
            raise WorkloadError(f"LSTM {self.name}: needs at least one input frame")
        for below, above in zip(self.layers, self.layers[1:]):
            if above.inputs != below.outputs:
                raise WorkloadError(f"LSTM {self.name}: layer {above.name} takes {above.inputs} "
                                    f"inputs but {below.name} gives {below.outputs}")

    def forward(self) -> list[np.ndarray]:
        """Float hidden states of every layer, (T, outputs) each."""
        states, x = [], self.frames
        for layer in self.layers:
            x = layer.forward(x)
            states.append(x)
        return states

    def with_frames(self, count: int) -> LSTMModel:
        """The first `count` frames only."""
        if not 1 <= count <= len(self.frames):
            raise WorkloadError(f"LSTM {self.name}: frames must lie in 1..{len(self.frames)}, "
                                f"got {count}")
        return replace(self, frames=self.frames[:count])

    def pruned(self, mask_of: Callable[[np.ndarray], np.ndarray]) -> LSTMModel:
        """Apply `mask_of(matrix) -> keep-mask` to each layer's gate matrix [W_ih | W_hh]
        (the matrix the PEs share out row by row) and to its projection."""
        layers = []
        for layer in self.layers:
            gates = np.hstack([layer.w_ih, layer.w_hh])
            gates = np.where(mask_of(gates), gates, 0.0)
            proj = layer.w_proj
            if proj is not None:
                proj = np.where(mask_of(proj), proj, 0.0)
            layers.append(replace(layer, w_ih=gates[:, :layer.inputs],
                                  w_hh=gates[:, layer.inputs:], w_proj=proj))
        return replace(self, layers=tuple(layers))
