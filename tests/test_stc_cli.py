import subprocess
import sys
from pathlib import Path

import pytest
from conftest import load_document

from sparsesim.cli import main as sim
from sparsesim.cli import stc as stc_command

ROOT = Path(__file__).resolve().parents[1]


def run_main(capsys, *argv):
    code = sim.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_gemm_prints_cycles_speedup_and_breakdown_and_writes_json(capsys, tmp_path):
    out_json = tmp_path / "stc.json"
    code, out, _ = run_main(capsys, "--accel", "stc", "--preset", "h100", "--gemm", "512,256,1024",
                            "--dtype", "int8", "--json", str(out_json))
    assert code == 0
    assert "dense_cycles" in out and "speedup" in out and "wave_tail" in out and "WRONG" not in out
    doc = load_document(out_json)
    details = doc["details"]
    assert {"dense_cycles", "sparse_cycles", "speedup", "breakdown"} <= set(details)
    assert doc["totals"]["output_ok"] is True and doc["config"]["name"] == "h100"
    assert details["dtype"] == "int8"
    assert details["speedup"] == details["dense_cycles"] / details["sparse_cycles"]
    assert sum(details["breakdown"]["sparse"].values()) == details["sparse_cycles"]
    (gemm,) = doc["layers"]
    assert gemm["details"]["gemm_m_n_k"] == [512, 256, 1024] and gemm["accel"] == "stc"


def test_transformer_workload_and_plot(capsys, tmp_path, monkeypatch):
    monkeypatch.setattr(stc_command, "HEATMAP_SIZES", (64, 256))
    png = tmp_path / "stc.png"
    code, out, _ = run_main(capsys, "--accel", "stc", "--workload", "bert-base", "--tokens", "16",
                            "--plot", str(png))
    assert code == 0 and "bert-base-ffn-out-t16" in out and "WRONG" not in out
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_listing_names_stc(capsys):
    code, out, _ = run_main(capsys, "--list")
    assert code == 0 and "stc" in out and "a100, h100" in out


def test_tokens_without_workload_is_an_error(capsys):
    code, _, err = run_main(capsys, "--accel", "stc", "--gemm", "64,64,64", "--tokens", "8")
    assert code == 2 and "--tokens applies to --workload only" in err


def test_bad_gemm_exits_2_with_one_line():
    proc = subprocess.run([sys.executable, "sim.py", "--accel", "stc", "--gemm", "4096,x,1"],
                          cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.strip().count("\n") == 0 and "M,N,K" in proc.stderr


def test_two_four_pruned_lenet_runs_on_real_images(tmp_path, capsys):
    out = tmp_path / "l.json"
    code = sim.main(["--accel", "stc", "--workload", "lenet300-2of4", "--images", "64",
                     "--json", str(out)])
    assert code == 0
    doc = load_document(out)
    details = doc["details"]
    assert doc["totals"]["output_ok"] is True and details["images"] == 64
    assert [g["details"]["gemm_m_n_k"] for g in doc["layers"]] == [
        [300, 64, 784], [100, 64, 300], [10, 64, 100]]
    assert details["accuracy_2of4"] > 0.85
    assert details["dense_accuracy"] >= details["pruned_accuracy"] - 0.02


@pytest.mark.parametrize("argv, message", [
    (["--workload", "lenet300-2of4", "--dtype", "int8"], "model files run in fp16 or bf16"),
    (["--gemm", "64,64,64", "--images", "3"], "--images applies to --model"),
])
def test_model_flags_are_checked(capsys, argv, message):
    assert sim.main(["--accel", "stc", *argv]) == 2
    assert message in capsys.readouterr().err
