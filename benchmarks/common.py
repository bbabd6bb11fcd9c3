"""Helpers shared by the benchmark scripts: output location and JSON writing."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]

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


# Runs a command and prints its wall seconds, CPU seconds, peak RSS (KiB) and exit code.
# A small fresh process starts it: a child forked from this (large) benchmark process
# would report this process's memory as its own peak.
LAUNCHER = """import os, subprocess, sys, time
started = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(time.perf_counter() - started, usage.ru_utime + usage.ru_stime, usage.ru_maxrss,
      os.waitstatus_to_exitcode(status))
"""


def process_figures(argv: list[str],
                    env: dict[str, str] | None = None) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds (the process and the children it waited for) and peak
    RSS (MiB, its largest process) of one run of `argv` from the repository root."""
    done = subprocess.run([sys.executable, "-c", LAUNCHER, *argv], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    wall, cpu, rss_kib, code = done.stdout.split()
    if int(code) != 0:
        raise SystemExit(f"{' '.join(argv)} failed: {done.stderr[-500:]}")
    return float(wall), float(cpu), int(rss_kib) / 1024
