"""The mapping unit's distance datapath: farthest point sampling, ball query and
k-nearest neighbours (PointAcc Sec. IV: distances, then comparisons and top-k on the
same sorter). Points are integer coordinates (voxel units), so squared distances are
exact integers and results are exact.

Timing (D = distance_lanes squared distances per cycle, W = comparators, L =
merger_latency_cycles):
- FPS of m from n points: point 0 first; each of the m - 1 further picks updates every
  point's distance to the chosen set and finds the farthest (a max tree over the D
  lanes, then across chunks; ties go to the lowest index): ceil(n / D) + L cycles.
- ball query (PointNet++ rule: the first k points in index order with d^2 < r^2,
  padded by repeating the first): per centroid the distance chunks are scanned until
  the k-th hit: (chunks scanned) + L cycles.
- kNN: per centroid each chunk of D distances is sorted by the sorting network and
  merged into the running top-k list (ties to the lower index): ceil(n / D) cycles
  of distances overlapped with merges of ceil(min(kept + D, k) / W) cycles, + L.
"""

from __future__ import annotations

import numpy as np

from sparsesim.accelerators.pointacc.config import PointAccConfig
from sparsesim.accelerators.pointacc.mergesort import ComparatorUnit
from sparsesim.simulator.engine import Engine
from sparsesim.simulator.errors import WorkloadError

CENTRE_BLOCK = 64  # centres handled per numpy step (host memory only; no timing effect)


def squared_distances(points: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """(centres, points) int64 squared distances."""
    points, centres = points.astype(np.int64), centres.astype(np.int64)
    total = np.zeros((len(centres), len(points)), dtype=np.int64)
    for axis in range(3):
        gap = points[None, :, axis] - centres[:, None, axis]
        total += gap * gap
    return total


class DistanceUnit(ComparatorUnit):
    """Distance lanes plus the mapping unit's comparators, as generators."""

    def __init__(self, engine: Engine, config: PointAccConfig, name: str = "distance") -> None:
        super().__init__(engine, config, name)
        self.lanes = config.distance_lanes

    def farthest_point_sampling(self, points: np.ndarray, count: int):
        """Generator: indices of `count` points picked by FPS, starting from point 0."""
        n = len(points)
        if count < 1 or count > n:
            raise WorkloadError(f"farthest point sampling needs 1 <= samples <= points "
                                f"({n}), got {count}")
        chunks = -(-n // self.lanes)
        padded = np.full(chunks * self.lanes, -1, dtype=np.int64)  # idle lanes never win
        chosen = [0]
        nearest = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        for _ in range(count - 1):
            nearest = np.minimum(nearest, squared_distances(points, points[chosen[-1:]])[0])
            padded[:n] = nearest
            lane_max = padded.reshape(chunks, self.lanes).max(axis=1)  # max tree per chunk
            chunk = int(np.flatnonzero(lane_max == lane_max.max())[0])  # first chunk wins
            lane = int(np.flatnonzero(padded[chunk * self.lanes:(chunk + 1) * self.lanes]
                                      == lane_max[chunk])[0])
            chosen.append(chunk * self.lanes + lane)
            self.stats.comparisons += n - 1
            self.stats.key_reads += n  # every point's coordinates, for its new distance
            yield self._spend(chunks + self.latency)
        return np.array(chosen, dtype=np.int64)

    def ball_query(self, points: np.ndarray, centres: np.ndarray, radius_sq: int, k: int):
        """Generator: (centres, k) neighbour indices by the PointNet++ ball-query rule."""
        if k < 1:
            raise WorkloadError(f"ball query needs k >= 1, got {k}")
        n = len(points)
        neighbours = np.empty((len(centres), k), dtype=np.int64)
        scanned = np.zeros(len(centres), dtype=np.int64)  # distance chunks scanned
        for start in range(0, len(centres), CENTRE_BLOCK):
            block = slice(start, start + CENTRE_BLOCK)
            inside = squared_distances(points, centres[block]) < radius_sq
            hits = np.cumsum(inside, axis=1)
            found = hits[:, -1] if n else np.zeros(len(inside), dtype=np.int64)
            if np.any(found == 0):
                raise WorkloadError("ball query: a centre has no point within the radius; "
                                    "use centres drawn from the points or a larger radius")
            # the scan stops at the chunk holding the k-th hit, or runs to the end
            stop = np.where(found >= k, np.argmax(hits >= k, axis=1), n - 1)
            scanned[block] = stop // self.lanes + 1
            for row, members in enumerate(inside, start):
                first = np.flatnonzero(members)[:k]
                neighbours[row, :len(first)] = first
                neighbours[row, len(first):] = first[0]
        self.stats.comparisons += int((scanned * self.lanes).sum())
        self.stats.key_reads += int((scanned * self.lanes).sum())
        yield self._spend(int(scanned.sum()) + self.latency * len(centres))
        return neighbours

    def knn(self, points: np.ndarray, centres: np.ndarray, k: int):
        """Generator: (centres, k) indices of the k nearest points, nearest first (ties
        to the lower index), by streaming top-k merges."""
        n = len(points)
        if k < 1 or k > n:
            raise WorkloadError(f"kNN needs 1 <= k <= points ({n}), got {k}")
        distances = squared_distances(points, centres)
        m = len(centres)
        top_d = np.zeros((m, 0), dtype=np.int64)
        top_i = np.zeros((m, 0), dtype=np.int64)
        cycles = 0
        for start in range(0, n, self.lanes):
            idx = np.arange(start, min(n, start + self.lanes))
            cand_d = np.concatenate([top_d, distances[:, idx]], axis=1)
            cand_i = np.concatenate([top_i, np.broadcast_to(idx, (m, len(idx)))], axis=1)
            order = np.lexsort((cand_i, cand_d), axis=1)[:, :k]  # by distance, then index
            top_d = np.take_along_axis(cand_d, order, axis=1)
            top_i = np.take_along_axis(cand_i, order, axis=1)
            merge = -(-min(cand_d.shape[1], k) // self.width)
            cycles += max(1, merge)  # a distance chunk takes >= 1 cycle
        self.stats.comparisons += m * n
        self.stats.key_reads += m * n
        yield self._spend(m * (cycles + self.latency))
        return top_i
