"""ESE energy and power, load-balance-aware versus magnitude pruning at equal sparsity.

    python benchmarks/ese_energy.py [--frames N] [--tech 45nm|FILE.toml] [--out PATH.json]

Runs the shipped speaker LSTM through ESE under both schemes, prints energy and power
per scheme with the breakdown, writes the JSON and a stacked-bar PNG beside it
(PATH.png). Published: ESE draws 41 W for the whole FPGA board (Han et al., FPGA 2017);
our figure is one channel's datapath and memories, so the two are not comparable.
"""

from __future__ import annotations

import argparse

from common import output_path, write_json

from sparsesim.accelerators.ese import model as ese
from sparsesim.accelerators.ese.pruning import DEFAULT_SPARSITY
from sparsesim.cli.ese import compare
from sparsesim.simulator.energy import load_table
from sparsesim.simulator.energy_plots import energy_figure
from sparsesim.simulator.plots import save_png
from sparsesim.workloads.lstm_models import speaker_lstm

SCHEMES = ("magnitude", "balanced")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, help="time steps (default: all 30)")
    parser.add_argument("--tech", default="45nm", help="energy table name or .toml path")
    parser.add_argument("--out", help="JSON path (default benchmarks/results/ese_energy.json)")
    args = parser.parse_args()
    load_table(args.tech)
    model = speaker_lstm()
    model = model.with_frames(args.frames or len(model.frames))
    runs = compare(model, ese.ESE_PAPER, SCHEMES, sparsity=DEFAULT_SPARSITY,
                   engine="fast", seed=0, tech=args.tech)
    summaries = {scheme: summary for scheme, (_, summary) in runs.items()}
    keys = list(summaries[SCHEMES[0]]["energy_breakdown_pj"])
    print(f"speaker-lstm, {len(model.frames)} frames, sparsity {DEFAULT_SPARSITY:g}, "
          f"tech {args.tech}")
    print(f"{'':32s} " + " ".join(f"{s:>10s}" for s in SCHEMES))
    rows = [("cycles", "cycles", "d", 1), ("time_us", "seconds", ".1f", 1e6),
            ("energy_uJ", "energy_pj", ".2f", 1e-6), ("power_mW", "power_w", ".1f", 1e3)]
    for label, key, fmt, scale in rows:
        values = [summaries[s][key] * scale for s in SCHEMES]
        print(f"{label:32s} " + " ".join(f"{v:10{fmt}}" for v in values))
    for key in keys:
        print(f"  {key + '_uJ':30s} " + " ".join(
            f"{summaries[s]['energy_breakdown_pj'][key] * 1e-6:10.3f}" for s in SCHEMES))
    mag, bal = (summaries[s] for s in SCHEMES)
    print(f"balanced / magnitude: cycles {bal['cycles'] / mag['cycles']:.3f}, energy "
          f"{bal['energy_pj'] / mag['energy_pj']:.3f}, power {bal['power_w'] / mag['power_w']:.3f}")
    path = output_path("ese_energy.json", args.out)
    document = {"workload": model.name, "frames": len(model.frames), "tech": args.tech,
                "sparsity": DEFAULT_SPARSITY, "config": ese.ESE_PAPER.to_dict(),
                "label": "ours (sparsesim), not published figures",
                "published_board_power_w": {"value": 41.0, "source": "Han et al., ESE, FPGA "
                                            "2017 (whole XCKU060 board; not comparable)"},
                "schemes": {s: {k: v for k, v in summaries[s].items()
                                if not k.startswith("pe_")} for s in SCHEMES}}
    write_json(path, document)
    png = path.with_suffix(".png")
    save_png(energy_figure({s: runs[s][0].layers for s in SCHEMES},
                           f"ESE energy per layer, {args.tech}"), png)
    print(f"wrote {path} and {png}")


if __name__ == "__main__":
    main()
