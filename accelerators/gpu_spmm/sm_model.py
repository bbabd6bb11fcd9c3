"""How much of an SM a sparse kernel's thread block (CTA) needs: the throughput model
every sparse kernel here shares.

A CTA's work is the SM-cycles it would take with the SM to itself: the largest of its
demands over the SM's rate of each resource, where a warp can use at most its CTA's
per-warp share (1 / warps per CTA) of the SM, so a CTA is at least as long as its
slowest warp:

    resource   demand unit              SM rate per clock (source: SpmmConfig / STCConfig)
    issue      warp instructions        warp_schedulers_per_sm
    lsu        memory lane operations   lsu_lanes_per_sm
    fma        CUDA-core FMA lanes      cuda_fma_per_clk_per_sm
    tensor     tensor-core MACs         gpu.fma_per_clk_per_sm (dense rate)
    l1         L1 / shared-memory bytes gpu.smem_bytes_per_clk (whole wavefronts per
                                        instruction for the CUDA-core kernels)
    l2         L2 bytes                 gpu.l2_bytes_per_clk / gpu.num_sms (a fair share)

An SM holds `slots` CTAs (warps, shared memory and the CTA limit decide) and shares
itself among them (schedule.py). Modelling choices (stated, not published): resources
are shared equally (no warp scheduling policy); memory latency is hidden by the other
resident warps (one HBM latency per kernel, model.py); L1 reuse is counted only inside
one CTA (rows of a CTA share the B rows they both need); HBM is a chip-wide bound on the
whole kernel (model.py), not a per-CTA one.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from sparsesim.accelerators.gpu_spmm.config import SpmmConfig

RESOURCES = ("issue", "lsu", "fma", "tensor", "l1", "l2")
MAX_CTAS_PER_SM = 32  # A100 WP / V100 WP: 32 resident thread blocks per SM


def rates(config: SpmmConfig) -> dict[str, float]:
    """Per-SM rate of each resource, per clock."""
    gpu = config.gpu
    return {"issue": config.warp_schedulers_per_sm, "lsu": config.lsu_lanes_per_sm,
            "fma": config.cuda_fma_per_clk_per_sm,
            "tensor": gpu.fma_per_clk_per_sm(False, False),
            "l1": gpu.smem_bytes_per_clk, "l2": gpu.l2_bytes_per_clk / gpu.num_sms}


def slots_per_sm(config: SpmmConfig, warps_per_cta: int, smem_bytes_per_cta: int) -> int:
    """CTAs one SM holds at once."""
    by_warps = config.max_warps_per_sm // warps_per_cta
    by_smem = config.gpu.smem_bytes_per_sm // max(1, smem_bytes_per_cta)
    return max(1, min(by_warps, by_smem, MAX_CTAS_PER_SM))


def l1_wavefronts(nbytes: np.ndarray | int, config: SpmmConfig) -> np.ndarray:
    """L1 / shared-memory pipe use of warp-wide memory instructions touching `nbytes`
    each, in bytes of the pipe's width per clock: whole wavefronts of
    gpu.smem_bytes_per_clk bytes, at least one per instruction (a broadcast load of one
    2-byte value holds the pipe for a full clock; Nsight Compute profiling guide:
    requests are processed in wavefronts, one per cycle)."""
    width = config.gpu.smem_bytes_per_clk
    return np.maximum(1, -(-np.asarray(nbytes) // width)) * width


def demand_cycles(demand: Mapping[str, np.ndarray], share: int,
                  config: SpmmConfig) -> tuple[np.ndarray, np.ndarray]:
    """(SM-cycles, index of the limiting resource in RESOURCES) of work units that each
    get 1/share of the SM; demand arrays broadcast together."""
    rate = rates(config)
    shape = np.broadcast_shapes(*(np.shape(v) for v in demand.values()))
    times = np.stack([np.broadcast_to(np.asarray(demand.get(r, 0.0), dtype=np.float64)
                                      * share / rate[r], shape) for r in RESOURCES])
    return times.max(axis=0), times.argmax(axis=0)


def cta_work(warp_time: np.ndarray, cta_time: np.ndarray) -> np.ndarray:
    """Whole SM-cycles per CTA: the slower of its slowest warp and its CTA-wide demands."""
    return np.maximum(1, np.ceil(np.maximum(warp_time, cta_time))).astype(np.int64)
