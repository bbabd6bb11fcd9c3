"""What the two CUDA-core CSR kernels (csr-rowsplit, sputnik) share: from per-warp and
per-CTA demands to CTA cycles, the limiting resource and whole-chip counts."""

from __future__ import annotations

from typing import Any

import numpy as np

from sparsesim.accelerators.gpu_spmm.config import SpmmConfig
from sparsesim.accelerators.gpu_spmm.rows import conversions_per_fma
from sparsesim.accelerators.gpu_spmm.sm_model import (
    RESOURCES,
    cta_work,
    demand_cycles,
    slots_per_sm,
)
from sparsesim.accelerators.gpu_spmm.work import KernelCounts, KernelWork, limiter_shares
from sparsesim.workloads.formats.compressed import CSR

FMA_REGISTER_BYTES = 16  # an fp32 FMA reads 3 and writes 1 4-byte register
CVT_REGISTER_BYTES = 8  # a conversion reads 1 and writes 1


def cuda_core_work(warp: dict[str, np.ndarray], cta_l2: np.ndarray, warps_per_cta: int,
                   csr: CSR, n: int, a_bytes: int, config: SpmmConfig, value_bytes: int,
                   details: dict[str, Any], smem_bytes_per_cta: int = 0,
                   rows_fastest: bool = False) -> KernelWork:
    """`warp` demands have shape (CTA rows, warps, stripes); `cta_l2` (CTA rows, stripes).
    warp["fma"] counts FMAs on A's nonzeros, warp["lanes"] the lanes its FMA instructions
    occupy (idle lanes included). CTAs run in grid order row-major over (CTA rows,
    stripes), stripes fastest (CTA rows fastest if `rows_fastest`)."""
    shape = np.broadcast_shapes(*(np.shape(v) for v in warp.values()))
    warp = {k: np.broadcast_to(v, shape) for k, v in warp.items()}
    slots = slots_per_sm(config, warps_per_cta, smem_bytes_per_cta)
    warp_time, warp_limit = demand_cycles(warp, warps_per_cta, config)
    cta_time, _ = demand_cycles({"l2": cta_l2}, 1, config)
    slowest = warp_time.max(axis=1)
    order = "F" if rows_fastest else "C"
    cycles = cta_work(slowest, cta_time).ravel(order)
    limiter = np.where(cta_time >= slowest, RESOURCES.index("l2"),
                       np.take_along_axis(warp_limit, warp_time.argmax(axis=1)[:, None],
                                          axis=1)[:, 0]).ravel(order)
    fma = int(warp["fma"].sum())
    m, k = csr.shape
    counts = KernelCounts(
        fma_lanes=fma, tensor_macs=0,
        warp_instructions=int(warp["issue"].sum()), lsu_lane_ops=int(warp["lsu"].sum()),
        l1_bytes=int(warp["l1"].sum()), l2_read_bytes=int(np.sum(cta_l2)),
        hbm_read_bytes=a_bytes + k * n * value_bytes, c_bytes=m * n * value_bytes,
        register_file_bytes=fma * (FMA_REGISTER_BYTES + CVT_REGISTER_BYTES
                                   * conversions_per_fma(config, value_bytes)),
        index_bytes=csr.nnz * config.index_bytes * shape[2])
    useful = warp["fma"].sum(axis=1).ravel(order)
    return KernelWork(cycles, useful, warp["lanes"].sum(axis=1).ravel(order), slots, counts,
                      limiter_shares(limiter, cycles, RESOURCES), a_bytes,
                      {**details, "ctas": len(cycles), "slots_per_sm": slots})
