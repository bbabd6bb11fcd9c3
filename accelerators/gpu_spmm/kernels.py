"""The kernels a gpu-spmm run can compare, by name, and which apply to a workload."""

from __future__ import annotations

from types import ModuleType

from sparsesim.accelerators.gpu_spmm import blocked_ell, bsr, csr_rowsplit, sputnik
from sparsesim.accelerators.gpu_spmm.config import SpmmConfig
from sparsesim.accelerators.gpu_spmm.tensor_core import DENSE, TWO_FOUR
from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.spmm import SpmmWorkload

SPARSE_KERNELS: dict[str, ModuleType] = {m.NAME: m for m in (csr_rowsplit, sputnik,
                                                             blocked_ell, bsr)}
KERNEL_NAMES = (DENSE, TWO_FOUR, *SPARSE_KERNELS)
TENSOR_CORE_KERNELS = (DENSE, TWO_FOUR, blocked_ell.NAME, bsr.NAME)


def why_not(name: str, workload: SpmmWorkload, config: SpmmConfig) -> str | None:
    """Why kernel `name` cannot run this workload (None: it can)."""
    if name in TENSOR_CORE_KERNELS and workload.dtype_name != "fp16":
        return (f"the tensor-core kernels here take fp16 operands, not "
                f"{workload.dtype_name}")
    if name == TWO_FOUR and workload.pattern.kind != "2:4":
        return "the 2:4 kernel needs --pattern 2:4"
    if name == TWO_FOUR and config.gpu.sparse_rate_multiplier < 2:
        return f"{config.name} has no sparse tensor cores"
    return None


def select(request: str, workload: SpmmWorkload, config: SpmmConfig) -> tuple[str, ...]:
    """'all' (every kernel that applies) or a comma-separated list of names; dense is
    run first, as the baseline of every speedup, wherever it applies (not on fp32
    operands: those runs report no speedup)."""
    if request == "all":
        return tuple(k for k in KERNEL_NAMES if why_not(k, workload, config) is None)
    names = [k.strip() for k in request.split(",") if k.strip()]
    for name in names:
        if name not in KERNEL_NAMES:
            raise WorkloadError(f"unknown kernel {name!r}; choose all or any of "
                                f"{', '.join(KERNEL_NAMES)}")
        reason = why_not(name, workload, config)
        if reason:
            raise WorkloadError(f"kernel {name} cannot run {workload.name}: {reason}")
    baseline = [DENSE] if why_not(DENSE, workload, config) is None else []
    return tuple(dict.fromkeys([*baseline, *names]))
