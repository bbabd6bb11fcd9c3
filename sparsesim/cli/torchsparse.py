"""`sparsesim --accel torchsparse`: a shipped point cloud's conv block as TorchSparse
runs it on a GPU (gather-matmul-scatter, offsets grouped).

    sparsesim --accel torchsparse --cloud kitten --grouping adaptive --json run.json
"""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence

from sparsesim.accelerators.torchsparse import model
from sparsesim.accelerators.torchsparse.config import GROUPINGS, PRESETS
from sparsesim.accelerators.torchsparse.design import DESIGN
from sparsesim.cli.base import AcceleratorCommand, CommandOutput
from sparsesim.cli.cloud_flags import add_cloud_arguments, voxel_of
from sparsesim.cli.parser import positive_int
from sparsesim.cli.sweep_hooks import SweepHooks
from sparsesim.document import run_document
from sparsesim.simulator.energy import load_table
from sparsesim.simulator.errors import ConfigError
from sparsesim.simulator.result import SimResult
from sparsesim.workloads.point_clouds import CLOUD_NAMES, load_cloud
from sparsesim.workloads.point_layers import point_workload


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_cloud_arguments(parser)
    parser.add_argument("--preset", choices=list(PRESETS), default=next(iter(PRESETS)),
                        help="GPU and dataflow (default a100: adaptive grouping, fused)")
    parser.add_argument("--grouping", choices=GROUPINGS,
                        help="offset matmuls: adaptive (TorchSparse), separate or padded")
    parser.add_argument("--epsilon", type=float,
                        help="adaptive grouping: redundant work allowed per real work")
    parser.add_argument("--mm-threshold-rows", type=positive_int,
                        help="adaptive grouping: maps this large run alone")
    parser.add_argument("--unfused", action="store_true",
                        help="one gather and one scatter kernel per group (no fusion)")


def table(results: Sequence[SimResult]) -> str:
    head = (f"{'layer':6s} {'in_vox':>7s} {'entries':>8s} {'groups':>6s} {'kernels':>7s} "
            f"{'redund':>6s} {'map_%':>6s} {'mm_%':>6s} {'move_%':>6s} {'us':>8s} "
            f"{'energy_uJ':>9s} {'output':>6s}")
    rows = [head, "-" * len(head)]
    for r in results:
        d = r.details
        rows.append(f"{d['layer']:6s} {d['input_voxels']:7d} {d['map_entries']:8d} "
                    f"{len(d['groups']):6d} {d['kernels_launched']:7d} "
                    f"{d['padding_redundancy']:6.2f} {100 * d['mapping_share']:6.1f} "
                    f"{100 * d['matmul_share']:6.1f} {100 * d['data_movement_share']:6.1f} "
                    f"{r.seconds * 1e6:8.2f} {r.energy_pj * 1e-6:9.3f} "
                    f"{'ok' if r.output_ok else 'WRONG':>6s}")
    return "\n".join(rows)


def run(args: argparse.Namespace) -> CommandOutput:
    overrides = {"grouping": args.grouping, "epsilon": args.epsilon,
                 "mm_threshold_rows": args.mm_threshold_rows}
    overrides = {k: v for k, v in overrides.items() if v is not None}
    if args.unfused:
        overrides["fused_gather_scatter"] = False
    config = dataclasses.replace(PRESETS[args.preset], **overrides)
    if config.grouping != "adaptive" and (args.epsilon is not None or
                                          args.mm_threshold_rows is not None):
        raise ConfigError("--epsilon and --mm-threshold-rows tune adaptive grouping; "
                          f"grouping here is {config.grouping} (add --grouping adaptive)")
    load_table(args.tech)  # an unknown table fails here, before any simulation
    voxel = voxel_of(args)
    workload = point_workload(load_cloud(args.cloud), voxel, seed=args.seed)
    results, _ = model.run(model.compile(workload, config), engine=args.engine,
                           seed=args.seed, tech=args.tech)
    heading = (f"torchsparse on {workload.name} ({len(workload.coords)} voxels): "
               f"{config.gpu}, grouping {config.grouping} (epsilon {config.epsilon:g}, "
               f"threshold {config.mm_threshold_rows} rows), fused gather/scatter "
               f"{config.fused_gather_scatter}, engine {args.engine}, seed {args.seed}")
    document = run_document(accel="torchsparse", workload=workload.name,
                            config=config.to_dict(), seed=args.seed, engine=args.engine,
                            tech=args.tech, layers=results,
                            details={"preset": args.preset, "cloud": args.cloud,
                                     "voxel_size": voxel})
    return CommandOutput(heading + "\n" + table(results), document,
                         all(r.output_ok for r in results))


SWEEP = SweepHooks()  # grid keys are config fields; compiled again at every point
COMMAND = AcceleratorCommand(
    design=DESIGN,
    workloads=CLOUD_NAMES,
    add_arguments=add_arguments,
    run=run,
    sweep=SWEEP,
)
