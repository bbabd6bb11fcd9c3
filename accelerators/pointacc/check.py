"""Checks of one simulated PointAcc layer against the numpy references."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.accelerators.pointacc import references as ref
from sparsesim.accelerators.pointacc.keys import kernel_offsets
from sparsesim.accelerators.pointacc.run import LayerRun
from sparsesim.workloads.point_layers import KERNEL_SIZE, SetAbstraction, SparseConv


@dataclass(frozen=True)
class Check:
    maps_ok: bool  # mapping results equal the reference exactly
    output_ok: bool  # maps_ok and the output within tolerance
    max_abs_error: float
    reference: str  # how the reference output was computed


def _tolerance(reference: np.ndarray) -> float:
    return 1e-9 * max(1.0, float(np.abs(reference).max(initial=0.0)))


def check_conv(run: LayerRun, coords: np.ndarray, features: np.ndarray,
               layer: SparseConv) -> Check:
    offsets = kernel_offsets(KERNEL_SIZE)
    out_coords, expected, method = ref.sparse_conv(coords, features.astype(np.float64),
                                                   layer.weights.astype(np.float64),
                                                   offsets, layer.stride)
    if layer.relu:
        expected = np.maximum(expected, 0.0)
    maps_ok = np.array_equal(ref.canonical(run.maps["kernel_map"]),
                             ref.kernel_map(coords, out_coords, offsets))
    order = np.lexsort(run.out_coords.T[::-1])  # the accelerator's rows in reference order
    if not np.array_equal(run.out_coords[order], out_coords):
        return Check(False, False, float("inf"), method)
    error = float(np.abs(run.output[order] - expected).max(initial=0.0))
    return Check(maps_ok, maps_ok and error <= _tolerance(expected), error, method)


def check_set_abstraction(run: LayerRun, coords: np.ndarray, features: np.ndarray,
                          layer: SetAbstraction) -> Check:
    centres = ref.farthest_point_sampling(coords, layer.samples)
    neighbours = ref.ball_query(coords, coords[centres], layer.radius_voxels ** 2,
                                layer.neighbours)
    maps_ok = (np.array_equal(run.maps["fps"], centres)
               and np.array_equal(run.maps["neighbours"], neighbours))
    expected = ref.set_abstraction(coords, features, centres, neighbours, layer.weights)
    error = float(np.abs(run.output - expected).max(initial=0.0))
    return Check(maps_ok, maps_ok and error <= _tolerance(expected), error, "numpy_grouping")
