import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sparsesim.cli import main as sim
from sparsesim.cli.sweep import run_key
from sparsesim.cli.sweep_store import ResultsFile

ROOT = Path(__file__).resolve().parents[1]
GRID = ["--accel", "eie", "--workload", "neuraltalk-lstm", "--grid", "pes=2,4",
        "queue_depth=1,8", "--workers", "1"]


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def test_sweep_writes_one_line_per_run_with_config_and_result_keys(tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    assert sim.main(["sweep", *GRID, "--out", str(out)]) == 0
    records = lines(out)
    assert len(records) == 4
    assert {(r["config"]["num_pes"], r["config"]["queue_depth_entries"]) for r in records} == \
        {(2, 1), (2, 8), (4, 1), (4, 8)}
    for record in records:
        assert record["output_ok"] is True
        assert {"cycles", "seconds", "pe_utilization", "load_efficiency"} <= set(record)
        assert {"cycles", "pe_busy_cycles", "queue_stats"} <= set(record["layers"][0])


def test_sweep_resumes_after_a_cut_line_and_runs_each_point_once(tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    sim.main(["sweep", *GRID, "--out", str(out)])
    text = out.read_text().splitlines(keepends=True)
    out.write_text("".join(text[:2]) + text[2][:40])  # a run killed while being written
    assert sim.main(["sweep", *GRID, "--out", str(out)]) == 0
    raw = out.read_text().splitlines()
    assert text[2][:40] not in raw  # the torn line was cut before the next append
    keys = [json.loads(line)["run_key"] for line in raw]  # every line is whole
    assert len(keys) == 4 and len(set(keys)) == 4
    assert "2 to do" in capsys.readouterr().err


def test_killed_sweep_restarted_does_every_run_exactly_once(tmp_path):
    """SIGKILL the sweep after its first finished run, restart it: six runs, once each."""
    out = tmp_path / "r.jsonl"
    argv = [sys.executable, str(ROOT / "sim.py"), "sweep", "--accel", "eie", "--workload",
            "neuraltalk-lstm", "--grid", "pes=1,2,3,4,5,6", "--workers", "1", "--out", str(out)]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while time.time() < deadline and (not out.exists() or not out.read_text().count("\n")):
        time.sleep(0.05)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    finished_before = len(out.read_text().splitlines())
    assert 1 <= finished_before < 6  # killed midway
    subprocess.run(argv, cwd=ROOT, check=True, capture_output=True)
    keys = [json.loads(line)["run_key"] for line in out.read_text().splitlines()
            if line.endswith("}")]
    assert len(keys) == 6 and len(set(keys)) == 6


def test_sweep_reads_a_toml_grid(tmp_path, capsys):
    grid = tmp_path / "grid.toml"
    grid.write_text('accel = "eie"\nworkloads = ["neuraltalk-lstm"]\nseeds = [0, 1]\n'
                    '[grid]\npes = [2]\nqueue_depth = [4]\n')
    out = tmp_path / "r.jsonl"
    assert sim.main(["sweep", "--file", str(grid), "--workers", "1", "--out", str(out)]) == 0
    assert sorted(r["seed"] for r in lines(out)) == [0, 1]


def test_sweep_on_a_dask_cluster(tmp_path, capsys):
    distributed = pytest.importorskip("distributed")
    out = tmp_path / "r.jsonl"
    with distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=False,
                                  dashboard_address=None) as cluster:
        code = sim.main(["sweep", *GRID[:-2], "--scheduler", cluster.scheduler_address,
                         "--out", str(out)])
    assert code == 0 and len(lines(out)) == 4


def test_plot_draws_sweep_curves(tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    sim.main(["sweep", *GRID, "--out", str(out)])
    png = tmp_path / "c.png"
    assert sim.main(["plot", str(out), "--x", "pes", "--y", "load_efficiency",
                     "--out", str(png)]) == 0
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert "2 curves" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["--grid", "warp=1"], "unknown grid key 'warp'"),
    (["--grid", "pes=0"], "num_pes must be"),
    (["--grid", "pes"], "must look like key=v1,v2"),
    (["--workload", "nope"], "unknown workload 'nope'"),
])
def test_bad_sweeps_fail_before_running(tmp_path, capsys, argv, message):
    out = tmp_path / "r.jsonl"
    code = sim.main(["sweep", "--accel", "eie", *argv, "--out", str(out)])
    assert code == 2 and message in capsys.readouterr().err
    assert not out.exists()


def test_run_key_ignores_grid_spelling():
    spec = {"accel": "eie", "workload": "w", "seed": 0, "engine": "fast", "config": {"a": 1}}
    assert run_key(dict(spec, grid={"pes": 2})) == run_key(dict(spec, grid={"num_pes": 2}))


def test_csv_results_resume_and_plot(tmp_path, capsys):
    out = tmp_path / "r.csv"
    assert sim.main(["sweep", *GRID, "--out", str(out)]) == 0
    text = out.read_text().splitlines(keepends=True)
    assert text[0].startswith("run_key,accel,workload,seed,engine,grid.pes,grid.queue_depth,")
    out.write_text("".join(text[:3]) + text[3][:30])  # header, two runs, one cut short
    assert sim.main(["sweep", *GRID, "--out", str(out)]) == 0
    assert "2 to do" in capsys.readouterr().err
    records = ResultsFile(out).read()
    assert len(records) == 4 and len({r["run_key"] for r in records}) == 4
    assert all(r["output_ok"] is True and r["energy_pj"] > 0 for r in records)
    png = tmp_path / "c.png"
    assert sim.main(["plot", str(out), "--x", "queue_depth", "--y", "cycles",
                     "--out", str(png)]) == 0


def test_csv_with_other_columns_is_refused(tmp_path, capsys):
    out = tmp_path / "r.csv"
    out.write_text("a,b\n1,2\n")
    assert sim.main(["sweep", *GRID, "--out", str(out)]) == 2
    assert "not a results file sparsesim wrote" in capsys.readouterr().err
    assert out.read_text() == "a,b\n1,2\n"
