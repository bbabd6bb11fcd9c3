"""SimResult of one GEMM on the sparse tensor core GPU: the sparse kernel's figures in
the common fields, both kernels (dense and sparse) side by side in `details`.

Per SM, every cycle of a library call is one of: launch, math, shared memory, L2/HBM wait,
epilogue, wave tail, split-K reduction kernel, host wait (the host's per-call time beyond
the GPU's: a timed loop of calls runs at the slower of the two); `breakdown` gives their
means over SMs, which sum to the call's cycles.
Energy (stc_energy): `energy_pj`, `energy_breakdown_pj` and `power_w` are the sparse
kernel's; `details["energy"]` holds both kernels' counts, breakdowns and power.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

import numpy as np

from sparsesim.accelerators.stc.config import STCConfig
from sparsesim.accelerators.stc.counts import access_counts
from sparsesim.accelerators.stc.energy import energy_breakdown_pj
from sparsesim.accelerators.stc.functional import OutputCheck
from sparsesim.accelerators.stc.kernel import KernelPlan
from sparsesim.accelerators.stc.library import Selection, label
from sparsesim.accelerators.stc.simulate import KernelCounters
from sparsesim.simulator.energy import TechTable, energy_fields
from sparsesim.simulator.result import SimResult, make_result
from sparsesim.workloads.gemm import GemmShape
from sparsesim.workloads.numeric import NumericType

BREAKDOWN_KEYS = ("launch_cycles", "math_cycles", "shared_memory_cycles", "l2_hbm_wait_cycles",
                  "epilogue_cycles", "wave_tail_cycles", "split_k_reduction_cycles",
                  "host_wait_cycles")


def gpu_cycles(counters: KernelCounters, config: STCConfig) -> int:
    """GPU time of one call: launch overhead, the kernel, the split-K reduction kernel."""
    return config.launch_overhead_cycles + counters.kernel_cycles + counters.reduction_cycles


def host_wait_cycles(counters: KernelCounters, config: STCConfig, sparse: bool) -> int:
    """Host time per call beyond the GPU's (0 when the GPU is the slower)."""
    return max(0, config.host_cycles(sparse) - gpu_cycles(counters, config))


def kernel_cycles(counters: KernelCounters, config: STCConfig, sparse: bool) -> int:
    """Time per call in a timed loop of calls: the slower of the host and the GPU."""
    return gpu_cycles(counters, config) + host_wait_cycles(counters, config, sparse)


def breakdown(counters: KernelCounters, config: STCConfig, sparse: bool) -> dict[str, float]:
    """Mean cycles per SM in each category; the values sum to the call's cycles."""
    n = config.num_sms
    parts = (np.full(n, config.launch_overhead_cycles), counters.sm_math,
             counters.sm_smem, counters.sm_memory_wait, counters.sm_epilogue, counters.sm_idle,
             np.full(n, counters.reduction_cycles),
             np.full(n, host_wait_cycles(counters, config, sparse)))
    return {key: float(np.mean(part)) for key, part in zip(BREAKDOWN_KEYS, parts)}


