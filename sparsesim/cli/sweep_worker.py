"""Where a sweep's runs happen, in this process or a long-lived worker process.

A worker keeps what it loaded and compiled between grid points: each workload is loaded
once, and compiled once per value of the accelerator's encoding fields; points that
differ only in timing fields reuse that compiled form. Runs arrive in chunks of one
encoding each, so a worker compiles a chunk's encoding once.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sparsesim.cli.registry import ACCELERATORS
from sparsesim.cli.sweep_hooks import SweepHooks, encoding_key
from sparsesim.simulator.result import SimResult

COMPILED_KEPT = 2  # compiled forms a worker keeps (memory: a big layer's is ~100 MB)
RUN_KEY_FIELDS = ("accel", "workload", "model_digest", "seed", "engine", "config")

_loaded: dict[tuple, Any] = {}
_compiled: OrderedDict[tuple, Any] = OrderedDict()
_sink: Callable[[dict[str, Any]], None] | None = None  # set in pool workers


def hooks_of(accel: str) -> SweepHooks:
    return ACCELERATORS[accel].sweep


def run_key(spec: dict[str, Any]) -> str:
    """Identity of a run: accelerator, workload (and model file content), seed, engine
    and the full config."""
    return json.dumps({k: spec[k] for k in RUN_KEY_FIELDS if k in spec}, sort_keys=True)


def workload_key(spec: dict[str, Any]) -> tuple:
    return spec["accel"], spec["workload"], spec.get("model_digest"), spec["seed"]


def loaded(spec: dict[str, Any]) -> Any:
    """The spec's workload, loaded once per process (a model file when it has a digest)."""
    key = workload_key(spec)
    if key not in _loaded:
        hooks = hooks_of(spec["accel"])
        load = hooks.load_model if "model_digest" in spec else hooks.load
        _loaded[key] = load(spec["workload"], spec["seed"])
    return _loaded[key]


def chunk_key(spec: dict[str, Any]) -> tuple:
    """Runs with the same chunk key share one compiled form."""
    return (*workload_key(spec), encoding_key(hooks_of(spec["accel"]), spec["config"]))


def _compiled_for(spec: dict[str, Any], config: Any) -> Any:
    key = chunk_key(spec)
    if key in _compiled:
        _compiled.move_to_end(key)
    else:
        _compiled[key] = hooks_of(spec["accel"]).compile(loaded(spec), config)
        while len(_compiled) > COMPILED_KEPT:
            _compiled.popitem(last=False)
    return _compiled[key]


def _ratio_or_none(numerator: float, denominator: float) -> float | None:
    return numerator / denominator if denominator else None


def run_point(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one grid point and return its JSON record."""
    hooks = hooks_of(spec["accel"])
    config = hooks.config(spec["grid"])
    results = hooks.run(_compiled_for(spec, config), config, spec["engine"], spec["seed"])
    return {"run_key": run_key(spec),
            **{k: spec[k] for k in ("accel", "workload", "seed", "engine", "grid", "config")},
            **totals(results), "layers": [r.to_dict() for r in results]}


def totals(results: list[SimResult]) -> dict[str, Any]:
    """Sums over layers; utilization and load efficiency weighted by PE-cycles (None
    for a design that reports no PEs)."""
    pe_cycles = sum(r.cycles * len(r.pe_busy_cycles) for r in results)
    seconds = sum(r.seconds for r in results)
    energies = [r.energy_pj for r in results]
    energy = None if any(e is None for e in energies) else sum(energies)
    return {
        "cycles": sum(r.cycles for r in results),
        "seconds": seconds,
        "macs_useful": sum(r.macs_useful for r in results),
        "pe_utilization": _ratio_or_none(sum(sum(r.pe_busy_cycles) for r in results),
                                         pe_cycles),
        "load_efficiency": None if not pe_cycles else
        1 - sum(sum(r.pe_starved_cycles) for r in results) / pe_cycles,
        "output_ok": all(r.output_ok for r in results),
        "energy_pj": energy,
        "power_w": None if energy is None else energy * 1e-12 / seconds,
        "wall_seconds": sum(r.wall_seconds for r in results),
    }


def set_sink(queue: Any) -> None:
    """Pool initializer: send each finished record to `queue` at once."""
    global _sink
    _sink = queue.put


def run_chunk(chunk: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run a chunk's points in order; each record goes to the sink as it finishes when
    there is one (then nothing is returned), else all come back together."""
    records = []
    for spec in chunk:
        record = run_point(spec)
        if _sink is None:
            records.append(record)
        else:
            _sink(record)
    return records
