"""GPU sparse kernels on one pruned matrix: compile (encode A in every kernel's format),
run (time each kernel, price its events, compute its output from its own encoding and
check it).

    workload = SpmmWorkload(GemmShape("g", 4096, 4096, 4096), Pattern("unstructured"), 0.1)
    results = run(compile(workload, A100_SPMM))    # one SimResult per kernel

dense and 2:4 run through the tensor-core model (accelerators/stc, SimPy); the sparse
kernels through the shared SM model (sm_model) and the block scheduler with processor-
sharing SMs (schedule: SimPy `reference` or the bit-identical `fast` heap). A sparse
kernel ends when its last CTA ends or when HBM has moved its compulsory bytes (encoded
A, B, C), whichever is later, plus one HBM latency and the launch overhead.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from sparsesim.accelerators.gpu_spmm import tensor_core
from sparsesim.accelerators.gpu_spmm.check import DEFAULT_CHECK_BUDGET_MACS, check, sample
from sparsesim.accelerators.gpu_spmm.config import SpmmConfig
from sparsesim.accelerators.gpu_spmm.energy import kernel_energy
from sparsesim.accelerators.gpu_spmm.kernels import SPARSE_KERNELS, select
from sparsesim.accelerators.gpu_spmm.result import kernel_result
from sparsesim.accelerators.gpu_spmm.schedule import schedule
from sparsesim.accelerators.gpu_spmm.sm_model import rates
from sparsesim.accelerators.gpu_spmm.work import useful_share
from sparsesim.accelerators.stc.result import breakdown
from sparsesim.simulator.energy import load_table
from sparsesim.simulator.result import SimResult
from sparsesim.workloads.spmm import SpmmWorkload


@dataclass(frozen=True)
class CompiledSpmm:
    workload: SpmmWorkload
    config: SpmmConfig
    encodings: dict[str, Any]  # kernel name -> its encoding of A
    block: int  # tile side of bsr / blocked-ell


def compile(workload: SpmmWorkload, config: SpmmConfig,  # noqa: A001
            kernels: str = "all") -> CompiledSpmm:
    names = select(kernels, workload, config)
    block = workload.pattern.block or config.block_side
    a = workload.a
    encodings = {name: (SPARSE_KERNELS[name].encode(a, config, block) if name in SPARSE_KERNELS
                        else tensor_core.encode(name, a)) for name in names}
    return CompiledSpmm(workload, config, encodings, block)


def _sparse_kernel(name: str, compiled: CompiledSpmm, engine: str, table, dense_cycles: int,
                   where, start: float) -> SimResult:
    w, config = compiled.workload, compiled.config
    gpu, model = config.gpu, SPARSE_KERNELS[name]
    encoded = compiled.encodings[name]
    job = model.work(encoded, w.shape.n, config, w.value_bytes)
    plan = schedule(job.cta_work, gpu.num_sms, job.slots_per_sm, engine)
    counts = job.counts
    hbm_cycles = math.ceil((counts.hbm_read_bytes + counts.c_bytes) / gpu.hbm_bytes_per_clk)
    execution = max(plan.makespan, hbm_cycles) + gpu.hbm_latency_cycles
    cycles = gpu.launch_overhead_cycles + execution
    energy = kernel_energy(counts, config, cycles / config.clock_hz, table)
    output = model.compute(encoded, w.b, where.rows, where.cols)
    result_check = check(output, w.a, w.b, where, w.dtype)
    unit = "tensor" if counts.tensor_macs else "fma"
    return kernel_result(
        kernel=name, workload=w, config=config, engine=engine, cycles=cycles,
        dense_cycles=dense_cycles, peak_macs_per_clk=rates(config)[unit] * gpu.num_sms,
        busy=np.rint(plan.sm_busy),
        useful_busy=np.rint(plan.per_sm(job.cta_work * useful_share(job))),
        stalled=np.zeros(gpu.num_sms), check=result_check, energy=energy,
        bytes_moved={"a_encoded_bytes": job.a_bytes, "l2_read_bytes": counts.l2_read_bytes,
                     "hbm_bytes": counts.hbm_read_bytes + counts.c_bytes},
        imbalance=plan.imbalance, wall_seconds=time.perf_counter() - start,
        details={"plan": job.details, "limiter_share": job.limiter_share,
                 "sm_ctas": [int(c) for c in plan.sm_ctas],
                 "sm_useful_macs": [int(x) for x in plan.per_sm(job.cta_useful_macs)],
                 "makespan_cycles": plan.makespan, "hbm_bound_cycles": hbm_cycles})


def _tensor_core_kernel(name: str, compiled: CompiledSpmm, engine: str, table,
                        simulated, dense_cycles: int, where, start: float) -> SimResult:
    w, config = compiled.workload, compiled.config
    plan, counters, cycles = simulated
    energy = tensor_core.energy(plan, counters, w.dtype, config, table)
    output = tensor_core.compute(compiled.encodings[name], w.b, where.rows, where.cols, w.dtype)
    counts = energy["counts"]
    launch = config.gpu.launch_overhead_cycles
    sparse = name == tensor_core.TWO_FOUR
    return kernel_result(
        kernel=name, workload=w, config=config, engine=engine, cycles=cycles,
        dense_cycles=dense_cycles,
        peak_macs_per_clk=config.gpu.fma_per_clk_per_sm(False, sparse) * config.gpu.num_sms,
        busy=counters.sm_math,
        useful_busy=np.floor(counters.sm_math * _useful_share(name, w)),
        stalled=counters.sm_smem + counters.sm_memory_wait + counters.sm_epilogue,
        check=check(output, w.a, w.b, where, w.dtype), energy=energy,
        bytes_moved={"a_encoded_bytes": _a_bytes(name, w),
                     "l2_read_bytes": counts["l2_read_bytes"],
                     "hbm_bytes": counts["hbm_read_bytes"] + counts["hbm_write_bytes"]},
        imbalance=_imbalance(counters.sm_math + counters.sm_smem + counters.sm_memory_wait
                             + counters.sm_epilogue + launch),
        wall_seconds=time.perf_counter() - start,
        details={"plan": plan.to_dict(), "breakdown": breakdown(counters, config.gpu, sparse),
                 "sm_ctas": [int(t) for t in counters.sm_tiles]})


def _useful_share(name: str, w: SpmmWorkload) -> float:
    """Share of a tensor-core GEMM's MACs on A's nonzeros: dense multiplies every entry
    of A, 2:4 the kept half."""
    executed = w.shape.m * w.shape.n * w.shape.k // (2 if name == tensor_core.TWO_FOUR else 1)
    return min(1.0, np.count_nonzero(w.a) * w.shape.n / executed)


def _a_bytes(name: str, w: SpmmWorkload) -> int:
    dense = w.shape.m * w.shape.k * 2
    return dense if name == tensor_core.DENSE else dense // 2 + dense // 16  # values + 2-bit


def _imbalance(finish: np.ndarray) -> float:
    mean = float(np.mean(finish))
    return float(np.max(finish)) / mean if mean > 0 else 1.0


def run(compiled: CompiledSpmm, *, engine: str = "fast", tech: str = "45nm",
        check_budget_macs: int = DEFAULT_CHECK_BUDGET_MACS) -> list[SimResult]:
    """Every compiled kernel, dense first; one SimResult each."""
    w, table = compiled.workload, load_table(tech)
    where = sample(w.shape.m, w.shape.n, w.shape.k, w.seed, check_budget_macs)
    results = []
    dense_cycles = 0
    for name in compiled.encodings:
        start = time.perf_counter()
        if name in SPARSE_KERNELS:
            results.append(_sparse_kernel(name, compiled, engine, table, dense_cycles, where,
                                          start))
            continue
        simulated = tensor_core.simulate(name, w.shape, w.dtype, compiled.config)
        dense_cycles = dense_cycles or simulated[2]
        results.append(_tensor_core_kernel(name, compiled, engine, table, simulated,
                                           dense_cycles, where, start))
    return results
