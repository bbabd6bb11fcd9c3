"""Hardware-aware pruning of LeNet-5 on the tensor-core model: why a 0.7 x latency budget
is out of reach (the floor per batch size and preset), and NetAdapt with channel moves
against uniform channel pruning at a budget it can meet, over several seeds.

    python benchmarks/hw_pruning_lenet5.py --json lenet5.json --png floor.png [--seeds 3]
        [--ratio 0.85] [--batch 256] [any `sparsesim prune --method netadapt` flag]

Floor: every layer but the classifier at its fewest channels (10 %, at least 1), as
NetAdapt's search space ends; seconds from the same STCLatency callback the search uses.
"""

from __future__ import annotations

import argparse
import sys
import time

from common import output_path, write_json

from sparsesim.accelerators.stc import model as stc
from sparsesim.cli import hw_prune
from sparsesim.cli.hw_latency import STCLatency
from sparsesim.cli.progress import progress
from sparsesim.cli.seeds import add_seeds_flag
from sparsesim.simulator.plots import save_png
from sparsesim.workloads.mnist import load_mnist
from sparsesim.workloads.nn.network import build_model
from sparsesim.workloads.pruning.channel_plots import floor_figure
from sparsesim.workloads.pruning.latency_oracle import LatencyOracle
from sparsesim.workloads.pruning.seed_stats import mean_ci95

BATCHES = (1, 16, 64, 256, 1024)
PRESETS = ("a100", "h100")


def floors() -> list[dict]:
    """Per preset and batch: each layer's µs per batch, dense and at the floor."""
    images, rows = load_mnist().train.images, []
    for preset in PRESETS:
        for batch in progress(BATCHES, f"floors on {preset}"):
            oracle = LatencyOracle(STCLatency(stc.preset(preset)), build_model("lenet5"),
                                   images[:batch])
            dense = oracle.layer_seconds(oracle.reference)
            floor = oracle.layer_seconds(oracle.floor_weights(neurons=True))
            rows.append({"preset": preset, "batch": batch,
                         "dense_layer_us": {n: s * batch * 1e6 for n, s in zip(oracle.names,
                                                                                  dense)},
                         "floor_layer_us": {n: s * batch * 1e6 for n, s in zip(oracle.names,
                                                                                  floor)},
                         "floor_latency_ratio": sum(floor) / sum(dense)})
            print(f"{preset} batch {batch:5d}: dense {sum(dense) * batch * 1e6:8.2f} µs, floor "
                  f"{sum(floor) * batch * 1e6:8.2f} µs, ratio {sum(floor) / sum(dense):.3f}",
                  flush=True)
    return rows


def searches(seeds: int, ratio: float, batch: int, rest: list[str]) -> list[dict]:
    rows = []
    for seed in progress(range(seeds), "seeds"):
        args = hw_prune.parse_args(
            ["--model", "lenet5", "--method", "netadapt", "--accel", "stc", "--quiet",
             "--latency-ratio", str(ratio), "--probe-images", str(batch), *rest,
             "--seed", str(seed)])
        doc, _ = hw_prune.run(args)
        for entry in [{"method": "dense", "latency_us": doc["dense_latency_us"],
                       "accuracy": doc["dense_accuracy"]}, doc, *doc["baselines"]]:
            rows.append({"seed": seed, "method": entry["method"],
                         "latency_us": entry["latency_us"], "accuracy": entry["accuracy"],
                         "latency_budget_us": doc["latency_budget_us"]})
            print(f"seed {seed} {entry['method']:16s} {entry['latency_us']:.4f} µs "
                  f"{entry['accuracy']:.4f}", flush=True)
    return rows


def summarize(rows: list[dict]) -> list[dict]:
    out = []
    for method in dict.fromkeys(r["method"] for r in rows):
        mine = [r for r in rows if r["method"] == method]
        accuracy = mean_ci95([100 * r["accuracy"] for r in mine])
        latency = mean_ci95([r["latency_us"] for r in mine])
        out.append({"method": method, **accuracy.to_dict("accuracy_pct"),
                    **{k: v for k, v in latency.to_dict("latency_us").items() if k != "seeds"},
                    "met_budget_every_seed": all(r["latency_us"] <= r["latency_budget_us"]
                                                 for r in mine) if method != "dense" else None})
        print(f"{method:16s} accuracy {accuracy:.2f} %  latency {latency:.4f} µs per image")
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json")
    p.add_argument("--png", help="the floor figure (a100)")
    add_seeds_flag(p, default=3)
    p.add_argument("--ratio", type=float, default=0.85, help="budget x dense (default 0.85)")
    p.add_argument("--batch", type=int, default=256, help="probe images = GEMM batch")
    own, rest = p.parse_known_args()
    start = time.perf_counter()
    floor_rows = floors()
    save_png(floor_figure(floor_rows, "a100"), output_path("lenet5_floor.png", own.png))
    rows = searches(own.seeds, own.ratio, own.batch, rest)
    doc = {"model": "lenet5", "accel": "stc", "floors": floor_rows, "latency_ratio": own.ratio,
           "batch": own.batch, "seeds": list(range(own.seeds)), "runs": rows,
           "summary": summarize(rows), "wall_seconds": time.perf_counter() - start}
    write_json(output_path("hw_pruning_lenet5.json", own.json), doc)
    return 0


if __name__ == "__main__":
    sys.exit(main())
