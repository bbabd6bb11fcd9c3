"""What the sparse kernel computed: C from the thread blocks its schedule actually ran.

Each block the SimPy model ran (tile row, tile column, K slice) multiplies its rows of the
compressed A (kept values and 2-bit positions: for each position p of a group of 4, the
values stored at p multiply row 4g + p of B, as the tensor core's metadata-driven selection
of B does) by its B columns over its own K steps, and adds the partial into its C tile.
Arithmetic follows the tensor cores: fp16/bf16 products summed in fp32 (split-K partials
too), a bias (if any) added to the fp32 accumulator in the epilogue, then rounded to the
output type; int8 products summed exactly (int32 output). A block
the schedule lost leaves its part of C missing; a block run twice counts twice.

The check is independent of that computation: numpy's dense float64 product of the
uncompressed pruned A. Large GEMMs are checked on a seeded sample of 256 x 256 output
blocks, so the checked work stays within a budget; the schedule's block counts are checked
over the whole GEMM (every block exactly once).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from sparsesim.accelerators.stc.kernel import KernelPlan
from sparsesim.workloads.formats.nm_compressed import NMCompressed
from sparsesim.workloads.gemm import BLOCK, GemmOperands, MatrixOperands
from sparsesim.workloads.numeric import NumericType

DEFAULT_CHECK_BUDGET_MACS = 2**32  # most multiply-accumulates the output check computes


def _accumulator(dtype: NumericType) -> type:
    return np.float64 if dtype.is_integer else np.float32


def sparse_partial(a: NMCompressed, b: np.ndarray, dtype: NumericType) -> np.ndarray:
    """A @ B from A's kept values and positions, in the accumulator type (not rounded)."""
    rows, k = a.shape
    groups = a.values.shape[1]
    acc = _accumulator(dtype)
    b_padded = np.zeros((groups * a.m, b.shape[1]), dtype=acc)
    b_padded[:k] = b
    b_grouped = b_padded.reshape(groups, a.m, b.shape[1])
    c = np.zeros((rows, b.shape[1]), dtype=acc)
    for p in range(a.m):
        a_at_p = np.where(a.positions == p, a.values, 0).sum(axis=2).astype(acc)
        c += a_at_p @ b_grouped[:, p, :]
    return c


def round_output(c: np.ndarray, dtype: NumericType) -> np.ndarray:
    """Accumulators to the output type (float64 array): int32 exact, or fp16/bf16."""
    return c if dtype.is_integer else dtype.round(c).astype(np.float64)


def sparse_matmul(a: NMCompressed, b: np.ndarray, dtype: NumericType) -> np.ndarray:
    """C = A @ B using only A's kept values and positions; rounded to the output type."""
    return round_output(sparse_partial(a, b, dtype), dtype)


@dataclass(frozen=True)
class OutputCheck:
    ok: bool
    max_abs_error: float
    max_tolerance: float  # largest per-element tolerance used
    rows_checked: int
    cols_checked: int
    macs_checked: int
    blocks_missing: int  # (tile, K slice) blocks the schedule never ran
    blocks_repeated: int  # extra runs of blocks the schedule ran more than once

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _sample(count: int, keep: int, rng: np.random.Generator) -> np.ndarray:
    return np.sort(rng.permutation(count)[:keep]) if keep < count else np.arange(count)


def _overlap(start: int, size: int, lo: int, hi: int) -> tuple[int, int]:
    return max(start, lo), min(start + size, hi)


