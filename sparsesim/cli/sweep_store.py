"""A sweep's results file: JSON lines (one full record per run) or CSV (one row of the
grid point and totals per run). Both are append-only and survive a killed sweep: a line
cut short is ignored on reading and its run is done again."""

from __future__ import annotations

import csv
import io
import json
import os
import time
from pathlib import Path
from typing import Any

from sparsesim.simulator.errors import UserError

FIXED_COLUMNS = ("run_key", "accel", "workload", "seed", "engine")
TOTAL_COLUMNS = ("cycles", "seconds", "macs_useful", "pe_utilization", "load_efficiency",
                 "energy_pj", "power_w", "area_mm2", "output_ok", "wall_seconds")
END_COLUMN = "row_complete"  # always 1: a row cut short by a kill lacks it
SYNC_SECONDS = 1.0  # longest time between forcing appended records to the disk, s


def parse_value(text: str) -> Any:
    """'8' -> 8, '0.5' -> 0.5, 'True' -> True, anything else stays a string."""
    if text in ("True", "False"):
        return text == "True"
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            pass
    return text


class ResultsFile:
    """Where a sweep appends its runs; CSV when the name ends in .csv, else JSON lines."""

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self.csv = self.path.suffix.lower() == ".csv"
        self._synced_at = -SYNC_SECONDS  # the first record is forced to disk at once

    def read(self) -> list[dict[str, Any]]:
        """Every complete record (CSV rows come back with a `grid` dict)."""
        if not self.path.exists():
            return []
        self.check_owned()
        text = self.path.read_bytes().decode("utf-8", errors="replace")
        if not self.csv:
            return [record for record in map(_json_or_none, text.splitlines()) if record]
        lines = text.splitlines()
        if not lines:
            return []
        header = next(csv.reader(lines[:1]))
        records = []
        for line in lines[1:]:  # a row is one line (no field holds a newline)
            fields = next(csv.reader([line]), [])
            row = dict(zip(header, fields))
            if len(fields) == len(header) and row.get(END_COLUMN) == "1":
                del row[END_COLUMN]
                records.append(_from_row(row))
        return records

    def done_keys(self) -> set[str]:
        return {record["run_key"] for record in self.read() if "run_key" in record}

    def check_owned(self, fix: str = "give a file written by `sparsesim sweep`") -> None:
        """Refuse a file sparsesim did not write as a results file (recognised by its CSV
        header or its first JSON line), so a sweep never appends to a user's own file."""
        if self._empty():
            return
        with open(self.path, "rb") as handle:
            first = handle.readline(1 << 20).decode("utf-8", errors="replace")
        if self.csv:
            header = next(csv.reader([first]), [])
            ours = tuple(header[:len(FIXED_COLUMNS)]) == FIXED_COLUMNS and header[-1:] == [
                END_COLUMN]
        else:
            record = _json_or_none(first)
            ours = record is not None and "run_key" in record
        if not ours:
            kind = "CSV header" if self.csv else "first line"
            raise UserError(f"{self.path} is not a results file sparsesim wrote (its {kind} is "
                            "not a sweep's); " + fix)

    def drop_torn_tail(self) -> None:
        """Cut a last line left unfinished by a killed sweep (its run is done again), so
        the next append starts on a line of its own and CSV readers see whole rows."""
        if self._empty() or self._ends_with_newline():
            return
        with open(self.path, "rb+") as handle:
            data = handle.read()
            handle.truncate(data.rfind(b"\n") + 1)
            handle.flush()
            os.fsync(handle.fileno())

    def append(self, record: dict[str, Any]) -> None:
        """Append one record; never rewrites what is there. Each record reaches the
        operating system at once (a killed sweep keeps it); it is forced to the disk
        itself at most every SYNC_SECONDS (a machine crash loses at most those runs,
        which a resumed sweep does again) and by `sync`."""
        if self.csv:
            columns = [*FIXED_COLUMNS, *(f"grid.{k}" for k in record["grid"]), *TOTAL_COLUMNS,
                       END_COLUMN]
            self._check_header(columns)
            buffer = io.StringIO()
            writer = csv.DictWriter(buffer, columns, extrasaction="ignore")
            if self._empty():
                writer.writeheader()
            writer.writerow({**record, **{f"grid.{k}": v for k, v in record["grid"].items()},
                             END_COLUMN: 1})
            data = buffer.getvalue().encode()
        else:
            data = json.dumps(record, sort_keys=True).encode() + b"\n"
        self.drop_torn_tail()
        with open(self.path, "ab") as handle:
            handle.write(data)
            handle.flush()
            if time.monotonic() - self._synced_at >= SYNC_SECONDS:
                os.fsync(handle.fileno())
                self._synced_at = time.monotonic()

    def sync(self) -> None:
        """Force everything appended so far to the disk."""
        if self.path.exists():
            with open(self.path, "ab") as handle:
                os.fsync(handle.fileno())
        self._synced_at = time.monotonic()

    def _empty(self) -> bool:
        return not self.path.exists() or self.path.stat().st_size == 0

    def _ends_with_newline(self) -> bool:
        with open(self.path, "rb") as handle:
            handle.seek(-1, os.SEEK_END)
            return handle.read(1) == b"\n"

    def _check_header(self, columns: list[str]) -> None:
        if self._empty():
            return
        with open(self.path, encoding="utf-8") as handle:
            header = next(csv.reader(handle), [])
        if header != columns:
            raise UserError(f"sweep: {self.path} has columns {', '.join(header)}; this sweep "
                            f"writes {', '.join(columns)}; use another --out file")


def _json_or_none(line: str) -> dict[str, Any] | None:
    try:
        record = json.loads(line)
    except json.JSONDecodeError:
        return None
    return record if isinstance(record, dict) else None


def _from_row(row: dict[str, str]) -> dict[str, Any]:
    record: dict[str, Any] = {"grid": {}}
    for column, text in row.items():
        value = parse_value(text) if column != "run_key" else text
        if column.startswith("grid."):
            record["grid"][column[len("grid."):]] = value
        else:
            record[column] = value
    return record
