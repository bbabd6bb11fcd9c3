"""Network: an ordered list of layers and a dict of named weight arrays.

Pruning functions take and return the `weights` dict (layer name -> array); masks are
dicts of boolean arrays of the same shapes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.nn.blas_threads import single_threaded_blas
from sparsesim.workloads.nn.layers import Conv2d, Dense, MaxPool2, Reshape, Scale

Layer = Dense | Conv2d | MaxPool2 | Reshape | Scale
Weights = dict[str, np.ndarray]


@dataclass
class Network:
    name: str
    layers: Sequence[Layer]
    weights: Weights = field(default_factory=dict)

    @property
    def weighted_layers(self) -> list[Layer]:
        return [layer for layer in self.layers if layer.weight_shape is not None]

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, list]:
        """Logits for a batch of flattened images (n, 784), and the caches for backward."""
        caches = []
        for layer in self.layers:
            x, cache = layer.forward(x, self.weights.get(layer.name))
            caches.append(cache)
        return x, caches

    def backward(self, dlogits: np.ndarray, caches: list) -> Weights:
        grads = {}
        for layer, cache in zip(reversed(self.layers), reversed(caches)):
            dlogits, dw = layer.backward(dlogits, self.weights.get(layer.name), cache)
            if dw is not None:
                grads[layer.name] = dw
        return grads

    def predict(self, images: np.ndarray, batch: int = 500) -> np.ndarray:
        """Predicted class of each image."""
        with single_threaded_blas():
            return np.concatenate([self.forward(images[i:i + batch])[0].argmax(axis=1)
                                   for i in range(0, len(images), batch)])

    def accuracy(self, images: np.ndarray, labels: np.ndarray) -> float:
        """Fraction of images classified correctly."""
        return float(np.mean(self.predict(images) == labels))

    def copy(self) -> Network:
        return Network(self.name, self.layers, {k: v.copy() for k, v in self.weights.items()})


def he_init(layers: Sequence[Layer], seed: int) -> Weights:
    """He-normal weights (std sqrt(2 / fan_in)), float32, from `seed`."""
    rng = np.random.default_rng(seed)
    weights = {}
    for layer in layers:
        if layer.weight_shape is not None:
            fan_in = int(np.prod(layer.weight_shape[1:]))
            weights[layer.name] = (rng.standard_normal(layer.weight_shape) *
                                   np.sqrt(2.0 / fan_in)).astype(np.float32)
    return weights


def lenet300(seed: int = 0) -> Network:
    """LeNet-300-100 (LeCun et al. 1998): 784-300-100-10 fully connected, ReLU."""
    layers = [Dense("fc1", 784, 300), Dense("fc2", 300, 100), Dense("fc3", 100, 10, relu=False)]
    return Network("lenet300", layers, he_init(layers, seed))


def lenet5(seed: int = 0, widths: tuple[int, int, int] = (16, 32, 128)) -> Network:
    """LeNet-5 style: two 3x3 conv + ReLU + 2x2 max-pool stages (16 and 32 channels), then
    800-128-10 fully connected. 3x3 kernels (not LeNet-5's 5x5) so pattern pruning applies.
    `widths`: conv1's and conv2's channels and fc1's neurons (e.g. a channel-pruned one)."""
    c1, c2, f1 = widths
    layers = [Reshape("image", (1, 28, 28)),
              Conv2d("conv1", 1, c1, 3), MaxPool2("pool1"),   # 28 -> 26 -> 13
              Conv2d("conv2", c1, c2, 3), MaxPool2("pool2"),  # 13 -> 11 -> 5
              Reshape("flatten", (c2 * 5 * 5,)),
              Dense("fc1", c2 * 25, f1), Dense("fc2", f1, 10, relu=False)]
    return Network("lenet5", layers, he_init(layers, seed))


MODELS = {"lenet300": lenet300, "lenet5": lenet5}


def build_model(name: str, seed: int = 0) -> Network:
    if name not in MODELS:
        raise WorkloadError(f"unknown model {name!r}; choose one of {', '.join(MODELS)}")
    return MODELS[name](seed)
