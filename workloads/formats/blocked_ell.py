"""Blocked-ELL (cuSPARSE's block ELLPACK): square b x b tiles, the same number of tile
slots (`ell_cols`) in every block row, padded.

Block row i stores its kept tiles in slots 0..; `col_indices[i, s]` is the block column
of slot s, or -1 for a padding slot (its values are zero and it is still stored and, in
a kernel that walks every slot, still computed). ell_cols is the largest number of kept
tiles in any block row. cuSPARSE documentation: cusparseCreateBlockedEll
(ellBlockSize, ellCols = ell_cols x ellBlockSize, ellColInd with -1 padding).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.simulator.errors import FormatError
from sparsesim.workloads.formats.bsr import block_grid

PADDING = -1


@dataclass(frozen=True)
class BlockedELL:
    shape: tuple[int, int]
    block: int  # tile side b
    values: np.ndarray  # (block rows, ell_cols, b, b)
    col_indices: np.ndarray  # int32 (block rows, ell_cols); PADDING in padding slots

    def __post_init__(self) -> None:
        b = self.block
        block_rows, block_cols = -(-self.shape[0] // b), -(-self.shape[1] // b)
        slots = self.col_indices.shape[1] if self.col_indices.ndim == 2 else -1
        if self.col_indices.shape != (block_rows, slots) or self.values.shape != (
                block_rows, slots, b, b):
            raise FormatError(f"Blocked-ELL: col_indices {self.col_indices.shape} and values "
                              f"{self.values.shape} do not match {block_rows} block rows of "
                              f"{b} x {b} tiles")
        if self.col_indices.size and (self.col_indices.min() < PADDING
                                      or self.col_indices.max() >= block_cols):
            raise FormatError(f"Blocked-ELL: a block column lies outside 0..{block_cols - 1} "
                              f"(or {PADDING} for padding)")

    @classmethod
    def from_dense(cls, dense: np.ndarray, block: int) -> BlockedELL:
        grid = block_grid(dense, (block, block))
        kept = np.any(grid != 0, axis=(2, 3))
        per_row = kept.sum(axis=1)
        ell_cols = int(per_row.max(initial=0))
        block_rows = grid.shape[0]
        col_indices = np.full((block_rows, ell_cols), PADDING, dtype=np.int32)
        values = np.zeros((block_rows, ell_cols, block, block), dtype=grid.dtype)
        rows, cols = np.nonzero(kept)
        slots = np.arange(len(rows)) - np.repeat(np.cumsum(per_row) - per_row, per_row)
        col_indices[rows, slots] = cols
        values[rows, slots] = grid[rows, cols]
        return cls(tuple(np.shape(dense)), block, values, col_indices)

    @property
    def ell_cols(self) -> int:
        return self.col_indices.shape[1]

    @property
    def padding_slots(self) -> int:
        return int(np.sum(self.col_indices == PADDING))

    def to_dense(self) -> np.ndarray:
        b = self.block
        block_rows, block_cols = self.col_indices.shape[0], -(-self.shape[1] // b)
        grid = np.zeros((block_rows, block_cols, b, b), dtype=self.values.dtype)
        rows, slots = np.nonzero(self.col_indices != PADDING)
        grid[rows, self.col_indices[rows, slots]] = self.values[rows, slots]
        return grid.transpose(0, 2, 1, 3).reshape(block_rows * b, block_cols * b)[
            :self.shape[0], :self.shape[1]]

    def size_bytes(self, value_bytes: int, index_bytes: int = 4) -> int:
        """Stored bytes: every slot's b x b values (padding included) and its index."""
        return self.col_indices.size * (self.block ** 2 * value_bytes + index_bytes)
