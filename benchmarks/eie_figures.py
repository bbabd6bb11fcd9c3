"""EIE's two design-space figures over its nine benchmark layers, with the fast engine:
load efficiency versus activation queue depth (registered FIFO flags, the default, and
the earlier same-cycle flags dashed), and speedup versus PE count.

    python benchmarks/eie_figures.py [--seed S] [--out-dir DIR]

Writes eie_queue_depth.{json,png} and eie_pe_scaling.{json,png} (default folder
benchmarks/results/). Compare in shape with the paper's FIFO-depth and scalability
studies (Han et al., EIE, ISCA 2016, Sec. VI); nothing here is tuned to them.
"""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from common import RESULTS, write_json

from sparsesim.accelerators.eie import model as eie
from sparsesim.accelerators.eie.config import EIE_SAME_CYCLE_FIFO
from sparsesim.cli.progress import progress
from sparsesim.simulator.plots import save_png
from sparsesim.workloads.eie_layers import EIE_LAYERS, benchmark_layer

DEPTHS = (1, 2, 4, 8, 16, 32, 64, 128, 256)  # entries
PE_COUNTS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


def queue_depth_study(seed: int) -> dict:
    curves = {}
    for name in progress(EIE_LAYERS, "eie_figures"):
        compiled = eie.compile(benchmark_layer(name, seed), eie.EIE_PAPER)
        curves[name] = []
        for depth in DEPTHS:
            point = {"queue_depth_entries": depth}
            for suffix, timing in (("", eie.EIE_PAPER), ("_same_cycle", EIE_SAME_CYCLE_FIFO)):
                config = dataclasses.replace(timing, queue_depth_entries=depth)
                result = eie.run(dataclasses.replace(compiled, config=config), seed=seed)
                assert result.output_ok, name
                point.update({f"cycles{suffix}": result.cycles,
                              f"load_efficiency{suffix}": result.load_efficiency})
            curves[name].append(point)
        first, eighth, last = curves[name][0], curves[name][3], curves[name][-1]
        print(f"{name:16s} load efficiency at depth 1 / 8 / 256: "
              f"{first['load_efficiency']:.3f} / {eighth['load_efficiency']:.3f} / "
              f"{last['load_efficiency']:.3f} (same-cycle flags "
              f"{first['load_efficiency_same_cycle']:.3f} / "
              f"{eighth['load_efficiency_same_cycle']:.3f} / "
              f"{last['load_efficiency_same_cycle']:.3f}); cycles at depth 1, registered / "
              f"same-cycle: {first['cycles'] / first['cycles_same_cycle']:.3f}")
    return curves


def pe_scaling_study(seed: int) -> dict:
    curves = {}
    for name in progress(EIE_LAYERS, "eie_figures"):
        layer = benchmark_layer(name, seed)
        curves[name] = []
        for pes in PE_COUNTS:
            config = dataclasses.replace(eie.EIE_PAPER, num_pes=pes)
            result = eie.run(eie.compile(layer, config), seed=seed)
            assert result.output_ok, name
            curves[name].append({"num_pes": pes, "cycles": result.cycles,
                                 "load_efficiency": result.load_efficiency})
        base = curves[name][0]["cycles"]
        for point in curves[name]:
            point["speedup_over_1_pe"] = base / point["cycles"]
        print(f"{name:16s} speedup at 64 / 256 PEs: {curves[name][6]['speedup_over_1_pe']:.1f}x"
              f" / {curves[name][-1]['speedup_over_1_pe']:.1f}x")
    return curves


def plot(curves: dict, x_key: str, y_key: str, xlabel: str, ylabel: str, title: str,
         ideal: bool = False, dashed_key: str | None = None) -> plt.Figure:
    """One curve per layer; with `dashed_key`, that quantity dashed in the same colour."""
    fig, ax = plt.subplots(figsize=(8, 5))
    for name, points in curves.items():
        xs = [p[x_key] for p in points]
        line, = ax.plot(xs, [p[y_key] for p in points], marker="o", ms=3, label=name)
        if dashed_key:
            ax.plot(xs, [p[dashed_key] for p in points], color=line.get_color(), ls="--",
                    lw=0.8)
    xs = [p[x_key] for p in next(iter(curves.values()))]
    if ideal:
        ax.plot(xs, xs, color="black", ls="--", lw=0.8, label="linear (ideal)")
        ax.set_yscale("log", base=2)
        ax.set_yticks(xs, [str(x) for x in xs])
    ax.set_xscale("log", base=2)
    ax.set_xticks(xs, [str(x) for x in xs])
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    if dashed_key:
        ax.plot([], [], color="grey", ls="--", lw=0.8, label="same-cycle FIFO flags")
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    return fig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out-dir", help="folder for JSON and PNG (default benchmarks/results)")
    args = parser.parse_args()
    out = Path(args.out_dir) if args.out_dir else RESULTS
    out.mkdir(parents=True, exist_ok=True)
    depth = queue_depth_study(args.seed)
    write_json(out / "eie_queue_depth.json", {"seed": args.seed, "num_pes": 64, "curves": depth})
    figure = plot(depth, "queue_depth_entries", "load_efficiency",
                  "activation queue depth (entries)",
                  "load efficiency (1 - starved PE-cycles / PE-cycles)",
                  "EIE, 64 PEs: load efficiency vs activation queue depth "
                  "(solid: registered FIFO flags)", dashed_key="load_efficiency_same_cycle")
    save_png(figure, out / "eie_queue_depth.png")
    scaling = pe_scaling_study(args.seed)
    write_json(out / "eie_pe_scaling.json", {"seed": args.seed, "queue_depth_entries": 8,
                                             "curves": scaling})
    figure = plot(scaling, "num_pes", "speedup_over_1_pe", "PEs",
                  "speedup over 1 PE (cycles ratio)",
                  "EIE, queue depth 8: speedup vs number of PEs", ideal=True)
    save_png(figure, out / "eie_pe_scaling.png")
    print(f"wrote {out}/eie_queue_depth.{{json,png}} and {out}/eie_pe_scaling.{{json,png}}")


if __name__ == "__main__":
    main()
