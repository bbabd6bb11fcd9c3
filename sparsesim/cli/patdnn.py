"""`sparsesim --accel patdnn`: pattern-pruned conv layers on the modelled mobile CPU.

    sparsesim --accel patdnn --workload vgg16-div4 --ablation
    sparsesim prune --model lenet5 --method pattern --out lenet5.npz
    sparsesim --accel patdnn --model lenet5.npz --ablation --json run.json
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Sequence

from tqdm import tqdm

from sparsesim.accelerators.patdnn import model
from sparsesim.accelerators.patdnn.ablation import ablation_figure, factors, run_ablation
from sparsesim.accelerators.patdnn.config import ABLATION, PRESETS
from sparsesim.accelerators.patdnn.design import DESIGN, WORKLOADS, model_workload, named_workload
from sparsesim.cli.base import AcceleratorCommand, CommandOutput
from sparsesim.cli.parser import positive_int
from sparsesim.cli.sweep_hooks import SweepHooks
from sparsesim.document import run_document
from sparsesim.simulator.energy import load_table
from sparsesim.simulator.errors import ConfigError
from sparsesim.simulator.result import SimResult
from sparsesim.workloads.conv_layers import lenet5_from_file

FLAG_FIELDS = ("threads", "filter_block", "mispredict_cycles")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--workload", choices=WORKLOADS, default=WORKLOADS[0],
                        help="built-in workload (default lenet5: seeded weights, a real "
                             "MNIST image); -div4: spatial size / 4")
    parser.add_argument("--model", metavar="PATH",
                        help="a LeNet-5 model file from `sparsesim prune --model lenet5 "
                             "--method pattern --out PATH` (instead of --workload)")
    parser.add_argument("--preset", choices=list(PRESETS), default=next(iter(PRESETS)),
                        help="PatDNN (snapdragon855, default) or an ablation step")
    parser.add_argument("--ablation", action="store_true",
                        help="also run every ablation step and print their table")
    parser.add_argument("--threads", type=positive_int, help="CPU threads (default 4)")
    parser.add_argument("--filter-block", type=positive_int,
                        help="filters sharing loads under LRE (default 4)")
    parser.add_argument("--mispredict-cycles", type=int,
                        help="cycles lost per pattern dispatch mispredict (default 11)")


def layer_table(results: Sequence[SimResult]) -> str:
    head = (f"{'layer':8s} {'F x Ho x Wo':>18s} {'kept':>7s} {'cycles':>10s} {'us':>9s} "
            f"{'loads':>10s} {'mispred':>8s} {'imbalance':>9s} {'bytes':>8s} {'output':>6s}")
    rows = [head, "-" * len(head)]
    for r in results:
        d = r.details
        f, ho, wo = d["output_shape"]
        shape = f"{f}x{ho}x{wo}"
        rows.append(f"{d['layer']:8s} {shape:>18s} {d['weights_kept']:7d} {r.cycles:10d} "
                    f"{r.seconds * 1e6:9.2f} {d['loads_issued']:10d} "
                    f"{d['pattern_mispredicts']:8d} {d['thread_imbalance']:9.3f} "
                    f"{d['encoded_bytes']:8d} {'ok' if r.output_ok else 'WRONG':>6s}")
    return "\n".join(rows)


def ablation_table(summaries: dict[str, dict]) -> str:
    head = (f"{'variant':20s} {'cycles':>11s} {'speedup':>8s} {'loads':>11s} "
            f"{'mispredicts':>11s} {'imbalance':>9s} {'weight_bytes':>12s} {'output':>6s}")
    rows = [head, "-" * len(head)]
    dense = summaries["dense-im2col"]["cycles"]
    for name in ABLATION:
        s = summaries[name]
        label = "pattern+reorder+lre" if name == "snapdragon855" else name
        rows.append(f"{label:20s} {s['cycles']:11d} {dense / s['cycles']:7.2f}x "
                    f"{s['loads_issued']:11d} {s['pattern_mispredicts']:11d} "
                    f"{s['thread_imbalance_max_over_mean']:9.3f} {s['encoded_bytes']:12d} "
                    f"{'ok' if s['output_ok'] else 'WRONG':>6s}")
    rows += [f"{k}: {v:.2f}x" for k, v in factors(summaries).items()]
    return "\n".join(rows)


def run(args: argparse.Namespace) -> CommandOutput:
    overrides = {f: getattr(args, f) for f in FLAG_FIELDS if getattr(args, f) is not None}
    config = dataclasses.replace(PRESETS[args.preset], **overrides)
    if args.filter_block is not None and not (config.scheme == "dense" or config.lre):
        raise ConfigError(f"--filter-block applies to dense im2col and LRE; preset "
                          f"{args.preset} uses neither (drop the flag or pick another preset)")
    load_table(args.tech)  # an unknown table fails here, before any simulation
    workload = (model_workload(args.model, args.seed) if args.model
                else named_workload(args.workload, args.seed))
    results, _ = model.run(model.compile(workload, config), engine=args.engine,
                           seed=args.seed, tech=args.tech)
    ok = all(r.output_ok for r in results)
    text = [f"patdnn on {workload.name}: preset {args.preset}, scheme {config.scheme}, "
            f"reorder {config.reorder}, lre {config.lre}, {config.threads} threads at "
            f"{config.clock_hz / 1e9:g} GHz, engine {args.engine}, seed {args.seed}",
            layer_table(results)]
    details: dict = {"preset": args.preset}
    summaries = None
    if args.ablation:
        bar = tqdm(total=len(ABLATION), desc="ablation", file=sys.stderr,
                   disable=not sys.stderr.isatty())
        variants = run_ablation(workload, engine=args.engine, seed=args.seed, tech=args.tech,
                                overrides=overrides, progress=lambda name: bar.update(1))
        bar.close()
        summaries = {name: s for name, (_, s) in variants.items()}
        ok = ok and all(s["output_ok"] for s in summaries.values())
        text += ["", f"ablation on {workload.name} (speedup over dense im2col):",
                 ablation_table(summaries)]
        details["ablation"] = summaries
        details["ablation_factors"] = factors(summaries)
    document = run_document(accel="patdnn", workload=workload.name, config=config.to_dict(),
                            seed=args.seed, engine=args.engine, tech=args.tech,
                            layers=results, details=details)
    figure = (lambda: ablation_figure({workload.name: summaries})) if summaries else None
    return CommandOutput("\n".join(text), document, ok, figure)


# every config field shapes the schedule: compiled again at every point (cheap);
# --model files are LeNet-5 files from `sparsesim prune`
SWEEP = SweepHooks(load_model=lambda path, seed, config: lenet5_from_file(path, seed))
COMMAND = AcceleratorCommand(
    design=DESIGN,
    workloads=WORKLOADS,
    add_arguments=add_arguments,
    run=run,
    sweep=SWEEP,
)
