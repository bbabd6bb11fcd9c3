"""`sparsesim sweep`: run a grid of configs x workloads, appending one JSON line per
finished run, so a killed sweep resumes and recomputes nothing.

    sparsesim sweep --accel eie --workload alexnet-fc7 --grid pes=1,2,4 queue_depth=1,8 \\
        --out results.jsonl [--seed 0 1] [--workers 2] [--scheduler ADDRESS] [--file grid.toml]

Runs go to a local process pool, or to a Dask distributed cluster given --scheduler.
A TOML file may hold the same things: accel = "eie", workloads = [...], seeds = [...],
engine = "fast", and a [grid] table of lists; command-line values take precedence.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
import tomllib
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

from tqdm import tqdm

from sparsesim.cli.registry import ACCELERATORS
from sparsesim.cli.sweep_store import ResultsFile, parse_value
from sparsesim.simulator.errors import UserError
from sparsesim.simulator.result import array_figures


def parse_grid(items: Sequence[str]) -> dict[str, list[Any]]:
    grid: dict[str, list[Any]] = {}
    for item in items:
        key, sep, values = item.partition("=")
        if not sep or not key or not values:
            raise UserError(f"sweep: grid entry {item!r} must look like key=v1,v2,...")
        grid[key.strip().replace("-", "_")] = [parse_value(v.strip()) for v in values.split(",")]
    return grid


def read_grid_file(path: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise UserError(f"sweep: grid file {path} not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"sweep: grid file {path} is not valid TOML ({exc})") from None
    grid = data.get("grid", {})
    if not isinstance(grid, dict) or not all(isinstance(v, list) for v in grid.values()):
        raise UserError(f"sweep: in {path}, [grid] must map each key to a list of values")
    return data


def run_key(spec: dict[str, Any]) -> str:
    """Identity of a run: accelerator, workload, seed, engine and the full config."""
    return json.dumps({k: spec[k] for k in ("accel", "workload", "seed", "engine", "config")},
                      sort_keys=True)


def _sum_or_none(values: list[float | None]) -> float | None:
    return None if any(v is None for v in values) else sum(values)


def run_point(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one grid point (in a worker process) and return its JSON record."""
    command = ACCELERATORS[spec["accel"]]
    config = command.sweep_config(spec["grid"])
    results = command.sweep_run(spec["workload"], config, engine=spec["engine"],
                                seed=spec["seed"])
    seconds = sum(r.seconds for r in results)
    energy = _sum_or_none([r.energy_pj for r in results])
    return {
        "run_key": run_key(spec), **{k: spec[k] for k in ("accel", "workload", "seed", "engine",
                                                          "grid", "config")},
        "cycles": sum(r.cycles for r in results),
        "seconds": seconds,
        "macs_useful": sum(r.macs_useful for r in results),
        **array_figures(results),
        "output_ok": all(r.output_ok for r in results),
        "energy_pj": energy,
        "power_w": None if energy is None else energy * 1e-12 / seconds,
        "wall_seconds": sum(r.wall_seconds for r in results),
        "layers": [r.to_dict() for r in results],
    }


def build_specs(args: argparse.Namespace, file_data: dict[str, Any]) -> list[dict[str, Any]]:
    accel = args.accel or file_data.get("accel", "eie")
    if accel not in ACCELERATORS:
        raise UserError(f"sweep: unknown accelerator {accel!r}; choose one of "
                        f"{', '.join(sorted(ACCELERATORS))}")
    command = ACCELERATORS[accel]
    if command.sweep_config is None:
        raise UserError(f"sweep: --accel {accel} cannot be swept yet")
    workloads = args.workload or file_data.get("workloads") or [command.workloads[0]]
    for name in workloads:
        if name not in command.workloads:
            raise UserError(f"sweep: unknown workload {name!r} for {accel}; choose from "
                            f"{', '.join(command.workloads)}")
    engine = args.engine or file_data.get("engine") or command.engines[0]
    if engine not in command.engines:
        raise UserError(f"sweep: engine {engine!r} not available; use {', '.join(command.engines)}")
    grid = {**{k.replace("-", "_"): v for k, v in file_data.get("grid", {}).items()},
            **parse_grid(args.grid or [])}
    seeds = args.seed if args.seed is not None else file_data.get("seeds", [0])
    specs = []
    keys = list(grid)
    for values in itertools.product(*(grid[k] for k in keys)):
        point = dict(zip(keys, values))
        config = command.sweep_config(point).to_dict()  # validates before anything runs
        for workload, seed in itertools.product(workloads, seeds):
            specs.append({"accel": accel, "workload": workload, "seed": seed, "engine": engine,
                          "grid": point, "config": config})
    return specs


def finished_records(pending: list[dict[str, Any]], workers: int,
                     scheduler: str | None) -> Iterator[dict[str, Any]]:
    """Yield records as runs finish, from a local pool or a Dask cluster."""
    if scheduler:
        try:
            from distributed import Client
            from distributed import as_completed as dask_completed
        except ImportError:
            raise UserError("sweep: --scheduler needs Dask; pip install 'sparsesim[dask]'"
                            ) from None
        with Client(scheduler) as client:
            futures = [client.submit(run_point, spec, pure=False) for spec in pending]
            for future in dask_completed(futures):
                yield future.result()
        return
    if workers == 1:
        yield from map(run_point, pending)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for future in as_completed([pool.submit(run_point, spec) for spec in pending]):
            yield future.result()


def build_parser() -> argparse.ArgumentParser:
    from sparsesim.cli.parser import Parser

    parser = Parser(prog="sparsesim sweep", description=__doc__.splitlines()[0])
    parser.add_argument("--accel", help="accelerator (default eie)")
    parser.add_argument("--workload", nargs="+", help="one or more workloads")
    parser.add_argument("--grid", nargs="+", metavar="KEY=V1,V2", help="grid axes")
    parser.add_argument("--file", help="TOML file with accel, workloads, seeds, engine, [grid]")
    parser.add_argument("--seed", type=int, nargs="+", help="one or more seeds (default 0)")
    parser.add_argument("--engine", help="engine (default: the accelerator's default)")
    parser.add_argument("--out", required=True,
                        help="results file, appended: JSON lines, or CSV if it ends in .csv")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="local worker processes (default: all cores)")
    parser.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.workers < 1:
        raise UserError(f"sweep: --workers must be >= 1, got {args.workers}")
    out = Path(args.out)
    if not out.parent.is_dir():
        raise UserError(f"sweep: folder {out.parent} does not exist; create it first")
    specs = build_specs(args, read_grid_file(args.file) if args.file else {})
    results = ResultsFile(out)
    done = results.done_keys()
    pending = [spec for spec in specs if run_key(spec) not in done]
    print(f"sweep: {len(specs)} runs, {len(specs) - len(pending)} already in {out}, "
          f"{len(pending)} to do", file=sys.stderr)
    bad = 0
    with tqdm(total=len(pending), unit="run", file=sys.stderr) as bar:
        for record in finished_records(pending, args.workers, args.scheduler):
            results.append(record)
            bad += not record["output_ok"]
            bar.update(1)
    print(f"wrote {out}")
    if bad:
        print(f"sweep: {bad} runs have output_ok false", file=sys.stderr)
    return 1 if bad else 0
