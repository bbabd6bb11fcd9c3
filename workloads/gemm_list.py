"""GEMM lists: a CSV file with columns name,M,N,K and optionally count and prunable.

One GEMM per row, C (M x N) = A (M x K) @ B (K x N), run `count` times (default 1);
`prunable` is 1 when A is a weight matrix 2:4 pruning applies to (default), 0 when it
is an activation (e.g. attention's QK^T). A first row naming the columns is optional.
Files over MAX_BYTES are refused before reading.
"""

from __future__ import annotations

import csv
import os

from sparsesim.simulator.errors import FormatError, WorkloadError
from sparsesim.workloads.gemm import GemmShape
from sparsesim.workloads.lowering import NetworkGemm

COLUMNS = ("name", "M", "N", "K", "count", "prunable")
MAX_BYTES = 10 * 2**20  # a GEMM list larger than 10 MB is surely not one: our choice
MAX_DIMENSION = 2**31  # largest M, N, K or count


def _whole(text: str, column: str, where: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise FormatError(f"{where}: {column} must be a whole number, got {text!r}") from None
    if not 1 <= value <= MAX_DIMENSION:
        raise FormatError(f"{where}: {column} must lie in 1..{MAX_DIMENSION}, got {value}")
    return value


def read_gemm_list(path: str | os.PathLike) -> list[NetworkGemm]:
    """The GEMMs of a CSV file (see the module docstring)."""
    path = os.fspath(path)
    if not os.path.isfile(path):
        raise FormatError(f"GEMM list {path} not found; check the path")
    if os.path.getsize(path) > MAX_BYTES:
        raise FormatError(f"GEMM list {path} is over {MAX_BYTES} bytes; split it")
    with open(path, newline="", encoding="utf-8") as handle:
        rows = [row for row in csv.reader(handle) if row and any(cell.strip() for cell in row)]
    if rows and [c.strip() for c in rows[0][:4]] == list(COLUMNS[:4]):
        rows = rows[1:]
    if not rows:
        raise FormatError(f"GEMM list {path} has no rows; write name,M,N,K[,count[,prunable]]")
    gemms = []
    for number, row in enumerate(rows, start=1):
        where = f"{path} row {number}"
        if not 4 <= len(row) <= len(COLUMNS):
            raise FormatError(f"{where}: expected name,M,N,K[,count[,prunable]], got "
                              f"{len(row)} columns")
        cells = [c.strip() for c in row]
        m, n, k = (_whole(cells[i], COLUMNS[i], where) for i in (1, 2, 3))
        count = _whole(cells[4], "count", where) if len(cells) > 4 else 1
        if len(cells) > 5 and cells[5] not in ("0", "1"):
            raise FormatError(f"{where}: prunable must be 0 or 1, got {cells[5]!r}")
        try:
            gemms.append(NetworkGemm(GemmShape(cells[0] or f"gemm{number}", m, n, k), count,
                                     prunable=len(cells) < 6 or cells[5] == "1"))
        except WorkloadError as exc:
            raise FormatError(f"{where}: {exc}") from None
    return gemms
