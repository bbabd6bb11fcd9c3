"""`sparsesim sweep`: run a grid of configs x workloads, appending one JSON line per
finished run, so a killed sweep resumes and recomputes nothing.

    sparsesim sweep --accel eie --workload alexnet-fc7 --grid pes=1,2,4 queue_depth=1,8 \\
        --out results.jsonl [--seed 0 1] [--workers 2] [--scheduler ADDRESS] [--file grid.toml]

Grid keys are Config fields of the accelerator (or its command-line names: pes,
queue_depth, clock_mhz, ...); --model runs model files instead of built-in workloads.
Runs go to long-lived local worker processes, one chunk of points per compiled form (a
point that changes only timing fields reuses the compiled layer), or to a Dask cluster
given --scheduler. A TOML file may hold the same things: accel = "eie", workloads = [...]
or models = [...], seeds = [...], engine = "fast", and a [grid] table of lists;
command-line values take precedence.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import math
import multiprocessing
import os
import sys
import tomllib
from collections.abc import Iterator, Sequence
from pathlib import Path
from queue import Empty
from typing import Any

from tqdm import tqdm

from sparsesim.accelerators.registry import DESIGNS, design
from sparsesim.cli import sweep_worker
from sparsesim.cli.output_paths import check_output_path
from sparsesim.cli.sweep_pool import interrupts, worker_pool
from sparsesim.cli.sweep_store import ResultsFile, parse_value
from sparsesim.cli.sweep_worker import run_key
from sparsesim.simulator.energy import did_you_mean
from sparsesim.simulator.errors import UserError
from sparsesim.simulator.resources import refuse_beyond

FILE_KEYS = {"accel": str, "workloads": list, "models": list, "seeds": list, "engine": str,
             "grid": dict}
MAX_RUNS = 100_000  # runs one sweep may hold without --force; not published: our choice
MAX_GRID_FILE_BYTES = 1 << 20
MAX_WORKERS = 4 * (os.cpu_count() or 1)
SCHEDULER_TIMEOUT_S = 10  # seconds to wait for a Dask scheduler to answer


def parse_grid(items: Sequence[str]) -> dict[str, list[Any]]:
    grid: dict[str, list[Any]] = {}
    for item in items:
        key, sep, values = item.partition("=")
        parts = [v.strip() for v in values.split(",")]
        if not sep or not key.strip() or not all(parts):
            raise UserError(f"sweep: grid entry {item!r} must look like key=v1,v2,... "
                            "with no empty value")
        name = key.strip().replace("-", "_")
        if name in grid:
            raise UserError(f"sweep: grid key {name!r} is given twice; list its values once")
        grid[name] = [parse_value(v) for v in parts]
    return grid


def read_grid_file(path: str) -> dict[str, Any]:
    """The sweep TOML file, every key and type checked (unknown keys are refused)."""
    if not os.path.isfile(path):
        what = "not found" if not os.path.exists(path) else "is not a regular file"
        raise UserError(f"sweep: grid file {path} {what}; give a .toml file")
    if os.path.getsize(path) > MAX_GRID_FILE_BYTES:
        raise UserError(f"sweep: grid file {path} is over {MAX_GRID_FILE_BYTES} bytes; give "
                        "a sweep .toml file")
    try:
        with open(path, "rb") as handle:
            data = tomllib.loads(handle.read().decode("utf-8"))
    except UnicodeDecodeError:
        raise UserError(f"sweep: grid file {path} is not UTF-8 text; give a .toml file") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"sweep: grid file {path} is not valid TOML ({exc})") from None
    for key, value in data.items():
        if key not in FILE_KEYS:
            raise UserError(f"sweep: unknown key {key!r} in {path}"
                            f"{did_you_mean(key, FILE_KEYS)}")
        if not isinstance(value, FILE_KEYS[key]):
            kind = FILE_KEYS[key].__name__.replace("dict", "table").replace("str", "string")
            raise UserError(f"sweep: in {path}, {key} must be a {kind}, got {value!r:.40}")
    for key in ("workloads", "models", "seeds"):
        if key in data and not data[key]:
            raise UserError(f"sweep: in {path}, {key} is an empty list; give at least one")
    if not all(isinstance(s, int) and not isinstance(s, bool) and s >= 0
               for s in data.get("seeds", [])):
        raise UserError(f"sweep: in {path}, seeds must be whole numbers >= 0")
    for key in ("workloads", "models"):
        if not all(isinstance(w, str) for w in data.get(key, [])):
            raise UserError(f"sweep: in {path}, {key} must be names in quotes")
    for key, values in data.get("grid", {}).items():
        if not isinstance(values, list) or not values:
            raise UserError(f"sweep: in {path}, grid key {key!r} must be a non-empty list of "
                            "values")
    return data


def _model_digest(path: str) -> str:
    try:
        return hashlib.blake2b(Path(path).read_bytes(), digest_size=16).hexdigest()
    except FileNotFoundError:
        raise UserError(f"sweep: model file {path} not found; check the path") from None


def build_specs(args: argparse.Namespace, file_data: dict[str, Any]) -> list[dict[str, Any]]:
    """Every run of the grid, validated (configs built, workloads loaded) before any runs."""
    accel = args.accel or file_data.get("accel", "eie")
    if accel not in DESIGNS:
        raise UserError(f"sweep: unknown accelerator {accel!r}; choose one of "
                        f"{', '.join(DESIGNS)}")
    d, hooks = design(accel), sweep_worker.hooks_of(accel)
    models = args.model or file_data.get("models") or []
    if models and hooks.load_model is None:
        raise UserError(f"sweep: --accel {accel} takes no model files; use --workload")
    if models and (args.workload or file_data.get("workloads")):
        raise UserError("sweep: give --workload names or --model files, not both")
    sources = [{"workload": path, "model_digest": _model_digest(path)} for path in models]
    sources = sources or [{"workload": name} for name in
                          args.workload or file_data.get("workloads") or d.workloads[:1]]
    engine = args.engine or file_data.get("engine") or d.engines[0]
    if engine not in d.engines:
        raise UserError(f"sweep: engine {engine!r} not available; use {', '.join(d.engines)}")
    grid = {**{k.replace("-", "_"): v for k, v in file_data.get("grid", {}).items()},
            **parse_grid(args.grid or [])}
    seeds = args.seed if args.seed is not None else file_data.get("seeds", [0])
    runs = math.prod(len(v) for v in grid.values()) * len(sources) * len(seeds)
    refuse_beyond("this sweep", runs, MAX_RUNS, "runs", "use fewer grid values",
                  getattr(args, "force", False))
    specs, configs = [], {}
    keys = list(grid)
    for values in itertools.product(*(grid[k] for k in keys)):
        point = dict(zip(keys, values))
        config = sweep_worker.point_config(accel, point)  # validates before anything runs
        for source, seed in itertools.product(sources, seeds):
            spec = {"accel": accel, **source, "seed": seed, "engine": engine, "grid": point,
                    "config": config.to_dict()}
            configs.setdefault(sweep_worker.workload_key(spec), (spec, config))
            specs.append(spec)
    for spec, config in configs.values():
        sweep_worker.loaded(spec, config)  # a bad workload fails here; forked workers inherit
    if hooks.warm_up is not None:
        hooks.warm_up(engine)  # likewise the engine's kernel
    return specs


def connect(scheduler: str) -> Any:
    """A Dask client of `scheduler`, or one line saying why there is none."""
    try:
        from distributed import Client
    except ImportError:
        raise UserError("sweep: --scheduler needs Dask; pip install 'sparsesim[dask]'") from None
    try:
        return Client(scheduler, timeout=SCHEDULER_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 - any failure to connect is the user's address
        raise UserError(f"sweep: cannot reach the Dask scheduler {scheduler!r} within "
                        f"{SCHEDULER_TIMEOUT_S} s ({type(exc).__name__}); check the address, "
                        "e.g. tcp://host:8786") from None


def plan_chunks(specs: list[dict[str, Any]], workers: int) -> list[list[dict[str, Any]]]:
    """One chunk per compiled form (workload, seed, encoding fields); with fewer such
    groups than workers, groups are split so that every worker has work."""
    groups: dict[tuple, list[dict[str, Any]]] = {}
    for spec in specs:
        groups.setdefault(sweep_worker.chunk_key(spec), []).append(spec)
    pieces = -(-workers // len(groups)) if groups else 1
    return [group[i::pieces] for group in groups.values() for i in range(pieces)
            if group[i::pieces]]


def _pool_records(chunks: list[list[dict[str, Any]]],
                  workers: int) -> Iterator[dict[str, Any]]:
    """Records from long-lived local worker processes, each as soon as it finishes."""
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("fork" if "fork" in methods else None)
    queue = context.Queue()
    expected = sum(len(chunk) for chunk in chunks)
    with worker_pool(context, min(workers, len(chunks)), sweep_worker.set_sink,
                     (queue,)) as pool:
        tasks = [pool.apply_async(sweep_worker.run_chunk, (chunk,)) for chunk in chunks]
        while expected:
            try:
                record = queue.get(timeout=0.2)
            except Empty:
                for task in tasks:
                    if task.ready() and not task.successful():
                        task.get()  # raises the worker's error here
                continue
            expected -= 1
            yield record


def finished_records(chunks: list[list[dict[str, Any]]], workers: int,
                     scheduler: str | None) -> Iterator[dict[str, Any]]:
    """Yield records as runs finish: in this process, from local workers, or from a
    Dask cluster (there, a chunk's records arrive when the whole chunk is done)."""
    if scheduler:
        from distributed import as_completed as dask_completed

        with connect(scheduler) as client:
            futures = [client.submit(sweep_worker.run_chunk, chunk, pure=False)
                       for chunk in chunks]
            for future in dask_completed(futures):
                yield from future.result()
        return
    if workers == 1:
        for chunk in chunks:
            yield from map(sweep_worker.run_point, chunk)
        return
    yield from _pool_records(chunks, workers)


def build_parser() -> argparse.ArgumentParser:
    from sparsesim.cli.parser import Parser, non_negative_int, positive_int

    parser = Parser(prog="sparsesim sweep", description=__doc__.splitlines()[0])
    parser.add_argument("--accel", help="accelerator (default eie)")
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--workload", nargs="+", help="one or more built-in workloads")
    source.add_argument("--model", nargs="+", metavar="FILE",
                        help="one or more model files (eie: .npz model; stc: 2:4 model)")
    parser.add_argument("--grid", nargs="+", metavar="KEY=V1,V2", help="grid axes")
    parser.add_argument("--file", help="TOML file with accel, workloads, seeds, engine, [grid]")
    parser.add_argument("--seed", type=non_negative_int, nargs="+",
                        help="one or more seeds (default 0)")
    parser.add_argument("--engine", help="engine (default: the accelerator's default)")
    parser.add_argument("--out", required=True,
                        help="results file, appended: JSON lines, or CSV if it ends in .csv")
    parser.add_argument("--workers", type=positive_int, default=os.cpu_count() or 1,
                        help="local worker processes (default: all cores)")
    parser.add_argument("--scheduler", help="Dask scheduler address, e.g. tcp://host:8786")
    parser.add_argument("--force", action="store_true",
                        help=f"run a sweep of more than {MAX_RUNS} runs")
    return parser


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.workers > MAX_WORKERS:
        raise UserError(f"sweep: --workers {args.workers} is more than {MAX_WORKERS} (four per "
                        "core); use fewer")
    out = Path(args.out)
    check_output_path("--out", args.out)
    specs = build_specs(args, read_grid_file(args.file) if args.file else {})
    results = ResultsFile(out)
    results.check_owned(fix="give a new --out file")
    done = results.done_keys()
    pending = [spec for spec in specs if run_key(spec) not in done]
    if args.scheduler and pending:
        connect(args.scheduler).close()  # an unreachable scheduler fails before any output
    print(f"sweep: {len(specs)} runs, {len(specs) - len(pending)} already in {out}, "
          f"{len(pending)} to do", file=sys.stderr)
    bad = finished = 0

    def report() -> None:
        print(f"\nsweep: interrupted after {finished} of {len(pending)} runs, all saved in "
              f"{out}; run the same command to resume", file=sys.stderr, flush=True)

    try:
        with interrupts(report), tqdm(total=len(pending), unit="run", file=sys.stderr) as bar:
            chunks = plan_chunks(pending, args.workers)
            for record in finished_records(chunks, args.workers, args.scheduler):
                results.append(record)
                bad += not record["output_ok"]
                finished += 1
                bar.update(1)
    except KeyboardInterrupt:
        results.sync()
        return 130
    results.sync()
    print(f"wrote {out}")
    if bad:
        print(f"sweep: {bad} runs have output_ok false", file=sys.stderr)
    return 1 if bad else 0
