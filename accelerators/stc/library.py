"""Kernel selection as the GEMM libraries do it: a menu of kernels and a heuristic.

Each side has its own library: dense GEMMs go to a cuBLAS-like library (menu
`config.tiles` x split-K factors `config.dense_split_k`), 2:4 GEMMs to a cuSPARSELt-like
one (`config.sparse_tiles` x `config.sparse_split_k`, on the sparse MMA path). Like the
libraries' heuristics (cuBLAS and cuSPARSELt pick a kernel from the shape without running
candidates), `select_kernel` estimates every menu entry with a closed-form model and keeps
the fastest; the SimPy model then times only the chosen kernel.

The estimate (cycles): launch + max(waves x block time, unique HBM bytes / HBM bandwidth,
copied bytes / L2 bandwidth) + split-K reduction, where a block's time is the operand
latency to fill the pipeline, its K steps at max(step time, HBM latency / steps in flight),
and its epilogue. It is the selection heuristic only; reported cycles come from the SimPy
model.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sparsesim.accelerators.stc.config import STCConfig
from sparsesim.accelerators.stc.kernel import KernelPlan, plan_kernel
from sparsesim.workloads.gemm import GemmShape
from sparsesim.workloads.numeric import NumericType


@dataclass(frozen=True)
class Candidate:
    """One menu entry and its estimated time."""

    label: str  # e.g. "128x256 split-K 1"
    estimate_cycles: int


@dataclass(frozen=True)
class Selection:
    """The chosen kernel and every candidate the heuristic weighed, fastest first."""

    plan: KernelPlan
    candidates: tuple[Candidate, ...]


def label(plan: KernelPlan) -> str:
    return f"{plan.tile.label()} split-K {plan.split_k}"


def estimate_cycles(plan: KernelPlan, config: STCConfig) -> int:
    """Closed-form time of `plan` (cycles, launch and reduction included)."""
    stages = config.pipeline_stages
    waves = math.ceil(plan.tiles / config.num_sms)
    per_step = max(plan.step_cycles, config.hbm_latency_cycles / (stages - 1))
    block = (config.hbm_latency_cycles + plan.k_steps_per_slice * per_step
             + plan.epilogue_smem_cycles)
    step_bytes = plan.a_bytes_per_step + plan.b_bytes_per_step
    copied = plan.tiles * plan.k_steps_per_slice * step_bytes
    unique = (plan.tiles_m * plan.a_bytes_per_step + plan.tiles_n * plan.b_bytes_per_step) \
        * plan.k_steps + plan.tiles * plan.c_bytes_per_tile
    reduction = 0.0
    if plan.reduction_bytes:
        link = min(config.l2_bytes_per_clk, config.hbm_bytes_per_clk)
        reduction = (config.launch_overhead_cycles + plan.reduction_bytes / link
                     + config.hbm_latency_cycles)
    main = max(waves * block, unique / config.hbm_bytes_per_clk,
               copied / config.l2_bytes_per_clk)
    return math.ceil(config.launch_overhead_cycles + main + reduction)


def select_kernel(shape: GemmShape, dtype: NumericType, sparse: bool,
                  config: STCConfig) -> Selection:
    """The library's pick for `shape`: the menu entry with the smallest estimate (the
    earlier entry on a tie)."""
    tiles = config.sparse_tiles if sparse else config.tiles
    factors = config.sparse_split_k if sparse else config.dense_split_k
    plans: dict[str, KernelPlan] = {}
    for tile in tiles:
        for split_k in factors:
            plan = plan_kernel(shape, dtype, sparse, config, tile, split_k)
            plans.setdefault(label(plan), plan)  # split-K clipped to K's steps may repeat
    estimates = {name: estimate_cycles(plan, config) for name, plan in plans.items()}
    order = sorted(plans, key=lambda name: estimates[name])  # stable: menu order on ties
    return Selection(plans[order[0]],
                     tuple(Candidate(name, estimates[name]) for name in order))