def kept_value_macs(shape: GemmShape) -> int:
    """Multiply-accumulates on A's kept values: 2 per full group of 4, up to 2 in a last
    partial group, times M x N."""
    kept_per_row = 2 * (shape.k // 4) + min(2, shape.k % 4)
    return shape.m * shape.n * kept_per_row


def _memory_stats(plan: KernelPlan, counters: KernelCounters) -> dict[str, Any]:
    steps = counters.steps
    return {
        "l2": {**asdict(counters.l2_pipe), **asdict(counters.l2_cache)},
        "hbm": asdict(counters.hbm_pipe),
        "shared_memory": {
            "bytes_written": steps * plan.smem_write_bytes_per_step,
            "bytes_read": steps * plan.smem_read_bytes_per_step,
            "read_conflict_factor": plan.smem_read_conflict_factor,
            "write_conflict_factor": plan.smem_write_conflict_factor,
        },
    }


def _kernel_summary(selection: Selection, counters: KernelCounters,
                    config: STCConfig) -> dict:
    plan = selection.plan
    return {"cycles": kernel_cycles(counters, config, plan.sparse), "plan": plan.to_dict(),
            "kernel": label(plan), "thread_blocks": plan.tiles,
            "waves": -(-plan.tiles // config.num_sms),
            "sms_busy": min(plan.tiles, config.num_sms),
            "host_cycles": config.host_cycles(plan.sparse),
            "candidates_estimate_cycles": {c.label: c.estimate_cycles
                                           for c in selection.candidates},
            "breakdown": breakdown(counters, config, plan.sparse),
            "memory_stats": _memory_stats(plan, counters)}


def kernel_energy(plan: KernelPlan, counters: KernelCounters, dtype: NumericType,
                  config: STCConfig, table: TechTable) -> dict[str, Any]:
    """One kernel's counts, energy breakdown (pJ), total (pJ) and power (W)."""
    seconds = kernel_cycles(counters, config, plan.sparse) / config.clock_hz
    counts = access_counts(plan, counters, dtype, config)
    parts = energy_breakdown_pj(counts, config, seconds, table)
    return {"counts": counts.to_dict(), **energy_fields(parts, seconds)}


def build_result(*, shape: GemmShape, dtype: NumericType, config: STCConfig,
                 selections: dict[str, Selection], counters: dict[str, KernelCounters],
                 check: OutputCheck, seed: int, wall_seconds: float,
                 table: TechTable, engine: str) -> SimResult:
    plans = {mode: selection.plan for mode, selection in selections.items()}
    sparse, dense = counters["sparse"], counters["dense"]
    cycles = kernel_cycles(sparse, config, sparse=True)
    energy = {mode: kernel_energy(plans[mode], counters[mode], dtype, config, table)
              for mode in ("dense", "sparse")}
    dense_cycles = kernel_cycles(dense, config, sparse=False)
    busy = sparse.sm_math
    stalled = sparse.sm_smem + sparse.sm_memory_wait + sparse.sm_epilogue
    starved = (sparse.sm_idle + config.launch_overhead_cycles + sparse.reduction_cycles
               + host_wait_cycles(sparse, config, sparse=True))
    return make_result(
        accel="stc", workload=shape.name, config=config.to_dict(), seed=seed,
        engine=engine, cycles=cycles, clock_hz=config.clock_hz,
        macs_useful=kept_value_macs(shape), busy=busy, stalled=stalled, starved=starved,
        memory_stats=_memory_stats(plans["sparse"], sparse),
        output_ok=check.ok,
        max_abs_error=check.max_abs_error,
        wall_seconds=wall_seconds,
        details={
            "gemm_m_n_k": [shape.m, shape.n, shape.k],
            "dtype": dtype.name,
            "dense_cycles": dense_cycles,
            "sparse_cycles": cycles,
            "speedup": dense_cycles / cycles,
            "breakdown": {mode: breakdown(counters[mode], config, mode == "sparse")
                          for mode in ("dense", "sparse")},
            "kernels": {mode: _kernel_summary(selections[mode], counters[mode], config)
                        for mode in ("dense", "sparse")},
            "a_encoded_bits": {"dense": shape.m * shape.k * dtype.bits,
                               "sparse_values": shape.m * -(-shape.k // 4) * 2 * dtype.bits,
                               "sparse_metadata": shape.m * -(-shape.k // 4) * 2 * 2},
            "output_check": check.to_dict(),
            "energy": {"tech": table.name, "tech_source": table.source,
                       "note": f"{table.name} energies per event, not scaled to the GPU's node",
                       "sparse_over_dense": energy["sparse"]["energy_pj"]
                       / energy["dense"]["energy_pj"], **energy},
        },
        energy_breakdown_pj=energy["sparse"]["energy_breakdown_pj"],
    )
