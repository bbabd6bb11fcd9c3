"""`sparsesim --accel ese`: a real LSTM over a real sequence through the ESE model, pruned
load-balance-aware or by plain magnitude; --plot compares both schemes."""

from __future__ import annotations

import argparse
import dataclasses

from sparsesim.accelerators.ese import model as ese
from sparsesim.accelerators.ese.compile import ENCODING_FIELDS
from sparsesim.accelerators.ese.design import DESIGN
from sparsesim.accelerators.ese.pruning import (
    DEFAULT_SPARSITY,
    SCHEMES,
    compile_scheme,
    run_scheme,
)
from sparsesim.accelerators.ese.trace import trace_run
from sparsesim.cli.base import (
    AcceleratorCommand,
    CommandOutput,
)
from sparsesim.cli.parser import fraction, non_negative_int, positive_float, positive_int
from sparsesim.cli.sweep_hooks import SweepHooks
from sparsesim.document import run_document
from sparsesim.simulator.energy import load_table
from sparsesim.simulator.errors import ConfigError
from sparsesim.simulator.trace import chrome_trace
from sparsesim.workloads.inputs import with_inputs
from sparsesim.workloads.lstm import LSTMModel
from sparsesim.workloads.lstm_models import SPEAKER, WORKLOAD_NAMES, lstm_workload
from sparsesim.workloads.readers import load_model as read_model
from sparsesim.workloads.readers.npz_archive import read_npy

FLAG_FIELDS = {"pes": "pes_per_channel", "queue_depth": "queue_depth_entries",
               "clock_mhz": "clock_mhz"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--workload", choices=WORKLOAD_NAMES,
                        help=f"LSTM to run (default {SPEAKER}: pretrained, real frames)")
    source.add_argument("--model", help="an LSTM model file (.safetensors or .npz state dict "
                        "with weight_ih/weight_hh[_l<k>], or .onnx)")
    parser.add_argument("--input", metavar="FILE.npy",
                        help="input frames (T, inputs) (default: the model's stored frames, "
                        "else 8 seeded ones)")
    parser.add_argument("--prune", choices=SCHEMES, default=SCHEMES[0],
                        help="pruning scheme (default balanced); --plot also runs the other")
    parser.add_argument("--sparsity", type=fraction, default=DEFAULT_SPARSITY,
                        help=f"fraction of weights pruned (default {DEFAULT_SPARSITY})")
    parser.add_argument("--frames", type=positive_int,
                        help="time steps to run (default: the whole sequence; 30 frames = "
                             "0.3 s of audio for speaker-lstm)")
    parser.add_argument("--pes", type=positive_int, help="PEs per channel (default 32)")
    parser.add_argument("--queue-depth", type=positive_int,
                        help="activation queue depth, entries (default 8)")
    parser.add_argument("--clock-mhz", type=positive_float, help="clock, MHz (default 200)")
    parser.add_argument("--timeline-layer", type=non_negative_int, default=0,
                        help="layer whose middle step the plot's timeline shows (default 0)")


def config_from_args(args: argparse.Namespace) -> ese.ESEConfig:
    overrides = {field: getattr(args, dest) for dest, field in FLAG_FIELDS.items()
                 if getattr(args, dest, None) is not None}
    return dataclasses.replace(ese.ESE_PAPER, **overrides)


def load(args: argparse.Namespace) -> tuple[LSTMModel, str]:
    """The LSTM to run and where its input frames came from."""
    frames = read_npy(args.input) if args.input else None
    if args.model:
        read = read_model(args.model)
        model = read.to_lstm(frames, seed=args.seed)
        stored = "the model's stored frames" if read.input is not None else (
            f"seeded (seed {args.seed})")
    else:
        model = with_inputs(lstm_workload(args.workload or SPEAKER, seed=args.seed), frames)
        stored = "the workload's frames"
    source = f"file {args.input}" if frames is not None else stored
    return model.with_frames(args.frames or len(model.frames)), source


def compare(model: LSTMModel, config: ese.ESEConfig, schemes: tuple[str, ...], *,
            sparsity: float, engine: str, seed: int,
            tech: str = "45nm") -> dict[str, tuple[ese.ESERun, dict]]:
    """Run `model` under each scheme at the same sparsity (energy from table `tech`)."""
    dense = model.forward()[-1]
    return {scheme: run_scheme(model, scheme, sparsity, config, engine=engine, seed=seed,
                               dense_states=dense, tech=tech) for scheme in schemes}


