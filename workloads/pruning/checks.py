"""Argument checks shared by the pruning methods."""

from __future__ import annotations

import numpy as np

from sparsesim.simulator.errors import ConfigError


def check_sparsity(sparsity: float) -> float:
    """`sparsity` is the fraction of weights removed, 0 <= sparsity < 1."""
    if not 0.0 <= sparsity < 1.0:
        raise ConfigError(f"sparsity must be in [0, 1) (fraction of weights removed), "
                          f"got {sparsity}")
    return float(sparsity)


def keep_largest(scores: np.ndarray, sparsity: float) -> np.ndarray:
    """Mask keeping the round((1 - sparsity) * size) largest scores; ties broken by
    position (earlier first), so the kept count is exact."""
    flat = scores.ravel()
    keep = int(round((1.0 - check_sparsity(sparsity)) * flat.size))
    if keep == 0:
        return np.zeros(scores.shape, dtype=bool)
    threshold = np.partition(flat, flat.size - keep)[flat.size - keep]  # keep-th largest
    mask = flat > threshold
    ties = np.flatnonzero(flat == threshold)[:keep - int(mask.sum())]
    mask[ties] = True
    return mask.reshape(scores.shape)
