"""Helpers shared by the benchmark scripts: output location and JSON writing."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as `python benchmarks/NAME.py` from anywhere

from sparsesim.simulator.atomic_file import write_atomically  # noqa: E402

RESULTS = ROOT / "benchmarks" / "results"


def output_path(name: str, given: str | None) -> Path:
    """`given` if the user named a path, else benchmarks/results/NAME (folder created)."""
    if given:
        return Path(given)
    RESULTS.mkdir(parents=True, exist_ok=True)
    return RESULTS / name


def write_json(path: Path, document: dict[str, Any]) -> None:
    text = json.dumps(document, indent=2, sort_keys=True).encode()
    write_atomically(path, lambda handle: handle.write(text))
