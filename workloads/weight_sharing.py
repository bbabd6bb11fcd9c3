"""k-means weight sharing (Han et al., Deep Compression, ICLR 2016, Section 3).

The nonzero weights are clustered in one dimension; each keeps only the index of its
cluster. Index 0 of the codebook is reserved for zero (EIE's padding entries), so a
codebook of `entries` values holds `entries - 1` shared nonzero weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.simulator.errors import WorkloadError


@dataclass(frozen=True)
class SharedWeights:
    """Codebook indices of the nonzeros (1 .. entries-1) and the codebook itself."""

    codes: np.ndarray  # uint8, one per nonzero weight
    codebook: np.ndarray  # float16, codebook[0] == 0

    def values(self) -> np.ndarray:
        """The shared weight values, as float64."""
        return self.codebook.astype(np.float64)[self.codes]


def share_weights(values: np.ndarray, entries: int = 16,
                  max_iterations: int = 100) -> SharedWeights:
    """Cluster nonzero `values` to a codebook of `entries` 16-bit values.

    Centroids start spaced linearly over [min, max] of the values (the paper's best
    initialization), then Lloyd iterations run until no assignment changes. Sets with
    fewer distinct values than clusters are kept exactly.
    """
    if entries < 2:
        raise WorkloadError(f"weight sharing needs a codebook of >= 2 entries, got {entries}")
    values = np.asarray(values, dtype=np.float64).ravel()
    if not np.all(np.isfinite(values)):
        raise WorkloadError("weight sharing: weights contain NaN or infinity; fix the model")
    clusters = entries - 1
    sorted_values = np.sort(values)
    first_of_kind = np.concatenate([[True], sorted_values[1:] != sorted_values[:-1]])[:len(values)]
    if np.count_nonzero(first_of_kind) <= clusters:
        centroids = sorted_values[first_of_kind]  # np.unique(values), from the one sort
    else:
        centroids = _kmeans_1d(sorted_values, clusters, max_iterations)
    codebook = np.zeros(entries, dtype=np.float16)
    codebook[1:1 + len(centroids)] = centroids.astype(np.float16)
    used = codebook[1:1 + len(centroids)].astype(np.float64)
    codes = 1 + _nearest(values, used)
    return SharedWeights(codes.astype(np.uint8), codebook)


def _kmeans_1d(sorted_values: np.ndarray, clusters: int, max_iterations: int) -> np.ndarray:
    """Lloyd's algorithm on sorted 1-D data: each cluster is a contiguous run."""
    centroids = np.linspace(sorted_values[0], sorted_values[-1], clusters)
    prefix = np.concatenate([[0.0], np.cumsum(sorted_values)])
    bounds = None
    for _ in range(max_iterations):
        new_bounds = np.searchsorted(sorted_values, (centroids[1:] + centroids[:-1]) / 2)
        if bounds is not None and np.array_equal(new_bounds, bounds):
            break
        bounds = new_bounds
        edges = np.concatenate([[0], bounds, [len(sorted_values)]])
        counts = np.diff(edges)
        sums = prefix[edges[1:]] - prefix[edges[:-1]]
        filled = counts > 0
        centroids = np.where(filled, sums / np.maximum(counts, 1), centroids)
    return centroids


def _nearest(values: np.ndarray, centroids: np.ndarray) -> np.ndarray:
    """Index of the nearest centroid (ties to the lower index) for each value."""
    order = np.argsort(centroids, kind="stable")
    sorted_c = centroids[order]
    right = np.clip(np.searchsorted(sorted_c, values), 1, max(len(sorted_c) - 1, 1))
    left = right - 1
    if len(sorted_c) == 1:
        return np.zeros(len(values), dtype=np.int64)
    pick_right = np.abs(sorted_c[right] - values) < np.abs(values - sorted_c[left])
    return order[np.where(pick_right, right, left)]
