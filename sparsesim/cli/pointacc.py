"""`sparsesim --accel pointacc`: a shipped point cloud through the PointAcc model."""

from __future__ import annotations

import argparse
import dataclasses
from collections.abc import Sequence

from sparsesim.accelerators.pointacc import model as pointacc
from sparsesim.accelerators.pointacc.design import DESIGN
from sparsesim.accelerators.pointacc.trace import trace_run
from sparsesim.cli.base import (
    AcceleratorCommand,
    CommandOutput,
)
from sparsesim.cli.cloud_flags import add_cloud_arguments, voxel_of
from sparsesim.cli.parser import positive_float, positive_int
from sparsesim.cli.sweep_hooks import SweepHooks
from sparsesim.document import run_document
from sparsesim.simulator.energy import load_table
from sparsesim.simulator.errors import WorkloadError
from sparsesim.simulator.result import SimResult
from sparsesim.simulator.trace import chrome_trace
from sparsesim.workloads.point_clouds import (
    CLOUD_NAMES,
    load_cloud,
    subsample,
)
from sparsesim.workloads.point_layers import point_workload

UP_AXIS = {"bunny": "y", "kitten": "y", "vlp16": "z"}  # for the --plot view
FLAG_FIELDS = {"mapper": "mapper", "comparators": "comparators",
               "distance_lanes": "distance_lanes", "array_rows": "array_rows",
               "array_cols": "array_cols", "dram_bytes_per_cycle": "dram_bytes_per_cycle",
               "clock_mhz": "clock_mhz"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_cloud_arguments(parser)
    parser.add_argument("--points", type=positive_int,
                        help="use a seeded random subset of this many points")
    parser.add_argument("--mapper", choices=pointacc.MAPPERS,
                        help="mapping unit: mergesort (PointAcc) or hash (baseline)")
    parser.add_argument("--comparators", type=positive_int,
                        help="merger comparisons (hash probes) per cycle (default 16)")
    parser.add_argument("--distance-lanes", type=positive_int,
                        help="squared distances per cycle (default 16)")
    parser.add_argument("--array-rows", type=positive_int, help="systolic rows (default 16)")
    parser.add_argument("--array-cols", type=positive_int, help="systolic cols (default 16)")
    parser.add_argument("--buffer-kib", type=positive_int,
                        help="on-chip feature buffer, KiB (default 256)")
    parser.add_argument("--dram-bytes-per-cycle", type=positive_int,
                        help="DRAM bandwidth, bytes per cycle (default 32)")
    parser.add_argument("--clock-mhz", type=positive_float, help="clock, MHz (default 1000)")


def config_from_args(args: argparse.Namespace) -> pointacc.PointAccConfig:
    overrides = {field: getattr(args, dest) for dest, field in FLAG_FIELDS.items()
                 if getattr(args, dest, None) is not None}
    if args.buffer_kib is not None:
        overrides["feature_buffer_bytes"] = args.buffer_kib * 1024
    return dataclasses.replace(pointacc.POINTACC_DEFAULT, **overrides)


def table(results: Sequence[SimResult]) -> str:
    head = (f"{'layer':6s} {'kind':15s} {'in_vox':>7s} {'out_pts':>7s} {'map_entries':>11s} "
            f"{'mapping_cyc':>11s} {'matmul_cyc':>10s} {'memory_cyc':>10s} {'cycles':>9s} "
            f"{'energy_uJ':>9s} {'power_mW':>8s} {'output':>6s}")
    rows = [head, "-" * len(head)]
    for r in results:
        d = r.details
        rows.append(f"{d['layer']:6s} {d['kind']:15s} {d['input_voxels']:7d} "
                    f"{d['output_points']:7d} {d['map_entries']:11d} {d['mapping_cycles']:11d} "
                    f"{d['matmul_cycles']:10d} {d['memory_cycles']:10d} {r.cycles:9d} "
                    f"{r.energy_pj * 1e-6:9.3f} {r.power_w * 1e3:8.1f} "
                    f"{'ok' if r.output_ok else 'WRONG':>6s}")
    rows.append("-" * len(head))
    total = sum(r.cycles for r in results)
    energy = sum(r.energy_pj for r in results)
    power = energy * 1e-12 / sum(r.seconds for r in results)
    rows.append(f"{'total':6s} {'':15s} {'':7s} {'':7s} "
                f"{sum(r.details['map_entries'] for r in results):11d} "
                f"{sum(r.details['mapping_cycles'] for r in results):11d} "
                f"{sum(r.details['matmul_cycles'] for r in results):10d} "
                f"{sum(r.details['memory_cycles'] for r in results):10d} {total:9d} "
                f"{energy * 1e-6:9.3f} {power * 1e3:8.1f} "
                f"{'ok' if all(r.output_ok for r in results) else 'WRONG':>6s}")
    return "\n".join(rows)


def layer_summary(result: SimResult) -> dict:
    """The per-layer figures the issue asks for, units in the names."""
    d = result.details
    return {"layer": d["layer"], "kind": d["kind"], "mapping_cycles": d["mapping_cycles"],
            "matmul_cycles": d["matmul_cycles"], "memory_cycles": d["memory_cycles"],
            "cycles": result.cycles, "map_entries": d["map_entries"],
            "energy_pj": result.energy_pj, "power_w": result.power_w,
            "output_ok": result.output_ok, "maps_ok": d["maps_ok"]}


def run(args: argparse.Namespace) -> CommandOutput:
    config = config_from_args(args)
    cloud = load_cloud(args.cloud)
    if args.points is not None and args.points > len(cloud.points):
        raise WorkloadError(f"--points {args.points} is more than the {len(cloud.points)} points "
                            f"of {args.cloud}; give at most {len(cloud.points)}")
    if args.points is not None:
        cloud = dataclasses.replace(cloud, points=subsample(cloud.points, args.points, args.seed))
    voxel = voxel_of(args)
    workload = point_workload(cloud, voxel, seed=args.seed)
    load_table(args.tech)  # an unknown table fails here, before any simulation
    compiled = pointacc.compile(workload, config)
    trace = None
    if args.trace:  # the one engine, recording every cycle
        results, activity = trace_run(compiled, seed=args.seed, tech=args.tech)
        trace = chrome_trace(f"pointacc on {args.cloud}", activity, config.clock_hz,
                             args.trace_max_events, {"accel": "pointacc", "engine": "reference"})
    else:
        results = pointacc.run(compiled, seed=args.seed, tech=args.tech)
    ok = all(r.output_ok for r in results)
    heading = (f"pointacc on {args.cloud} ({len(cloud.points)} points, voxel {voxel:g} -> "
               f"{len(workload.coords)} voxels): mapper {config.mapper}, {config.comparators} "
               f"comparators, {config.array_rows}x{config.array_cols} array, "
               f"{config.dram_bytes_per_cycle} B/cycle DRAM, seed {args.seed}")
    document = run_document(
        accel="pointacc", workload=workload.name, config=config.to_dict(), seed=args.seed,
        engine=args.engine, tech=args.tech, layers=results,
        details={"cloud": args.cloud, "points": len(cloud.points), "voxel_size": voxel,
                 "voxels": len(workload.coords), "encoded_bits": compiled.encoded_bits,
                 "summary": [layer_summary(r) for r in results]})

    def figure():
        from sparsesim.cli.pointacc_plot import pointacc_figure
        from sparsesim.workloads.point_clouds import voxelize

        return pointacc_figure(results, cloud.points, voxelize(cloud.points, voxel).point_voxel,
                               f"{args.cloud}, voxel {voxel:g}", UP_AXIS[args.cloud])

    return CommandOutput(heading + "\n" + table(results), document, ok, figure, trace)


SWEEP = SweepHooks(aliases=FLAG_FIELDS)  # packing keys is cheap: compiled at every point


COMMAND = AcceleratorCommand(
    design=DESIGN,
    workloads=CLOUD_NAMES,
    add_arguments=add_arguments,
    run=run,
    sweep=SWEEP,
    traceable=True,
)
