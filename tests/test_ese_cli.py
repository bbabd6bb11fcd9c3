import subprocess
import sys
from pathlib import Path

import pytest
from conftest import load_document

from sparsesim.cli import main as sim

ROOT = Path(__file__).resolve().parents[1]
PNG = b"\x89PNG\r\n\x1a\n"


def run_main(capsys, *argv):
    code = sim.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_ese_json_holds_the_issue_keys(capsys, tmp_path):
    path = tmp_path / "ese.json"
    code, out, _ = run_main(capsys, "--accel", "ese", "--frames", "2", "--pes", "8",
                            "--prune", "magnitude", "--json", str(path))
    assert code == 0 and "magnitude" in out and "WRONG" not in out
    doc = load_document(path)
    summary, totals = doc["details"]["summary"], doc["totals"]
    for key in ("cycles", "seconds", "pe_utilization", "pe_nonzeros", "output_ok",
                "max_abs_error"):
        assert key in summary
    assert totals["output_ok"] is True and len(summary["pe_nonzeros"]) == 8
    assert doc["config"]["pes_per_channel"] == 8 and doc["details"]["prune"] == "magnitude"
    assert totals["cycles"] == summary["cycles"] == sum(lay["cycles"] for lay in doc["layers"])
    assert totals["seconds"] == pytest.approx(totals["cycles"] / 200e6, rel=1e-12)
    assert list(doc["details"]["comparison"]) == ["magnitude"]


def test_ese_plot_runs_both_schemes(capsys, tmp_path):
    png = tmp_path / "ese.png"
    code, out, _ = run_main(capsys, "--accel", "ese", "--workload", "speaker-lstm", "--frames",
                            "2", "--pes", "8", "--plot", str(png))
    assert code == 0 and "balanced" in out and "magnitude" in out
    assert png.read_bytes()[:8] == PNG


def test_ese_bad_sparsity_exits_2_with_one_line(capsys):
    code, _, err = run_main(capsys, "--accel", "ese", "--sparsity", "1.5")
    assert code == 2 and "--sparsity: must be in [0, 1), got 1.5" in err
    assert err.count("\n") == 1


def test_demo_imbalance_prints_numbers_and_writes_both_figures(capsys, tmp_path):
    prefix = tmp_path / "class"
    code, out, _ = run_main(capsys, "demo", "imbalance", "--frames", "2", "--pes", "8",
                            "--out-prefix", str(prefix))
    assert code == 0 and "PE utilization" in out and "same count in every PE: cycles" in out
    for suffix in ("pe_cycles", "timeline"):
        assert Path(f"{prefix}_{suffix}.png").read_bytes()[:8] == PNG


def test_too_many_frames_exits_2(capsys):
    code, _, err = run_main(capsys, "--accel", "ese", "--frames", "31")
    assert code == 2 and "frames must lie in 1..30, got 31" in err


def test_demo_without_topic_exits_2(capsys):
    code, _, err = run_main(capsys, "demo")
    assert code == 2 and "demo needs a topic: imbalance" in err


def test_ese_subprocess_exit_status():
    done = subprocess.run([sys.executable, "sim.py", "--accel", "ese", "--frames", "0"],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "must be >= 1, got 0" in done.stderr


def test_demo_imbalance_takes_sparsity_pes_queue_depth_and_slide_style(capsys, tmp_path):
    from matplotlib.image import imread

    prefix = tmp_path / "slide"
    code, out, _ = run_main(capsys, "demo", "imbalance", "--frames", "2", "--pes", "4",
                            "--sparsity", "0.8", "--queue-depth", "2", "--style", "slide",
                            "--out-prefix", str(prefix))
    assert code == 0 and "ESE (4 PEs" in out and "pruned to 80% sparsity" in out
    height, width = imread(f"{prefix}_pe_cycles.png").shape[:2]
    assert width == pytest.approx(13.33 * 110, abs=2) and height >= width * 9 / 16 - 2


def test_demo_help_lists_the_topics(capsys):
    code, out, _ = run_main(capsys, "demo", "--help")
    assert code == 0 and "imbalance" in out
