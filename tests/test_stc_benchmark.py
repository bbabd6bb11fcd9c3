import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_benchmark():
    spec = importlib.util.spec_from_file_location("stc_speedup", ROOT / "benchmarks/stc_speedup.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_benchmark_writes_grid_with_published_figures_beside_ours(tmp_path, monkeypatch):
    bench = load_benchmark()
    monkeypatch.setattr(bench, "SQUARE_SIZES", (64,))
    monkeypatch.setattr(bench, "CUSPARSELT_MN", 256)
    monkeypatch.setattr(bench, "CUSPARSELT_K", (1280,))
    monkeypatch.setattr(bench, "LINEAR_OUT_IN", (64, 128))
    monkeypatch.setattr(bench, "LINEAR_TOKENS", (32,))
    monkeypatch.setattr(bench, "BERT_TOKENS", (8,))
    users = [{"id": "tiny-thread", "url": "https://example.org/thread", "preset": "a100",
              "dtype": "fp16", "m": 64, "n": 1, "k": 256, "frontend": "pytorch-cslt",
              "reported_speedup": 0.5, "scored": True},
             {"id": "tiny-input", "url": "https://example.org/other", "preset": "h100",
              "dtype": "bf16", "m": 128, "n": 64, "k": 512, "frontend": "library",
              "reported_speedup": 0.9, "scored": False}]
    shapes = tmp_path / "users.json"
    shapes.write_text(json.dumps({"shapes": users}))
    monkeypatch.setattr(bench, "USER_SHAPES", shapes)
    out_json, png = tmp_path / "grid.json", tmp_path / "grid.png"
    assert bench.main(["--json", str(out_json), "--png", str(png)]) == 0
    document = json.loads(out_json.read_text())
    rows = document["rows"]
    tiny, other = document["user_shapes"]
    assert tiny["predicted_speedup"] < 1 and tiny["side_matches"]  # host-bound front end
    assert "host set-up per sparse call" in tiny["why"]
    assert document["done_when"]["user_shapes_side_of_1_matches"] == {
        "matches": 1, "scored": 1, "holds": False}  # fewer than 10 shapes never holds
    assert not document["done_when"]["square_8192_fp16_in_1.1_to_2"]["holds"]  # none run
    assert len(rows) == 2 * (2 + 1 + 1 + 1)
    assert all(r["output_ok"] and 0.5 < r["speedup"] <= 2.0 for r in rows)
    (cusparselt,) = [r for r in rows if r["group"] == "cusparselt-int8" and r["preset"] == "a100"]
    assert cusparselt["published_speedup"] == 1.23
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_engine_speed_benchmark_checks_counters_and_reports_the_goal(tmp_path, monkeypatch):
    spec = importlib.util.spec_from_file_location(
        "stc_engine_speed", ROOT / "benchmarks/stc_engine_speed.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "SIZES", (64, 256))
    monkeypatch.setattr(module, "REFERENCE_MAX_MACS", 64**3)
    out = tmp_path / "speed.json"
    assert module.main(["--json", str(out)]) == 0
    document = json.loads(out.read_text())
    small, large = document["rows"]
    assert small["counters_identical"] and "reference_cpu_s" not in large
    assert document["goal"]["gemm"] == [256, 256, 256] and document["goal"]["holds_cpu"]
