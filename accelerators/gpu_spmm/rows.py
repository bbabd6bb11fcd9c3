"""Row bookkeeping shared by the CSR kernels: grouping rows into warps and CTAs, column
stripes, the distinct B rows a group of rows needs, and the bytes of a CSR row."""

from __future__ import annotations

import numpy as np

from sparsesim.accelerators.gpu_spmm.config import SpmmConfig
from sparsesim.workloads.formats.compressed import CSR

VALUE_BYTES = 2  # fp16 values of A and B, fp16 C (the tensor-core kernels' operands)


def group_rows(order: np.ndarray, size: int) -> np.ndarray:
    """`order` (row numbers) cut into groups of `size`: (groups, size), -1 past the end."""
    groups = -(-len(order) // size)
    padded = np.full(groups * size, -1, dtype=np.int64)
    padded[:len(order)] = order
    return padded.reshape(groups, size)


def stripe_widths(n: int, tile: int) -> np.ndarray:
    """Columns of each tile-wide stripe of N (the last may be narrower)."""
    starts = np.arange(0, n, tile)
    return np.minimum(tile, n - starts)


def lookup(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """values[row] for every row of `groups`, 0 where there is no row (-1)."""
    return np.where(groups >= 0, values[np.maximum(groups, 0)], 0)


def column_union(csr: CSR, groups: np.ndarray) -> np.ndarray:
    """Per group: distinct columns its rows hold, i.e. B rows the group loads once and
    shares in L1."""
    group_of_row = np.full(csr.shape[0], -1, dtype=np.int64)
    for g, rows in enumerate(groups):
        group_of_row[rows[rows >= 0]] = g
    seen = np.zeros((len(groups), csr.shape[1]), dtype=bool)
    seen[group_of_row[csr.major_coordinates()], csr.indices] = True
    return seen.sum(axis=1)


def resident_groups(ctas: int, sms: int, slots: int) -> np.ndarray:
    """Group of each of `ctas` CTAs (grid order) among those that share an SM at once
    when the scheduler deals them round-robin: CTA i with i + sms, i + 2 sms, ... up to
    `slots` CTAs. Group ids are dense from 0."""
    c = np.arange(ctas)
    return c % sms + sms * (c // (sms * slots))


def grouped_rows(rows: np.ndarray, group: np.ndarray) -> np.ndarray:
    """The rows of every group of CTAs: `rows` (CTAs, rows each, -1 padded) gathered by
    `group` (group id per CTA) into (groups, rows), -1 padded."""
    order = np.argsort(group, kind="stable")
    counts = np.bincount(group)
    out = np.full((len(counts), counts.max(initial=0) * rows.shape[1]), -1, dtype=np.int64)
    slot = np.arange(len(group)) - np.repeat(np.cumsum(counts) - counts, counts)
    for j in range(rows.shape[1]):
        out[group[order], slot * rows.shape[1] + j] = rows[order, j]
    return out


def row_a_bytes(elements: np.ndarray, config: SpmmConfig, value_bytes: int) -> np.ndarray:
    """L2 bytes to read `elements` values and indices of one row (whole sectors) and its
    two row pointers."""
    sector = config.sector_bytes

    def sectors(nbytes: np.ndarray) -> np.ndarray:
        return -(-nbytes // sector) * sector

    return (sectors(elements * value_bytes) + sectors(elements * config.index_bytes)
            + 2 * config.index_bytes)


def csr_bytes(csr: CSR, config: SpmmConfig, value_bytes: int) -> int:
    """Stored CSR: values, int indices and row pointers."""
    return csr.size_bits(8 * value_bytes, 8 * config.index_bytes, 8 * config.index_bytes) // 8


def conversions_per_fma(config: SpmmConfig, value_bytes: int) -> int:
    """Conversions to fp32 per CUDA-core FMA: fp16 operands need them, fp32 ones none."""
    return config.cvt_per_fma if value_bytes < 4 else 0
