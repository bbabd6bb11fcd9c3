"""BSR: block compressed sparse rows, blocks of any (rows x cols) shape.

The matrix is cut into a grid of `block` tiles; only tiles holding a nonzero are stored,
each whole (zeros inside a kept tile are stored). `row_ptr[i]:row_ptr[i+1]` are the
kept tiles of block row i, `col_indices` their block columns (ascending), `values` the
tiles themselves. Edge tiles that overhang the matrix are stored padded with zeros.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.simulator.errors import FormatError


def block_grid(dense: np.ndarray, block: tuple[int, int]) -> np.ndarray:
    """`dense` zero-padded to whole blocks, viewed as (block rows, block cols, bh, bw)."""
    dense = np.asarray(dense)
    if dense.ndim != 2:
        raise FormatError(f"expected a 2-D matrix, got shape {dense.shape}")
    bh, bw = block
    if bh < 1 or bw < 1:
        raise FormatError(f"block shape must be at least 1 x 1, got {bh} x {bw}")
    rows, cols = dense.shape
    gr, gc = -(-rows // bh), -(-cols // bw)
    padded = np.zeros((gr * bh, gc * bw), dtype=dense.dtype)
    padded[:rows, :cols] = dense
    return padded.reshape(gr, bh, gc, bw).transpose(0, 2, 1, 3)


@dataclass(frozen=True)
class BSR:
    shape: tuple[int, int]
    block: tuple[int, int]  # (rows, cols) of one tile
    values: np.ndarray  # (kept tiles, bh, bw)
    col_indices: np.ndarray  # int32 block column of each kept tile
    row_ptr: np.ndarray  # int64, block rows + 1

    def __post_init__(self) -> None:
        bh, bw = self.block
        block_rows = -(-self.shape[0] // bh)
        block_cols = -(-self.shape[1] // bw)
        tiles = len(self.col_indices)
        if self.values.shape != (tiles, bh, bw):
            raise FormatError(f"BSR: values {self.values.shape} must be ({tiles}, {bh}, {bw})")
        if (self.row_ptr.shape != (block_rows + 1,) or self.row_ptr[0] != 0
                or self.row_ptr[-1] != tiles or np.any(np.diff(self.row_ptr) < 0)):
            raise FormatError(f"BSR: row pointers do not match {block_rows} block rows "
                              f"and {tiles} tiles")
        if tiles and (self.col_indices.min() < 0 or self.col_indices.max() >= block_cols):
            raise FormatError(f"BSR: a block column lies outside 0..{block_cols - 1}")

    @classmethod
    def from_dense(cls, dense: np.ndarray, block: tuple[int, int]) -> BSR:
        grid = block_grid(dense, block)
        kept = np.any(grid != 0, axis=(2, 3))
        block_rows, block_cols = np.nonzero(kept)
        counts = np.bincount(block_rows, minlength=grid.shape[0])
        row_ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return cls(tuple(np.shape(dense)), tuple(block), grid[block_rows, block_cols],
                   block_cols.astype(np.int32), row_ptr)

    @property
    def tiles(self) -> int:
        return len(self.col_indices)

    def tiles_per_block_row(self) -> np.ndarray:
        return np.diff(self.row_ptr)

    def to_dense(self) -> np.ndarray:
        bh, bw = self.block
        gr, gc = len(self.row_ptr) - 1, -(-self.shape[1] // bw)
        grid = np.zeros((gr, gc, bh, bw), dtype=self.values.dtype)
        block_rows = np.repeat(np.arange(gr), self.tiles_per_block_row())
        grid[block_rows, self.col_indices] = self.values
        return grid.transpose(0, 2, 1, 3).reshape(gr * bh, gc * bw)[:self.shape[0],
                                                                    :self.shape[1]]

    def size_bytes(self, value_bytes: int, index_bytes: int = 4) -> int:
        """Stored bytes: every kept tile's values, one block column index per tile, one
        pointer (index_bytes wide) per block row + 1."""
        bh, bw = self.block
        return self.tiles * (bh * bw * value_bytes + index_bytes) + len(self.row_ptr) * index_bytes
