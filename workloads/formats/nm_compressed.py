"""N:M structured-sparse compressed format (2:4 is what A100/H100 tensor cores run).

Along K (the columns of an M x K matrix), every group of `m` consecutive values holds
at most `n` nonzeros. The format stores, per group, exactly `n` kept values and their
positions inside the group as ceil(log2 m)-bit indices (the "metadata"; 2 bits each for
2:4), positions ascending. A group with fewer than `n` nonzeros keeps explicit zeros at
its lowest zero positions. When K is not a multiple of `m`, the last group is padded
with zeros (the padding is never decoded back). NVIDIA A100 whitepaper, "Fine-grained
structured sparsity" (reference/README.md: 2 values plus 2-bit indices each).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.simulator.errors import FormatError


@dataclass(frozen=True)
class NMCompressed:
    """`values[r, g, j]` is the j-th kept value of group g in row r, at column
    g * m + `positions[r, g, j]`. Both arrays have shape (rows, groups, n)."""

    shape: tuple[int, int]  # (rows, K) of the dense matrix
    values: np.ndarray
    positions: np.ndarray  # uint8, ascending within a group, each < m
    n: int = 2
    m: int = 4

    def __post_init__(self) -> None:
        rows, k = self.shape
        groups = -(-k // self.m)
        expected = (rows, groups, self.n)
        if self.values.shape != expected or self.positions.shape != expected:
            raise FormatError(f"{self.n}:{self.m} compressed: values {self.values.shape} and "
                              f"positions {self.positions.shape} must both have shape {expected}")
        if self.positions.size and (self.positions.max() >= self.m
                                    or np.any(np.diff(self.positions.astype(np.int16)) <= 0)):
            raise FormatError(f"{self.n}:{self.m} compressed: positions must be strictly "
                              f"ascending within a group and below {self.m}")

    @classmethod
    def from_dense(cls, dense: np.ndarray, n: int = 2, m: int = 4) -> NMCompressed:
        """Compress a matrix that already satisfies n:m along its columns (axis 1).

        Raises FormatError naming the first group (row, group index, columns) with more
        than `n` nonzeros, in row-major order.
        """
        dense = np.asarray(dense)
        if dense.ndim != 2:
            raise FormatError(f"{n}:{m} compressed: expected a 2-D matrix, got shape "
                              f"{dense.shape}")
        if not 1 <= n < m:
            raise FormatError(f"{n}:{m} compressed: need 1 <= n < m, got n={n}, m={m}")
        rows, k = dense.shape
        groups = -(-k // m)
        padded = np.zeros((rows, groups * m), dtype=dense.dtype)
        padded[:, :k] = dense
        grouped = padded.reshape(rows, groups, m)
        nonzero = grouped != 0
        counts = nonzero.sum(axis=2)
        if np.any(counts > n):
            row, group = np.unravel_index(int(np.argmax(counts > n)), counts.shape)
            raise FormatError(
                f"matrix violates {n}:{m} sparsity: row {row}, group {group} (columns "
                f"{group * m}..{min(k, group * m + m) - 1}) has {counts[row, group]} nonzeros, "
                f"at most {n} allowed; prune it to {n}:{m} first")
        # Nonzeros first, then the lowest zero positions; keep n, then sort ascending.
        key = np.where(nonzero, 0, m) + np.arange(m)
        positions = np.sort(np.argsort(key, axis=2, kind="stable")[:, :, :n], axis=2)
        values = np.take_along_axis(grouped, positions, axis=2)
        return cls((rows, k), values, positions.astype(np.uint8), n, m)

    @property
    def index_bits(self) -> int:
        """Bits of one position index (2 for 2:4)."""
        return max(1, int(np.ceil(np.log2(self.m))))

    def to_dense(self) -> np.ndarray:
        rows, k = self.shape
        groups = self.values.shape[1]
        grouped = np.zeros((rows, groups, self.m), dtype=self.values.dtype)
        np.put_along_axis(grouped, self.positions.astype(np.int64), self.values, axis=2)
        return grouped.reshape(rows, groups * self.m)[:, :k]

    def size_bits(self, value_bits: int) -> dict[str, int]:
        """Storage: kept values at `value_bits` each plus `index_bits` per kept value."""
        kept = self.values.size
        values, metadata = kept * value_bits, kept * self.index_bits
        return {"values_bits": values, "metadata_bits": metadata, "total_bits": values + metadata}


def nm_bits_per_dense_element(value_bits: int, n: int = 2, m: int = 4) -> float:
    """Average stored bits per dense element of an n:m compressed matrix (values plus
    metadata): n/m x (value_bits + ceil(log2 m)). 2:4 fp16 -> 9 bits."""
    return n / m * (value_bits + max(1, int(np.ceil(np.log2(m)))))
