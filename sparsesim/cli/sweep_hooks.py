"""What an accelerator gives `sparsesim sweep`: small functions the sweep workers call.

A worker loads each workload once, compiles it once per value of the config's encoding
fields, and runs every grid point that differs only in timing fields (queue depth,
clock, latencies, ...) on that one compiled form.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sparsesim.simulator.errors import UserError
from sparsesim.simulator.result import SimResult


@dataclass(frozen=True)
class SweepHooks:
    """One accelerator as the sweep drives it."""

    default_workload: str  # what runs without --workload or --model
    config: Callable[[dict[str, Any]], Any]  # grid point -> validated frozen Config
    load: Callable[[str, int], Any]  # (built-in workload name, seed) -> workload
    compile: Callable[[Any, Any], Any]  # (workload, config) -> compiled form
    run: Callable[[Any, Any, str, int], list[SimResult]]  # (compiled, config, engine, seed)
    encoding_fields: tuple[str, ...] = ()  # Config fields `compile` depends on
    load_model: Callable[[str, int], Any] | None = None  # (model file, seed); None: refused
    aliases: Mapping[str, str] = field(default_factory=dict)  # grid key -> Config field
    warm_up: Callable[[str], None] | None = None  # (engine): load kernels before forking


def config_from_point(base: Any, point: dict[str, Any], aliases: Mapping[str, str],
                      accel: str) -> Any:
    """`base` with the grid point's fields replaced; keys are Config field names or the
    accelerator's command-line names in `aliases`. The Config validates the values."""
    names = {f.name for f in dataclasses.fields(base)}
    overrides = {}
    for key, value in point.items():
        name = aliases.get(key, key)
        if name not in names:
            raise UserError(f"sweep: unknown grid key {key!r} for {accel}; use one of "
                            f"{', '.join(sorted(set(aliases) | names))}")
        overrides[name] = value
    return dataclasses.replace(base, **overrides)


def encoding_key(hooks: SweepHooks, config: dict[str, Any]) -> tuple:
    """The values of the encoding fields in a config dictionary."""
    return tuple(config[field] for field in hooks.encoding_fields)
