"""GPU sparse kernels as a registered design: one pruned SpMM, every applicable kernel
(dense, 2:4, csr-rowsplit, sputnik, blocked-ell, bsr), one SimResult per kernel."""

from __future__ import annotations

from sparsesim.accelerators.gpu_spmm import model
from sparsesim.accelerators.gpu_spmm.config import PRESETS, SpmmConfig
from sparsesim.accelerators.gpu_spmm.schedule import ENGINES
from sparsesim.accelerators.protocol import Design, DesignRun
from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.spmm import SpmmWorkload, parse_spmm

WORKLOADS = ("1024,1024,1024:unstructured:0.1", "1024,1024,1024:block:32:0.25",
             "1024,1024,1024:2:4:0.5", "1024,1024,1024:powerlaw:0.1",
             "4096,4096,4096:unstructured:0.1")


def named_workload(name: str, seed: int, config: object = None) -> SpmmWorkload:
    """'M,N,K:PATTERN:DENSITY', e.g. '1024,1024,1024:block:32:0.25'."""
    return parse_spmm(name, seed)


def model_workload(obj: object, seed: int, config: object = None) -> SpmmWorkload:
    if isinstance(obj, SpmmWorkload):
        return obj
    raise WorkloadError(f"gpu-spmm runs an SpmmWorkload (sparsesim.workloads.spmm); got "
                        f"{type(obj).__name__}")


def compile_all(workload: SpmmWorkload, config: SpmmConfig) -> model.CompiledSpmm:
    return model.compile(workload, config)


def run(compiled: model.CompiledSpmm, *, engine: str = "fast", seed: int | None = None,
        tech: str = "45nm") -> DesignRun:
    """Every kernel; outputs are checked on a sample, none is kept (outputs is None)."""
    return DesignRun(tuple(model.run(compiled, engine=engine, tech=tech)), None)


DESIGN = Design(
    name="gpu-spmm",
    description="GPU sparse kernels (csr-rowsplit, sputnik, blocked-ell, bsr) vs dense and "
                "2:4 on the A100/H100/V100 model",
    config_type=SpmmConfig,
    presets=PRESETS,
    engines=ENGINES,
    workloads=WORKLOADS,
    workload=named_workload,
    compile=compile_all,
    run=run,
    from_model=model_workload,
)
