"""Where a sweep's runs happen, in this process or a long-lived worker process, through
the design registry (sparsesim.accelerators.registry) and the design's SweepHooks.

A worker keeps what it loaded and compiled between grid points: each workload is loaded
once, and compiled once per value of the design's encoding fields; points that differ
only in other fields reuse that compiled form. Runs arrive in chunks of one encoding
each, so a worker compiles a chunk's encoding once.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from sparsesim.accelerators.protocol import Design
from sparsesim.accelerators.registry import design
from sparsesim.cli.registry import ACCELERATORS
from sparsesim.cli.sweep_hooks import SweepHooks, config_from_point, fields_key
from sparsesim.document import chip_area_mm2, totals

COMPILED_KEPT = 2  # compiled forms a worker keeps (memory: a big layer's is ~100 MB)
RUN_KEY_FIELDS = ("accel", "workload", "model_digest", "seed", "engine", "config")

_loaded: dict[tuple, Any] = {}
_compiled: OrderedDict[tuple, Any] = OrderedDict()
_sink: Callable[[dict[str, Any]], None] | None = None  # set in pool workers


def hooks_of(accel: str) -> SweepHooks:
    """The design's sweep extras from its command-line adapter (defaults without one)."""
    command = ACCELERATORS.get(accel)
    return command.sweep if command is not None else SweepHooks()


def point_config(accel: str, point: dict[str, Any]) -> Any:
    """The validated Config of a grid point."""
    return config_from_point(design(accel), point, hooks_of(accel).aliases)


def run_key(spec: dict[str, Any]) -> str:
    """Identity of a run: accelerator, workload (and model file content), seed, engine
    and the full config."""
    return json.dumps({k: spec[k] for k in RUN_KEY_FIELDS if k in spec}, sort_keys=True)


def workload_key(spec: dict[str, Any]) -> tuple:
    """Runs with the same workload key share one loaded workload."""
    return (spec["accel"], spec["workload"], spec.get("model_digest"), spec["seed"],
            fields_key(hooks_of(spec["accel"]).workload_fields, spec["config"]))


def loaded(spec: dict[str, Any], config: Any) -> Any:
    """The spec's workload, loaded once per process (a model file when it has a digest)."""
    key = workload_key(spec)
    if key not in _loaded:
        if "model_digest" in spec:
            _loaded[key] = hooks_of(spec["accel"]).load_model(spec["workload"], spec["seed"],
                                                              config)
        else:
            _loaded[key] = design(spec["accel"]).workload(spec["workload"], spec["seed"], config)
    return _loaded[key]


def chunk_key(spec: dict[str, Any]) -> tuple:
    """Runs with the same chunk key share one compiled form."""
    return (*workload_key(spec),
            fields_key(hooks_of(spec["accel"]).encoding_fields, spec["config"]))


def _compile(d: Design, hooks: SweepHooks, spec: dict[str, Any], config: Any) -> Any:
    workload = loaded(spec, config)
    if "model_digest" in spec and hooks.compile_model is not None:
        return hooks.compile_model(workload, config)
    return d.compile(workload, config)


def compiled_for(spec: dict[str, Any], config: Any) -> Any:
    """The compiled form of the spec's workload for `config`: compiled once per chunk
    key and rebound to `config` when only fields outside the encoding differ."""
    d, hooks = design(spec["accel"]), hooks_of(spec["accel"])
    if hooks.encoding_fields is None:
        return _compile(d, hooks, spec, config)
    key = chunk_key(spec)
    if key in _compiled:
        _compiled.move_to_end(key)
    else:
        _compiled[key] = _compile(d, hooks, spec, config)
        while len(_compiled) > COMPILED_KEPT:
            _compiled.popitem(last=False)
    return hooks.rebind(_compiled[key], config)


def run_point(spec: dict[str, Any]) -> dict[str, Any]:
    """Run one grid point and return its JSON record."""
    config = point_config(spec["accel"], spec["grid"])
    results = list(design(spec["accel"]).run(compiled_for(spec, config), engine=spec["engine"],
                                             seed=spec["seed"]).layers)
    return {"run_key": run_key(spec),
            **{k: spec[k] for k in ("accel", "workload", "seed", "engine", "grid", "config")},
            **totals(results), "area_mm2": chip_area_mm2(results),
            "layers": [r.to_dict() for r in results]}


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
