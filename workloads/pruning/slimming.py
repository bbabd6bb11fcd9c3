"""Network Slimming (Liu et al., "Learning Efficient Convolutional Networks through Network
Slimming", ICCV 2017): one scaling factor gamma per channel / neuron, trained with an L1
penalty lambda * sum |gamma| so that unneeded channels' factors shrink towards zero; the
channels whose |gamma| is smallest over the whole network (one global threshold) are
pruned, and the thinner network fine-tuned.

The paper's factors are BatchNorm's gamma; our numpy networks have no BatchNorm, so each
hidden layer loses its ReLU to a Scale layer after it, y = ReLU(gamma_c x_c) (the paper
allows a separate scaling layer where there is no BN). Without BN's normalisation the
preceding weights could grow to offset a shrinking gamma; weight decay on them (the
trainer's L2) works against that. After fine-tuning the factors fold back into the
weights, ReLU((gamma W) x) exactly, giving a plain network of the original layout.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sparsesim.workloads.nn.compact import kept_rows
from sparsesim.workloads.nn.layers import Scale
from sparsesim.workloads.nn.network import Network
from sparsesim.workloads.pruning.channel import remove_neurons

Masks = dict[str, np.ndarray]

# lambda: Liu et al. grid-searched 1e-3, 1e-4, 1e-5 on CIFAR-10 and chose 1e-4 for VGGNet
# (1e-5 for ResNet and DenseNet); the official code's README trains VGG with --s 0.0001.
DEFAULT_LAMBDA = 1e-4
# Initial gamma: the official PyTorch code (Eric-mingjie/network-slimming, models/vgg.py)
# fills BatchNorm weights with 0.5.
GAMMA_INIT = 0.5
SUFFIX = ".scale"


def with_scales(network: Network, init: float = GAMMA_INIT) -> Network:
    """`network` with a Scale layer (factors `init`) after every weighted layer but the
    last, which gives up its ReLU to it: the same function when `init` is 1."""
    hidden = {layer.name for layer in network.weighted_layers[:-1]}
    layers, weights = [], dict(network.weights)
    for layer in network.layers:
        if layer.name not in hidden:
            layers.append(layer)
            continue
        channels = network.weights[layer.name].shape[0]
        layers += [replace(layer, relu=False), Scale(layer.name + SUFFIX, channels)]
        weights[layer.name + SUFFIX] = np.full(channels, init, dtype=np.float32)
    return Network(network.name, layers, weights)


def _plain_names(network: Network) -> list[str]:
    return [la.name for la in network.weighted_layers if not isinstance(la, Scale)]


def slimming_masks(network: Network, ratio: float) -> Masks:
    """Masks removing round(`ratio` x all factors) channels of smallest |gamma| over the
    whole network (ties: earlier layers and channels first), at least one kept per layer;
    each removed channel also loses its weights and the next layer's inputs it fed."""
    names = _plain_names(network)
    scaled = [n for n in names if n + SUFFIX in network.weights]
    gammas = np.concatenate([np.abs(network.weights[n + SUFFIX]) for n in scaled])
    removed = np.zeros(len(gammas), dtype=bool)
    removed[np.argsort(gammas, kind="stable")[:round(ratio * len(gammas))]] = True
    masks = {n: np.ones(w.shape, dtype=bool) for n, w in network.weights.items()}
    start = 0
    for name in scaled:
        gamma = network.weights[name + SUFFIX]
        kept = ~removed[start:start + len(gamma)]
        start += len(gamma)
        if not kept.any():
            kept[int(np.argmax(np.abs(gamma)))] = True
        masks[name + SUFFIX] = kept
        masks.update(remove_neurons(masks, names, names.index(name), kept))
    return masks


def fold_scales(network: Network) -> Network:
    """The plain network computing the same function: each Scale's factors multiplied into
    the rows of the layer before it, which gets its ReLU back."""
    layers: list = []
    weights = {n: w for n, w in network.weights.items() if not n.endswith(SUFFIX)}
    for layer in network.layers:
        if isinstance(layer, Scale):
            before = layers.pop()
            gamma = network.weights[layer.name]
            w = weights[before.name]
            weights[before.name] = (w * gamma.reshape((-1,) + (1,) * (w.ndim - 1))).astype(
                np.float32)
            layers.append(replace(before, relu=True))
        else:
            layers.append(layer)
    return Network(network.name, layers, weights)


def channel_counts(network: Network) -> dict[str, int]:
    """Output channels / neurons still holding a nonzero weight, per hidden layer."""
    return {name: int(rows.sum()) for name, rows in kept_rows(network).items()}
