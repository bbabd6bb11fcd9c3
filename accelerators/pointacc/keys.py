"""Coordinates packed into sortable integer keys (PointAcc Sec. IV: the mapping unit
works on coordinates as single sortable words).

A voxel (x, y, z) becomes ((x + B) << 42) | ((y + B) << 21) | (z + B) with B = 2^20,
so integer order of keys is lexicographic (x, y, z) order, and shifting a point by a
kernel offset (dx, dy, dz) is one addition of pack_offset(dx, dy, dz): no field
overflows while every coordinate stays in [-2^20, 2^20).
"""

from __future__ import annotations

import numpy as np

from sparsesim.simulator.errors import WorkloadError

FIELD_BITS = 21
BIAS = 1 << (FIELD_BITS - 1)
MASK = (1 << FIELD_BITS) - 1
COORD_LIMIT = 1 << 19  # |coordinate| below this leaves room for shifts and strides


def pack(coords: np.ndarray) -> np.ndarray:
    """int64 keys of integer coordinates (M, 3)."""
    coords = np.asarray(coords, dtype=np.int64).reshape(-1, 3)
    if coords.size and np.abs(coords).max() >= COORD_LIMIT:
        raise WorkloadError(f"voxel coordinate {int(np.abs(coords).max())} does not fit a "
                            f"{FIELD_BITS}-bit key field (limit {COORD_LIMIT}); use larger voxels")
    biased = coords + BIAS
    return (biased[:, 0] << (2 * FIELD_BITS)) | (biased[:, 1] << FIELD_BITS) | biased[:, 2]


def unpack(keys: np.ndarray) -> np.ndarray:
    """Integer coordinates (M, 3) of keys made by pack()."""
    keys = np.asarray(keys, dtype=np.int64)
    fields = [(keys >> (2 * FIELD_BITS)) & MASK, (keys >> FIELD_BITS) & MASK, keys & MASK]
    return np.stack(fields, axis=1) - BIAS


def pack_offset(offset: tuple[int, int, int]) -> int:
    """The key difference of a shift by `offset` (an addition on packed keys)."""
    dx, dy, dz = (int(v) for v in offset)
    return (dx << (2 * FIELD_BITS)) + (dy << FIELD_BITS) + dz


def downsample_keys(keys: np.ndarray, stride: int) -> np.ndarray:
    """Keys of floor(coordinate / stride) * stride for a power-of-two stride: the bias
    B is a multiple of the stride, so this clears each field's low bits."""
    if stride < 1 or stride & (stride - 1):
        raise WorkloadError(f"stride must be a power of two >= 1, got {stride}")
    low = stride - 1
    clear = (low << (2 * FIELD_BITS)) | (low << FIELD_BITS) | low
    return np.asarray(keys, dtype=np.int64) & ~np.int64(clear)


def kernel_offsets(kernel_size: int) -> np.ndarray:
    """All offsets of a cubic kernel, (K^3, 3), in lexicographic order, centred."""
    half = kernel_size // 2
    span = np.arange(-half, kernel_size - half)
    return np.stack(np.meshgrid(span, span, span, indexing="ij"), axis=-1).reshape(-1, 3)
