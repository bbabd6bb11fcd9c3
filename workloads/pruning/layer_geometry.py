"""The shape of every weighted layer of a network, as AMC describes a layer (He et al.,
"AMC: AutoML for Model Compression and Acceleration on Mobile Devices", ECCV 2018,
Sec. 3.1): output channels n, input channels c, input height h and width w, stride,
kernel size k, and the layer's multiply-accumulates (MACs, "FLOPs" in the paper) per
input image; and the MACs a pruned network still performs.

A fully connected layer is n x c with h = w = k = 1 and stride 0 (AMC's public code,
mit-han-lab/amc env/channel_pruning_env.py, gives a linear layer stride 0 and kernel 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.workloads.mnist import PIXELS
from sparsesim.workloads.nn.layers import Conv2d
from sparsesim.workloads.nn.network import Network, Weights


@dataclass(frozen=True)
class LayerGeometry:
    name: str
    n: int  # output channels (conv) or neurons (fully connected)
    c: int  # input channels or inputs
    h: int  # input height, pixels (1: fully connected)
    w: int  # input width, pixels
    stride: int  # 1 for our convolutions, 0 for fully connected
    k: int  # kernel size, pixels
    positions: int  # output pixels per image: each weight is used this many times

    @property
    def macs(self) -> int:
        """MACs per image of the dense layer."""
        return self.n * self.c * self.k * self.k * self.positions


def geometry(network: Network) -> list[LayerGeometry]:
    """Every weighted layer's geometry, found by passing one blank image (flattened, as
    every network here takes it) through."""
    shapes: list[LayerGeometry] = []
    x = np.zeros((1, PIXELS), dtype=np.float32)
    for layer in network.layers:
        w = network.weights.get(layer.name)
        y, _ = layer.forward(x, w)
        if w is not None:
            if isinstance(layer, Conv2d):
                _, c, h, wd = x.shape
                shapes.append(LayerGeometry(layer.name, w.shape[0], c, h, wd, 1, layer.kernel,
                                            y.shape[2] * y.shape[3]))
            else:
                shapes.append(LayerGeometry(layer.name, w.shape[0], w.shape[1], 1, 1, 0, 1, 1))
        x = y
    return shapes


def nonzero_macs(shapes: list[LayerGeometry], weights: Weights) -> int:
    """MACs per image that a pruned network still performs: each nonzero weight once per
    output pixel (what a machine skipping zeros does; dense hardware does all of them)."""
    return sum(int(np.count_nonzero(weights[g.name])) * g.positions for g in shapes)
