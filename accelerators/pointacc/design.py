"""PointAcc as a registered design: a shipped point cloud, voxelized, through a sparse
convolution block and a set abstraction."""

from __future__ import annotations

from sparsesim.accelerators.pointacc import model as pointacc
from sparsesim.accelerators.pointacc.area import area
from sparsesim.accelerators.protocol import Design, DesignRun, expect_workload
from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.point_clouds import CLOUD_NAMES, DEFAULT_VOXEL, load_cloud
from sparsesim.workloads.point_layers import PointWorkload, point_workload


def named_workload(name: str, seed: int, config: object = None) -> PointWorkload:
    """A shipped cloud at its default voxel size, with seeded layer weights."""
    if name not in CLOUD_NAMES:
        raise WorkloadError(f"unknown cloud {name!r}; choose one of {', '.join(CLOUD_NAMES)}")
    return point_workload(load_cloud(name), DEFAULT_VOXEL[name], seed=seed)


def model_workload(model: object, seed: int, config: object = None) -> PointWorkload:
    return expect_workload(model, PointWorkload, "pointacc")


def run(compiled: pointacc.CompiledPointAcc, *, engine: str = "reference",
        seed: int | None = None, tech: str = "45nm") -> DesignRun:
    results, output = pointacc.run_with_output(compiled, seed, tech)
    return DesignRun(tuple(results), output)


DESIGN = Design(
    name="pointacc",
    description="PointAcc (Lin et al., MICRO 2021): merge-sort mapping unit, sparse conv "
                "and set abstraction on point clouds",
    config_type=pointacc.PointAccConfig,
    presets={"default": pointacc.POINTACC_DEFAULT},
    engines=pointacc.ENGINES,
    workloads=CLOUD_NAMES,
    workload=named_workload,
    compile=pointacc.compile,
    run=run,
    from_model=model_workload,
    area=area,
)
