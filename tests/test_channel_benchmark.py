"""benchmarks/channel_pruning.py on LeNet-300-100 with one epoch and no fine-tuning: the
channel rows run smaller GEMMs, fine-grained rows the dense ones, and every check runs."""

import importlib.util
import sys
from argparse import Namespace
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_benchmark(monkeypatch):
    spec = importlib.util.spec_from_file_location("channel_pruning",
                                                  ROOT / "benchmarks/channel_pruning.py")
    module = importlib.util.module_from_spec(spec)
    monkeypatch.syspath_prepend(str(ROOT / "benchmarks"))  # its `from common import ...`
    sys.modules["channel_pruning"] = module
    spec.loader.exec_module(module)
    return module


def test_channel_rows_shrink_the_gemms_and_fine_rows_keep_the_dense_time(monkeypatch):
    bench = load_benchmark(monkeypatch)
    from sparsesim.accelerators.eie import model as eie
    from sparsesim.accelerators.stc import model as stc

    cores = {True: bench.TensorCore(stc.preset("a100")),
             False: bench.TensorCore(stc.preset("a100", launch_overhead_us=0.0))}
    rows = bench.measure("lenet300", 0, Namespace(epochs=1, finetune_epochs=0), cores,
                         replace(eie.EIE_PAPER, num_pes=64))
    by = {(r["method"], r["removed_channel_ratio"]): r for r in rows}
    dense = by[("dense", 0.0)]
    assert by[("channel", 0.5)]["gemm_shapes_mnk"] == [[150, 1, 784], [50, 1, 150],
                                                       [10, 1, 50]]
    for ratio in bench.RATIOS:
        channel, fine = by[("channel", ratio)], by[("fine", ratio)]
        assert channel["weights_kept"] == fine["weights_kept"]
        assert fine["stc_b256_no_launch_us"] == dense["stc_b256_no_launch_us"]
        assert channel["stc_b256_no_launch_us"] < dense["stc_b256_no_launch_us"]
        assert fine["eie_fc_us_per_image"] < dense["eie_fc_us_per_image"]  # EIE skips zeros
    assert by[("2:4", None)]["stc_b256_us"] < dense["stc_b256_us"]
    assert all(r["compact_logits_ok"] and r["stc_output_ok"] for r in rows)
    assert by[("2:4", None)]["stc_2of4_real_operands_ok"]
    summary = bench.summarize(rows)
    assert len(summary) == len(rows) and "accuracy_%" in bench.table(summary)
