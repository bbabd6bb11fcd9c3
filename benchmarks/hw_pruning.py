"""Hardware-aware pruning of LeNet-300-100 on EIE: NetAdapt, AMC and the uniform and
sensitivity baselines at several simulated latency budgets, plus the latency tables that
show where FLOPs and simulated latency disagree.

    python benchmarks/hw_pruning.py --json hw.json --pareto pareto.png --ratios ratios.png

Per seed, one dense model and one latency oracle serve every budget (same flags as
`sparsesim prune --method netadapt`; --episodes sets AMC's episodes per budget, --seeds
how many seeds the Pareto plot averages).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.common import output_path, write_json  # noqa: E402
from sparsesim.cli import hw_prune  # noqa: E402
from sparsesim.cli.progress import progress  # noqa: E402
from sparsesim.simulator.plots import save_png  # noqa: E402
from sparsesim.workloads.pruning.budget import check_budget  # noqa: E402
from sparsesim.workloads.pruning.hw_plots import pareto_figure, ratios_figure  # noqa: E402

RATIOS = (0.4, 0.5, 0.6, 0.7)
RATIOS_FIGURE_AT = 0.5


def tables(setup: hw_prune.Setup) -> list[dict]:
    """Every latency table with the MACs its points keep (the FLOPs view)."""
    oracle, rows = setup.oracle, []
    for index, name in enumerate(oracle.names):
        out, inp = oracle.reference[name].shape
        kinds = ["fine"] + (["neuron"] if oracle.neuron_movable(index) else [])
        for kind in kinds:
            table = oracle.table(index, kind)
            for point, seconds in zip(table.points, table.seconds):
                macs = (round((1 - point) * out * inp) if kind == "fine"
                        else int(point) * inp + int(point) * oracle.reference[
                            oracle.names[index + 1]].shape[0])
                rows.append({"layer": name, "kind": kind, "point": point,
                             "latency_us": seconds * 1e6, "weights_kept_macs": macs})
    return rows


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json")
    p.add_argument("--pareto")
    p.add_argument("--ratios")
    p.add_argument("--episodes", type=int, default=150)
    p.add_argument("--seeds", type=int, default=3,
                   help="run seeds 0 .. N-1 (dense training, search, fine-tuning); the Pareto "
                        "plot shows their mean and standard deviation (default 3)")
    own, rest = p.parse_known_args()
    start = time.perf_counter()
    rows, dense, tables_of_seed_0 = [], [], None
    for seed in progress(range(own.seeds), "seeds"):
        args = hw_prune.build_parser().parse_args(
            ["--method", "netadapt", *rest, "--seed", str(seed)])
        args.episodes = own.episodes  # both searches share these settings; AMC reads this
        setup = hw_prune.prepare(args)
        data = setup.data
        dense.append({"seed": seed, "latency_us": setup.dense_seconds * 1e6,
                      "accuracy": setup.dense.accuracy(data.test.images, data.test.labels)})
        tables_of_seed_0 = tables_of_seed_0 or tables(setup)
        for ratio in progress(RATIOS, f"seed {seed} budgets"):
            budget = ratio * setup.dense_seconds
            check_budget(setup.oracle, budget, "neuron" in args.moves)
            found = [hw_prune.search(args, setup, m, budget)[0] for m in ("netadapt", "amc")]
            for pruned in hw_prune.baselines(args, setup, budget) + found:
                row = {**hw_prune.summary(pruned, data), "latency_budget_us": budget * 1e6,
                       "latency_ratio": ratio, "seed": seed}
                rows.append(row)
                print(f"seed {seed} {ratio:.2f} {row['method']:12s} {row['latency_us']:.4f} µs "
                      f"{row['accuracy']:.4f}", flush=True)
    doc = {"model": args.model, "accel": "eie", "pes": args.pes, "seeds": list(range(own.seeds)),
           "moves": list(args.moves), "amc_episodes": args.episodes,
           "dense": dense, "points": rows, "tables": tables_of_seed_0,
           "wall_seconds": time.perf_counter() - start}
    write_json(output_path("hw_pruning.json", own.json), doc)
    title = (f"{args.model} on EIE ({args.pes} PEs): test accuracy against simulated latency, "
             f"mean ± sd over {own.seeds} seeds")
    save_png(pareto_figure(rows, dense, title), output_path("hw_pruning_pareto.png", own.pareto))
    chosen = [r for r in rows if r["latency_ratio"] == RATIOS_FIGURE_AT and r["seed"] == 0]
    save_png(ratios_figure(chosen, f"{args.model} on EIE ({args.pes} PEs): per-layer sparsity "
                           f"at a budget of {RATIOS_FIGURE_AT} x dense latency (seed 0)"),
             output_path("hw_pruning_ratios.png", own.ratios))
    return 0


if __name__ == "__main__":
    sys.exit(main())
