"""Row / channel pruning (Li et al., "Pruning Filters for Efficient ConvNets", ICLR 2017):
remove whole output rows of a matrix (neurons) or whole filters of a convolution (output
channels), those of smallest L1 norm, and with them the next layer's inputs they feed."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.pruning.checks import keep_largest


def channel_mask(weights: np.ndarray, sparsity: float) -> np.ndarray:
    """Mask removing the `sparsity` fraction of output rows / filters (axis 0) of least
    L1 norm; each row is kept whole or removed whole."""
    norms = np.abs(weights.reshape(weights.shape[0], -1)).sum(axis=1)
    kept_rows = keep_largest(norms, sparsity)
    return np.broadcast_to(kept_rows.reshape((-1,) + (1,) * (weights.ndim - 1)),
                           weights.shape).copy()


def keep_rows(weights: np.ndarray, kept: int) -> np.ndarray:
    """Boolean over rows (output neurons or channels): the `kept` of largest L1 norm
    (ties: earlier rows)."""
    norms = np.abs(weights.reshape(len(weights), -1)).sum(axis=1)
    keep = np.zeros(len(norms), dtype=bool)
    keep[np.argsort(-norms, kind="stable")[:kept]] = True
    return keep


def remove_neurons(arrays: dict[str, np.ndarray], names: Sequence[str], index: int,
                   rows: np.ndarray) -> dict[str, np.ndarray]:
    """Layer `index` and the next with the neurons (channels) outside `rows` removed: those
    output rows of the layer and the next layer's inputs they feed are zero (False for
    masks). A convolution followed by a flatten feeds a block of columns per channel."""
    this, after = names[index], names[index + 1]
    here, there = arrays[this], arrays[after]
    if there.shape[1] % len(rows):
        raise WorkloadError(f"layer {after} has {there.shape[1]} inputs, not a multiple of "
                            f"{this}'s {len(rows)} outputs")
    fed = np.repeat(rows, there.shape[1] // len(rows))
    return {this: here * rows.reshape((-1,) + (1,) * (here.ndim - 1)),
            after: there * fed.reshape((1, -1) + (1,) * (there.ndim - 2))}


def uniform_channel_masks(weights: dict[str, np.ndarray], names: Sequence[str],
                          ratio: float) -> dict[str, np.ndarray]:
    """Masks removing round(`ratio` x rows) output channels / neurons of least L1 norm
    from every weighted layer in `names` but the last (its rows are classes), each with
    the next layer's matching inputs; at least one row of a layer stays."""
    masks = {n: np.ones(weights[n].shape, dtype=bool) for n in names}
    for index, name in enumerate(names[:-1]):
        rows = len(weights[name])
        kept = keep_rows(weights[name], max(1, rows - round(ratio * rows)))
        masks.update(remove_neurons(masks, names, index, kept))
    return masks


def chain_channel_masks(weights: dict[str, np.ndarray], names: Sequence[str],
                        fractions: Sequence[float]) -> dict[str, np.ndarray]:
    """Masks removing round(`fractions[t]` x rows) output channels / neurons of layer t for
    each t, first to last (AMC's per-layer actions): the rows of least L1 norm of the layer
    as already pruned (its inputs removed by layer t - 1), each with the next layer's
    matching inputs; at least one row of a layer stays."""
    masks = {n: np.ones(weights[n].shape, dtype=bool) for n in names}
    for index, fraction in enumerate(fractions):
        name = names[index]
        rows = len(weights[name])
        kept = keep_rows(weights[name] * masks[name], max(1, rows - round(fraction * rows)))
        masks.update(remove_neurons(masks, names, index, kept))
    return masks
