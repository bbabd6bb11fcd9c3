"""The 2:4 sparse tensor core GPU as a registered design: GEMMs (one, or a transformer's
linear layers), each run as a dense and a 2:4-sparse kernel."""

from __future__ import annotations

from dataclasses import dataclass

from sparsesim.accelerators.protocol import Design, DesignRun
from sparsesim.accelerators.stc import model as stc
from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.gemm import GemmShape, parse_gemm
from sparsesim.workloads.transformer_gemms import DEFAULT_TOKENS, MODELS, transformer_gemms

DEFAULT_GEMM = "4096,4096,4096"


@dataclass(frozen=True)
class GemmWorkload:
    """GEMMs run one after another; operands are generated from `seed`."""

    name: str
    shapes: tuple[GemmShape, ...]
    dtype: str = "fp16"
    seed: int = 0


def named_workload(name: str, seed: int, config: object = None) -> GemmWorkload:
    """'M,N,K' (one GEMM) or a transformer's linear layers at the default token counts."""
    if name in MODELS:
        shapes = [s for tokens in DEFAULT_TOKENS for s in transformer_gemms(name, tokens)]
        return GemmWorkload(name, tuple(shapes), seed=seed)
    if "," in name:
        shape = parse_gemm(name)
        return GemmWorkload(shape.name, (shape,), seed=seed)
    raise WorkloadError(f"unknown stc workload {name!r}; give M,N,K or one of "
                        f"{', '.join(MODELS)}")


def model_workload(model: object, seed: int, config: object = None) -> GemmWorkload:
    if isinstance(model, GemmWorkload):
        return model
    if isinstance(model, GemmShape):
        return GemmWorkload(model.name, (model,), seed=seed)
    raise WorkloadError(f"stc runs GEMMs (a GemmShape or GemmWorkload); got "
                        f"{type(model).__name__}")


def compile_gemms(workload: GemmWorkload, config: stc.STCConfig) -> list[stc.CompiledGemm]:
    return [stc.compile(shape, workload.dtype, config, workload.seed)
            for shape in workload.shapes]


def run(compiled: list[stc.CompiledGemm], *, engine: str = "fast",
        seed: int | None = None, tech: str = "45nm") -> DesignRun:
    """Both kernels of every GEMM; the output is checked on a sample of output blocks, so
    no full output matrix is kept (outputs is None)."""
    return DesignRun(tuple(stc.run(c, tech=tech, engine=engine) for c in compiled), None)


DESIGN = Design(
    name="stc",
    description="A100 / H100-style 2:4 sparse tensor core: dense vs 2:4 GEMM kernels",
    config_type=stc.STCConfig,
    presets=stc.PRESETS,
    engines=stc.ENGINES,
    workloads=(DEFAULT_GEMM, *MODELS),
    workload=named_workload,
    compile=compile_gemms,
    run=run,
    from_model=model_workload,
)
