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
    out_json, png = tmp_path / "grid.json", tmp_path / "grid.png"
    assert bench.main(["--json", str(out_json), "--png", str(png)]) == 0
    rows = json.loads(out_json.read_text())["rows"]
    assert len(rows) == 2 * (2 + 1 + 1 + 1)
    assert all(r["output_ok"] and 0.5 < r["speedup"] <= 2.0 for r in rows)
    (cusparselt,) = [r for r in rows if r["group"] == "cusparselt-int8" and r["preset"] == "a100"]
    assert cusparselt["published_speedup"] == 1.23
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
