"""What the sparse tensor cores compute: C = A @ B from A's 2:4 kept values and metadata.

For each position p of a group of 4, the kept values stored at position p multiply row
(4g + p) of B, as the tensor core's metadata-driven selection of B does; summing over p
gives C. Arithmetic follows the tensor cores: fp16/bf16 products summed in fp32, a bias (if
any) added to the fp32 accumulator in the epilogue, then rounded to the output type;
int8 products summed exactly (int32 output).

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
from sparsesim.workloads.gemm import GemmOperands, MatrixOperands
from sparsesim.workloads.numeric import NumericType

DEFAULT_CHECK_BUDGET_MACS = 2**32  # most multiply-accumulates the output check computes


def sparse_matmul(a: NMCompressed, b: np.ndarray, dtype: NumericType,
                  bias: np.ndarray | None = None) -> np.ndarray:
    """C = A @ B using only A's kept values and positions, plus `bias` per row added to
    the accumulator in the epilogue; rounded to the output type."""
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
    if bias is not None:
        c += bias.astype(acc)[:, None]
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


def check_output(operands: GemmOperands | MatrixOperands,
                 budget_macs: int = DEFAULT_CHECK_BUDGET_MACS) -> OutputCheck:
    """Compute C from compressed A panels and compare with numpy, element by element:
    |error| <= u_out |C| + (1 + u_out) K 2^-24 (|A| @ |B|) for floats (u_out: the output
    type's unit roundoff; 2^-24: fp32 accumulation), exactly for int8."""
    shape, dtype = operands.shape, operands.dtype
    row_panels, col_panels = operands.panels
    fraction = min(1.0, budget_macs / shape.macs)
    rng = np.random.default_rng([operands.seed, 3])
    rows = _sample(row_panels, max(1, math.floor(row_panels * math.sqrt(fraction))), rng)
    cols = _sample(col_panels, max(1, math.floor(col_panels * math.sqrt(fraction))), rng)
    a = np.concatenate([operands.a_panel(int(i)) for i in rows])
    b = np.concatenate([operands.b_panel(int(j)) for j in cols], axis=1)
    biases = [operands.bias_panel(int(i)) for i in rows]
    bias = None if biases[0] is None else np.concatenate(biases)
    c = sparse_matmul(NMCompressed.from_dense(a), b, dtype, bias)
    reference = a.astype(np.float64) @ b.astype(np.float64)
    if bias is not None:
        reference += bias.astype(np.float64)[:, None]
    error = np.abs(c - reference)
    if dtype.is_integer:
        tolerance = np.zeros_like(reference)
    else:
        magnitude = np.abs(a).astype(np.float32) @ np.abs(b).astype(np.float32)
        if bias is not None:  # the epilogue's fp32 add is one more rounding
            magnitude += np.abs(bias)[:, None]
        u = dtype.unit_roundoff
        tolerance = u * np.abs(reference) + (1 + u) * shape.k * 2.0**-24 * magnitude
    return OutputCheck(ok=bool(np.all(error <= tolerance)),
                       max_abs_error=float(error.max(initial=0.0)),
                       max_tolerance=float(tolerance.max(initial=0.0)),
                       rows_checked=int(a.shape[0]), cols_checked=int(b.shape[1]),
                       macs_checked=int(a.shape[0] * b.shape[1] * shape.k))
