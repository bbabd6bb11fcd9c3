"""blocked-ell: tensor cores over a Blocked-ELL matrix (cuSPARSE's format). Every block
row walks all ell_cols slots, so padding slots cost a full step of time (their values
are zero, their copies and MMAs still run) and every CTA has the same work."""

from __future__ import annotations

import numpy as np

from sparsesim.accelerators.gpu_spmm.config import SpmmConfig
from sparsesim.accelerators.gpu_spmm.rows import VALUE_BYTES
from sparsesim.accelerators.gpu_spmm.tensor_blocks import block_kernel_work, block_rows_times_b
from sparsesim.accelerators.gpu_spmm.work import KernelWork
from sparsesim.workloads.formats.blocked_ell import PADDING, BlockedELL

NAME = "blocked-ell"


def encode(a: np.ndarray, config: SpmmConfig, block: int) -> BlockedELL:
    return BlockedELL.from_dense(a, block)


def work(ell: BlockedELL, n: int, config: SpmmConfig, value_bytes: int) -> KernelWork:
    """fp16 operands only (value_bytes is 2: kernels.why_not refuses others)."""
    m, k = ell.shape
    steps = np.full(ell.col_indices.shape[0], ell.ell_cols, dtype=np.int64)
    nonzeros = np.count_nonzero(ell.values.reshape(len(steps), -1), axis=1)
    return block_kernel_work(steps, nonzeros, (ell.block, ell.block), (m, n, k), 0,
                             ell.size_bytes(VALUE_BYTES, config.index_bytes), config,
                             {"ell_cols": ell.ell_cols, "padding_slots": ell.padding_slots})


def compute(ell: BlockedELL, b: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """Padding slots (column index -1) add nothing; every other slot adds its tile."""
    tiles = ell.values.reshape(-1, ell.block, ell.block)
    tile_cols = ell.col_indices.ravel()
    slots = ell.ell_cols
    return block_rows_times_b(
        tiles, tile_cols, (ell.block, ell.block), b, rows, cols,
        lambda i: [i * slots + s for s in range(slots) if tile_cols[i * slots + s] != PADDING])
