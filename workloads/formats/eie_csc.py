"""EIE's interleaved CSC (Han et al., EIE, ISCA 2016, Section III-C).

Row i of the weight matrix belongs to PE i mod N, where it is local row i // N. Each PE
stores its part of every column as a run of entries: a `value_bits` codebook index v
(or, with `signed`, a signed fixed-point weight code, as ESE stores 12-bit weights) and
a `zero_bits` relative row index z, the number of zero rows (of that PE) since the
previous stored entry of the column. When a gap does not fit in z, a padding
entry (v = 0, z = 2**zero_bits - 1) is stored instead. Column pointers per PE give
where each column's run starts and ends.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.simulator.errors import FormatError
from sparsesim.workloads.formats.compressed import CSC


@dataclass(frozen=True)
class EIECSC:
    """All PEs' entries in one flat array, PE by PE.

    Entries of PE p, column j are v[ptr[p, j]:ptr[p, j + 1]] (likewise z); pointers are
    absolute offsets into the flat arrays, so PE p's own (local) pointer is
    ptr[p, j] - ptr[p, 0].
    """

    shape: tuple[int, int]  # (rows, cols) of the weight matrix
    num_pes: int
    v: np.ndarray  # code per entry (uint8, or int16 if signed or wider); 0 marks padding
    z: np.ndarray  # uint8 zero rows skipped before the entry
    ptr: np.ndarray  # int64, shape (num_pes, cols + 1)
    value_bits: int = 4
    zero_bits: int = 4
    signed: bool = False  # v is a two's-complement weight code instead of an index

    @classmethod
    def from_csc(cls, codes: CSC, num_pes: int, value_bits: int = 4,
                 zero_bits: int = 4, signed: bool = False) -> EIECSC:
        """Encode a CSC whose values are codebook indices (1 .. 2**value_bits - 1), or,
        with `signed`, nonzero weight codes in -2**(value_bits-1) .. 2**(value_bits-1) - 1."""
        if num_pes < 1:
            raise FormatError(f"EIE-CSC: num_pes must be >= 1, got {num_pes}")
        if not 1 <= value_bits <= 16:
            raise FormatError(f"EIE-CSC: value_bits must lie in 1..16, got {value_bits}")
        codes_v = np.asarray(codes.values)
        if signed:
            low, high = -2 ** (value_bits - 1), 2 ** (value_bits - 1) - 1
            if codes.nnz and (codes_v.min() < low or codes_v.max() > high
                              or np.any(codes_v == 0)):
                raise FormatError(f"EIE-CSC: signed codes must lie in {low}..{high} and be "
                                  "nonzero (0 is reserved for padding)")
        elif codes.nnz and (codes_v.min() < 1 or codes_v.max() >= 2 ** value_bits):
            raise FormatError(f"EIE-CSC: codebook indices must lie in 1..{2 ** value_bits - 1}"
                              " (0 is reserved for padding)")
        pe, cols, local, code = _pe_major(codes, num_pes)
        same_run = np.zeros(len(pe), dtype=bool)
        same_run[1:] = (pe[1:] == pe[:-1]) & (cols[1:] == cols[:-1])
        previous = np.where(same_run, np.concatenate([[-1], local[:-1]]), -1)
        gap = local - previous - 1
        span = 2 ** zero_bits
        paddings = gap // span
        out_len = 1 + paddings
        ends = np.cumsum(out_len)
        starts = ends - out_len
        total = int(ends[-1]) if len(ends) else 0
        v = np.zeros(total, dtype=np.int16 if signed or value_bits > 8 else np.uint8)
        z = np.full(total, span - 1, dtype=np.uint8)
        v[starts + paddings] = code
        z[starts + paddings] = gap % span
        n_cols = codes.shape[1]
        # entries are in (PE, column) order: run k = p * cols + j starts where the first
        # entry with a run number >= k starts
        run = pe.astype(np.int64) * n_cols + cols
        first = np.searchsorted(run, np.arange(num_pes * n_cols + 1), side="left")
        bounds = np.concatenate([[0], ends])[first]
        ptr = bounds[np.arange(num_pes)[:, None] * n_cols + np.arange(n_cols + 1)]
        return cls(tuple(codes.shape), num_pes, v, z, ptr, value_bits, zero_bits, signed)

    def entries_per_pe(self) -> np.ndarray:
        """Stored entries (padding included) of each PE."""
        return self.ptr[:, -1] - self.ptr[:, 0]

    def column_lengths(self) -> np.ndarray:
        """Entries of each (PE, column) run, shape (num_pes, cols)."""
        return np.diff(self.ptr, axis=1)

    def local_rows(self) -> np.ndarray:
        """PE-local row of every entry, decoded from z run by run (int64)."""
        step = self.z.astype(np.int64) + 1
        csum = np.cumsum(step)
        run_start = np.repeat(self.ptr[:, :-1].ravel(), np.diff(self.ptr, axis=1).ravel())
        return csum - np.concatenate([[0], csum])[run_start] - 1

    def to_csc(self) -> CSC:
        """Decode back to a CSC of codebook indices (padding entries dropped)."""
        lengths = self.column_lengths()
        pe = np.repeat(np.arange(self.num_pes), lengths.sum(axis=1))
        cols = np.tile(np.arange(self.shape[1]), self.num_pes)
        cols = np.repeat(cols, lengths.ravel())
        keep = self.v != 0
        rows = self.local_rows()[keep] * self.num_pes + pe[keep]
        if len(rows) and rows.max() >= self.shape[0]:
            raise FormatError("EIE-CSC: a decoded row lies outside the matrix")
        return CSC.from_coo(self.shape, rows, cols[keep], self.v[keep])

    def to_dense(self) -> np.ndarray:
        """Dense matrix of codebook indices."""
        return self.to_csc().to_dense()

    def size_bits(self, pointer_bits: int) -> dict[str, int]:
        """Storage: entries at value_bits + zero_bits each, pointers per PE per column + 1."""
        entries = len(self.v) * (self.value_bits + self.zero_bits)
        pointers = self.ptr.size * pointer_bits
        return {"entries_bits": entries, "pointers_bits": pointers,
                "total_bits": entries + pointers}


def _pe_major(codes: CSC, num_pes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray,
                                                 np.ndarray]:
    """PE, column, PE-local row and code of every nonzero, ordered by PE, then column,
    then local row. A CSC is column-major; when its rows ascend within each column, a
    stable sort on the PE alone gives that order (a radix sort on small integers)."""
    rows, cols = codes.coordinates()
    pe, local = rows % num_pes, rows // num_pes
    rows_ascend = np.all((np.diff(rows) > 0) | (np.diff(cols) != 0))
    if rows_ascend:
        order = np.argsort(pe.astype(np.min_scalar_type(num_pes)), kind="stable")
    else:
        order = np.lexsort((local, cols, pe))
    return pe[order], cols[order], local[order], np.asarray(codes.values)[order]
