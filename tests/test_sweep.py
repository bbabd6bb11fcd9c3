import dataclasses
import json
import os
import signal
import subprocess
import sys
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest

from sparsesim.accelerators.eie import model as eie
from sparsesim.accelerators.registry import DESIGNS
from sparsesim.cli import main as sim
from sparsesim.cli import sweep_worker
from sparsesim.cli.registry import ACCELERATORS
from sparsesim.cli.sweep import plan_chunks, run_key
from sparsesim.cli.sweep_store import ResultsFile
from sparsesim.simulator import plots
from sparsesim.workloads.eie_layers import benchmark_workload
from sparsesim.workloads.model_file import save_model
from sparsesim.workloads.shipped_models import SHIPPED_MODELS

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


@pytest.mark.parametrize("accel, workload, grid", [
    ("eie", "neuraltalk-lstm", "pes=1,2,3,4,5,6"),
    ("stc", "1024,1024,1024", "num_sms=20,40,60,80,100,108"),
    ("pointacc", "kitten", "comparators=4,8,16,32"),
])
def test_killed_sweep_restarted_does_every_run_exactly_once(tmp_path, accel, workload, grid):
    """SIGKILL the sweep after its first finished run, restart it: every run, once each."""
    out = tmp_path / "r.jsonl"
    total = len(grid.split(","))
    argv = [sys.executable, str(ROOT / "sim.py"), "sweep", "--accel", accel, "--workload",
            workload, "--grid", grid, "--workers", "1", "--out", str(out)]
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 300
    while time.time() < deadline and (not out.exists() or not out.read_text().count("\n")):
        time.sleep(0.02)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    finished_before = len(out.read_text().splitlines())
    assert 1 <= finished_before < total  # killed midway
    subprocess.run(argv, cwd=ROOT, check=True, capture_output=True)
    records = [json.loads(line) for line in out.read_text().splitlines() if line.endswith("}")]
    keys = [r["run_key"] for r in records]
    assert len(keys) == total and len(set(keys)) == total
    assert all(r["output_ok"] for r in records)


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


def fresh_memo(monkeypatch):
    monkeypatch.setattr(sweep_worker, "_loaded", {})
    monkeypatch.setattr(sweep_worker, "_compiled", OrderedDict())


def counting_compiles(monkeypatch, accel: str) -> list:
    """Record every compile the sweep does for `accel`."""
    d = DESIGNS[accel]
    encoding = ACCELERATORS[accel].sweep.encoding_fields
    calls = []

    def compile_counted(workload, config):
        calls.append({f: getattr(config, f) for f in encoding})
        return d.compile(workload, config)

    monkeypatch.setitem(DESIGNS, accel, dataclasses.replace(d, compile=compile_counted))
    fresh_memo(monkeypatch)
    return calls


def comparable(layer: dict) -> dict:
    layer = dict(layer, details={k: v for k, v in layer["details"].items()
                                 if k != "compile_seconds"})
    layer.pop("wall_seconds")
    return layer


def test_timing_only_points_reuse_the_compiled_layer_and_match_fresh_runs(tmp_path,
                                                                        monkeypatch):
    calls = counting_compiles(monkeypatch, "eie")
    out = tmp_path / "r.jsonl"
    assert sim.main(["sweep", "--accel", "eie", "--workload", "alexnet-fc8", "--grid",
                     "pes=4,8", "queue_depth=1,2,8", "clock_mhz=400,800", "--workers", "1",
                     "--out", str(out)]) == 0
    assert sorted(c["num_pes"] for c in calls) == [4, 8]  # once per encoding, not per point
    records = lines(out)
    assert len(records) == 12
    workload = benchmark_workload("alexnet-fc8", 0)
    for record in records[::5]:
        config = eie.EIEConfig(**record["config"])
        fresh = eie.run_workload(workload, config, engine="fast", seed=0)
        assert [comparable(r.to_dict()) for r in fresh] == \
            [comparable(layer) for layer in record["layers"]]


