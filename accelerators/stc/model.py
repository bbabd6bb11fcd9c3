"""2:4 sparse tensor core GPU (NVIDIA A100 / H100): one GEMM, dense vs 2:4 sparse.

    compiled = compile(GemmShape("g", 4096, 4096, 4096), "fp16", A100, seed=0)
    result = run(compiled)   # SimResult: sparse kernel; details hold dense_cycles, speedup

Pipeline: operands (seeded, A pruned 2:4; the compression runs here, once, outside the
timed GEMM, as cusparseLtSpMMACompress does) -> each library picks its kernel from its
own menu (library.py: cuBLAS-like dense, cuSPARSELt-like sparse) -> SimPy model of each
kernel -> the sparse kernel's output computed from the blocks its schedule ran, checked
against numpy -> counts and energy of both kernels -> SimResult.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sparsesim.accelerators.stc.config import (
    A100,
    FRONTENDS,
    H100,
    PRESETS,
    STCConfig,
    preset,
    with_frontend,
)
from sparsesim.accelerators.stc.fast import simulate_fast
from sparsesim.accelerators.stc.functional import DEFAULT_CHECK_BUDGET_MACS, check_output
from sparsesim.accelerators.stc.kernel import KernelPlan
from sparsesim.accelerators.stc.library import Selection, select_kernel
from sparsesim.accelerators.stc.result import build_result
from sparsesim.accelerators.stc.simulate import simulate_kernel
from sparsesim.simulator.energy import load_table
from sparsesim.simulator.errors import ConfigError
from sparsesim.simulator.result import SimResult
from sparsesim.workloads.gemm import GemmOperands, GemmShape, MatrixOperands
from sparsesim.workloads.numeric import numeric_type

ENGINES = ("fast", "reference")  # the first is the default
MODES = ("dense", "sparse")

__all__ = ["A100", "DEFAULT_CHECK_BUDGET_MACS", "ENGINES", "FRONTENDS", "H100", "PRESETS",
           "CompiledGemm", "STCConfig", "compile", "compile_operands", "preset", "run",
           "with_frontend"]


@dataclass(frozen=True)
class CompiledGemm:
    """A GEMM ready to run: its seeded operands and both libraries' kernel picks."""

    operands: GemmOperands | MatrixOperands
    config: STCConfig
    selections: dict[str, Selection]  # "dense", "sparse"

    @property
    def plans(self) -> dict[str, KernelPlan]:
        return {mode: selection.plan for mode, selection in self.selections.items()}


def compile(shape: GemmShape, dtype: str = "fp16", config: STCConfig = A100,  # noqa: A001
            seed: int = 0) -> CompiledGemm:
    """Plan the dense and the 2:4 sparse kernel of `shape` in data type `dtype`."""
    return compile_operands(GemmOperands(shape, numeric_type(dtype), seed), config)


def compile_operands(operands: GemmOperands | MatrixOperands,
                     config: STCConfig = A100) -> CompiledGemm:
    """Pick both kernels for given operands (e.g. a real 2:4-pruned layer)."""
    selections = {mode: select_kernel(operands.shape, operands.dtype, mode == "sparse", config)
                  for mode in MODES}
    return CompiledGemm(operands, config, selections)


def run(compiled: CompiledGemm, check_budget_macs: int = DEFAULT_CHECK_BUDGET_MACS,
        tech: str = "45nm", engine: str = "fast") -> SimResult:
    """Simulate both kernels on `engine` ("fast": numba event loop; "reference": SimPy;
    identical counters) and check the sparse kernel's numeric output; energies come from
    technology table `tech` (a name or a .toml path, see sparsesim.simulator/energy.py)."""
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    simulate = simulate_fast if engine == "fast" else simulate_kernel
    table = load_table(tech)
    start = time.perf_counter()
    counters = {mode: simulate(compiled.plans[mode], compiled.config) for mode in MODES}
    wall = time.perf_counter() - start
    check = check_output(compiled.operands, compiled.plans["sparse"],
                         counters["sparse"].schedule, check_budget_macs)
    ops = compiled.operands
    return build_result(shape=ops.shape, dtype=ops.dtype, config=compiled.config,
                        selections=compiled.selections, counters=counters, check=check,
                        seed=ops.seed, wall_seconds=wall, table=table, engine=engine)
