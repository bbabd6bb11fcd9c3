"""Real point clouds shipped with the package, subsampling and voxelization.

    cloud = load_cloud("bunny")                  # PointCloud, float32 (N, 3)
    grid = voxelize(cloud.points, voxel_size=0.01)  # unique integer voxel coordinates
The clouds, their origin and licence are listed in workloads/data/pointclouds/SOURCES.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sparsesim.simulator.errors import WorkloadError

DATA_DIR = Path(__file__).resolve().parent / "data" / "pointclouds"
CLOUD_NAMES = ("bunny", "kitten", "vlp16")
# voxel edge per cloud, in the cloud's units (metres for vlp16): our choice, a few
# thousand voxels each
DEFAULT_VOXEL = {"bunny": 0.01, "kitten": 0.02, "vlp16": 0.2}


@dataclass(frozen=True)
class PointCloud:
    """Points (float32, N x 3) in the units named in `metadata["units"]`."""

    name: str
    points: np.ndarray
    metadata: dict


@dataclass(frozen=True)
class VoxelGrid:
    """The occupied voxels of a cloud at `voxel_size` (same units as the points).

    `coords` (int64, M x 3) are floor(point / voxel_size), unique, in the order of
    first occurrence; `point_voxel[i]` is the row of `coords` holding point i.
    """

    coords: np.ndarray
    point_voxel: np.ndarray
    voxel_size: float


def load_cloud(name: str) -> PointCloud:
    """A shipped cloud by name (see CLOUD_NAMES)."""
    if name not in CLOUD_NAMES:
        raise WorkloadError(f"unknown cloud {name!r}; choose one of {', '.join(CLOUD_NAMES)}")
    with np.load(DATA_DIR / f"{name}.npz") as data:
        points = np.asarray(data["points"], dtype=np.float32)
        metadata = json.loads(str(data["__metadata__"]))
    return PointCloud(name, points, metadata)


def subsample(points: np.ndarray, count: int, seed: int) -> np.ndarray:
    """`count` points drawn without replacement (seeded), in their original order;
    all points when `count` >= N."""
    if count < 1:
        raise WorkloadError(f"point count must be >= 1, got {count}")
    if count >= len(points):
        return points
    keep = np.random.default_rng(seed).choice(len(points), size=count, replace=False)
    return points[np.sort(keep)]


def voxelize(points: np.ndarray, voxel_size: float) -> VoxelGrid:
    """Quantize points to voxels of edge `voxel_size`; duplicates collapse to one voxel."""
    points = np.asarray(points)
    if points.ndim != 2 or points.shape[1] != 3:
        raise WorkloadError(f"points must have shape (N, 3), got {points.shape}")
    if not np.isfinite(voxel_size) or voxel_size <= 0:
        raise WorkloadError(f"voxel size must be a number > 0, got {voxel_size}")
    if not np.all(np.isfinite(points)):
        raise WorkloadError("points contain NaN or infinity; clean the cloud first")
    cells = np.floor(points.astype(np.float64) / voxel_size)
    if cells.size and np.abs(cells).max() >= 2 ** 19:
        raise WorkloadError(f"voxel size {voxel_size} is too small for this cloud: a "
                            "coordinate needs more than 2^19 voxels; use a larger voxel")
    cells = cells.astype(np.int64)
    unique, first, inverse = np.unique(cells, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # first-occurrence order
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return VoxelGrid(unique[order].reshape(-1, 3), rank[inverse.reshape(-1)], float(voxel_size))
