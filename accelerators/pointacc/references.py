"""Plain numpy references every PointAcc mapping and output is checked against.

They work on coordinate rows, not on the accelerator's packed keys, sorter or hash
table, so a mistake in either shows up as a mismatch.
"""

from __future__ import annotations

import numpy as np

DENSE_GRID_LIMIT_CELLS = 1 << 18  # larger bounding boxes use the kernel-map reference


def output_coords(coords: np.ndarray, stride: int) -> np.ndarray:
    """Unique floor(c / stride) * stride rows, lexicographic order."""
    down = np.floor_divide(coords, stride) * stride
    return np.unique(down, axis=0).reshape(-1, 3)


def kernel_map(in_coords: np.ndarray, out_coords: np.ndarray,
               offsets: np.ndarray) -> np.ndarray:
    """Rows (input row, output x, y, z, offset number) of every input p, output o and
    offset d with p - d == o, as a lexicographically sorted (E, 5) array."""
    n_in, n_out = len(in_coords), len(out_coords)
    shifted = (in_coords[None, :, :] - offsets[:, None, :]).reshape(-1, 3)
    both = np.concatenate([out_coords, shifted]).reshape(-1, 3)
    _, inverse = np.unique(cell_numbers(both), return_inverse=True)
    inverse = inverse.reshape(-1)
    position = np.full(inverse.max(initial=-1) + 1, -1)
    position[inverse[:n_out]] = np.arange(n_out)
    hit = position[inverse[n_out:]]
    flat = np.flatnonzero(hit >= 0)
    rows = np.column_stack([flat % max(n_in, 1), out_coords[hit[flat]], flat // max(n_in, 1)])
    return canonical(rows)


def cell_numbers(coords: np.ndarray) -> np.ndarray:
    """Row-major cell number of each row inside the rows' bounding box (one integer
    per distinct row; mixed radix, unrelated to the accelerator's key packing)."""
    if len(coords) == 0:
        return np.zeros(0, dtype=np.int64)
    low = coords.min(axis=0)
    return np.ravel_multi_index(tuple((coords - low).T), tuple(coords.max(axis=0) - low + 1))


def canonical(rows: np.ndarray) -> np.ndarray:
    """Rows sorted lexicographically: a set of map entries as a comparable array."""
    rows = np.asarray(rows, dtype=np.int64).reshape(-1, 5)
    return rows[np.lexsort(rows.T[::-1])]


def farthest_point_sampling(points: np.ndarray, count: int) -> np.ndarray:
    """Indices of FPS from point 0; the farthest is the lowest index on ties."""
    chosen = [0]
    nearest = np.full(len(points), np.inf)
    for _ in range(count - 1):
        gap = points - points[chosen[-1]]
        nearest = np.minimum(nearest, np.einsum("ij,ij->i", gap, gap).astype(np.float64))
        chosen.append(int(np.argmax(nearest)))
    return np.array(chosen, dtype=np.int64)


def ball_query(points: np.ndarray, centres: np.ndarray, radius_sq: int, k: int) -> np.ndarray:
    out = np.empty((len(centres), k), dtype=np.int64)
    for row, centre in enumerate(centres):
        gap = points - centre
        first = np.flatnonzero(np.einsum("ij,ij->i", gap, gap) < radius_sq)[:k]
        out[row] = np.concatenate([first, np.full(k - len(first), first[0])])
    return out


def knn(points: np.ndarray, centres: np.ndarray, k: int) -> np.ndarray:
    out = np.empty((len(centres), k), dtype=np.int64)
    for row, centre in enumerate(centres):
        gap = points - centre
        out[row] = np.argsort(np.einsum("ij,ij->i", gap, gap), kind="stable")[:k]
    return out


def sparse_conv(in_coords: np.ndarray, features: np.ndarray, weights: np.ndarray,
                offsets: np.ndarray, stride: int) -> tuple[np.ndarray, np.ndarray, str]:
    """(output coords, float64 outputs before activation, method). Dense: scatter the
    inputs into their bounding-box grid and correlate with each offset's weight
    (out[o] += x[o + d] W_d); for boxes above DENSE_GRID_LIMIT_CELLS, gather-scatter
    over the numpy kernel map."""
    out_coords = output_coords(in_coords, stride)
    c_out = weights.shape[2]
    if len(in_coords) == 0:
        return out_coords, np.zeros((0, c_out)), "empty"
    low = in_coords.min(axis=0) - 1
    shape = in_coords.max(axis=0) + 2 - low
    if np.prod(shape) <= DENSE_GRID_LIMIT_CELLS:
        grid = np.zeros((*shape, features.shape[1]))
        grid[tuple((in_coords - low).T)] = features
        at = out_coords - low
        out = np.zeros((len(out_coords), c_out))
        for d, w in zip(offsets, weights):
            out += grid[tuple((at + d).T)] @ w
        return out_coords, out, "dense_grid"
    rows = kernel_map(in_coords, out_coords, offsets)
    numbers = cell_numbers(np.concatenate([out_coords, rows[:, 1:4]]))
    target = np.searchsorted(numbers[:len(out_coords)], numbers[len(out_coords):])
    out = np.zeros((len(out_coords), c_out))
    for d in range(len(offsets)):
        sel = rows[:, 4] == d  # one entry per output and offset: no repeated target
        out[target[sel]] += features[rows[sel, 0]].astype(np.float64) @ weights[d]
    return out_coords, out, "kernel_map"


def set_abstraction(points: np.ndarray, features: np.ndarray, centres: np.ndarray,
                    neighbours: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Per centre, the max over its neighbours of relu([p_j - p_c, f_j] @ W), computed
    with W split into its position rows and feature rows (no grouped matrix is built)."""
    w = weights.astype(np.float64)
    position, feature = w[:3], w[3:]
    rel = (points[neighbours] - points[centres][:, None, :]).astype(np.float64)
    hidden = np.einsum("skd,dc->skc", rel, position)
    hidden += np.einsum("skf,fc->skc", features[neighbours].astype(np.float64), feature)
    return np.maximum(hidden, 0.0).max(axis=1)
