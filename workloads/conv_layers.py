"""Pattern-pruned 3x3 convolution layers with real or seeded inputs: what PatDNN runs.

- `lenet5_from_file`: the conv layers of a LeNet-5 trained and pruned by `sparsesim prune
  --model lenet5 --method pattern`, fed a real MNIST test image (conv2 gets conv1's
  output after ReLU and 2x2 max-pool, computed here in numpy);
- `network_workload`: VGG-16 / ResNet-18 stride-1 3x3 conv shapes (one layer per stage,
  ImageNet 224x224 input), He-normal seeded weights pattern-pruned by the front end,
  seeded non-negative (post-ReLU-like) inputs.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.mnist import load_mnist
from sparsesim.workloads.model_file import load_arrays
from sparsesim.workloads.nn.layers import MaxPool2
from sparsesim.workloads.pruning.pattern import pattern_prune


@dataclass(frozen=True, eq=False)
class ConvLayer:
    """out[f] = sum_c conv(input[c], weight[f, c]), stride 1, `padding` zeros each side."""

    name: str
    weight: np.ndarray  # float32 (filters, channels, k, k), pruned entries zero
    input: np.ndarray  # float32 (channels, height, width)
    padding: int = 0
    patterns: np.ndarray | None = None  # bool (P, k*k): the pruner's pattern set
    assigned: np.ndarray | None = None  # int (filters, channels): pattern per kernel, -1 removed

    def __post_init__(self) -> None:
        if self.weight.ndim != 4 or self.weight.shape[2] != self.weight.shape[3]:
            raise WorkloadError(f"layer {self.name}: weight must be (F, C, k, k), "
                                f"got {self.weight.shape}")
        if self.input.ndim != 3 or self.input.shape[0] != self.weight.shape[1]:
            raise WorkloadError(f"layer {self.name}: input {self.input.shape} must be "
                                f"({self.weight.shape[1]}, H, W)")
        if min(self.padded.shape[1:]) < self.weight.shape[2]:
            raise WorkloadError(f"layer {self.name}: input smaller than the kernel")
        if not (np.all(np.isfinite(self.weight)) and np.all(np.isfinite(self.input))):
            raise WorkloadError(f"layer {self.name}: weights or input contain NaN or infinity")

    @property
    def kernel(self) -> int:
        return self.weight.shape[2]

    @cached_property
    def padded(self) -> np.ndarray:
        p = self.padding
        return np.pad(self.input, ((0, 0), (p, p), (p, p)))

    @property
    def output_shape(self) -> tuple[int, int, int]:
        _, h, w = self.padded.shape
        return self.weight.shape[0], h - self.kernel + 1, w - self.kernel + 1

    @cached_property
    def reference_output(self) -> np.ndarray:
        """The convolution by numpy in float64, straight from the dense weight."""
        windows = sliding_window_view(self.padded.astype(np.float64), (self.kernel,) * 2,
                                      axis=(1, 2))  # C, Ho, Wo, k, k
        return np.tensordot(self.weight.astype(np.float64), windows,
                            axes=([1, 2, 3], [0, 3, 4]))


@dataclass(frozen=True)
class ConvWorkload:
    name: str
    layers: tuple[ConvLayer, ...]


# (layer, in channels, out channels, input height = width): one stride-1 3x3 conv per stage
NETWORK_SHAPES = {
    "vgg16": (("conv1_2", 64, 64, 224), ("conv2_2", 128, 128, 112), ("conv3_2", 256, 256, 56),
              ("conv4_2", 512, 512, 28), ("conv5_2", 512, 512, 14)),
    "resnet18": (("layer1", 64, 64, 56), ("layer2", 128, 128, 28), ("layer3", 256, 256, 14),
                 ("layer4", 512, 512, 7)),
}


def pruned_layer(name: str, weight: np.ndarray, x: np.ndarray, padding: int, patterns: int,
                 connectivity_sparsity: float) -> ConvLayer:
    """`weight` pattern-pruned by the front end (workloads.pruning.pattern)."""
    pruning = pattern_prune(weight, patterns, connectivity_sparsity)
    return ConvLayer(name, (weight * pruning.mask).astype(np.float32), x.astype(np.float32),
                     padding, pruning.patterns, pruning.assigned)


def network_workload(network: str, seed: int, patterns: int = 8,
                     connectivity_sparsity: float = 0.5, layers: int | None = None,
                     scale: int = 1) -> ConvWorkload:
    """`network`'s conv shapes with seeded weights and inputs, pattern-pruned; `scale`
    divides the spatial size (1 = the real shapes), `layers` keeps the first few."""
    if network not in NETWORK_SHAPES:
        raise WorkloadError(f"unknown network {network!r}; choose one of "
                            f"{', '.join(NETWORK_SHAPES)}")
    rng = np.random.default_rng(seed)
    built = []
    for name, cin, cout, size in NETWORK_SHAPES[network][:layers]:
        w = rng.standard_normal((cout, cin, 3, 3)) * np.sqrt(2.0 / (cin * 9))
        side = max(3, size // scale)
        x = np.maximum(rng.standard_normal((cin, side, side)), 0.0)
        built.append(pruned_layer(name, w, x, 1, patterns, connectivity_sparsity))
    suffix = "" if scale == 1 else f"-div{scale}"
    return ConvWorkload(f"{network}{suffix}", tuple(built))


def lenet5_seeded(seed: int, patterns: int = 8,
                  connectivity_sparsity: float = 0.5) -> ConvWorkload:
    """LeNet-5's two conv layers (workloads.nn.network.lenet5) with He-normal seeded
    weights, pattern-pruned, on a real MNIST test image (chosen by `seed`)."""
    rng = np.random.default_rng(seed)
    image = _mnist_image(seed)
    w1 = rng.standard_normal((16, 1, 3, 3)) * np.sqrt(2.0 / 9)
    w2 = rng.standard_normal((32, 16, 3, 3)) * np.sqrt(2.0 / 144)
    conv1 = pruned_layer("conv1", w1, image, 0, patterns, connectivity_sparsity)
    conv2 = pruned_layer("conv2", w2, _pool_relu(conv1), 0, patterns, connectivity_sparsity)
    return ConvWorkload("lenet5", (conv1, conv2))


def lenet5_from_file(path: str | os.PathLike, seed: int = 0) -> ConvWorkload:
    """The conv layers of a LeNet-5 model file from `sparsesim prune --model lenet5`."""
    arrays, meta = load_arrays(path)
    if meta.get("network") != "lenet5" or "conv1.weight" not in arrays:
        raise WorkloadError(f"model file {path} is not a LeNet-5 (network "
                            f"{meta.get('network')!r}); make one with sparsesim prune "
                            "--model lenet5 --method pattern --out FILE")
    w1, w2 = arrays["conv1.weight"], arrays["conv2.weight"]
    if w1.shape != (16, 1, 3, 3) or w2.shape != (32, 16, 3, 3):
        raise WorkloadError(f"model file {path}: conv weights {w1.shape}, {w2.shape} are "
                            "not LeNet-5's (16, 1, 3, 3) and (32, 16, 3, 3)")
    conv1 = ConvLayer("conv1", w1.astype(np.float32), _mnist_image(seed))
    conv2 = ConvLayer("conv2", w2.astype(np.float32), _pool_relu(conv1))
    name = meta.get("name") or os.path.splitext(os.path.basename(os.fspath(path)))[0]
    return ConvWorkload(str(name), (conv1, conv2))


def _mnist_image(seed: int) -> np.ndarray:
    test = load_mnist().test
    return test.images[seed % len(test.images)].reshape(1, 28, 28).astype(np.float32)


def _pool_relu(layer: ConvLayer) -> np.ndarray:
    """The next layer's input: ReLU then 2x2 max-pool of `layer`'s numpy output."""
    y = np.maximum(layer.reference_output, 0.0).astype(np.float32)[None]
    return MaxPool2("pool").forward(y, None)[0][0]

