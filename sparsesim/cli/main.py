"""The `sparsesim` command (also `python sim.py` from a checkout).

    python sim.py --accel eie [flags]      simulate (see --list and --accel NAME --help)
    python sim.py SUBCOMMAND ...           other tools, e.g. `sweep`
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import warnings
from collections.abc import Sequence

from sparsesim.accelerators.registry import DESIGNS
from sparsesim.cli.output_paths import check_outputs
from sparsesim.cli.parser import (
    Parser,
    add_quiet_flag,
    add_style_flag,
    non_negative_int,
    positive_int,
)
from sparsesim.cli.registry import ACCELERATORS
from sparsesim.simulator.atomic_file import write_atomically
from sparsesim.simulator.errors import UserError
from sparsesim.simulator.trace import DEFAULT_MAX_EVENTS

SUBCOMMANDS: dict[str, tuple[str, str]] = {  # name -> (module with main(argv) -> int, summary)
    "sweep": ("sparsesim.cli.sweep", "run a grid of configs x workloads x seeds, resumable"),
    "plot": ("sparsesim.cli.sweep_plot", "plot a sweep's results file"),
    "energy": ("sparsesim.cli.energy", "list or show the energy tables (--tables)"),
    "area": ("sparsesim.cli.area", "silicon area of a design's config, without simulating"),
    "prune": ("sparsesim.cli.hw_prune", "prune an MNIST model: magnitude, N:M, ..., NetAdapt, "
                                        "AMC against the simulated latency"),
    "demo": ("sparsesim.cli.demo", "classroom demos, e.g. `demo imbalance`"),
}



def _has_preset(command) -> bool:
    """Whether the command's parser has a --preset flag (a design's library presets are
    only offered where one exists)."""
    parser = Parser(add_help=False)
    command.add_arguments(parser)
    return "--preset" in parser._option_string_actions


def _listing() -> str:
    lines = ["accelerators:"]
    for name, command in sorted(ACCELERATORS.items()):
        lines.append(f"  {name:10s} {command.description}")
        presets = f"; --preset: {', '.join(command.presets)}" if _has_preset(command) else ""
        lines.append(f"  {'':10s} engines: {', '.join(command.engines)}{presets}")
        lines.append(f"  {'':10s} workloads: {', '.join(command.workloads)}")
    if SUBCOMMANDS:
        lines.append("subcommands: " + ", ".join(sorted(SUBCOMMANDS)))
    return "\n".join(lines)


def _epilog() -> str:
    return "\n".join([
        "accelerators (--accel NAME --help shows that design's flags):",
        *(f"  {name:10s} {design.description}" for name, design in sorted(DESIGNS.items())),
        "subcommands (sparsesim NAME --help):",
        *(f"  {name:10s} {summary}" for name, (_, summary) in sorted(SUBCOMMANDS.items())),
    ])


def simulate(argv: Sequence[str]) -> int:
    first = Parser(add_help=False)
    first.add_argument("--accel", choices=sorted(ACCELERATORS), default="eie")
    first.add_argument("--list", action="store_true")
    known, _ = first.parse_known_args(argv)
    if known.list:
        print(_listing())
        return 0
    command = ACCELERATORS[known.accel]
    parser = Parser(prog="sparsesim", description=f"Simulate {command.description}. "
                    "Prints a per-layer table; --json, --plot and --trace save results.",
                    epilog=_epilog(), formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--accel", choices=sorted(ACCELERATORS), default="eie",
                        help="accelerator model (default eie)")
    parser.add_argument("--list", action="store_true", help="list what can be run, then exit")
    parser.add_argument("--engine", choices=command.engines, default=command.engines[0],
                        help=f"simulation engine (default {command.engines[0]}; the traced "
                             "layers of --trace always run on the reference engine)")
    parser.add_argument("--seed", type=non_negative_int, default=0,
                        help="seed for generated data (default 0)")
    parser.add_argument("--tech", default="45nm",
                        help="energy table: a name from `sparsesim energy --tables` or a "
                             ".toml (default 45nm; the GPU designs use it as it is, not "
                             "scaled to the GPU's own node)")
    parser.add_argument("--json", metavar="PATH", help="write all results as JSON to PATH")
    parser.add_argument("--plot", metavar="PATH", help="write the run's plots as PNG to PATH")
    add_quiet_flag(parser)
    add_style_flag(parser)
    parser.add_argument("--trace", metavar="PATH",
                        help="write a Chrome trace-event JSON of every cycle to PATH (open it "
                             "in ui.perfetto.dev or chrome://tracing); runs the reference "
                             "engine, whose components log each cycle")
    parser.add_argument("--trace-max-events", type=positive_int, default=DEFAULT_MAX_EVENTS,
                        help="cut the trace after this many events, earliest first "
                             f"(default {DEFAULT_MAX_EVENTS})")
    parser.add_argument("--force", action="store_true",
                        help="run even when the run's estimated memory or time is beyond "
                             "the limits (see README, Bad input and limits)")
    command.add_arguments(parser)
    parser.only_with("--trace-max-events", "--trace")
    parser.only_with("--style", "--plot")
    args = parser.parse_args(argv)
    check_outputs({"--json": args.json, "--plot": args.plot, "--trace": args.trace})
    if args.trace and not command.traceable:
        traceable = sorted(name for name, c in ACCELERATORS.items() if c.traceable)
        raise UserError(f"--trace is not available for --accel {args.accel}; it is for "
                        f"{', '.join(traceable)}")
    output = command.run(args)
    print(output.text)
    if args.json:
        text = json.dumps(output.document, indent=2, sort_keys=True).encode()
        write_atomically(args.json, lambda handle: handle.write(text))
        print(f"wrote {args.json}")
    if args.plot:
        if output.figure is None:
            raise UserError(f"--plot is not available for --accel {args.accel}")
        from sparsesim.simulator.plots import save_png

        save_png(output.figure(), args.plot, args.style)
        print(f"wrote {args.plot}")
    if args.trace:
        if output.trace is None:
            raise UserError(f"--trace is not available for this --accel {args.accel} run "
                            "(a network lowered to GEMMs); trace one GEMM or model instead")
        trace = json.dumps(output.trace, separators=(",", ":")).encode()
        write_atomically(args.trace, lambda handle: handle.write(trace))
        events = len(output.trace["traceEvents"])
        print(f"wrote {args.trace} (Chrome trace, {events} events, from the reference engine; "
              "open in ui.perfetto.dev or chrome://tracing)")
    return 0 if output.ok else 1


def _one_line(message, category, filename, lineno, line=None) -> str:
    return f"sparsesim: warning: {message}\n"


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    warnings.formatwarning = _one_line  # e.g. the disk cache's CacheWarning
    try:
        if argv and argv[0] in SUBCOMMANDS:
            return importlib.import_module(SUBCOMMANDS[argv[0]][0]).main(argv[1:])
        return simulate(argv)
    except UserError as exc:
        print(f"sparsesim: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("sparsesim: interrupted; nothing was written after the interruption",
              file=sys.stderr)
        return 130

