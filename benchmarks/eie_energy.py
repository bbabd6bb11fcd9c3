"""EIE energy and power on the nine benchmark layers at 64 PEs, beside the paper's power.

    python benchmarks/eie_energy.py [--seed S] [--tech 45nm] [--out-dir DIR]

Energy comes from the engine's counts times the technology table's energy per access
(simulator/energy.py); nothing is fitted to the paper. Writes eie_energy.json and
eie_energy.png (stacked breakdown per layer) to benchmarks/results/ unless told.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
from common import RESULTS, write_json

from sparsesim.accelerators.eie import model as eie
from sparsesim.cli.progress import progress
from sparsesim.simulator.plots import save_png
from sparsesim.workloads.eie_layers import EIE_LAYERS, benchmark_layer

# Han et al., EIE, ISCA 2016 (compare only): 0.59 W for 64 PEs (Table V), 9.157 mW per PE
# (Table II), SRAM 59.15% of the power (Table II).
PAPER_POWER_W = 0.59
PAPER_PE_POWER_MW = 9.157
PAPER_SRAM_SHARE = 0.5915


def breakdown_figure(rows: list[dict]) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(10, 5))
    classes = list(rows[0]["energy_breakdown_pj"])
    bottom = [0.0] * len(rows)
    colours = plt.get_cmap("tab10")
    for i, key in enumerate(classes):
        values = [r["energy_breakdown_pj"][key] * 1e-6 for r in rows]
        if not any(values):
            continue
        ax.bar([r["layer"] for r in rows], values, bottom=bottom, label=key, color=colours(i))
        bottom = [b + v for b, v in zip(bottom, values)]
    ax.set_ylabel("energy per layer (µJ)")
    ax.set_title("EIE, 64 PEs, 45 nm table: energy breakdown per layer (ours)", fontsize=10)
    ax.tick_params(axis="x", rotation=30)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--tech", default="45nm")
    parser.add_argument("--out-dir", help="folder for JSON and PNG (default benchmarks/results)")
    args = parser.parse_args()
    out = Path(args.out_dir) if args.out_dir else RESULTS
    out.mkdir(parents=True, exist_ok=True)
    rows = []
    print(f"{'layer':16s} {'time_us':>8s} {'energy_uJ':>9s} {'power_mW':>8s} {'sram_%':>6s} "
          f"{'arith_%':>7s} {'rf_%':>5s}")
    for name in progress(EIE_LAYERS, "eie_energy"):
        r = eie.run(eie.compile(benchmark_layer(name, args.seed), eie.EIE_PAPER), tech=args.tech)
        parts = r.energy_breakdown_pj
        sram = sum(v for k, v in parts.items() if k.startswith("sram")) / r.energy_pj
        rf = sum(v for k, v in parts.items() if k.startswith("register_file")) / r.energy_pj
        rows.append({"layer": name, "seconds": r.seconds, "energy_pj": r.energy_pj,
                     "power_w": r.power_w, "sram_share": sram,
                     "energy_breakdown_pj": parts, "output_ok": r.output_ok})
        print(f"{name:16s} {r.seconds * 1e6:8.2f} {r.energy_pj * 1e-6:9.3f} {r.power_w * 1e3:8.1f} "
              f"{100 * sram:6.1f} {100 * parts['arithmetic'] / r.energy_pj:7.1f} {100 * rf:5.1f}")
    energy = sum(r["energy_pj"] for r in rows)
    seconds = sum(r["seconds"] for r in rows)
    power = energy * 1e-12 / seconds
    sram_share = sum(r["sram_share"] * r["energy_pj"] for r in rows) / energy
    summary = {"power_w": power, "paper_power_w": PAPER_POWER_W,
               "ratio_power_ours_to_paper": power / PAPER_POWER_W,
               "pe_power_mw": power * 1e3 / 64, "paper_pe_power_mw": PAPER_PE_POWER_MW,
               "sram_share": sram_share, "paper_sram_share": PAPER_SRAM_SHARE}
    print(f"all nine layers: {power:.3f} W (paper {PAPER_POWER_W} W, ratio "
          f"{power / PAPER_POWER_W:.2f}); per PE {power * 1e3 / 64:.2f} mW (paper "
          f"{PAPER_PE_POWER_MW}); SRAM {100 * sram_share:.1f}% of energy (paper "
          f"{100 * PAPER_SRAM_SHARE:.2f}% of power)")
    write_json(out / "eie_energy.json", {"tech": args.tech, "seed": args.seed,
                                         "source": "Han et al., EIE, ISCA 2016, Tables II and V",
                                         "layers": rows, "summary": summary})
    save_png(breakdown_figure(rows), out / "eie_energy.png")
    print(f"wrote {out}/eie_energy.json and {out}/eie_energy.png")


if __name__ == "__main__":
    main()
