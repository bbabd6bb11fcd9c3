"""What the two tensor-core block kernels (bsr, blocked-ell) share.

A CTA computes one block row of C (bh rows) over a `block_tile_n`-column tile, 2 x 2
warps; the grid runs column tiles fastest. Per step (one stored tile of A) it copies
the A tile and the matching bw rows of B's column tile from L2 into shared memory, the
warps read their halves into registers and run mma.sync m16n8k16 instructions (PTX
ISA), tile edges padded to whole instructions. The epilogue stages C through shared
memory and stores it. A CTA's demands over the SM's rates give its work
(sm_model); shared memory per CTA is `pipeline_stages` copies of one step's operands.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sparsesim.accelerators.gpu_spmm.config import SpmmConfig
from sparsesim.accelerators.gpu_spmm.rows import VALUE_BYTES, stripe_widths
from sparsesim.accelerators.gpu_spmm.sm_model import (
    RESOURCES,
    cta_work,
    demand_cycles,
    slots_per_sm,
)
from sparsesim.accelerators.gpu_spmm.work import KernelCounts, KernelWork, limiter_shares

MMA_M, MMA_N, MMA_K = 16, 8, 16  # PTX ISA: mma.sync.m16n8k16 (fp16 in, fp32 accumulate)
ACCUMULATOR_BYTES = 4
LDMATRIX_BYTES = 512  # one warp-wide ldmatrix.x4 / cp.async of 16 bytes per thread


def _whole(x: np.ndarray | int, unit: int) -> np.ndarray:
    return -(-np.asarray(x) // unit) * unit


def block_kernel_work(steps: np.ndarray, nonzeros: np.ndarray, block: tuple[int, int],
                      shape: tuple[int, int, int], index_reads_per_cta: int, a_bytes: int,
                      config: SpmmConfig, details: dict[str, Any]) -> KernelWork:
    """`steps[i]`: tiles block row i walks (padding included where the format pads),
    `nonzeros[i]` the nonzeros of A in block row i; shape is (M, N, K)."""
    bh, bw = block
    m, n, k = shape
    width = stripe_widths(n, config.block_tile_n)[None, :]  # (1, tiles)
    steps = steps[:, None]  # (block rows, 1)
    a_tile, b_tile = bh * bw * VALUE_BYTES, bw * width * VALUE_BYTES
    macs_per_step = _whole(bh, MMA_M) * _whole(width, MMA_N) * _whole(bw, MMA_K)
    mma_per_step = macs_per_step // (MMA_M * MMA_N * MMA_K)
    smem_read = 2 * (a_tile + b_tile)  # 2 x 2 warps: each A half read twice, B half twice
    c_tile = bh * width * VALUE_BYTES
    copies = a_tile + b_tile + config.index_bytes
    demand = {
        "tensor": steps * macs_per_step,
        "l1": steps * (a_tile + b_tile + smem_read) + 2 * c_tile,
        "l2": steps * copies + index_reads_per_cta * config.index_bytes + c_tile,
        "issue": steps * (mma_per_step + -(-(copies + smem_read) // LDMATRIX_BYTES)),
        "lsu": steps * -(-(copies + smem_read) // 16) + -(-c_tile // 16),
    }
    demand = {key: np.broadcast_to(v, np.broadcast_shapes(steps.shape, width.shape))
              for key, v in demand.items()}
    smem = config.gpu.pipeline_stages * (a_tile + int(b_tile.max(initial=0)))
    slots = slots_per_sm(config, config.block_warps_per_cta, smem)
    time, limit = demand_cycles(demand, 1, config)
    cycles = cta_work(time, time).ravel()
    macs = int(demand["tensor"].sum())
    mma = int(np.broadcast_to(steps * mma_per_step, time.shape).sum())
    fragment_bytes = (MMA_M * MMA_K + MMA_K * MMA_N) * VALUE_BYTES
    counts = KernelCounts(
        fma_lanes=0, tensor_macs=macs,
        warp_instructions=int(demand["issue"].sum()),
        lsu_lane_ops=int(demand["lsu"].sum()),
        l1_bytes=int(demand["l1"].sum()), l2_read_bytes=int(demand["l2"].sum()),
        hbm_read_bytes=a_bytes + k * n * VALUE_BYTES, c_bytes=m * n * VALUE_BYTES,
        register_file_bytes=int(np.sum(steps * smem_read)) + mma * (
            fragment_bytes + 2 * MMA_M * MMA_N * ACCUMULATOR_BYTES),
        index_bytes=int(np.broadcast_to(steps + index_reads_per_cta, time.shape).sum()
                        * config.index_bytes))
    useful = np.broadcast_to(nonzeros[:, None] * width, time.shape).ravel()
    executed = np.broadcast_to(demand["tensor"], time.shape).ravel()
    return KernelWork(cycles, useful, executed, slots, counts,
                      limiter_shares(limit.ravel(), cycles, RESOURCES), a_bytes,
                      {**details, "block": list(block), "tile_n": config.block_tile_n,
                       "ctas": len(cycles), "slots_per_sm": slots})


def block_rows_times_b(tiles: np.ndarray, tile_cols: np.ndarray, block: tuple[int, int],
                       b: np.ndarray, rows: np.ndarray, cols: np.ndarray,
                       tiles_of: Any) -> np.ndarray:
    """C[rows, cols] from stored tiles: for row r, the sum over the tiles of its block row
    (tiles_of(block row) -> tile numbers) of tile row (r mod bh) x the B rows the tile's
    block column covers; fp32 sums."""
    bh, bw = block
    k = b.shape[0]
    b_cols = np.zeros((_whole(k, bw).item(), len(cols)), dtype=np.float32)
    b_cols[:k] = b[:, cols]
    out = np.zeros((len(rows), len(cols)), dtype=np.float32)
    for i, r in enumerate(rows):
        block_row, within = divmod(int(r), bh)
        for t in tiles_of(block_row):
            start = int(tile_cols[t]) * bw
            out[i] += tiles[t][within].astype(np.float32) @ b_cols[start:start + bw]
    return out
