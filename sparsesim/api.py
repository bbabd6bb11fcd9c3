"""The public Python API: list the designs, make a validated config, run, save.

    import sparsesim
    run = sparsesim.run("eie", workload="alexnet-fc8")
    run.output_ok, run.totals["cycles"], run.outputs      # numpy output of the last layer
    sparsesim.run("eie", model=my_scipy_or_numpy_matrix).totals
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from sparsesim.accelerators.protocol import Design
from sparsesim.accelerators.registry import DESIGNS, design
from sparsesim.document import run_document, totals
from sparsesim.simulator.atomic_file import write_atomically
from sparsesim.simulator.energy import load_table
from sparsesim.simulator.errors import ConfigError
from sparsesim.simulator.result import SimResult
from sparsesim.workloads.inputs import with_inputs
from sparsesim.workloads.readers import load_model


def accelerators() -> list[str]:
    """Names of every registered accelerator design."""
    return list(DESIGNS)


def _checked_value(accel: str, name: str, default: Any, value: Any) -> Any:
    """`value` if it has the kind of the field's default (ints stay whole, numbers stay
    finite, booleans and strings stay themselves), else a ConfigError."""
    kind = type(default)
    ok = (isinstance(value, bool) if kind is bool
          else isinstance(value, int | np.integer) and not isinstance(value, bool)
          if kind is int
          else isinstance(value, int | float | np.number) and not isinstance(value, bool)
          and math.isfinite(value) if kind is float
          else isinstance(value, kind))
    if not ok:
        raise ConfigError(f"{accel} config field {name} takes a {kind.__name__} like "
                          f"{default!r}; got {value!r}")
    return float(value) if kind is float else int(value) if kind is int else value


def config(accel: str, preset: str | None = None, **fields: Any) -> Any:
    """A frozen, validated Config of `accel`: the preset (default: the design's first)
    with `fields` replaced. Unknown fields and values of the wrong kind are refused."""
    d = design(accel)
    if preset is not None and preset not in d.presets:
        raise ConfigError(f"{accel} has no preset {preset!r}; choose one of "
                          f"{', '.join(d.presets)}")
    base = d.presets[preset] if preset is not None else d.default_config
    defaults = {f.name: getattr(base, f.name) for f in dataclasses.fields(base)}
    for name, value in fields.items():
        if name not in defaults:
            raise ConfigError(f"{accel} config has no field {name!r}; fields: "
                              f"{', '.join(sorted(defaults))}")
        fields[name] = _checked_value(accel, name, defaults[name], value)
    return dataclasses.replace(base, **fields)


def area(accel: str, config: Any = None, tech: str = "45nm") -> dict[str, Any]:
    """The chip's silicon area without simulating: `area_mm2`, `area_breakdown_mm2` (sums
    to it), the technology table and what is `not_modelled` (rules: simulator/area.py).
    `config` defaults to the design's first preset; a design that runs on a whole GPU
    or mobile-CPU die has no area model and is refused."""
    d = design(accel)
    if d.area is None:
        raise ConfigError(f"area is not modelled for {accel}: it runs on a whole GPU or "
                          "mobile-CPU die (see README, 'Silicon area')")
    return d.area(d.default_config if config is None else config, tech)


@dataclass(frozen=True)
class Run:
    """One run of one design: a SimResult per layer, the last layer's simulated output."""

    accel: str
    workload: str
    config: Any
    seed: int
    engine: str
    tech: str
    layers: tuple[SimResult, ...]
    outputs: np.ndarray | None

    @property
    def totals(self) -> dict[str, Any]:
        return totals(self.layers)

    @property
    def output_ok(self) -> bool:
        return all(r.output_ok for r in self.layers)

    def to_dict(self) -> dict[str, Any]:
        """The JSON document (see sparsesim/document.py and its schema)."""
        return run_document(accel=self.accel, workload=self.workload,
                            config=self.config.to_dict(), seed=self.seed, engine=self.engine,
                            tech=self.tech, layers=self.layers)

    def save_json(self, path: str | os.PathLike) -> None:
        """Write the JSON document to `path` atomically."""
        text = json.dumps(self.to_dict(), indent=2, sort_keys=True).encode()
        write_atomically(os.fspath(path), lambda handle: handle.write(text))


def _workload(d: Design, workload: str | None, model: Any, seed: int, cfg: Any) -> Any:
    if workload is not None and model is not None:
        raise ConfigError("give either workload= or model=, not both")
    if model is None:
        name = d.workloads[0] if workload is None else workload
        if name not in d.workloads and d.name != "stc":  # stc also takes any 'M,N,K'
            raise ConfigError(f"{d.name} has no workload {name!r}; choose one of "
                              f"{', '.join(d.workloads)}")
        return d.workload(name, seed, cfg)
    if d.from_model is None:
        raise ConfigError(f"{d.name} does not take models; use workload=")
    if isinstance(model, str | os.PathLike):
        # the design's own reader (e.g. patdnn's conv weights), else any format
        # workloads.readers reads
        model = d.read_model(model, seed) if d.read_model else load_model(model)
    return d.from_model(model, seed, cfg)


def run(accel: str, workload: str | None = None, model: Any = None, config: Any = None,
        engine: str | None = None, seed: int = 0, tech: str = "45nm",
        inputs: np.ndarray | None = None) -> Run:
    """Simulate `workload` (a built-in name) or `model` (a model file path, a Workload, a
    numpy or scipy.sparse weight matrix where the design takes one) on `accel`, with
    `config` (default: the design's first preset), `engine` (default: the design's
    first) and technology table `tech` for energy. `inputs` replaces the first layer's
    input (a vector for eie, frames (T, inputs) for ese); without it the model's stored
    input is used, else a seeded one."""
    d = design(accel)
    cfg = d.default_config if config is None else config
    if not isinstance(cfg, d.config_type):
        raise ConfigError(f"config for {accel} must be a {d.config_type.__name__} "
                          f"(sparsesim.config({accel!r}, ...)); got {type(cfg).__name__}")
    engine = d.engines[0] if engine is None else engine
    if engine not in d.engines:
        raise ConfigError(f"{accel} has no engine {engine!r}; choose one of "
                          f"{', '.join(d.engines)}")
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ConfigError(f"seed must be a whole number >= 0; got {seed!r}")
    load_table(tech)  # an unknown table fails here, before any simulation
    work = with_inputs(_workload(d, workload, model, int(seed), cfg), inputs)
    result = d.run(d.compile(work, cfg), engine=engine, seed=int(seed), tech=tech)
    return Run(accel, getattr(work, "name", str(workload)), cfg, int(seed), engine, tech,
               tuple(result.layers), result.outputs)
