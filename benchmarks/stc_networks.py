"""Whole networks on the 2:4 tensor core model: end-to-end speedup and how long the
simulation takes (goal: under a minute each, on one core).

    python benchmarks/stc_networks.py [--json stc_networks.json]

Runs (A100, fp16, seed 0): ResNet-50 at batch 8 and BERT-base at 512 tokens, as
`sparsesim --accel stc --workload resnet50 --batch 8` and `--workload bert-base --tokens
512` do. Published for comparison only (nothing is tuned): BERT-base end to end with 2:4
on A100, 0.71x-1.23x depending on batch (the NVIDIA figures in reference/README.md, as
benchmarks/stc_speedup.py cites them).
"""

from __future__ import annotations

import argparse
import sys
import time

from common import output_path, write_json

from sparsesim.accelerators.stc import model as stc
from sparsesim.accelerators.stc.network import DEFAULT_WORTH_SPEEDUP, simulate_network, totals
from sparsesim.workloads.networks import network

RUNS = (("resnet50", 512, 8), ("bert-base", 512, 1))  # name, tokens, batch
WALL_GOAL_SECONDS = 60.0
PUBLISHED_BERT = (0.71, 1.23, "BERT-base end to end with 2:4 on A100, 0.71x-1.23x by batch; "
                  "reference/README.md (NVIDIA figures)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="output path (default benchmarks/results/...)")
    args = parser.parse_args(argv)
    rows = []
    for name, tokens, batch in RUNS:
        net = network(name, tokens, batch)
        start = time.perf_counter()
        layers = simulate_network(net.gemms, "fp16", stc.A100, 0, "45nm")
        wall = time.perf_counter() - start
        total = totals(layers, stc.A100.clock_hz, DEFAULT_WORTH_SPEEDUP)
        rows.append({"network": net.description, "wall_seconds": wall,
                     "wall_goal_seconds": WALL_GOAL_SECONDS, "speedup": total["speedup"],
                     "dense_us": total["dense_us"], "pruned_us": total["pruned_us"],
                     "gemms": total["gemms"], "distinct_shapes": total["distinct_shapes"],
                     "output_ok": total["output_ok"]})
        print(f"{net.description:45s} speedup {total['speedup']:.3f} (dense "
              f"{total['dense_us']:.1f} µs, 2:4 {total['pruned_us']:.1f} µs), "
              f"{total['distinct_shapes']} shapes simulated in {wall:.1f} s "
              f"(goal < {WALL_GOAL_SECONDS:g} s), output {'ok' if total['output_ok'] else 'WRONG'}")
    low, high, source = PUBLISHED_BERT
    print(f"published: {source}")
    path = output_path("stc_networks.json", args.json)
    write_json(path, {"runs": rows, "published_bert_base_speedup": {"low": low, "high": high,
                                                                    "source": source}})
    print(f"wrote {path}")
    return 0 if all(r["output_ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
