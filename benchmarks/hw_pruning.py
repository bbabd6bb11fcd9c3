"""Hardware-aware pruning of LeNet-300-100 on EIE: NetAdapt, AMC, AMC's random search and
the uniform and sensitivity baselines at several simulated latency budgets, over seeds,
plus the latency tables that show where FLOPs and simulated latency disagree.

    python benchmarks/hw_pruning.py --json hw.json --pareto pareto.png --ratios ratios.png

Per seed, one dense model and one latency oracle serve every budget (same flags as
`sparsesim prune --method netadapt`, including --seed S and --seeds K, default 3: seeds
S .. S+K-1; --episodes sets AMC's and the random search's episodes per budget). The
Pareto plot shows means with 95% Student-t intervals over the seeds.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from common import output_path, write_json

from sparsesim.cli import hw_prune
from sparsesim.cli.hw_prune_report import replace_seed
from sparsesim.cli.progress import progress
from sparsesim.cli.seeds import seed_list
from sparsesim.simulator.plots import save_png
from sparsesim.workloads.pruning.budget import check_budget
from sparsesim.workloads.pruning.hw_plots import pareto_figure, ratios_figure

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


def measure(common: argparse.Namespace) -> dict:
    """Every method at every budget for each seed: the benchmark's JSON document."""
    start = time.perf_counter()
    rows, dense, tables_of_first = [], [], None
    for seed in progress(seed_list(common), "seeds"):
        args = replace_seed(common, seed)
        setup = hw_prune.prepare(args)
        data = setup.data
        dense.append({"seed": seed, "latency_us": setup.dense_seconds * 1e6,
                      "accuracy": setup.dense.accuracy(data.test.images, data.test.labels)})
        tables_of_first = tables_of_first or tables(setup)
        for ratio in progress(RATIOS, f"seed {seed} budgets"):
            budget = ratio * setup.dense_seconds
            check_budget(setup.oracle, budget, "neuron" in args.moves)
            found = [hw_prune.search(args, setup, m, budget)[0] for m in ("netadapt", "amc")]
            found.append(hw_prune.amc_search(args, setup, budget, learn=False)[0])
            for pruned in [p for p, _ in hw_prune.baselines(args, setup, budget)] + found:
                row = {**hw_prune.summary(pruned, setup), "latency_budget_us": budget * 1e6,
                       "latency_ratio": ratio, "seed": seed}
                rows.append(row)
                print(f"seed {seed} {ratio:.2f} {row['method']:13s} {row['latency_us']:.4f} µs "
                      f"{row['accuracy']:.4f}", flush=True)
    return {"model": common.model, "accel": "eie", "pes": common.pes,
            "seeds": seed_list(common), "moves": list(common.moves),
            "amc_episodes": common.episodes, "dense": dense, "points": rows,
            "tables": tables_of_first, "wall_seconds": time.perf_counter() - start}


def merged(paths: list[str]) -> dict:
    """One document from the JSON of runs of separate seeds (same flags otherwise)."""
    docs = [json.loads(Path(path).read_text()) for path in paths]
    doc = {**docs[0], "seeds": [s for d in docs for s in d["seeds"]],
           "dense": [x for d in docs for x in d["dense"]],
           "points": [x for d in docs for x in d["points"]],
           "wall_seconds": sum(d["wall_seconds"] for d in docs), "merged_from": paths}
    if len(set(doc["seeds"])) != len(doc["seeds"]):
        raise SystemExit(f"--merge: seeds repeat across files: {doc['seeds']}")
    return doc


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json")
    p.add_argument("--pareto")
    p.add_argument("--ratios")
    p.add_argument("--episodes", type=int, default=150)
    p.add_argument("--merge", nargs="+", metavar="JSON",
                   help="plot and write the union of earlier runs' JSON (e.g. one seed each, "
                        "run side by side) instead of measuring")
    own, rest = p.parse_known_args()
    if own.merge:
        doc = merged(own.merge)
    else:
        common = hw_prune.parse_args(["--method", "netadapt", "--seeds", "3", *rest])
        common.episodes = own.episodes  # NetAdapt's flags refuse --episodes; AMC reads it
        doc = measure(common)
    write_json(output_path("hw_pruning.json", own.json), doc)
    rows, seeds, label = doc["points"], doc["seeds"], f"{doc['model']} on EIE ({doc['pes']} PEs)"
    title = (f"{label}: test accuracy against simulated latency\nmean ± 95% interval over "
             f"{len(seeds)} seeds; AMC and random search {doc['amc_episodes']} episodes each")
    save_png(pareto_figure(rows, doc["dense"], title),
             output_path("hw_pruning_pareto.png", own.pareto))
    chosen = [r for r in rows if r["latency_ratio"] == RATIOS_FIGURE_AT and r["seed"] == seeds[0]]
    save_png(ratios_figure(chosen, f"{label}: per-layer sparsity at a budget of "
                           f"{RATIOS_FIGURE_AT} x dense latency (seed {seeds[0]})"),
             output_path("hw_pruning_ratios.png", own.ratios))
    return 0


if __name__ == "__main__":
    sys.exit(main())
