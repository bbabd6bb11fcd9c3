"""Power-law row lengths: a mask whose rows keep very different numbers of entries, the
skew that graph matrices and some pruned layers show and that row swizzle load
balancing targets (Gale et al., SC 2020).

Row i keeps about c / rank_i^exponent entries, ranks a random permutation of 1..rows;
every row keeps at least one and at most all, and c is found (by bisection) so the
clipped lengths sum to `density` of the matrix. Within a row the kept positions are
random.
"""

from __future__ import annotations

import numpy as np

from sparsesim.simulator.errors import ConfigError

BISECTION_STEPS = 60


def power_law_row_lengths(rows: int, cols: int, density: float, exponent: float,
                          rng: np.random.Generator) -> np.ndarray:
    """Kept entries per row (int64), summing to about density x rows x cols."""
    if not 0.0 < density <= 1.0:
        raise ConfigError(f"density must be in (0, 1], got {density}")
    if exponent < 0:
        raise ConfigError(f"power-law exponent must be >= 0, got {exponent}")
    shape = 1.0 / rng.permutation(np.arange(1, rows + 1)) ** exponent
    target = density * rows * cols
    low, high = 0.0, target / shape.min()
    for _ in range(BISECTION_STEPS):
        scale = (low + high) / 2
        low, high = (scale, high) if np.clip(shape * scale, 1, cols).sum() < target else (
            low, scale)
    return np.clip(np.rint(shape * high), 1, cols).astype(np.int64)


def power_law_mask(shape: tuple[int, int], density: float, exponent: float,
                   rng: np.random.Generator) -> np.ndarray:
    """Mask of `shape` keeping power_law_row_lengths random positions in each row."""
    rows, cols = shape
    lengths = power_law_row_lengths(rows, cols, density, exponent, rng)
    keys = rng.random(shape)
    threshold = np.sort(keys, axis=1)[np.arange(rows), lengths - 1]
    return keys <= threshold[:, None]
