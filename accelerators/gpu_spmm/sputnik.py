"""sputnik: the CSR SpMM of Gale et al., "Sparse GPU Kernels for Deep Learning", SC 2020.

- 1-D tiling: a subwarp of `sputnik_subwarp` threads computes one row of C over a
  `sputnik_tile_n`-column tile; each thread owns tile_n / subwarp consecutive columns,
  loaded from the B row with 16-byte vector loads per nonzero (one for fp16, two for
  fp32), so warp_size / subwarp rows share a warp (subwarp tiling) and a CTA holds
  `sputnik_warps_per_cta` such warps (Gale's code: 4 rows, one warp).
- The row's values and indices are staged in shared memory, `sputnik_block_k` nonzeros
  at a time (one buffer of that size per row), with vector loads of
  vector_bytes / index_bytes elements. Reverse-offset alignment: the load starts at the
  row offset rounded down to a whole vector and the extra leading elements are masked
  (value 0, index 0); the residue (what is left after whole vectors) uses scalar loads.
- Row swizzle: rows sorted by length, longest first, and dealt out in that order, so the
  rows of a warp have similar lengths (subwarps wait for the warp's longest row) and the
  longest CTAs start first.
- Grid: row groups fastest, then column tiles (Gale's code: blockIdx.x over rows), so the
  CTAs an SM holds at once work on one column tile and walk K in the same order; their
  B rows are read from L2 once per SM-full of CTAs and shared in L1 (our assumption: L1
  holds the rows between their uses; each CTA is charged an equal share).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.accelerators.gpu_spmm.config import SpmmConfig
from sparsesim.accelerators.gpu_spmm.cuda_core import cuda_core_work
from sparsesim.accelerators.gpu_spmm.rows import (
    column_union,
    conversions_per_fma,
    csr_bytes,
    group_rows,
    grouped_rows,
    lookup,
    resident_groups,
    row_a_bytes,
    stripe_widths,
)
from sparsesim.accelerators.gpu_spmm.sm_model import l1_wavefronts, slots_per_sm
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


def work(matrix: SputnikMatrix, n: int, config: SpmmConfig, value_bytes: int) -> KernelWork:
    csr, sector, lanes = matrix.csr, config.sector_bytes, config.warp_size
    subwarp = config.sputnik_subwarp
    rows_per_warp = lanes // subwarp
    warps = config.sputnik_warps_per_cta
    cta_rows = group_rows(matrix.row_order, rows_per_warp * warps)  # (CTA rows, rows)
    warp_rows = cta_rows.reshape(len(cta_rows), warps, rows_per_warp)
    lengths = np.diff(csr.ptr)
    vec = matrix.vector
    prefix = csr.ptr[:-1] % vec  # reverse offset: leading elements loaded and masked
    body = lengths + prefix
    length = lookup(lengths, warp_rows)  # (CTA rows, warps, rows of the warp)
    vectors, residue = lookup(body // vec, warp_rows), lookup(body % vec, warp_rows)
    staging = 2 * (np.ceil(vectors / subwarp) + residue).max(axis=2)[:, :, None]
    steps = length.max(axis=2)[:, :, None]  # subwarps of a warp wait for its longest row
    width = stripe_widths(n, config.sputnik_tile_n)[None, None, :]
    fma_per_thread = config.sputnik_tile_n // subwarp
    b_loads = -(-config.sputnik_tile_n * value_bytes // (subwarp * config.vector_bytes))
    b_per_nonzero = -(-width * value_bytes // sector) * sector
    staged_bytes = lookup(body, warp_rows).sum(axis=2)[:, :, None] * (
        value_bytes + config.index_bytes)
    nonzeros = length.sum(axis=2)[:, :, None]
    per_step_l1 = (b_loads * l1_wavefronts(rows_per_warp * b_per_nonzero // b_loads, config)
                   + SMEM_READS_PER_STEP * l1_wavefronts(1, config))
    warp = {"issue": (staging + steps * (b_loads + SMEM_READS_PER_STEP + fma_per_thread
                                         * (1 + conversions_per_fma(config, value_bytes)))
                      + 1),
            "lsu": (2 * lookup(body // vec + body % vec, warp_rows).sum(axis=2)[:, :, None]
                    + steps * (b_loads + SMEM_READS_PER_STEP) * lanes + lanes),
            "fma": nonzeros * width,
            "lanes": steps * rows_per_warp * config.sputnik_tile_n,  # idle subwarps wait
            # for the warp's longest row
            "l1": (np.maximum(2 * staged_bytes, 2 * staging * l1_wavefronts(1, config))  # global
                   # load, shared-memory store
                   + steps * per_step_l1
                   + l1_wavefronts(rows_per_warp * width * value_bytes, config))}
    smem = rows_per_warp * warps * config.sputnik_block_k * (value_bytes + config.index_bytes)
    group = resident_groups(len(cta_rows), config.gpu.num_sms,
                            slots_per_sm(config, warps, smem))
    counts = np.bincount(group)
    b_rows = column_union(csr, grouped_rows(cta_rows, group))[group] / counts[group]
    active = (cta_rows >= 0).sum(axis=1)[:, None]
    cta_l2 = (lookup(row_a_bytes(body, config, value_bytes), cta_rows).sum(axis=1)[:, None]
              + active * config.index_bytes  # the row's slot in row_order
              + b_rows[:, None] * b_per_nonzero[0]
              + active * width[0] * value_bytes)
    return cuda_core_work(warp, cta_l2, warps, csr, n,
                          csr_bytes(csr, config, value_bytes) + csr.shape[0] * config.index_bytes,
                          config, value_bytes,
                          {"rows_per_cta": rows_per_warp * warps, "tile_n": config.sputnik_tile_n,
                           "row_swizzle": config.sputnik_row_swizzle,
                           "masked_prefix_elements": int(prefix.sum()),
                           "residue_elements": int((body % vec).sum())},
                          smem_bytes_per_cta=smem, rows_fastest=True)


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
