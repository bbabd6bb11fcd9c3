"""CSC and CSR: the textbook compressed sparse formats, sharing one implementation."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.simulator.errors import FormatError


@dataclass(frozen=True)
class _Compressed:
    """Nonzeros grouped along a major axis: `ptr[k]:ptr[k+1]` are the entries of
    major slice k, `indices` their minor coordinates (ascending), `values` their values.
    """

    shape: tuple[int, int]
    values: np.ndarray
    indices: np.ndarray  # int32 minor coordinate of each entry
    ptr: np.ndarray  # int64, one more than the number of major slices

    MAJOR_AXIS = 0  # overridden: 0 for CSR (rows), 1 for CSC (columns)

    def __post_init__(self) -> None:
        major = self.shape[self.MAJOR_AXIS]
        minor = self.shape[1 - self.MAJOR_AXIS]
        if self.ptr.shape != (major + 1,) or self.ptr[0] != 0 or self.ptr[-1] != len(self.values):
            raise FormatError(f"{type(self).__name__}: pointer array does not match "
                              f"{major} slices and {len(self.values)} entries")
        if len(self.indices) != len(self.values):
            raise FormatError(f"{type(self).__name__}: {len(self.indices)} indices for "
                              f"{len(self.values)} values")
        if np.any(np.diff(self.ptr) < 0):
            raise FormatError(f"{type(self).__name__}: pointers must not decrease")
        if len(self.indices) and (self.indices.min() < 0 or self.indices.max() >= minor):
            raise FormatError(f"{type(self).__name__}: an index lies outside 0..{minor - 1}")

    @classmethod
    def from_dense(cls, dense: np.ndarray):
        dense = np.asarray(dense)
        if dense.ndim != 2:
            raise FormatError(f"{cls.__name__}: expected a 2-D matrix, got shape {dense.shape}")
        oriented = dense if cls.MAJOR_AXIS == 0 else dense.T
        major_idx, minor_idx = np.nonzero(oriented)
        counts = np.bincount(major_idx, minlength=oriented.shape[0])
        ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return cls(tuple(dense.shape), oriented[major_idx, minor_idx],
                   minor_idx.astype(np.int32), ptr)

    @classmethod
    def from_coo(cls, shape: tuple[int, int], rows: np.ndarray, cols: np.ndarray,
                 values: np.ndarray):
        """Build from coordinates (any order; duplicates are not allowed)."""
        major, minor = (rows, cols) if cls.MAJOR_AXIS == 0 else (cols, rows)
        order = np.lexsort((minor, major))
        major, minor = np.asarray(major)[order], np.asarray(minor)[order]
        counts = np.bincount(major, minlength=shape[cls.MAJOR_AXIS])
        ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return cls(tuple(shape), np.asarray(values)[order], minor.astype(np.int32), ptr)

    @classmethod
    def from_scipy(cls, matrix):
        """From any scipy.sparse matrix or array; explicit zeros are not entries."""
        converted = matrix.tocsr() if cls.MAJOR_AXIS == 0 else matrix.tocsc()
        converted = converted.copy()
        converted.sum_duplicates()
        converted.eliminate_zeros()
        converted.sort_indices()
        return cls(tuple(int(d) for d in converted.shape), np.asarray(converted.data),
                   converted.indices.astype(np.int32), converted.indptr.astype(np.int64))

    def to_scipy(self):
        """The same matrix as a scipy.sparse csr_array / csc_array (needs scipy)."""
        import scipy.sparse

        kind = scipy.sparse.csr_array if self.MAJOR_AXIS == 0 else scipy.sparse.csc_array
        return kind((self.values, self.indices, self.ptr), shape=self.shape)

    @property
    def nnz(self) -> int:
        return len(self.values)

    def major_coordinates(self) -> np.ndarray:
        """Major coordinate of every entry (row for CSR, column for CSC)."""
        return np.repeat(np.arange(len(self.ptr) - 1), np.diff(self.ptr))

    def coordinates(self) -> tuple[np.ndarray, np.ndarray]:
        """(rows, cols) of every entry."""
        major = self.major_coordinates()
        return (major, self.indices) if self.MAJOR_AXIS == 0 else (self.indices, major)

    def to_dense(self) -> np.ndarray:
        dense = np.zeros(self.shape, dtype=self.values.dtype)
        rows, cols = self.coordinates()
        dense[rows, cols] = self.values
        return dense

    def with_values(self, values: np.ndarray):
        """Same sparsity structure, new values (e.g. codebook indices)."""
        return type(self)(self.shape, np.asarray(values), self.indices, self.ptr)

    def size_bits(self, value_bits: int, index_bits: int, pointer_bits: int) -> int:
        """Storage in bits: each entry's value and index, plus one pointer per slice + 1."""
        return self.nnz * (value_bits + index_bits) + len(self.ptr) * pointer_bits


@dataclass(frozen=True)
class CSR(_Compressed):
    """Compressed sparse rows: `ptr` indexes rows, `indices` are column numbers."""

    MAJOR_AXIS = 0


@dataclass(frozen=True)
class CSC(_Compressed):
    """Compressed sparse columns: `ptr` indexes columns, `indices` are row numbers."""

    MAJOR_AXIS = 1