def table(runs: dict[str, tuple[ese.ESERun, dict]]) -> str:
    head = (f"{'scheme':10s} {'layer':7s} {'cycles':>8s} {'time_us':>9s} {'pe_util':>8s} "
            f"{'nz_max/mean':>11s} {'energy_uJ':>9s} {'power_mW':>8s} {'output':>7s}")
    rows = [head, "-" * len(head)]
    for scheme, (run, summary) in runs.items():
        for r in run.layers:
            nz = r.details["pe_nonzeros"]
            rows.append(f"{scheme:10s} {r.details['layer']:7s} {r.cycles:8d} "
                        f"{r.seconds * 1e6:9.2f} {r.pe_utilization:8.3f} "
                        f"{max(nz) / (sum(nz) / len(nz)):11.3f} "
                        f"{r.energy_pj * 1e-6:9.2f} {r.power_w * 1e3:8.1f} "
                        f"{'ok' if r.output_ok else 'WRONG':>7s}")
        rows.append(f"{scheme:10s} {'total':7s} {summary['cycles']:8d} "
                    f"{summary['seconds'] * 1e6:9.2f} {summary['pe_utilization']:8.3f} "
                    f"{summary['nonzeros_max_over_mean']:11.3f} "
                    f"{summary['energy_pj'] * 1e-6:9.2f} {summary['power_w'] * 1e3:8.1f} "
                    f"{'ok' if summary['output_ok'] else 'WRONG':>7s}")
        rows.append(f"{'':10s} error vs dense float LSTM: relative RMS "
                    f"{summary['error_vs_dense_relative_rms']:.4f}, max "
                    f"{summary['error_vs_dense_max_abs']:.4f}; weight density "
                    f"{summary['weight_density']:.4f}")
    return "\n".join(rows)


def run(args: argparse.Namespace) -> CommandOutput:
    config = config_from_args(args)
    if not 0.0 <= args.sparsity < 1.0:
        raise ConfigError(f"--sparsity must lie in [0, 1), got {args.sparsity}; "
                          "0.9 keeps 10% of the weights")
    model, input_source = load(args)
    if not 0 <= args.timeline_layer < len(model.layers):
        raise ConfigError(f"--timeline-layer must lie in 0..{len(model.layers) - 1}, "
                          f"got {args.timeline_layer}")
    load_table(args.tech)  # an unknown table fails here, before any simulation
    schemes = (args.prune,) + tuple(s for s in SCHEMES if s != args.prune and args.plot)
    runs = compare(model, config, schemes, sparsity=args.sparsity, engine=args.engine,
                   seed=args.seed, tech=args.tech)
    chosen_run, chosen = runs[args.prune]
    heading = (f"ese on {model.name}: {len(model.frames)} frames, {len(model.layers)} layers, "
               f"{config.pes_per_channel} PEs at {config.clock_mhz:g} MHz, sparsity "
               f"{args.sparsity:g}, engine {args.engine}, seed {args.seed}, input: "
               f"{input_source}")
    document = run_document(
        accel="ese", workload=model.name, config=config.to_dict(), seed=args.seed,
        engine=args.engine, tech=args.tech, layers=chosen_run.layers,
        details={"prune": args.prune, "sparsity": args.sparsity, "frames": len(model.frames),
                 "input": input_source, "summary": chosen,
                 "comparison": {scheme: summary for scheme, (_, summary) in runs.items()}})

    def figure():
        from sparsesim.accelerators.ese.plots import imbalance_figure

        return imbalance_figure(runs, args.timeline_layer)

    ok = all(summary["output_ok"] for _, summary in runs.values())
    trace = None
    if args.trace:  # the chosen scheme once more, on the engine that logs every cycle
        traced, activity = trace_run(compile_scheme(model, args.prune, args.sparsity, config),
                                     seed=args.seed, tech=args.tech)
        ok = ok and traced.output_ok
        trace = chrome_trace(f"ese on {model.name}, {args.prune} pruning", activity,
                             config.clock_hz, args.trace_max_events,
                             {"accel": "ese", "engine": "reference"})
    return CommandOutput(heading + "\n" + table(runs), document, ok, figure, trace)


SWEEP = SweepHooks(
    aliases=FLAG_FIELDS,
    encoding_fields=ENCODING_FIELDS,
    rebind=lambda compiled, config: compiled.with_config(config),
    workload_fields=("pes_per_channel",),  # the design's workload prunes for its PEs
)


COMMAND = AcceleratorCommand(
    design=DESIGN,
    workloads=WORKLOAD_NAMES,
    add_arguments=add_arguments,
    run=run,
    sweep=SWEEP,
    traceable=True,
)
