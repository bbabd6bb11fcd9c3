"""csr-rowsplit: a cuSPARSE-like CSR SpMM (no load balancing).

One warp computes one row of C over a 32-column stripe (one column per thread, fp32
accumulator); a CTA is `csr_rows_per_cta` consecutive rows and one stripe; the grid runs
stripes fastest. Per nonzero every warp issues scalar (broadcast) loads of the column
index and the value, one coalesced load of the B row's stripe, conversions and an FMA.
A CTA lasts as long as its longest row (the other warps of the CTA wait).
"""

from __future__ import annotations

import numpy as np

from sparsesim.accelerators.gpu_spmm.config import SpmmConfig
from sparsesim.accelerators.gpu_spmm.cuda_core import cuda_core_work
from sparsesim.accelerators.gpu_spmm.rows import (
    column_union,
    conversions_per_fma,
    csr_bytes,
    group_rows,
    lookup,
    row_a_bytes,
    stripe_widths,
)
from sparsesim.accelerators.gpu_spmm.sm_model import l1_wavefronts
from sparsesim.accelerators.gpu_spmm.work import KernelWork
from sparsesim.workloads.formats.compressed import CSR

NAME = "csr-rowsplit"


def encode(a: np.ndarray, config: SpmmConfig, block: int) -> CSR:
    return CSR.from_dense(a)


def work(csr: CSR, n: int, config: SpmmConfig, value_bytes: int) -> KernelWork:
    rows_per_cta, sector, lanes = config.csr_rows_per_cta, config.sector_bytes, config.warp_size
    groups = group_rows(np.arange(csr.shape[0]), rows_per_cta)  # CTA g: rows groups[g]
    length = lookup(np.diff(csr.ptr), groups)[:, :, None]  # (CTA rows, warps, 1)
    width = stripe_widths(n, config.csr_tile_n)[None, None, :]  # (1, 1, stripes)
    b_per_nonzero = -(-width * value_bytes // sector) * sector
    one = l1_wavefronts(1, config)  # a broadcast load of the index or the value
    warp = {"issue": length * (4 + conversions_per_fma(config, value_bytes)) + 1,  # idx,
            # value, B, FMA, conversions; the store
            "lsu": length * 3 * lanes + lanes,
            "fma": length * width,
            "lanes": length * config.csr_tile_n,  # edge stripes leave lanes idle
            "l1": (length * (2 * one + l1_wavefronts(b_per_nonzero, config))
                   + l1_wavefronts(width * value_bytes, config))}
    active = (groups >= 0).sum(axis=1)[:, None]
    cta_l2 = (lookup(row_a_bytes(np.diff(csr.ptr), config, value_bytes), groups).sum(axis=1)[
                  :, None]
              + column_union(csr, groups)[:, None] * b_per_nonzero[0]
              + active * width[0] * value_bytes)
    return cuda_core_work(warp, cta_l2, rows_per_cta, csr, n,
                          csr_bytes(csr, config, value_bytes), config, value_bytes,
                          {"rows_per_cta": rows_per_cta, "tile_n": config.csr_tile_n})


def compute(csr: CSR, b: np.ndarray, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """C[rows, cols] from the CSR arrays: fp32 sums of value x B row, row by row."""
    out = np.zeros((len(rows), len(cols)), dtype=np.float32)
    b_cols = b[:, cols]
    for i, r in enumerate(rows):
        start, end = csr.ptr[r], csr.ptr[r + 1]
        out[i] = csr.values[start:end].astype(np.float32) @ b_cols[csr.indices[start:end]]
    return out