def _computed_block(a: np.ndarray, b: np.ndarray, rows: tuple[int, int], cols: tuple[int, int],
                    plan: KernelPlan, runs: dict[tuple[int, int], list[int]],
                    dtype: NumericType, bias: np.ndarray | None = None) -> np.ndarray:
    """C[rows, cols] (A panel `a` holds rows, B panel `b` cols) summed from the scheduled
    blocks that overlap it, plus the rows' `bias` in the epilogue."""
    acc = np.zeros((rows[1] - rows[0], cols[1] - cols[0]), dtype=_accumulator(dtype))
    k = a.shape[1]
    tile = plan.tile
    for tm in range(rows[0] // tile.m, math.ceil(rows[1] / tile.m)):
        r0, r1 = _overlap(tm * tile.m, tile.m, *rows)
        for tn in range(cols[0] // tile.n, math.ceil(cols[1] / tile.n)):
            c0, c1 = _overlap(tn * tile.n, tile.n, *cols)
            for k_slice in runs.get((tm, tn), []):
                steps = plan.slice_steps(k_slice)
                k0, k1 = steps.start * plan.k_tile, min(steps.stop * plan.k_tile, k)
                encoded = NMCompressed.from_dense(a[r0 - rows[0]:r1 - rows[0], k0:k1])
                acc[r0 - rows[0]:r1 - rows[0], c0 - cols[0]:c1 - cols[0]] += sparse_partial(
                    encoded, b[k0:k1, c0 - cols[0]:c1 - cols[0]], dtype)
    if bias is not None:
        acc += bias.astype(acc.dtype)[:, None]
    return round_output(acc, dtype)


def check_output(operands: GemmOperands | MatrixOperands, plan: KernelPlan,
                 schedule: list[tuple[int, int, int]],
                 budget_macs: int = DEFAULT_CHECK_BUDGET_MACS) -> OutputCheck:
    """Compute C from the blocks in `schedule` and compare with numpy, element by element:
    |error| <= u_out |C| + s_out / 2 + (1 + u_out) K 2^-24 (|A| @ |B|) for floats (u_out:
    the output type's unit roundoff; s_out: its subnormal spacing, the rounding step of
    outputs too small for a relative bound; 2^-24: fp32 accumulation), exactly for int8."""
    shape, dtype = operands.shape, operands.dtype
    runs: dict[tuple[int, int], list[int]] = defaultdict(list)
    for tm, tn, k_slice in schedule:
        runs[(tm, tn)].append(k_slice)
    counts = Counter(schedule)
    missing = plan.tiles - len(counts)
    repeated = sum(c - 1 for c in counts.values())
    row_panels, col_panels = operands.panels
    fraction = min(1.0, budget_macs / shape.macs)
    rng = np.random.default_rng([operands.seed, 3])
    rows = _sample(row_panels, max(1, math.floor(row_panels * math.sqrt(fraction))), rng)
    cols = _sample(col_panels, max(1, math.floor(col_panels * math.sqrt(fraction))), rng)
    ok, max_error, max_tolerance = missing == 0 and repeated == 0, 0.0, 0.0
    b_panels = {int(j): operands.b_panel(int(j)) for j in cols}
    for i in rows:
        a = operands.a_panel(int(i))
        row_range = (int(i) * BLOCK, int(i) * BLOCK + a.shape[0])
        for j, b in b_panels.items():
            col_range = (j * BLOCK, j * BLOCK + b.shape[1])
            bias = operands.bias_panel(int(i))
            c = _computed_block(a, b, row_range, col_range, plan, runs, dtype, bias=bias)
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
                tolerance = (u * np.abs(reference) + dtype.subnormal_step / 2
                             + (1 + u) * shape.k * 2.0**-24 * magnitude)
            ok = ok and bool(np.all(error <= tolerance))
            max_error = max(max_error, float(error.max(initial=0.0)))
            max_tolerance = max(max_tolerance, float(tolerance.max(initial=0.0)))
    rows_checked = sum(min(BLOCK, shape.m - int(i) * BLOCK) for i in rows)
    cols_checked = sum(b.shape[1] for b in b_panels.values())
    return OutputCheck(ok=ok, max_abs_error=max_error, max_tolerance=max_tolerance,
                       rows_checked=rows_checked, cols_checked=cols_checked,
                       macs_checked=rows_checked * cols_checked * shape.k,
                       blocks_missing=missing, blocks_repeated=repeated)
