"""sparsesim command line: `python sim.py --accel eie` (also installed as `sparsesim`)."""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence

from accelerators.registry import ACCELERATORS
from simulator.atomic_file import write_atomically
from simulator.errors import UserError
from simulator.result import SimResult
from workloads.eie_layers import WORKLOAD_NAMES, benchmark_workload
from workloads.model_file import load_model


class _Parser(argparse.ArgumentParser):
    """argparse that raises a usage error as a UserError (one line, exit 2), no usage dump."""

    def error(self, message: str):
        raise UserError(message)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a number, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sparsesim", description="Cycle-level simulator of sparse DNN "
                     "accelerators. Prints a per-layer table; --json and --plot save results.")
    parser.add_argument("--accel", choices=sorted(ACCELERATORS), default="eie",
                        help="accelerator model (default: eie)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--workload", help="built-in workload name (see --list)")
    source.add_argument("--model", help="model file (.npz with __metadata__) to run")
    parser.add_argument("--pes", type=_positive_int, help="number of processing elements")
    parser.add_argument("--queue-depth", type=_positive_int,
                        help="activation queue depth (entries)")
    parser.add_argument("--clock-mhz", type=_positive_float, help="clock frequency (MHz)")
    parser.add_argument("--engine", default=None, help="simulation engine: reference or fast")
    parser.add_argument("--seed", type=int, default=0, help="seed for generated data (default 0)")
    parser.add_argument("--json", metavar="PATH", help="write all results as JSON to PATH")
    parser.add_argument("--plot", metavar="PATH", help="write per-PE and queue plots (PNG)")
    parser.add_argument("--list", action="store_true",
                        help="list accelerators, presets and workloads, then exit")
    return parser


def _listing() -> str:
    lines = ["accelerators:"]
    for name, entry in sorted(ACCELERATORS.items()):
        lines.append(f"  {name:10s} {entry.description}")
        lines.append(f"  {'':10s} presets: {', '.join(entry.presets)}; engines: "
                     f"{', '.join(entry.engines)}; default workload: {entry.default_workload}")
    lines.append("workloads:")
    lines.append("  " + ", ".join(WORKLOAD_NAMES))
    return "\n".join(lines)


def _totals(results: Sequence[SimResult]) -> dict:
    cycles = sum(r.cycles for r in results)
    pe_cycles = sum(r.cycles * len(r.pe_busy_cycles) for r in results)
    busy = sum(sum(r.pe_busy_cycles) for r in results)
    starved = sum(sum(r.pe_starved_cycles) for r in results)
    return {"cycles": cycles, "seconds": sum(r.seconds for r in results),
            "macs_useful": sum(r.macs_useful for r in results),
            "pe_utilization": busy / pe_cycles, "load_efficiency": 1.0 - starved / pe_cycles,
            "output_ok": all(r.output_ok for r in results),
            "wall_seconds": sum(r.wall_seconds for r in results)}


def _table(results: Sequence[SimResult], totals: dict) -> str:
    head = (f"{'layer':18s} {'cycles':>9s} {'time_us':>9s} {'pe_util':>8s} {'load_eff':>8s} "
            f"{'output':>7s}")
    rows = [head, "-" * len(head)]
    for r in results:
        rows.append(f"{r.details.get('layer', r.workload):18s} {r.cycles:9d} "
                    f"{r.seconds * 1e6:9.2f} {r.pe_utilization:8.3f} {r.load_efficiency:8.3f} "
                    f"{'ok' if r.output_ok else 'WRONG':>7s}")
    rows.append("-" * len(head))
    rows.append(f"{'total':18s} {totals['cycles']:9d} {totals['seconds'] * 1e6:9.2f} "
                f"{totals['pe_utilization']:8.3f} {totals['load_efficiency']:8.3f} "
                f"{'ok' if totals['output_ok'] else 'WRONG':>7s}")
    return "\n".join(rows)


def run(args: argparse.Namespace) -> int:
    entry = ACCELERATORS[args.accel]
    engine = args.engine or entry.engines[0]
    if engine not in entry.engines:
        raise UserError(f"--engine {engine} is not available for {args.accel}; "
                        f"choose one of {', '.join(entry.engines)}")
    overrides = {field: getattr(args, dest) for dest, field in entry.flag_fields.items()
                 if getattr(args, dest) is not None}
    config = dataclasses.replace(entry.presets[entry.default_preset], **overrides)
    if args.model:
        workload = load_model(args.model, seed=args.seed)
    else:
        workload = benchmark_workload(args.workload or entry.default_workload, seed=args.seed)
    results = entry.run(workload, config, engine=engine, seed=args.seed)
    totals = _totals(results)
    print(f"{args.accel} on {workload.name}: {config.num_pes} PEs at {config.clock_mhz:g} MHz, "
          f"queue depth {config.queue_depth_entries}, engine {engine}, seed {args.seed}")
    print(_table(results, totals))
    if args.json:
        document = {"accel": args.accel, "workload": workload.name,
                    "config": dataclasses.asdict(config), "seed": args.seed, "engine": engine,
                    "layers": [r.to_dict() for r in results], "totals": totals}
        text = json.dumps(document, indent=2, sort_keys=True).encode()
        write_atomically(args.json, lambda handle: handle.write(text))
        print(f"wrote {args.json}")
    if args.plot:
        from simulator.plots import pe_activity_figure, save_png

        save_png(pe_activity_figure(results), args.plot)
        print(f"wrote {args.plot}")
    return 0 if totals["output_ok"] else 1


def main(argv: Sequence[str] | None = None) -> int:
    try:
        args = build_parser().parse_args(argv)
        if args.list:
            print(_listing())
            return 0
        return run(args)
    except UserError as exc:
        print(f"sparsesim: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
