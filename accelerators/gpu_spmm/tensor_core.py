"""The dense GEMM and 2:4 sparse kernels of the tensor-core model (accelerators/stc),
run unchanged on the same A: their plans, SimPy simulation, cycles and energy come from
stc; only their outputs are computed here, from this run's own encodings (A itself for
dense, the 2:4 compressed values and positions for 2:4)."""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from sparsesim.accelerators.gpu_spmm.config import SpmmConfig
from sparsesim.accelerators.stc.functional import sparse_matmul
from sparsesim.accelerators.stc.kernel import KernelPlan
from sparsesim.accelerators.stc.library import select_kernel
from sparsesim.accelerators.stc.result import kernel_cycles, kernel_energy
from sparsesim.accelerators.stc.simulate import KernelCounters, simulate_kernel
from sparsesim.simulator.energy import TechTable
from sparsesim.workloads.formats.nm_compressed import NMCompressed
from sparsesim.workloads.gemm import GemmShape
from sparsesim.workloads.numeric import NumericType

DENSE, TWO_FOUR = "dense", "2:4"


def encode(name: str, a: np.ndarray) -> np.ndarray | NMCompressed:
    return a if name == DENSE else NMCompressed.from_dense(a)


@lru_cache(maxsize=8)
def simulate(name: str, shape: GemmShape, dtype: NumericType,
             config: SpmmConfig) -> tuple[KernelPlan, KernelCounters, int]:
    """The stc library's kernel choice, its SimPy run, and its cycles (launch included); its
    timing does not depend on A's values, so a density sweep simulates it once."""
    sparse = name == TWO_FOUR
    plan = select_kernel(shape, dtype, sparse, config.gpu).plan  # the library's pick
    counters = simulate_kernel(plan, config.gpu)
    return plan, counters, kernel_cycles(counters, config.gpu, sparse)


def energy(plan: KernelPlan, counters: KernelCounters, dtype: NumericType, config: SpmmConfig,
           table: TechTable) -> dict:
    return kernel_energy(plan, counters, dtype, config.gpu, table)


def compute(encoded: np.ndarray | NMCompressed, b: np.ndarray, rows: np.ndarray,
            cols: np.ndarray, dtype: NumericType) -> np.ndarray:
    """C[rows, cols] in fp32 sums (rounded to the output type by the caller for dense; the
    2:4 path rounds as the stc functional model does)."""
    if isinstance(encoded, NMCompressed):
        part = NMCompressed((len(rows), encoded.shape[1]), encoded.values[rows],
                            encoded.positions[rows], encoded.n, encoded.m)
        return sparse_matmul(part, b[:, cols], dtype).astype(np.float32)
    return encoded[rows].astype(np.float32) @ b[:, cols].astype(np.float32)
