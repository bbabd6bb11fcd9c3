"""Ctrl-C / SIGTERM end a sweep within a second with one line; its workers go with it."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

SWEEP = ["sweep", "--workload", "alexnet", "--engine", "reference", "--workers", "2",
         "--grid", "pes=1,2,3,4,5,6,7,8,9,10"]


def children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid and fields[0] != "Z":
                found.append(int(entry))
    return found


def start(tmp_path):
    process = subprocess.Popen([sys.executable, str(ROOT / "sim.py"), *SWEEP, "--out",
                                str(tmp_path / "r.jsonl")],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while len(children(process.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    time.sleep(1.0)  # workers busy in a run
    return process


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to find the workers")
@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_signal_ends_the_sweep_in_a_second_with_one_line(tmp_path, signum):
    process = start(tmp_path)
    workers = children(process.pid)
    assert len(workers) == 2
    sent = time.monotonic()
    process.send_signal(signum)
    line = process.stderr.readline()
    while line and not line.startswith("sweep: interrupted"):
        line = process.stderr.readline()
    assert time.monotonic() - sent < 1.0  # the line is out within a second
    rest = process.stderr.read()
    process.wait(timeout=10)
    assert process.returncode == 130
    assert line.startswith("sweep: interrupted after") and "resume" in line
    assert "Traceback" not in rest  # after the line, at most the progress bar's last state
    # tqdm writes its rate as run/s, or s/run when a run takes over a second
    assert all("run/s" in extra or "s/run" in extra or not extra.strip()
               for extra in rest.splitlines())
    time.sleep(0.2)
    assert not [w for w in workers if os.path.exists(f"/proc/{w}")
                and open(f"/proc/{w}/stat").read().rsplit(")", 1)[1].split()[0] != "Z"]


@pytest.mark.skipif(not os.path.isdir("/proc"), reason="needs /proc to find the workers")
def test_workers_exit_when_the_sweep_is_killed(tmp_path):
    process = start(tmp_path)
    workers = children(process.pid)
    process.kill()
    process.wait()
    deadline = time.monotonic() + 3
    while any(os.path.exists(f"/proc/{w}") for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(os.path.exists(f"/proc/{w}") for w in workers)
