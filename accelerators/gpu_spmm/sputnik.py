"""sputnik: the CSR SpMM of Gale et al., "Sparse GPU Kernels for Deep Learning", SC 2020.

- 1-D tiling: a subwarp computes one row of C over a `sputnik_tile_n`-column tile; each
  thread owns vector_bytes / 2 consecutive fp16 columns (one 16-byte vector load of the
  B row per nonzero), so warp_size / subwarp rows share a warp (subwarp tiling) and a
  CTA holds `sputnik_warps_per_cta` such warps.
- The row's values and indices are staged in shared memory, `sputnik_block_k` nonzeros
  at a time (one buffer of that size per row), with vector loads of
  vector_bytes / index_bytes elements. Reverse-offset alignment: the load starts at the
  row offset rounded down to a whole vector and the extra leading elements are masked
  (value 0, index 0); the residue (what is left after whole vectors) uses scalar loads.
- Row swizzle: rows sorted by length, longest first, and dealt out in that order, so the
  rows of a warp have similar lengths (subwarps wait for the warp's longest row) and the
  longest CTAs start first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.accelerators.gpu_spmm.config import SpmmConfig
from sparsesim.accelerators.gpu_spmm.cuda_core import cuda_core_work
from sparsesim.accelerators.gpu_spmm.rows import (
    VALUE_BYTES,
    column_union,
    csr_bytes,
    group_rows,
    lookup,
    row_a_bytes,
    stripe_widths,
)
from sparsesim.accelerators.gpu_spmm.work import KernelWork
from sparsesim.workloads.formats.compressed import CSR

NAME = "sputnik"
SMEM_READS_PER_STEP = 2  # index and value of the current nonzero, from shared memory


@dataclass(frozen=True)
class SputnikMatrix:
    """CSR plus the order rows are processed in (row_order[slot] = row) and the elements
    per vector load of the row arrays."""

    csr: CSR
    row_order: np.ndarray
    vector: int


def vector_elements(config: SpmmConfig) -> int:
    """Elements of the sparse row per vector load (indices are the wider arrays)."""
    return max(1, config.vector_bytes // config.index_bytes)


def encode(a: np.ndarray, config: SpmmConfig, block: int) -> SputnikMatrix:
    csr = CSR.from_dense(a)
    lengths = np.diff(csr.ptr)
    order = (np.argsort(-lengths, kind="stable") if config.sputnik_row_swizzle
             else np.arange(csr.shape[0]))
    return SputnikMatrix(csr, order.astype(np.int64), vector_elements(config))


def work(matrix: SputnikMatrix, n: int, config: SpmmConfig) -> KernelWork:
    csr, sector, lanes = matrix.csr, config.sector_bytes, config.warp_size
    rows_per_warp = lanes // config.sputnik_subwarp
    warps = config.sputnik_warps_per_cta
    cta_rows = group_rows(matrix.row_order, rows_per_warp * warps)  # (CTA rows, rows)
    warp_rows = cta_rows.reshape(len(cta_rows), warps, rows_per_warp)
    lengths = np.diff(csr.ptr)
    vec = matrix.vector
    prefix = csr.ptr[:-1] % vec  # reverse offset: leading elements loaded and masked
    body = lengths + prefix
    length = lookup(lengths, warp_rows)  # (CTA rows, warps, rows of the warp)
    vectors, residue = lookup(body // vec, warp_rows), lookup(body % vec, warp_rows)
    staging = 2 * (np.ceil(vectors / config.sputnik_subwarp) + residue).max(axis=2)
    steps = length.max(axis=2)  # subwarps of a warp wait for its longest row
    width = stripe_widths(n, config.sputnik_tile_n)[None, None, :]
    fma_per_thread = max(1, config.sputnik_tile_n * rows_per_warp // lanes)
    b_per_nonzero = -(-width * VALUE_BYTES // sector) * sector
    staged = lookup(body, warp_rows).sum(axis=2)[:, :, None]
    nonzeros = length.sum(axis=2)[:, :, None]
    warp = {"issue": (staging[:, :, None] + steps[:, :, None]
                      * (1 + SMEM_READS_PER_STEP + fma_per_thread * (1 + config.cvt_per_fma))
                      + 1),
            "lsu": (2 * lookup(body // vec + body % vec, warp_rows).sum(axis=2)[:, :, None]
                    + steps[:, :, None] * (1 + SMEM_READS_PER_STEP) * lanes + lanes),
            "fma": nonzeros * width,
            "lanes": steps[:, :, None] * rows_per_warp * config.sputnik_tile_n,  # idle
            # subwarps wait for the warp's longest row
            "l1": (staged * (VALUE_BYTES + config.index_bytes) * 2  # global load, smem write
                   + nonzeros * (b_per_nonzero + VALUE_BYTES + config.index_bytes)
                   + rows_per_warp * width * VALUE_BYTES)}
    active = (cta_rows >= 0).sum(axis=1)[:, None]
    cta_l2 = (lookup(row_a_bytes(body, config), cta_rows).sum(axis=1)[:, None]
              + active * config.index_bytes  # the row's slot in row_order
              + column_union(csr, cta_rows)[:, None] * b_per_nonzero[0]
              + active * width[0] * VALUE_BYTES)
    smem = rows_per_warp * warps * config.sputnik_block_k * (VALUE_BYTES + config.index_bytes)
    return cuda_core_work(warp, cta_l2, warps, csr, n,
                          csr_bytes(csr, config) + csr.shape[0] * config.index_bytes, config,
                          {"rows_per_cta": rows_per_warp * warps, "tile_n": config.sputnik_tile_n,
                           "row_swizzle": config.sputnik_row_swizzle,
                           "masked_prefix_elements": int(prefix.sum()),
                           "residue_elements": int((body % vec).sum())},
                          smem_bytes_per_cta=smem)


def compute(matrix: SputnikMatrix, b: np.ndarray, rows: np.ndarray,
            cols: np.ndarray) -> np.ndarray:
    """C[rows, cols] as the kernel computes it: for each processing slot holding a wanted
    row, load from the vector-aligned offset, mask the leading elements, sum in fp32 and
    write to row row_order[slot]."""
    csr, vec = matrix.csr, matrix.vector
    out = np.zeros((len(rows), len(cols)), dtype=np.float32)
    where = {int(r): i for i, r in enumerate(rows)}
    b_cols = b[:, cols]
    for slot in np.flatnonzero(np.isin(matrix.row_order, rows)):
        row = int(matrix.row_order[slot])
        start, end = int(csr.ptr[row]), int(csr.ptr[row + 1])
        aligned = start - start % vec
        keep = np.arange(aligned, end) >= start
        values = np.where(keep, csr.values[aligned:end], 0).astype(np.float32)
        indices = np.where(keep, csr.indices[aligned:end], 0)
        out[where[row]] = values @ b_cols[indices]
    return out
