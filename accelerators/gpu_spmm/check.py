"""The output check every kernel's result goes through: the kernel's C on a seeded
sample of rows and columns (all of them when M x N x K fits the budget) against numpy's
float64 product of the pruned A and B, element by element, with the tolerance of fp32
sums rounded to fp16: |error| <= u |C| + (1 + u) K 2^-24 (|A| @ |B|), u = 2^-11.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from sparsesim.workloads.numeric import NumericType

DEFAULT_CHECK_BUDGET_MACS = 2**26  # most multiply-accumulates one kernel's check computes


@dataclass(frozen=True)
class Sample:
    rows: np.ndarray
    cols: np.ndarray
    complete: bool  # every element of C is checked


def sample(m: int, n: int, k: int, seed: int, budget_macs: int = DEFAULT_CHECK_BUDGET_MACS
           ) -> Sample:
    """Rows and columns of C to check, sorted; a square-root share of each axis."""
    fraction = min(1.0, budget_macs / (m * n * k))
    rng = np.random.default_rng([seed, 7])
    keep_m, keep_n = (max(1, math.floor(size * math.sqrt(fraction))) for size in (m, n))
    rows = np.sort(rng.permutation(m)[:keep_m])
    cols = np.sort(rng.permutation(n)[:keep_n])
    return Sample(rows, cols, keep_m == m and keep_n == n)


@dataclass(frozen=True)
class Check:
    ok: bool
    max_abs_error: float
    rows_checked: int
    cols_checked: int
    complete: bool

    def to_dict(self) -> dict:
        return asdict(self)


def check(c: np.ndarray, a: np.ndarray, b: np.ndarray, where: Sample,
          dtype: NumericType) -> Check:
    """Compare the kernel's C[rows, cols] (fp32 sums) with numpy."""
    a_rows, b_cols = a[where.rows], b[:, where.cols]
    reference = a_rows.astype(np.float64) @ b_cols.astype(np.float64)
    result = dtype.round(c).astype(np.float64)
    magnitude = np.abs(a_rows).astype(np.float64) @ np.abs(b_cols).astype(np.float64)
    u = dtype.unit_roundoff
    tolerance = (u * np.abs(reference) + dtype.subnormal_step / 2
                 + (1 + u) * a.shape[1] * 2.0**-24 * magnitude)
    error = np.abs(result - reference)
    return Check(bool(np.all(error <= tolerance)), float(error.max(initial=0.0)),
                 len(where.rows), len(where.cols), where.complete)