def test_pool_workers_stream_every_run_once(tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    assert sim.main(["sweep", *GRID[:-2], "--workers", "2", "--out", str(out)]) == 0
    records = lines(out)
    assert len({r["run_key"] for r in records}) == 4 and all(r["output_ok"] for r in records)


def test_chunks_follow_encodings_and_split_only_to_feed_every_worker():
    specs = [{"accel": "eie", "workload": "w", "seed": 0, "config": {"num_pes": pes,
              "weight_index_bits": 4, "relative_row_bits": 4, "queue_depth_entries": depth}}
             for pes in (1, 2, 4) for depth in (1, 2, 8, 16)]
    chunks = plan_chunks(specs, workers=2)
    assert [len(c) for c in chunks] == [4, 4, 4]
    assert all(len({s["config"]["num_pes"] for s in c}) == 1 for c in chunks)
    chunks = plan_chunks(specs[:4], workers=2)
    assert [len(c) for c in chunks] == [2, 2]
    assert sorted(s["config"]["queue_depth_entries"] for c in chunks for s in c) == [1, 2, 8, 16]


def test_sweep_runs_model_files_and_keys_runs_by_their_content(tmp_path, capsys):
    model = tmp_path / "m.npz"
    model.write_bytes(SHIPPED_MODELS["lenet300-pruned"].read_bytes())
    out = tmp_path / "r.jsonl"
    argv = ["sweep", "--accel", "eie", "--model", str(model), "--grid", "pes=8,16",
            "--workers", "1", "--out", str(out)]
    assert sim.main(argv) == 0
    records = lines(out)
    assert len(records) == 2 and all(r["output_ok"] for r in records)
    assert len(records[0]["layers"]) == 3
    assert sim.main(argv) == 0 and "0 to do" in capsys.readouterr().err
    save_model(model, {"fc": np.eye(4, dtype=np.float32)}, {"fc": "relu"})  # new content
    assert sim.main(argv) == 0 and "2 to do" in capsys.readouterr().err


@pytest.mark.parametrize("argv, message", [
    (["--accel", "ese", "--model", "x.npz"], "takes no model files"),
    (["--accel", "eie", "--model", "missing.npz"], "model file missing.npz not found"),
    (["--accel", "stc", "--workload", "nope"], "unknown stc workload 'nope'"),
    (["--accel", "pointacc", "--grid", "mapper=magic"], "mapper must be one of"),
    (["--accel", "stc", "--grid", "preset=b200"], "unknown preset 'b200'"),
    (["--accel", "ese", "--grid", "warp=1"], "unknown grid key 'warp' for ese"),
])
def test_bad_sweeps_of_every_design_fail_in_one_line(tmp_path, capsys, argv, message):
    out = tmp_path / "r.jsonl"
    assert sim.main(["sweep", *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
    assert not out.exists()


def test_ese_sweep_reuses_the_pruned_encoding_across_queue_depths(tmp_path, monkeypatch,
                                                                   capsys):
    calls = counting_compiles(monkeypatch, "ese")
    out = tmp_path / "r.jsonl"
    assert sim.main(["sweep", "--accel", "ese", "--workload", "ese-lstm", "--grid", "pes=16",
                     "queue_depth=2,8", "--workers", "1", "--out", str(out)]) == 0
    records = lines(out)
    assert len(calls) == 1 and len(records) == 2 and all(r["output_ok"] for r in records)
    assert records[0]["cycles"] != records[1]["cycles"]


def test_plot_labels_axes_with_units_and_whole_number_ticks(tmp_path, capsys, monkeypatch):
    out = tmp_path / "r.jsonl"
    sim.main(["sweep", *GRID, "--out", str(out)])
    seen = {}

    def figure(lines, xlabel, ylabel, logx, title, integer_x, integer_y, pareto=()):
        seen.update(xlabel=xlabel, ylabel=ylabel, integer_x=integer_x, integer_y=integer_y)
        return real_figure(lines, xlabel, ylabel, logx, title, integer_x, integer_y, pareto)

    real_figure = plots.sweep_figure
    monkeypatch.setattr(plots, "sweep_figure", figure)
    assert sim.main(["plot", str(out), "--x", "queue_depth", "--y", "energy_pj",
                     "--out", str(tmp_path / "c.png")]) == 0
    assert seen == {"xlabel": "queue_depth = queue_depth_entries (entries)",
                    "ylabel": "energy_pj (pJ)", "integer_x": True, "integer_y": False}
    assert sim.main(["plot", str(out), "--x", "pes", "--y", "cycles",
                     "--out", str(tmp_path / "c.png")]) == 0
    assert seen["xlabel"] == "pes = num_pes (PEs)" and seen["ylabel"] == "cycles (cycles)"
    assert seen["integer_y"] is True


def test_stc_sweeps_presets_and_fields_and_model_files(tmp_path, capsys):
    out = tmp_path / "r.jsonl"
    assert sim.main(["sweep", "--accel", "stc", "--workload", "256,256,256", "--grid",
                     "preset=a100,h100", "l2_latency_cycles=100,400", "--workers", "1",
                     "--out", str(out)]) == 0
    records = lines(out)
    assert sorted((r["config"]["name"], r["config"]["l2_latency_cycles"]) for r in records) == \
        [("a100", 100), ("a100", 400), ("h100", 100), ("h100", 400)]
    assert all(r["output_ok"] for r in records)
    out = tmp_path / "m.jsonl"
    model = SHIPPED_MODELS["lenet300-pruned"].parent / "lenet300_2of4.npz"
    assert sim.main(["sweep", "--accel", "stc", "--model", str(model), "--grid",
                     "num_sms=54,108", "--workers", "1", "--out", str(out)]) == 0
    records = lines(out)
    assert len(records) == 2 and all(len(r["layers"]) == 3 and r["output_ok"] for r in records)
