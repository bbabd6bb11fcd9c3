"""`sparsesim --accel eie`: benchmark layers or a model file through the EIE model."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence

from sparsesim.accelerators.eie import model as eie
from sparsesim.accelerators.eie.compile import ENCODING_FIELDS
from sparsesim.accelerators.eie.design import DESIGN, named_workload
from sparsesim.accelerators.eie.trace import trace_workload
from sparsesim.cli.base import (
    AcceleratorCommand,
    CommandOutput,
)
from sparsesim.cli.eie_classify import classification
from sparsesim.cli.parser import positive_float, positive_int
from sparsesim.cli.sweep_hooks import SweepHooks
from sparsesim.document import run_document
from sparsesim.simulator.energy import load_table
from sparsesim.simulator.errors import UserError
from sparsesim.simulator.queue import FLAG_TIMINGS
from sparsesim.simulator.resources import EVENT_LIMIT, refuse_beyond, refuse_memory
from sparsesim.simulator.result import SimResult
from sparsesim.simulator.trace import chrome_trace
from sparsesim.workloads.eie_layers import WORKLOAD_NAMES
from sparsesim.workloads.layer import Workload
from sparsesim.workloads.model_file import LabelledImages, load_model, load_test_set
from sparsesim.workloads.readers import load_model as read_model
from sparsesim.workloads.readers.npz_archive import read_npy
from sparsesim.workloads.shipped_models import SHIPPED_MODELS

DEFAULT_WORKLOAD = "alexnet"
FLAG_FIELDS = {"pes": "num_pes", "queue_depth": "queue_depth_entries", "clock_mhz": "clock_mhz",
               "queue_flags": "queue_flag_timing"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--workload", help=f"built-in workload (default {DEFAULT_WORKLOAD})")
    source.add_argument("--model", help="model file to run: .npz (sparsesim, state dict or "
                        "scipy.sparse), .safetensors or .onnx")
    parser.add_argument("--input", metavar="FILE.npy",
                        help="input vector for the first layer (default: the model's stored "
                        "input, else seeded)")
    parser.add_argument("--pes", type=positive_int, help="number of PEs (default 64)")
    parser.add_argument("--queue-depth", type=positive_int,
                        help="activation queue depth, entries (default 8)")
    parser.add_argument("--clock-mhz", type=positive_float, help="clock, MHz (default 800)")
    parser.add_argument("--queue-flags", choices=FLAG_TIMINGS,
                        help="activation FIFO flag timing (default registered, as the authors' "
                             "RTL simulator; same_cycle is the earlier, optimistic timing)")
    parser.add_argument("--images", type=positive_int,
                        help="classify at most this many of the model's test images "
                             "(default all it carries)")


def config_from_args(args: argparse.Namespace) -> eie.EIEConfig:
    overrides = {field: getattr(args, dest) for dest, field in FLAG_FIELDS.items()
                 if getattr(args, dest, None) is not None}
    return dataclasses.replace(eie.EIE_PAPER, **overrides)


def table(results: Sequence[SimResult], total: dict) -> str:
    head = (f"{'layer':18s} {'cycles':>9s} {'time_us':>9s} {'pe_util':>8s} {'load_eff':>8s} "
            f"{'energy_uJ':>9s} {'power_mW':>8s} {'output':>7s}")
    rows = [head, "-" * len(head)]
    for r in results:
        rows.append(f"{r.details['layer']:18s} {r.cycles:9d} {r.seconds * 1e6:9.2f} "
                    f"{r.pe_utilization:8.3f} {r.load_efficiency:8.3f} "
                    f"{r.energy_pj * 1e-6:9.3f} {r.power_w * 1e3:8.1f} "
                    f"{'ok' if r.output_ok else 'WRONG':>7s}")
    rows.append("-" * len(head))
    rows.append(f"{'total':18s} {total['cycles']:9d} {total['seconds'] * 1e6:9.2f} "
                f"{total['pe_utilization']:8.3f} {total['load_efficiency']:8.3f} "
                f"{total['energy_pj'] * 1e-6:9.3f} {total['power_w'] * 1e3:8.1f} "
                f"{'ok' if total['output_ok'] else 'WRONG':>7s}")
    return "\n".join(rows)


# Host bytes per PE per matrix column (pointer, count and length arrays of the EIE-CSC
# encoding and the engine, int64) and per stored entry; our estimate from alexnet at
# 4096 PEs (a 2 GB peak), used to refuse runs that would not fit.
BYTES_PER_PE_COLUMN = 48
BYTES_PER_ENTRY = 16


def check_cost(workload: Workload, config: eie.EIEConfig, engine: str, force: bool) -> None:
    """Refuse, before simulating, a run whose memory or (SimPy engine) event count would
    exceed the run limits: events are one per stored entry plus one per PE per column."""
    columns = sum(layer.weights.shape[1] for layer in workload.layers)
    entries = sum(layer.weights.nnz for layer in workload.layers)
    memory = (BYTES_PER_PE_COLUMN * config.num_pes * max(layer.weights.shape[1] + 1
                                                         for layer in workload.layers)
              + BYTES_PER_ENTRY * entries)
    refuse_memory(f"eie on {workload.name} at {config.num_pes} PEs", memory,
                  "use fewer --pes or a smaller workload", force)
    if engine == "reference":
        refuse_beyond(f"the SimPy reference engine on {workload.name}",
                      entries + config.num_pes * columns, EVENT_LIMIT, "events",
                      "use --engine fast (identical results) or a smaller workload", force)


def chosen_workload(args: argparse.Namespace) -> tuple[Workload, LabelledImages | None,
                                                       str, tuple[str, ...]]:
    """The workload to run, the test images it carries, where its input came from, and
    the reader's notes."""
    x = read_npy(args.input) if args.input else None
    path = args.model or SHIPPED_MODELS.get(args.workload)
    if path:
        model = read_model(path)
        stored = model.input is not None
        workload = model.to_workload(args.seed, inputs=x)
        test = None
        if model.test_images is not None:
            test = load_test_set(path)
        notes = model.notes
    else:
        workload = named_workload(args.workload or DEFAULT_WORKLOAD, args.seed)
        stored, test, notes = True, None, ()
        if x is not None:
            workload = workload.with_input(x)
    source = (f"file {args.input}" if x is not None else
              "the model's stored input" if stored and path else
              f"seeded (seed {args.seed})")
    return workload, test, source, notes


