"""EIE's two design-space figures over its nine benchmark layers, with the fast engine:
load efficiency versus activation queue depth, and speedup versus PE count.

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
import matplotlib.pyplot as plt  # noqa: E402
from common import RESULTS, write_json  # noqa: E402

from sparsesim.accelerators.eie import model as eie  # noqa: E402
from sparsesim.cli.progress import progress  # noqa: E402
from sparsesim.simulator.plots import save_png  # noqa: E402
from sparsesim.workloads.eie_layers import EIE_LAYERS, benchmark_layer  # noqa: E402

DEPTHS = (1, 2, 4, 8, 16, 32, 64, 128, 256)  # entries
PE_COUNTS = (1, 2, 4, 8, 16, 32, 64, 128, 256)


def queue_depth_study(seed: int) -> dict:
    curves = {}
    for name in progress(EIE_LAYERS, "eie_figures"):
        compiled = eie.compile(benchmark_layer(name, seed), eie.EIE_PAPER)
        curves[name] = []
        for depth in DEPTHS:
            config = dataclasses.replace(eie.EIE_PAPER, queue_depth_entries=depth)
            result = eie.run(dataclasses.replace(compiled, config=config), seed=seed)
            assert result.output_ok, name
            curves[name].append({"queue_depth_entries": depth, "cycles": result.cycles,
                                 "load_efficiency": result.load_efficiency})
        print(f"{name:16s} load efficiency at depth 1 / 8 / 256: "
              f"{curves[name][0]['load_efficiency']:.3f} / {curves[name][3]['load_efficiency']:.3f}"
              f" / {curves[name][-1]['load_efficiency']:.3f}")
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
         ideal: bool = False) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(8, 5))
    for name, points in curves.items():
        ax.plot([p[x_key] for p in points], [p[y_key] for p in points], marker="o", ms=3,
                label=name)
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
                  "EIE, 64 PEs: load efficiency vs activation queue depth")
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
