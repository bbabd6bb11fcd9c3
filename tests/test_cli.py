import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from conftest import load_document

from sparsesim.cli import main as sim
from sparsesim.workloads.model_file import save_model

ROOT = Path(__file__).resolve().parents[1]
DESIGN_KEYS = {"accel", "workload", "config", "cycles", "clock_hz", "seconds", "macs_useful",
               "pe_busy_cycles", "pe_utilization", "load_efficiency", "queue_stats",
               "memory_stats", "output_ok", "max_abs_error", "engine", "wall_seconds"}


@pytest.fixture
def tiny_model(tmp_path, rng) -> Path:
    w1 = np.where(rng.random((24, 16)) < 0.3, rng.normal(size=(24, 16)), 0)
    w2 = np.where(rng.random((5, 24)) < 0.5, rng.normal(size=(5, 24)), 0)
    path = tmp_path / "tiny.npz"
    save_model(path, {"fc1": w1, "fc2": w2}, {"fc1": "relu", "fc2": "none"},
               input_vector=rng.random(16))
    return path


def run_main(capsys, *argv):
    code = sim.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_names_accelerators_and_workloads(capsys):
    code, out, _ = run_main(capsys, "--list")
    assert code == 0
    assert "eie" in out and "alexnet-fc6" in out and "neuraltalk-lstm" in out


def test_model_run_writes_json_with_design_keys(capsys, tiny_model, tmp_path):
    out_json = tmp_path / "run.json"
    code, out, _ = run_main(capsys, "--accel", "eie", "--model", str(tiny_model), "--pes", "4",
                            "--queue-depth", "2", "--clock-mhz", "500", "--json", str(out_json))
    assert code == 0 and "fc1" in out and "fc2" in out and "WRONG" not in out
    doc = load_document(out_json)
    assert doc["config"]["num_pes"] == 4 and doc["config"]["queue_depth_entries"] == 2
    assert len(doc["layers"]) == 2 and doc["totals"]["output_ok"] is True
    for layer in doc["layers"]:
        assert DESIGN_KEYS <= set(layer)
        assert layer["clock_hz"] == 500e6
        assert layer["seconds"] == pytest.approx(layer["cycles"] / 500e6)
        assert layer["energy_pj"] == pytest.approx(sum(layer["energy_breakdown_pj"].values()))
        assert layer["power_w"] > 0
    assert not list(tmp_path.glob(".run.json.*"))  # no temporary file left behind
    assert out_json.stat().st_mode & 0o044  # readable by others, as open() would make it


def test_queue_flags_option_selects_the_fifo_timing(capsys, tiny_model, tmp_path):
    cycles = {}
    for flags in ("registered", "same_cycle"):
        out_json = tmp_path / f"{flags}.json"
        code, _, _ = run_main(capsys, "--model", str(tiny_model), "--pes", "4", "--queue-depth",
                              "1", "--queue-flags", flags, "--json", str(out_json))
        doc = load_document(out_json)
        assert code == 0 and doc["config"]["queue_flag_timing"] == flags
        cycles[flags] = doc["totals"]["cycles"]
    assert cycles["registered"] > cycles["same_cycle"]
    code, _, err = run_main(capsys, "--model", str(tiny_model), "--queue-flags", "late")
    assert code == 2 and "invalid choice: 'late'" in err


def test_benchmark_workload_and_plot(capsys, tmp_path):
    png = tmp_path / "pe.png"
    code, out, _ = run_main(capsys, "--workload", "neuraltalk-we", "--pes", "4", "--plot", str(png))
    assert code == 0 and "neuraltalk-we" in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_same_json(capsys, tiny_model, tmp_path):
    texts = []
    for name in ("a.json", "b.json"):
        run_main(capsys, "--model", str(tiny_model), "--pes", "3", "--json", str(tmp_path / name))
        doc = load_document(tmp_path / name)
        for layer in doc["layers"]:
            layer.pop("wall_seconds")
        doc["totals"].pop("wall_seconds")
        texts.append(doc)
    assert texts[0] == texts[1]


def write_bad_model(tmp_path, kind) -> Path:
    path = tmp_path / f"{kind}.npz"
    if kind == "corrupt":
        path.write_bytes(b"this is not a zip file")
    elif kind == "nan":
        save_model(path, {"fc1": np.array([[1.0, np.nan]])}, {})
    elif kind == "mismatch":
        save_model(path, {"fc1": np.ones((3, 2)), "fc2": np.ones((2, 4))}, {})
    elif kind == "nometa":
        np.savez(path, w=np.ones(3))
    return path


@pytest.mark.parametrize("argv, message", [
    (["--workload", "nope"], "unknown workload 'nope'"),
    (["--pes", "0"], "--pes: must be >= 1, got 0"),
    (["--queue-depth", "0"], "--queue-depth: must be >= 1, got 0"),
    (["--clock-mhz", "-5"], "--clock-mhz: must be > 0"),
    (["--model", "/no/such/model.npz"], "model file /no/such/model.npz not found"),
    (["--engine", "warp"], "argument --engine: invalid choice: 'warp'"),
    (["--workload", "alexnet-fc8", "--json", "/no/such/folder/out.json"], "does not exist"),
])
def test_bad_input_gives_one_line_and_nonzero_exit(capsys, argv, message):
    code, _, err = run_main(capsys, *argv)
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("kind, message", [
    ("corrupt", "is not a readable .npz"), ("nan", "contains NaN"),
    ("mismatch", "shape mismatch"), ("nometa", "tensor 'w' is not a layer's weight"),
])
def test_bad_model_files_are_reported(capsys, tmp_path, kind, message):
    code, _, err = run_main(capsys, "--model", str(write_bad_model(tmp_path, kind)))
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_unknown_accelerator_exits_nonzero_without_traceback():
    proc = subprocess.run([sys.executable, str(ROOT / "sim.py"), "--accel", "tpu"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "invalid choice: 'tpu'" in proc.stderr and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1

