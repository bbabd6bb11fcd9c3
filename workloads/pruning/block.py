"""Block pruning: remove whole (rows x cols) blocks of a weight matrix, those of
smallest L2 norm, so every block is either kept whole or all zero."""

from __future__ import annotations

import numpy as np

from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.pruning.checks import keep_largest


def block_mask(weights: np.ndarray, sparsity: float, block: tuple[int, int] = (4, 4)) -> np.ndarray:
    """Mask of `weights` (outputs, inputs...) pruned in blocks of `block` entries of the
    flattened (outputs, inputs) matrix; a fraction `sparsity` of the blocks is removed.
    Edge blocks that overhang the matrix count with the entries they cover."""
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
    norms = np.sqrt((padded.reshape(gr, bh, gc, bw) ** 2).sum(axis=(1, 3)))
    kept = keep_largest(norms, sparsity)
    mask = np.repeat(np.repeat(kept, bh, axis=0), bw, axis=1)[:rows, :cols]
    return mask.reshape(weights.shape)
