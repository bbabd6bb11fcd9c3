"""Network Slimming against L1-norm channel pruning on LeNet-5, over seeds and lambdas:
test accuracy after pruning the same fraction of hidden channels and fine-tuning, mean
and 95 % interval (Student t) over seeds.

    python benchmarks/slimming.py --json slimming.json [--seeds 3] [--ratio 0.5]
        [--lambdas 1e-4,1e-3] [any `sparsesim prune --method slimming` flag]

lambda 1e-4 is Liu et al.'s VGGNet setting, 1e-3 the top of their grid search. Each
pruned network's dense GEMMs (its kept channels) are also timed on the A100 tensor-core
model at a batch of 256 images (stc_b256_us), beside the dense LeNet-5's.
"""

from __future__ import annotations

import argparse
import sys
import time

from common import output_path, write_json

from sparsesim.accelerators.stc import model as stc
from sparsesim.accelerators.stc.network import simulate_network
from sparsesim.cli import prune_frontend
from sparsesim.cli.progress import progress
from sparsesim.cli.slimming import run_slimming
from sparsesim.workloads.mnist import load_mnist
from sparsesim.workloads.nn.gemms import network_gemms
from sparsesim.workloads.nn.network import lenet5
from sparsesim.workloads.pruning.seed_stats import mean_ci95

BATCH = 256  # images per tensor-core batch, as in benchmarks/channel_pruning.py


def tensor_core_us(channels: dict[str, int]) -> float:
    """Simulated µs per batch of LeNet-5 with these conv1 / conv2 / fc1 widths (A100, fp16,
    dense kernels); every launch's output check must pass."""
    network = lenet5(widths=(channels["conv1"], channels["conv2"], channels["fc1"]))
    config = stc.preset("a100")
    layers = simulate_network(network_gemms(network, BATCH), "fp16", config, 0, "45nm")
    if not all(la.result.output_ok for la in layers):
        raise RuntimeError(f"tensor-core output check failed for widths {channels}")
    return sum(la.dense_cycles for la in layers) / config.clock_hz * 1e6


def summarize(runs: list[dict]) -> list[dict]:
    """Per lambda and method: accuracy at each stage (mean and 95 % interval over seeds),
    weights kept and tensor-core µs (means)."""
    summary = []
    for key in dict.fromkeys((r["slimming_lambda"], r["method"]) for r in runs):
        mine = [r for r in runs if (r["slimming_lambda"], r["method"]) == key]
        line = {"slimming_lambda": key[0], "method": key[1],
                "weights_kept_mean": sum(r["weights_kept"] for r in mine) / len(mine),
                "stc_b256_us_mean": sum(r["stc_b256_us"] for r in mine) / len(mine),
                "channels_per_seed": [r["channels"] for r in mine]}
        for stage in ("trained", "pruned", "finetuned"):
            interval = mean_ci95([100 * r[f"{stage}_accuracy"] for r in mine])
            line.update({f"{stage}_{k}": v for k, v in interval.to_dict("accuracy_pct").items()})
        summary.append(line)
        print(f"lambda {key[0]:g} {key[1]:9s} trained {line['trained_mean_accuracy_pct']:.2f} "
              f"± {line['trained_ci95_half_width_accuracy_pct']:.2f}, pruned "
              f"{line['pruned_mean_accuracy_pct']:.2f}, fine-tuned "
              f"{line['finetuned_mean_accuracy_pct']:.2f} ± "
              f"{line['finetuned_ci95_half_width_accuracy_pct']:.2f} %, weights kept "
              f"{line['weights_kept_mean']:.0f}, tensor core {line['stc_b256_us_mean']:.2f} µs "
              f"per batch of {BATCH}")
    return summary


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--ratio", default="0.5", help="--channel-ratio (default 0.5)")
    p.add_argument("--lambdas", default="1e-4,1e-3")
    own, rest = p.parse_known_args()
    start, data, runs = time.perf_counter(), load_mnist(), []
    for lam in own.lambdas.split(","):
        for seed in progress(range(own.seeds), f"lambda {lam} seeds"):
            args = prune_frontend.build_parser().parse_args(
                ["--model", "lenet5", "--method", "slimming", "--quiet", "--channel-ratio",
                 own.ratio, "--slimming-lambda", lam, *rest, "--seed", str(seed)])
            prune_frontend.check_method_options(args)
            text, doc = run_slimming(args, data)
            print(text, flush=True)
            runs += [{**r, "seed": seed, "slimming_lambda": float(lam),
                      "stc_b256_us": tensor_core_us(r["channels"])} for r in doc["results"]]
    dense_us = tensor_core_us(dict(zip(("conv1", "conv2", "fc1"), (16, 32, 128))))
    print(f"dense LeNet-5: tensor core {dense_us:.2f} µs per batch of {BATCH}")
    write_json(output_path("slimming.json", own.json),
               {"model": "lenet5", "channel_ratio": float(own.ratio), "seeds": own.seeds,
                "runs": runs, "summary": summarize(runs), "dense_stc_b256_us": dense_us,
                "wall_seconds": time.perf_counter() - start})
    return 0


if __name__ == "__main__":
    sys.exit(main())
