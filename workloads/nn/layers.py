"""Network layers with explicit forward and backward passes (numpy, float32, no biases).

No layer has a bias, so a fully connected layer is exactly y = act(W x): what a sparse
accelerator such as EIE computes. Each layer's `forward` returns its output and a cache
that `backward` uses to return the input gradient and the weight gradient.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def relu_backward(dy: np.ndarray, y: np.ndarray) -> np.ndarray:
    return np.where(y > 0, dy, 0.0).astype(dy.dtype)


@dataclass(frozen=True)
class Dense:
    """y = act(x W^T) for a batch x of shape (n, inputs); W is (outputs, inputs)."""

    name: str
    inputs: int
    outputs: int
    relu: bool = True

    @property
    def weight_shape(self) -> tuple[int, ...]:
        return (self.outputs, self.inputs)

    def forward(self, x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, Any]:
        y = x @ w.T
        if self.relu:
            y = np.maximum(y, 0.0)
        return y, (x, y)

    def backward(self, dy: np.ndarray, w: np.ndarray, cache: Any) -> tuple[np.ndarray, np.ndarray]:
        x, y = cache
        if self.relu:
            dy = relu_backward(dy, y)
        return dy @ w, dy.T @ x


def im2col(x: np.ndarray, k: int) -> np.ndarray:
    """(n, c, h, w) -> (n * (h-k+1) * (w-k+1), c * k * k): one row per output pixel."""
    n, c, _, _ = x.shape
    windows = sliding_window_view(x, (k, k), axis=(2, 3))  # n, c, h', w', k, k
    h_out, w_out = windows.shape[2], windows.shape[3]
    return windows.transpose(0, 2, 3, 1, 4, 5).reshape(n * h_out * w_out, c * k * k)


def col2im(cols: np.ndarray, shape: tuple[int, int, int, int], k: int) -> np.ndarray:
    """Adjoint of im2col: sum each row's k x k patch back into an (n, c, h, w) array."""
    n, c, h, w = shape
    h_out, w_out = h - k + 1, w - k + 1
    patches = cols.reshape(n, h_out, w_out, c, k, k)
    x = np.zeros(shape, dtype=cols.dtype)
    for i in range(k):
        for j in range(k):
            x[:, :, i:i + h_out, j:j + w_out] += patches[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return x


@dataclass(frozen=True)
class Conv2d:
    """Valid (unpadded) stride-1 convolution, then ReLU if `relu`; W is (out_ch, in_ch, k,
    k)."""

    name: str
    in_channels: int
    out_channels: int
    kernel: int
    relu: bool = True

    @property
    def weight_shape(self) -> tuple[int, ...]:
        return (self.out_channels, self.in_channels, self.kernel, self.kernel)

    def forward(self, x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, Any]:
        n, _, h, wd = x.shape
        k = self.kernel
        cols = im2col(x, k)
        y = cols @ w.reshape(self.out_channels, -1).T
        if self.relu:
            y = np.maximum(y, 0.0)
        y = y.reshape(n, h - k + 1, wd - k + 1, self.out_channels).transpose(0, 3, 1, 2)
        return y, (x.shape, cols, y)

    def backward(self, dy: np.ndarray, w: np.ndarray, cache: Any) -> tuple[np.ndarray, np.ndarray]:
        shape, cols, y = cache
        if self.relu:
            dy = relu_backward(dy, y)
        dy = dy.transpose(0, 2, 3, 1).reshape(-1, self.out_channels)
        dw = (dy.T @ cols).reshape(w.shape)
        dx = col2im(dy @ w.reshape(self.out_channels, -1), shape, self.kernel)
        return dx, dw


@dataclass(frozen=True)
class MaxPool2:
    """2x2 max pooling, stride 2; an odd last row or column is dropped."""

    name: str
    weight_shape = None

    def forward(self, x: np.ndarray, w: None) -> tuple[np.ndarray, Any]:
        n, c, h, wd = x.shape
        h2, w2 = h // 2, wd // 2
        blocks = x[:, :, :2 * h2, :2 * w2].reshape(n, c, h2, 2, w2, 2).transpose(0, 1, 2, 4, 3, 5)
        blocks = blocks.reshape(n, c, h2, w2, 4)
        winner = blocks.argmax(axis=-1)
        y = np.take_along_axis(blocks, winner[..., None], axis=-1)[..., 0]
        return y, (x.shape, winner)

    def backward(self, dy: np.ndarray, w: None, cache: Any) -> tuple[np.ndarray, None]:
        shape, winner = cache
        n, c, h2, w2 = dy.shape
        blocks = np.zeros((n, c, h2, w2, 4), dtype=dy.dtype)
        np.put_along_axis(blocks, winner[..., None], dy[..., None], axis=-1)
        blocks = blocks.reshape(n, c, h2, w2, 2, 2).transpose(0, 1, 2, 4, 3, 5)
        dx = np.zeros(shape, dtype=dy.dtype)
        dx[:, :, :2 * h2, :2 * w2] = blocks.reshape(n, c, 2 * h2, 2 * w2)
        return dx, None


@dataclass(frozen=True)
class Reshape:
    """Reshape each sample to `shape` (e.g. 784 pixels -> (1, 28, 28), or flatten)."""

    name: str
    shape: tuple[int, ...]
    weight_shape = None

    def forward(self, x: np.ndarray, w: None) -> tuple[np.ndarray, Any]:
        return x.reshape((len(x), *self.shape)), x.shape

    def backward(self, dy: np.ndarray, w: None, cache: Any) -> tuple[np.ndarray, None]:
        return dy.reshape(cache), None


@dataclass(frozen=True)
class Scale:
    """y = ReLU(gamma_c x_c): one learned factor gamma per channel (axis 1) or neuron, the
    BN-like scaling factor Network Slimming trains with an L1 penalty; W is gamma (C,)."""

    name: str
    channels: int

    @property
    def weight_shape(self) -> tuple[int, ...]:
        return (self.channels,)

    def _broadcast(self, gamma: np.ndarray, ndim: int) -> np.ndarray:
        return gamma.reshape((1, -1) + (1,) * (ndim - 2))

    def forward(self, x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, Any]:
        y = np.maximum(x * self._broadcast(w, x.ndim), 0.0)
        return y, (x, y)

    def backward(self, dy: np.ndarray, w: np.ndarray, cache: Any) -> tuple[np.ndarray, np.ndarray]:
        x, y = cache
        dy = relu_backward(dy, y)
        axes = tuple(a for a in range(x.ndim) if a != 1)
        return dy * self._broadcast(w, x.ndim), (dy * x).sum(axis=axes)
