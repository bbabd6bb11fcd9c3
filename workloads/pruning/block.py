"""Block pruning: remove whole (rows x cols) blocks of a weight matrix, those of
smallest L2 norm, so every block is either kept whole or all zero. `block_mask` ranks
blocks over the whole matrix; `row_balanced_block_mask` keeps the same number of blocks
in every block row (the pattern Blocked-ELL stores without padding)."""

from __future__ import annotations

import numpy as np

from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.pruning.checks import check_sparsity, keep_largest


def _block_norms(weights: np.ndarray, block: tuple[int, int]) -> np.ndarray:
    """L2 norm of every block of the flattened (outputs, inputs) matrix; edge blocks
    that overhang it count with the entries they cover."""
    bh, bw = block
    if bh < 1 or bw < 1:
        raise ConfigError(f"block shape must be >= 1 x 1, got {bh} x {bw}")
    matrix = weights.reshape(weights.shape[0], -1)
    rows, cols = matrix.shape
    if bh > rows or bw > cols:
        raise ConfigError(f"block {bh}x{bw} is larger than the {rows}x{cols} layer; use a "
                          "block that fits every layer")
    gr, gc = -(-rows // bh), -(-cols // bw)
    padded = np.zeros((gr * bh, gc * bw))
    padded[:rows, :cols] = matrix
    return np.sqrt((padded.reshape(gr, bh, gc, bw) ** 2).sum(axis=(1, 3)))


def _expand(kept: np.ndarray, weights: np.ndarray, block: tuple[int, int]) -> np.ndarray:
    rows, cols = weights.shape[0], int(np.prod(weights.shape[1:]))
    mask = np.repeat(np.repeat(kept, block[0], axis=0), block[1], axis=1)[:rows, :cols]
    return mask.reshape(weights.shape)


def block_mask(weights: np.ndarray, sparsity: float, block: tuple[int, int] = (4, 4)) -> np.ndarray:
    """Mask of `weights` (outputs, inputs...) pruned in blocks of `block` entries of the
    flattened (outputs, inputs) matrix; a fraction `sparsity` of the blocks is removed."""
    return _expand(keep_largest(_block_norms(weights, block), sparsity), weights, block)


def row_balanced_block_mask(weights: np.ndarray, sparsity: float,
                            block: tuple[int, int] = (4, 4)) -> np.ndarray:
    """Like block_mask, but every block row keeps round((1 - sparsity) x block columns)
    blocks, its largest by norm (ties: the lower block column)."""
    norms = _block_norms(weights, block)
    keep = int(round((1.0 - check_sparsity(sparsity)) * norms.shape[1]))
    rank = np.argsort(np.argsort(-norms, axis=1, kind="stable"), axis=1)
    return _expand(rank < keep, weights, block)
