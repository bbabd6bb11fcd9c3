"""FKW (filter-kernel-weight), PatDNN's compressed storage of a pattern-pruned
convolution weight (Niu et al., "PatDNN", ASPLOS 2020, Sec. 5.2, arXiv 2001.00138).

A weight (filters F, channels C, k, k) whose every kept kernel keeps the entries of one
pattern from a small set is stored as five arrays, in *stored* filter order:

- reorder: the original filter of each stored filter (filter reorder groups filters
  with equal kernel counts and similar patterns; the identity when not reordered);
- offset:  stored filter f's kernels are entries offset[f] .. offset[f+1] of `index`;
- stride:  inside filter f the kernels are grouped by pattern (kernel reorder); pattern
  p's kernels are offset[f] + stride[f, p] .. offset[f] + stride[f, p+1];
- index:   the input channel of each kernel (ascending inside a pattern group);
- weight:  each kernel's kept weights, in raster order of its pattern, kernel after kernel.

The pattern set itself (P x k*k booleans) travels with the arrays. Explicit zeros inside
a kernel's pattern are stored as zeros, so `to_dense()` gives back the weight exactly.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.simulator.errors import FormatError

# Storage widths, bytes per entry: fp32 weights; 16-bit channel indices, filter numbers
# and per-pattern counts (layers have < 65536 channels and filters); 32-bit offsets.
WEIGHT_BYTES, SMALL_INT_BYTES, OFFSET_BYTES = 4, 2, 4


@dataclass(frozen=True)
class FKW:
    shape: tuple[int, int, int, int]  # (filters, channels, k, k) of the dense weight
    patterns: np.ndarray  # bool (P, k*k)
    reorder: np.ndarray  # int32 (F,)
    offset: np.ndarray  # int64 (F + 1,)
    stride: np.ndarray  # int64 (F, P + 1)
    index: np.ndarray  # int32 (kernels,)
    weight: np.ndarray  # float32 (sum of the kernels' pattern sizes,)

    def __post_init__(self) -> None:
        f, c, k, k2 = self.shape
        p = len(self.patterns)
        if k != k2 or self.patterns.shape[1:] != (k * k,):
            raise FormatError(f"FKW: patterns {self.patterns.shape} do not fit {k}x{k2} kernels")
        if sorted(self.reorder.tolist()) != list(range(f)):
            raise FormatError("FKW: reorder must be a permutation of the filters")
        if self.offset.shape != (f + 1,) or self.offset[0] != 0 or \
                self.offset[-1] != len(self.index) or np.any(np.diff(self.offset) < 0):
            raise FormatError("FKW: offset array does not match the filters and kernels")
        if self.stride.shape != (f, p + 1) or np.any(self.stride[:, 0] != 0) or \
                np.any(self.stride[:, -1] != np.diff(self.offset)) or \
                np.any(np.diff(self.stride, axis=1) < 0):
            raise FormatError("FKW: stride array does not match the kernels of each filter")
        if len(self.index) and (self.index.min() < 0 or self.index.max() >= c):
            raise FormatError(f"FKW: a channel index lies outside 0..{c - 1}")
        if len(self.weight) != int(self.kernel_sizes().sum()):
            raise FormatError("FKW: weight array length does not match the kernels' patterns")

    @classmethod
    def from_dense(cls, weight: np.ndarray, patterns: np.ndarray | None = None,
                   assigned: np.ndarray | None = None, reorder_filters: bool = True) -> FKW:
        """Encode `weight` (F, C, k, k). `patterns` (P, k*k bool): the pattern set (default:
        the distinct nonzero masks of the kernels); `assigned` (F, C): each kernel's pattern,
        -1 for a removed kernel (default: the first pattern covering its nonzeros)."""
        weight = np.asarray(weight, dtype=np.float32)
        if weight.ndim != 4 or weight.shape[2] != weight.shape[3]:
            raise FormatError(f"FKW: expected a conv weight (F, C, k, k), got {weight.shape}")
        f, c, k, _ = weight.shape
        kernels = weight.reshape(f, c, k * k)
        nonzero = kernels != 0
        if patterns is None:
            patterns = np.unique(nonzero[nonzero.any(axis=2)], axis=0)[::-1]
        patterns = np.asarray(patterns, dtype=bool).reshape(-1, k * k)
        if assigned is None and not len(patterns):
            assigned = np.full((f, c), -1)
        elif assigned is None:
            covers = ~np.any(nonzero[:, :, None, :] & ~patterns[None, None], axis=3)
            assigned = np.where(nonzero.any(axis=2), covers.argmax(axis=2), -1)
            if np.any(nonzero.any(axis=2) & ~covers.any(axis=2)):
                raise FormatError("FKW: a kernel's nonzeros fit no pattern of the set; "
                                  "prune it with workloads.pruning.pattern first")
        assigned = np.asarray(assigned).reshape(f, c)
        if np.any((assigned < -1) | (assigned >= len(patterns))):
            raise FormatError(f"FKW: assigned patterns must be -1..{len(patterns) - 1}")
        allowed = np.zeros((f, c, k * k), bool)
        allowed[assigned >= 0] = patterns[assigned[assigned >= 0]]
        if np.any(nonzero & ~allowed):
            raise FormatError("FKW: a kernel has nonzeros outside its assigned pattern")
        order = filter_order(assigned, len(patterns)) if reorder_filters else np.arange(f)
        counts = np.stack([np.bincount(assigned[g][assigned[g] >= 0], minlength=len(patterns))
                           for g in order]) if f else np.zeros((0, len(patterns)), int)
        stride = np.concatenate([np.zeros((f, 1), np.int64), np.cumsum(counts, axis=1)], axis=1)
        index, values = [], []
        for g in order:
            for p in range(len(patterns)):
                channels = np.flatnonzero(assigned[g] == p)
                index.append(channels)
                values.append(kernels[g, channels][:, patterns[p]].ravel())
        offset = np.concatenate([[0], np.cumsum(stride[:, -1])]).astype(np.int64)
        return cls((f, c, k, k), patterns, order.astype(np.int32), offset,
                   stride.astype(np.int64),
                   np.concatenate(index or [np.zeros(0)]).astype(np.int32),
                   np.concatenate(values or [np.zeros(0)]).astype(np.float32))

    def kernel_patterns(self) -> np.ndarray:
        """The pattern of each stored kernel, int (kernels,)."""
        runs = np.diff(self.stride, axis=1).ravel()
        return np.repeat(np.tile(np.arange(len(self.patterns)), self.shape[0]), runs)

    def kernel_sizes(self) -> np.ndarray:
        """Kept weights of each stored kernel, int (kernels,)."""
        return self.patterns.sum(axis=1)[self.kernel_patterns()]

    def to_dense(self) -> np.ndarray:
        f, c, k, _ = self.shape
        dense = np.zeros((f, c, k * k), dtype=np.float32)
        pattern = self.kernel_patterns()
        filters = np.repeat(self.reorder, np.diff(self.offset))
        start = np.concatenate([[0], np.cumsum(self.kernel_sizes())])
        for i, (g, ch, p) in enumerate(zip(filters, self.index, pattern)):
            dense[g, ch, self.patterns[p]] = self.weight[start[i]:start[i + 1]]
        return dense.reshape(self.shape)

    @property
    def nbytes(self) -> int:
        """Bytes of the five arrays plus the pattern table (one bit per kernel entry)."""
        return (len(self.weight) * WEIGHT_BYTES + len(self.offset) * OFFSET_BYTES
                + (len(self.reorder) + self.stride.size + len(self.index)) * SMALL_INT_BYTES
                + (self.patterns.size + 7) // 8)


def filter_order(assigned: np.ndarray, patterns: int) -> np.ndarray:
    """PatDNN's filter reorder: filters by kernel count, most first, then by their
    per-channel pattern sequence, so neighbours do equal work and share patterns at the
    same channels. `assigned` is (F, C), -1 for a removed kernel."""
    count = (assigned >= 0).sum(axis=1)
    keys = [assigned[:, ch] for ch in range(assigned.shape[1] - 1, -1, -1)]
    return np.lexsort([*keys, -count]) if len(assigned) else np.zeros(0, np.int64)


def csr_nbytes(weight: np.ndarray) -> int:
    """Bytes of CSR over the (F, C*k*k) weight matrix at FKW's widths: a value and a
    16-bit column index per nonzero, a 32-bit pointer per row plus one."""
    nonzeros = int(np.count_nonzero(weight))
    return nonzeros * (WEIGHT_BYTES + SMALL_INT_BYTES) + (len(weight) + 1) * OFFSET_BYTES