def run(args: argparse.Namespace) -> CommandOutput:
    config = config_from_args(args)
    workload, test, input_source, notes = chosen_workload(args)
    load_table(args.tech)  # an unknown table fails here, before any simulation
    check_cost(workload, config, args.engine, getattr(args, "force", False))
    if test is None and args.images is not None:
        raise UserError("--images applies to a model that carries test images (e.g. --workload "
                        "lenet300-pruned or a `sparsesim prune --out` file); this one has none")
    trace = None
    if args.trace:
        results, activity = trace_workload(workload, config, seed=args.seed, tech=args.tech)
        trace = chrome_trace(f"eie on {workload.name}", activity, config.clock_hz,
                             args.trace_max_events, {"accel": "eie", "engine": "reference"})
    else:
        results = eie.run_workload(workload, config, engine=args.engine, seed=args.seed,
                                   tech=args.tech)
    engine = "reference" if args.trace else args.engine
    document = run_document(accel="eie", workload=workload.name, config=config.to_dict(),
                            seed=args.seed, engine=engine, tech=args.tech, layers=results)
    total = document["totals"]
    heading = (f"eie on {workload.name}: {config.num_pes} PEs at {config.clock_mhz:g} MHz, "
               f"queue depth {config.queue_depth_entries}, engine {engine}"
               f"{' (for --trace)' if args.trace else ''}, seed {args.seed}, input: "
               f"{input_source}" + "".join(f"\nnote: {note}" for note in notes))
    document["details"].update(input=input_source, notes=list(notes))
    text, ok = heading + "\n" + table(results, total), total["output_ok"]
    if test is not None:
        found, line = classification(workload, test, config, args.engine, args.images)
        document["details"]["classification"] = found
        text += "\n" + line
        ok = ok and found["classification_output_ok"] and (
            found["predictions_agree"] == found["images"])

    def figure():
        from sparsesim.simulator.plots import pe_activity_figure

        return pe_activity_figure(results)

    return CommandOutput(text, document, ok, figure, trace)


SWEEP = SweepHooks(
    aliases=FLAG_FIELDS,
    encoding_fields=ENCODING_FIELDS,
    rebind=lambda compiled, config: compiled.with_config(config),
    load_model=lambda path, seed, config: load_model(path, seed=seed),
    warm_up=eie.warm_up,
)


COMMAND = AcceleratorCommand(
    design=DESIGN,
    workloads=(*WORKLOAD_NAMES, *SHIPPED_MODELS),
    add_arguments=add_arguments,
    run=run,
    sweep=SWEEP,
    traceable=True,
)
