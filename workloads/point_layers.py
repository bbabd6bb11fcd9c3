"""Point-cloud workloads: a MinkowskiNet-style sparse-convolution block and a
PointNet++ set-abstraction layer, on a voxelized cloud with seeded weights.

    workload = point_workload(load_cloud("bunny"), voxel_size=0.01, seed=0)
Voxel features come from the cloud itself: the mean position of the voxel's points
inside the voxel (3 values in [0, 1)) and its point count (log-scaled).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.point_clouds import PointCloud, voxelize

KERNEL_SIZE = 3  # 3 x 3 x 3 kernels (MinkowskiNet / MinkUNet blocks)


@dataclass(frozen=True)
class SparseConv:
    """One sparse convolution: weights (kernel_size^3, c_in, c_out), offsets in
    pointacc_keys.kernel_offsets order; ReLU after it when `relu`."""

    name: str
    weights: np.ndarray
    stride: int
    relu: bool = True

    @property
    def c_in(self) -> int:
        return int(self.weights.shape[1])

    @property
    def c_out(self) -> int:
        return int(self.weights.shape[2])


@dataclass(frozen=True)
class SetAbstraction:
    """PointNet++ set abstraction: FPS `samples` centres, ball query of `neighbours`
    within `radius_voxels`, shared MLP on (relative xyz, features), ReLU, max pool.
    weights: (3 + c_in, c_out)."""

    name: str
    samples: int
    radius_voxels: int
    neighbours: int
    weights: np.ndarray


@dataclass(frozen=True)
class PointWorkload:
    """A voxelized cloud and the layers to run on it. The convolutions form a chain
    (each takes the previous one's simulated output); the set abstraction takes the
    voxels and their features directly."""

    name: str
    cloud: str
    voxel_size: float
    points: int  # points before voxelization
    coords: np.ndarray  # int64 (M, 3) voxel coordinates
    features: np.ndarray  # float32 (M, 4)
    convs: tuple[SparseConv, ...]
    set_abstraction: SetAbstraction | None


def voxel_features(points: np.ndarray, voxel_size: float) -> tuple[np.ndarray, np.ndarray]:
    """(coords, features) of the occupied voxels; features as in the module doc."""
    grid = voxelize(points, voxel_size)
    count = np.bincount(grid.point_voxel, minlength=len(grid.coords)).astype(np.float64)
    inside = points.astype(np.float64) / voxel_size - grid.coords[grid.point_voxel]
    mean = np.stack([np.bincount(grid.point_voxel, inside[:, a], minlength=len(grid.coords))
                     for a in range(3)], axis=1) / np.maximum(count, 1)[:, None]
    features = np.column_stack([mean, np.log1p(count)]).astype(np.float32)
    return grid.coords, features


def _weights(rng: np.random.Generator, shape: tuple[int, ...], fan_in: int) -> np.ndarray:
    """He-normal weights (std sqrt(2 / fan_in)), float32."""
    return (rng.normal(size=shape) * np.sqrt(2.0 / fan_in)).astype(np.float32)


def point_workload(cloud: PointCloud, voxel_size: float, seed: int = 0,
                   channels: tuple[int, int] = (16, 32), samples: int = 256,
                   radius_voxels: int = 4, neighbours: int = 16) -> PointWorkload:
    """Block conv1 (4 -> c1, stride 1), conv2 (c1 -> c1, stride 1), down (c1 -> c2,
    stride 2), and a set abstraction of min(samples, voxels) centres (4 -> c2)."""
    coords, features = voxel_features(cloud.points, voxel_size)
    if len(coords) == 0:
        raise WorkloadError(f"cloud {cloud.name!r} has no points; nothing to run")
    rng = np.random.default_rng(seed)
    c1, c2 = channels
    k3 = KERNEL_SIZE ** 3
    c0 = features.shape[1]
    convs = (SparseConv("conv1", _weights(rng, (k3, c0, c1), k3 * c0), 1),
             SparseConv("conv2", _weights(rng, (k3, c1, c1), k3 * c1), 1),
             SparseConv("down", _weights(rng, (k3, c1, c2), k3 * c1), 2))
    sa = SetAbstraction("sa", min(samples, len(coords)), radius_voxels, neighbours,
                        _weights(rng, (3 + c0, c2), 3 + c0))
    return PointWorkload(f"{cloud.name}@{voxel_size:g}", cloud.name, float(voxel_size),
                         len(cloud.points), coords, features, convs, sa)
