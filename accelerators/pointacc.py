"""PointAcc (Lin et al., MICRO 2021): point-cloud layers on a sorting-based mapping
unit, a systolic matrix unit and a DRAM-backed feature buffer.

    compiled = compile(point_workload(load_cloud("bunny"), 0.01), POINTACC_DEFAULT)
    results = run(compiled)   # one SimResult per layer, maps and outputs checked
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from accelerators.pointacc_check import check_conv, check_set_abstraction
from accelerators.pointacc_config import MAPPERS, POINTACC_DEFAULT, PointAccConfig
from accelerators.pointacc_conv import simulate_conv
from accelerators.pointacc_keys import FIELD_BITS, pack
from accelerators.pointacc_result import build_result
from accelerators.pointacc_sa import simulate_set_abstraction
from simulator.result import SimResult
from workloads.point_layers import PointWorkload

ENGINES = ("reference",)  # SimPy only: mapping merges advance whole merges per event

__all__ = ["ENGINES", "MAPPERS", "POINTACC_DEFAULT", "CompiledPointAcc", "PointAccConfig",
           "compile", "run"]


@dataclass(frozen=True)
class CompiledPointAcc:
    """The workload as PointAcc holds it: packed coordinate keys and features."""

    workload: PointWorkload
    config: PointAccConfig
    keys: np.ndarray  # int64 packed keys of the input voxels
    encoded_bits: dict


def compile(workload: PointWorkload, config: PointAccConfig = POINTACC_DEFAULT  # noqa: A001
            ) -> CompiledPointAcc:
    keys = pack(workload.coords)
    bits = {"key_bits": int(len(keys) * 3 * FIELD_BITS),
            "feature_bits": int(workload.features.size * config.feature_bytes * 8)}
    bits["total_bits"] = sum(bits.values())
    return CompiledPointAcc(workload, config, keys, bits)


def run(compiled: CompiledPointAcc, seed: int | None = None) -> list[SimResult]:
    """Run the convolution chain, then the set abstraction; every layer's maps and
    output are checked against numpy."""
    workload, config = compiled.workload, compiled.config
    results = []
    coords, features = workload.coords, workload.features
    for layer in workload.convs:
        start = time.perf_counter()
        layer_run = simulate_conv(config, coords, features, layer)
        wall = time.perf_counter() - start
        check = check_conv(layer_run, coords, features, layer)
        results.append(build_result(layer_run, check, config, workload=workload.name,
                                    seed=seed, wall_seconds=wall, input_voxels=len(coords)))
        coords, features = layer_run.out_coords, layer_run.output.astype(np.float32)
    sa = workload.set_abstraction
    if sa is not None:
        start = time.perf_counter()
        layer_run = simulate_set_abstraction(config, workload.coords, workload.features, sa)
        wall = time.perf_counter() - start
        check = check_set_abstraction(layer_run, workload.coords, workload.features, sa)
        results.append(build_result(layer_run, check, config, workload=workload.name,
                                    seed=seed, wall_seconds=wall,
                                    input_voxels=len(workload.coords)))
    return results
