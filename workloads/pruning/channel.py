"""Row / channel pruning (Li et al., "Pruning Filters for Efficient ConvNets", ICLR 2017):
remove whole output rows of a matrix (neurons) or whole filters of a convolution (output
channels), those of smallest L1 norm."""

from __future__ import annotations

import numpy as np

from sparsesim.workloads.pruning.checks import keep_largest


def channel_mask(weights: np.ndarray, sparsity: float) -> np.ndarray:
    """Mask removing the `sparsity` fraction of output rows / filters (axis 0) of least
    L1 norm; each row is kept whole or removed whole."""
    norms = np.abs(weights.reshape(weights.shape[0], -1)).sum(axis=1)
    kept_rows = keep_largest(norms, sparsity)
    return np.broadcast_to(kept_rows.reshape((-1,) + (1,) * (weights.ndim - 1)),
                           weights.shape).copy()


def next_layer_inputs(kept_rows: np.ndarray, next_shape: tuple[int, ...]) -> np.ndarray:
    """Mask of the next weighted layer's inputs that the kept output channels feed: a
    convolution's input channels (axis 1), or a fully connected layer's input columns,
    which a flatten lays out channel by channel (columns j*g .. j*g+g-1 for channel j)."""
    if len(next_shape) == 4:
        columns = kept_rows.reshape(1, -1, 1, 1)
    else:
        columns = np.repeat(kept_rows, next_shape[1] // len(kept_rows)).reshape(1, -1)
    return np.broadcast_to(columns, next_shape).copy()


def chain_channel_masks(weights: dict[str, np.ndarray], names: list[str],
                        fractions: list[float]) -> dict[str, np.ndarray]:
    """Masks removing `fractions[t]` of layer t's output channels / neurons for each t,
    first to last: the rows of least L1 norm of the layer as already pruned (its inputs
    removed by layer t - 1), with layer t + 1's matching inputs."""
    masks = {n: np.ones(w.shape, dtype=bool) for n, w in weights.items()}
    for t, fraction in enumerate(fractions):
        this, after = names[t], names[t + 1]
        rows = channel_mask(weights[this] * masks[this], fraction)
        masks[this] &= rows
        kept = rows.reshape(rows.shape[0], -1).all(axis=1)
        masks[after] &= next_layer_inputs(kept, weights[after].shape)
    return masks
