"""N:M semi-structured sparsity (NVIDIA Ampere 2:4): in every group of M consecutive
weights along a row's inputs, keep the N of largest |w|."""

from __future__ import annotations

import numpy as np

from sparsesim.simulator.errors import ConfigError


def n_m_mask(weights: np.ndarray, n: int = 2, m: int = 4) -> np.ndarray:
    """Mask of `weights` (outputs, inputs...) with at most n nonzeros per group of m
    along the flattened inputs of each output; the input count must divide by m."""
    if not 0 < n <= m:
        raise ConfigError(f"N:M needs 0 < N <= M, got {n}:{m}")
    rows = weights.reshape(weights.shape[0], -1)
    if rows.shape[1] % m:
        raise ConfigError(f"N:M with M={m} needs the input count to divide by {m}, "
                          f"got {rows.shape[1]} inputs; choose another M")
    groups = np.abs(rows).reshape(rows.shape[0], -1, m)
    order = np.argsort(-groups, axis=-1, kind="stable")[..., :n]
    mask = np.zeros(groups.shape, dtype=bool)
    np.put_along_axis(mask, order, True, axis=-1)
    return mask.reshape(weights.shape)
