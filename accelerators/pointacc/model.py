"""PointAcc (Lin et al., MICRO 2021): point-cloud layers on a sorting-based mapping
unit, a systolic matrix unit and a DRAM-backed feature buffer.

    compiled = compile(point_workload(load_cloud("bunny"), 0.01), POINTACC_DEFAULT)
    results = run(compiled)   # one SimResult per layer, maps and outputs checked
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from sparsesim.accelerators.pointacc.check import check_conv, check_set_abstraction
from sparsesim.accelerators.pointacc.config import MAPPERS, POINTACC_DEFAULT, PointAccConfig
from sparsesim.accelerators.pointacc.conv import simulate_conv
from sparsesim.accelerators.pointacc.keys import FIELD_BITS, kernel_offsets, pack, unpack
from sparsesim.accelerators.pointacc.result import build_result
from sparsesim.accelerators.pointacc.sa import simulate_set_abstraction
from sparsesim.accelerators.pointacc.units import Units
from sparsesim.simulator.errors import WorkloadError
from sparsesim.simulator.result import SimResult
from sparsesim.workloads.point_layers import KERNEL_SIZE, PointWorkload

ENGINES = ("reference",)  # SimPy only: mapping merges advance whole merges per event

__all__ = ["ENGINES", "MAPPERS", "POINTACC_DEFAULT", "CompiledPointAcc", "KernelMaps",
           "PointAccConfig", "compile", "kernel_maps", "run"]


@dataclass(frozen=True)
class CompiledPointAcc:
    """The workload as PointAcc holds it: packed coordinate keys and features."""

    workload: PointWorkload
    config: PointAccConfig
    keys: np.ndarray  # int64 packed keys of the input voxels
    encoded_bits: dict


def _unique_keys(coords: np.ndarray) -> np.ndarray:
    """Packed keys of voxel coordinates, which must be unique rows."""
    keys = pack(coords)
    if len(np.unique(keys)) != len(keys):
        raise WorkloadError("voxel coordinates repeat; the mapping unit takes one row per "
                            "voxel: run workloads.point_clouds.voxelize first")
    return keys


def compile(workload: PointWorkload, config: PointAccConfig = POINTACC_DEFAULT  # noqa: A001
            ) -> CompiledPointAcc:
    keys = _unique_keys(workload.coords)
    bits = {"key_bits": int(len(keys) * 3 * FIELD_BITS),
            "feature_bits": int(workload.features.size * config.feature_bytes * 8)}
    bits["total_bits"] = sum(bits.values())
    return CompiledPointAcc(workload, config, keys, bits)


def run(compiled: CompiledPointAcc, seed: int | None = None,
        tech: str = "45nm") -> list[SimResult]:
    """Run the convolution chain, then the set abstraction; every layer's maps and
    output are checked against numpy; energy comes from technology table `tech`."""
    return run_with_output(compiled, seed, tech)[0]


def run_with_output(compiled: CompiledPointAcc, seed: int | None = None,
                    tech: str = "45nm") -> tuple[list[SimResult], np.ndarray]:
    """`run`, plus the last layer's simulated output features (points x channels)."""
    workload, config = compiled.workload, compiled.config
    held = unpack(compiled.keys)  # the coordinates as the key buffer holds them
    results = []
    coords, features = workload.coords, workload.features
    for number, layer in enumerate(workload.convs):
        start = time.perf_counter()
        layer_run = simulate_conv(config, held if number == 0 else coords, features, layer)
        wall = time.perf_counter() - start
        check = check_conv(layer_run, coords, features, layer)
        results.append(build_result(layer_run, check, config, workload=workload.name,
                                    seed=seed, wall_seconds=wall, input_voxels=len(coords),
                                    tech=tech))
        coords, features = layer_run.out_coords, layer_run.output.astype(np.float32)
    sa = workload.set_abstraction
    if sa is not None:
        start = time.perf_counter()
        layer_run = simulate_set_abstraction(config, held, workload.features, sa)
        wall = time.perf_counter() - start
        check = check_set_abstraction(layer_run, workload.coords, workload.features, sa)
        results.append(build_result(layer_run, check, config, workload=workload.name,
                                    seed=seed, wall_seconds=wall,
                                    input_voxels=len(workload.coords), tech=tech))
    return results, layer_run.output


@dataclass(frozen=True)
class KernelMaps:
    """The mapping unit alone building one convolution's kernel maps."""

    entries: np.ndarray  # (E, 5) rows: input row, output x, y, z, offset number
    out_coords: np.ndarray  # (M_out, 3) in the mapper's output order
    cycles: int  # mapping unit busy cycles (sort / table build and every merge or look-up)
    comparisons: int  # merger comparisons or hash probes
    collisions: int  # hash probes that met another key (hash mapper only)


def kernel_maps(coords: np.ndarray, stride: int,
                config: PointAccConfig = POINTACC_DEFAULT) -> KernelMaps:
    """Run only the configured mapping unit over integer voxel coordinates (unique rows)
    for a 3x3x3 kernel at `stride`."""
    keys = _unique_keys(coords)
    units = Units(config)
    mapper = units.mapper
    found: dict = {}

    def mapping():
        in_keys, in_index = yield from mapper.inputs(keys)
        out_keys = yield from mapper.outputs(in_keys, stride)
        out_coords = unpack(out_keys)
        rows = [np.zeros((0, 5), dtype=np.int64)]
        for number, offset in enumerate(kernel_offsets(KERNEL_SIZE)):
            rows_in, rows_out = yield from mapper.kernel_map(in_keys, in_index, out_keys, offset)
            rows.append(np.column_stack([rows_in, out_coords[rows_out],
                                         np.full(len(rows_in), number)]))
        found["entries"], found["out_coords"] = np.concatenate(rows), out_coords
        units.finish()

    units.engine.process(mapping())
    units.run()
    stats = mapper.stats
    return KernelMaps(found["entries"], found["out_coords"], stats.cycles, stats.comparisons,
                      stats.collisions)
