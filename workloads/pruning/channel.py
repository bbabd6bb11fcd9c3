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
