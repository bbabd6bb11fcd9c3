"""Load-balance-aware pruning (Han et al., ESE, FPGA 2017) and the plain magnitude
pruning it is compared with.

Rows of a weight matrix are interleaved over the PEs (row i -> PE i mod num_pes), so PE
p's submatrix is rows p, p + N, p + 2N, ... Plain magnitude pruning keeps the largest
weights of the whole matrix, and some submatrices end up with more nonzeros than
others: their PE works longer while the rest wait. Balanced pruning keeps the same
number of largest weights inside every submatrix, so every PE holds the same count.
"""

from __future__ import annotations

import numpy as np

from sparsesim.simulator.errors import ConfigError, WorkloadError


def _check(weights: np.ndarray, sparsity: float) -> np.ndarray:
    weights = np.asarray(weights)
    if weights.ndim != 2:
        raise WorkloadError(f"pruning: expected a 2-D weight matrix, got shape {weights.shape}")
    if not 0.0 <= sparsity < 1.0:
        raise ConfigError(f"pruning: sparsity must lie in [0, 1), got {sparsity!r}; "
                          "0.9 keeps 10% of the weights")
    return weights


def _keep_largest(magnitudes: np.ndarray, keep: int) -> np.ndarray:
    """Boolean mask of the `keep` largest entries of a flat array; ties go to the lower
    index, so the mask is deterministic."""
    order = np.argsort(-magnitudes, kind="stable")
    mask = np.zeros(magnitudes.size, dtype=bool)
    mask[order[:keep]] = True
    return mask


def magnitude_mask(weights: np.ndarray, sparsity: float) -> np.ndarray:
    """Keep-mask of the round((1 - sparsity) * size) largest-magnitude weights of the
    whole matrix (the baseline; blind to how rows map onto PEs)."""
    weights = _check(weights, sparsity)
    keep = int(round((1.0 - sparsity) * weights.size))
    return _keep_largest(np.abs(weights).ravel(), keep).reshape(weights.shape)


def balanced_mask(weights: np.ndarray, sparsity: float, num_pes: int) -> np.ndarray:
    """Keep-mask with the same number of kept weights in every PE's submatrix.

    Each submatrix (rows p, p + num_pes, ...) keeps its own largest-magnitude weights,
    round((1 - sparsity) * size / num_pes) of them, capped by the smallest submatrix.
    """
    weights = _check(weights, sparsity)
    if not isinstance(num_pes, int) or num_pes < 1:
        raise ConfigError(f"pruning: num_pes must be a whole number >= 1, got {num_pes!r}")
    rows = weights.shape[0]
    smallest = (rows // num_pes) * weights.shape[1]
    keep = min(smallest, int(round((1.0 - sparsity) * weights.size / num_pes)))
    mask = np.zeros(weights.shape, dtype=bool)
    for pe in range(min(num_pes, rows)):
        sub = np.abs(weights[pe::num_pes])
        mask[pe::num_pes] = _keep_largest(sub.ravel(), keep).reshape(sub.shape)
    return mask


def pe_counts(mask: np.ndarray, num_pes: int) -> np.ndarray:
    """Kept entries in each PE's submatrix (rows interleaved), int64 per PE."""
    per_row = np.asarray(mask).sum(axis=1)
    return np.bincount(np.arange(len(per_row)) % num_pes, weights=per_row,
                       minlength=num_pes).astype(np.int64)
