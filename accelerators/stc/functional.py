"""What the sparse tensor cores compute: C = A @ B from A's 2:4 kept values and metadata.

For each position p of a group of 4, the kept values stored at position p multiply row
(4g + p) of B, as the tensor core's metadata-driven selection of B does; summing over p
gives C. Arithmetic follows the tensor cores: fp16/bf16 products summed in fp32, then
rounded to the output type; int8 products summed exactly (int32 output).

The check compares with numpy's dense float64 product of the uncompressed pruned A.
Large GEMMs are checked on a seeded sample of output blocks (whole A row panels x
whole B column panels of the generator), so the checked work stays within a budget.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from sparsesim.workloads.formats.nm_compressed import NMCompressed
from sparsesim.workloads.gemm import BLOCK, GemmOperands, MatrixOperands
from sparsesim.workloads.numeric import NumericType

DEFAULT_CHECK_BUDGET_MACS = 2**32  # most multiply-accumulates the output check computes


def sparse_matmul(a: NMCompressed, b: np.ndarray, dtype: NumericType) -> np.ndarray:
    """C = A @ B using only A's kept values and positions; rounded to the output type."""
    rows, k = a.shape
    groups = a.values.shape[1]
    acc = np.float64 if dtype.is_integer else np.float32
    b_padded = np.zeros((groups * a.m, b.shape[1]), dtype=acc)
    b_padded[:k] = b
    b_grouped = b_padded.reshape(groups, a.m, b.shape[1])
    c = np.zeros((rows, b.shape[1]), dtype=acc)
    for p in range(a.m):
        a_at_p = np.where(a.positions == p, a.values, 0).sum(axis=2).astype(acc)
        c += a_at_p @ b_grouped[:, p, :]
    return c if dtype.is_integer else dtype.round(c).astype(np.float64)


@dataclass(frozen=True)
class OutputCheck:
    ok: bool
    max_abs_error: float
    max_tolerance: float  # largest per-element tolerance used
    rows_checked: int
    cols_checked: int
    macs_checked: int

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _sample(count: int, keep: int, rng: np.random.Generator) -> np.ndarray:
    return np.sort(rng.permutation(count)[:keep]) if keep < count else np.arange(count)


def checked_panels(row_panels: int, col_panels: int, macs: int,
                   budget_macs: int) -> tuple[int, int]:
    """How many A row panels and B column panels the check samples (at least one each)."""
    fraction = min(1.0, budget_macs / macs)
    return (max(1, math.floor(row_panels * math.sqrt(fraction))),
            max(1, math.floor(col_panels * math.sqrt(fraction))))


# Host bytes the check holds per checked output element (c, reference, error, tolerance,
# magnitude: float64 and float32 arrays) and per checked operand element (the float32
# panel, its float64 and |.| copies, the compressed form). Measured on 4096 x 4096 x 16
# (760 MB peak); our estimate, used to refuse a check that would not fit.
CHECK_BYTES_PER_OUTPUT = 48
CHECK_BYTES_PER_OPERAND = 24


def check_memory_bytes(m: int, n: int, k: int,
                       budget_macs: int = DEFAULT_CHECK_BUDGET_MACS) -> int:
    """Estimated peak host memory of check_output on an M x N x K GEMM, bytes."""
    rows, cols = checked_panels(-(-m // BLOCK), -(-n // BLOCK), m * n * k, budget_macs)
    rows, cols = min(m, rows * BLOCK), min(n, cols * BLOCK)
    return CHECK_BYTES_PER_OUTPUT * rows * cols + CHECK_BYTES_PER_OPERAND * k * (rows + cols)


def check_output(operands: GemmOperands | MatrixOperands,
                 budget_macs: int = DEFAULT_CHECK_BUDGET_MACS) -> OutputCheck:
    """Compute C from compressed A panels and compare with numpy, element by element:
    |error| <= u_out |C| + (1 + u_out) K 2^-24 (|A| @ |B|) for floats (u_out: the output
    type's unit roundoff; 2^-24: fp32 accumulation), exactly for int8."""
    shape, dtype = operands.shape, operands.dtype
    row_panels, col_panels = operands.panels
    keep_rows, keep_cols = checked_panels(row_panels, col_panels, shape.macs, budget_macs)
    rng = np.random.default_rng([operands.seed, 3])
    rows = _sample(row_panels, keep_rows, rng)
    cols = _sample(col_panels, keep_cols, rng)
    a = np.concatenate([operands.a_panel(int(i)) for i in rows])
    b = np.concatenate([operands.b_panel(int(j)) for j in cols], axis=1)
    c = sparse_matmul(NMCompressed.from_dense(a), b, dtype)
    reference = a.astype(np.float64) @ b.astype(np.float64)
    error = np.abs(c - reference)
    if dtype.is_integer:
        tolerance = np.zeros_like(reference)
    else:
        magnitude = np.abs(a).astype(np.float32) @ np.abs(b).astype(np.float32)
        u = dtype.unit_roundoff
        tolerance = u * np.abs(reference) + (1 + u) * shape.k * 2.0**-24 * magnitude
    return OutputCheck(ok=bool(np.all(error <= tolerance)),
                       max_abs_error=float(error.max(initial=0.0)),
                       max_tolerance=float(tolerance.max(initial=0.0)),
                       rows_checked=int(a.shape[0]), cols_checked=int(b.shape[1]),
                       macs_checked=int(a.shape[0] * b.shape[1] * shape.k))
