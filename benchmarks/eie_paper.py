"""EIE's nine benchmark layers at the paper's configuration, beside the paper's Table IV.

    python benchmarks/eie_paper.py [--seed S] [--engine fast|reference] [--out PATH]

Our layers have the published shapes and densities but random nonzero positions and
values (the paper's pruned weights are not public), so a gap to the paper is expected
and reported, never tuned away.
"""

from __future__ import annotations

import argparse

from common import output_path, write_json

from sparsesim.accelerators.eie import model as eie
from sparsesim.cli.progress import progress
from sparsesim.workloads.eie_layers import EIE_LAYERS, benchmark_layer

# Han et al., EIE, ISCA 2016, Table IV: time per layer at batch 1, microseconds
# ("actual": their cycle-accurate simulation; "theoretical": work spread evenly, no stalls).
PAPER_US = {
    "alexnet-fc6": (30.3, 28.1), "alexnet-fc7": (12.2, 11.7), "alexnet-fc8": (9.9, 8.9),
    "vgg-fc6": (34.4, 28.1), "vgg-fc7": (8.7, 7.9), "vgg-fc8": (8.4, 7.3),
    "neuraltalk-we": (8.0, 5.2), "neuraltalk-wd": (13.9, 13.0), "neuraltalk-lstm": (7.5, 6.5),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--engine", choices=eie.ENGINES, default="fast")
    parser.add_argument("--out", help="JSON path (default benchmarks/results/eie_paper.json)")
    args = parser.parse_args()
    rows = []
    print(f"{'layer':16s} {'ours_us':>8s} {'ideal_us':>8s} {'paper_us':>8s} {'paper_th_us':>11s} "
          f"{'ours/paper':>10s} {'load_eff':>8s} {'padding_%':>9s} {'output':>6s}")
    for name in progress(EIE_LAYERS, "eie_paper"):
        result = eie.run(eie.compile(benchmark_layer(name, args.seed), eie.EIE_PAPER),
                         engine=args.engine, seed=args.seed)
        paper, paper_theory = PAPER_US[name]
        ours_us = result.seconds * 1e6
        ideal_us = result.details["ideal_cycles"] / result.clock_hz * 1e6
        padding = result.details["padding_entries_processed"] / result.details["entries_processed"]
        row = {"layer": name, "ours_us": ours_us, "ours_ideal_us": ideal_us,
               "paper_actual_us": paper, "paper_theoretical_us": paper_theory,
               "ratio_ours_to_paper_actual": ours_us / paper,
               "load_efficiency": result.load_efficiency, "pe_utilization": result.pe_utilization,
               "padding_entry_fraction": padding, "cycles": result.cycles,
               "output_ok": result.output_ok}
        rows.append(row)
        print(f"{name:16s} {ours_us:8.2f} {ideal_us:8.2f} {paper:8.1f} {paper_theory:11.1f} "
              f"{ours_us / paper:10.2f} {result.load_efficiency:8.3f} {100 * padding:9.1f} "
              f"{'ok' if result.output_ok else 'WRONG':>6s}")
    total_ours = sum(r["ours_us"] for r in rows)
    total_paper = sum(r["paper_actual_us"] for r in rows)
    print(f"{'total':16s} {total_ours:8.2f} {'':8s} {total_paper:8.1f} {'':11s} "
          f"{total_ours / total_paper:10.2f}")
    path = output_path("eie_paper.json", args.out)
    write_json(path, {"source": "Han et al., EIE, ISCA 2016, Table IV", "seed": args.seed,
                      "engine": args.engine, "config": eie.EIE_PAPER.to_dict(), "layers": rows})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
