"""bsr: tensor cores over the stored tiles of a BSR matrix; each CTA reads its block
row's two pointers and walks only its kept tiles (block rows differ in work)."""

from __future__ import annotations

import numpy as np

from sparsesim.accelerators.gpu_spmm.config import SpmmConfig
from sparsesim.accelerators.gpu_spmm.rows import VALUE_BYTES
from sparsesim.accelerators.gpu_spmm.tensor_blocks import block_kernel_work, block_rows_times_b
from sparsesim.accelerators.gpu_spmm.work import KernelWork
from sparsesim.workloads.formats.bsr import BSR

NAME = "bsr"


def encode(a: np.ndarray, config: SpmmConfig, block: int) -> BSR:
    return BSR.from_dense(a, (block, block))


def work(bsr: BSR, n: int, config: SpmmConfig, value_bytes: int) -> KernelWork:
    """fp16 operands only (value_bytes is 2: kernels.why_not refuses others)."""
    m, k = bsr.shape
    per_row = bsr.tiles_per_block_row()
    tile_row = np.repeat(np.arange(len(per_row)), per_row)
    nonzeros = np.bincount(tile_row, weights=np.count_nonzero(bsr.values, axis=(1, 2)),
                           minlength=len(per_row)).astype(np.int64)
    return block_kernel_work(per_row, nonzeros, bsr.block, (m, n, k), 2,
                             bsr.size_bytes(VALUE_BYTES, config.index_bytes), config,
                             {"tiles": bsr.tiles})


def compute(bsr: BSR, b: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    return block_rows_times_b(bsr.values, bsr.col_indices, bsr.block, b, rows, cols,
                              lambda i: range(bsr.row_ptr[i], bsr.row_ptr[i + 1]))
