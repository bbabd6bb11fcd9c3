"""One SimResult per kernel: cycles, per-SM work, bytes moved, energy, output check, and
in `details` the speedup over the dense kernel and the unit utilization: useful
multiply-accumulates (on A's nonzeros) over what the kernel's math units (CUDA cores or
tensor cores, whole chip) could do in its cycles. Each SM's busy cycles split into useful
and zero_weight in the proportion of its math that ran on A's nonzeros."""

from __future__ import annotations

from typing import Any

import numpy as np

from sparsesim.accelerators.gpu_spmm.check import Check
from sparsesim.accelerators.gpu_spmm.config import SpmmConfig
from sparsesim.simulator.result import SimResult, make_result
from sparsesim.workloads.spmm import SpmmWorkload


def kernel_result(*, kernel: str, workload: SpmmWorkload, config: SpmmConfig, engine: str,
                  cycles: int, dense_cycles: int, peak_macs_per_clk: float,
                  busy: np.ndarray, useful_busy: np.ndarray, stalled: np.ndarray,
                  check: Check, energy: dict[str, Any], bytes_moved: dict[str, int],
                  imbalance: float, wall_seconds: float, details: dict[str, Any]) -> SimResult:
    nnz = int(np.count_nonzero(workload.a))
    busy = np.asarray(busy, dtype=np.int64)
    useful_busy = np.minimum(np.asarray(useful_busy, dtype=np.int64), busy)
    stalled = np.asarray(stalled, dtype=np.int64)
    return make_result(
        accel="gpu-spmm", workload=f"{workload.name}/{kernel}", config=config.to_dict(),
        seed=workload.seed, engine=engine, cycles=cycles, clock_hz=config.clock_hz,
        macs_useful=nnz * workload.shape.n, busy=busy, stalled=stalled,
        busy_split={"useful": useful_busy, "zero_weight": busy - useful_busy},
        starved=np.maximum(0, cycles - busy - stalled), output_ok=check.ok,
        max_abs_error=check.max_abs_error, wall_seconds=wall_seconds,
        energy_breakdown_pj=energy["energy_breakdown_pj"],
        memory_stats=bytes_moved,
        details={"kernel": kernel, "gemm_m_n_k": [workload.shape.m, workload.shape.n,
                                                    workload.shape.k],
                 "pattern": workload.pattern.label(), "density": workload.density,
                 "dtype": workload.dtype_name, "dense_cycles": dense_cycles or None,
                 "speedup_over_dense": dense_cycles / cycles if dense_cycles else None,
                 "unit_utilization": nnz * workload.shape.n / (peak_macs_per_clk * cycles),
                 "sm_busy_cycles": [int(b) for b in busy], "sm_imbalance": imbalance,
                 "output_check": check.to_dict(), "energy": energy, **details})
