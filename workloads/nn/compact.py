"""Channel pruning made physical: a network whose removed neurons / output channels are
gone, so every layer is a smaller dense matrix (what dense hardware can exploit).

A row (neuron, or a convolution's filter) that is all zero outputs ReLU(0) = 0, so
dropping it and the next layer's inputs it feeds changes no logit; the last layer's
rows are classes and stay.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.nn.layers import Conv2d, Dense, Reshape, Scale
from sparsesim.workloads.nn.network import Network


def kept_rows(network: Network) -> dict[str, np.ndarray]:
    """Per weighted layer but the last (and but Scale layers): its rows holding a nonzero."""
    layers = [la for la in network.weighted_layers if not isinstance(la, Scale)]
    return {la.name: np.any(network.weights[la.name].reshape(
        network.weights[la.name].shape[0], -1) != 0, axis=1) for la in layers[:-1]}


def compact(network: Network) -> Network:
    """The same function with all-zero rows (and the inputs they fed) removed."""
    if any(isinstance(la, Scale) for la in network.layers):
        raise WorkloadError(f"{network.name}: fold the scaling factors into the weights "
                            "before compacting")
    kept = kept_rows(network)
    layers, weights = [], {}
    feeding: np.ndarray | None = None  # outputs of the previous weighted layer that stay
    for layer in network.layers:
        if isinstance(layer, Reshape) and feeding is not None and len(layer.shape) == 1:
            per_channel, rest = divmod(layer.shape[0], len(feeding))
            if rest:
                raise WorkloadError(f"{network.name}: flatten {layer.name} of {layer.shape[0]} "
                                    f"values does not split into {len(feeding)} channels")
            feeding = np.repeat(feeding, per_channel)
            layer = replace(layer, shape=(int(feeding.sum()),))
        elif isinstance(layer, (Dense, Conv2d)):
            w = network.weights[layer.name]
            if feeding is not None:
                w = w[:, feeding]
            rows = kept.get(layer.name, np.ones(len(w), dtype=bool))
            weights[layer.name] = np.ascontiguousarray(w[rows])
            size = {"inputs": w.shape[1], "outputs": int(rows.sum())} if isinstance(
                layer, Dense) else {"in_channels": w.shape[1], "out_channels": int(rows.sum())}
            layer = replace(layer, **size)
            feeding = rows
        layers.append(layer)
    return Network(network.name, layers, weights)
