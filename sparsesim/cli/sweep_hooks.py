"""What `sparsesim sweep` needs of a design beyond the protocol every design has
(sparsesim.accelerators.registry: workload, compile, run).

A worker loads each workload once, compiles it once per value of the design's encoding
fields, and runs every grid point that differs only in the other fields (queue depth,
clock, latencies, ...) on that one compiled form, rebound to the point's config.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sparsesim.accelerators.protocol import Design
from sparsesim.simulator.errors import UserError

PRESET_KEY = "preset"  # grid key choosing the preset the other keys modify


@dataclass(frozen=True)
class SweepHooks:
    """A design's sweep extras; the defaults suit a design whose compile is cheap."""

    aliases: Mapping[str, str] = field(default_factory=dict)  # grid key -> Config field
    # Config fields `compile` depends on, None: all of them (compiled again every point)
    encoding_fields: tuple[str, ...] | None = None
    # (compiled, config) -> the same encoding under a config that differs only in fields
    # outside encoding_fields; needed when encoding_fields is not None
    rebind: Callable[[Any, Any], Any] | None = None
    workload_fields: tuple[str, ...] = ()  # Config fields the design's workload() reads
    load_model: Callable[[str, int, Any], Any] | None = None  # (file, seed, config); None: refused
    compile_model: Callable[[Any, Any], Any] | None = None  # for load_model's output, if not
    #                                                         the design's own compile
    warm_up: Callable[[str], None] | None = None  # (engine): load kernels before forking


def config_from_point(design: Design, point: dict[str, Any], aliases: Mapping[str, str]) -> Any:
    """The point's preset (grid key `preset`, default the design's first) with the other
    keys' fields replaced; keys are Config field names or the command-line names in
    `aliases`. The Config validates the values."""
    preset = point.get(PRESET_KEY, next(iter(design.presets)))
    if preset not in design.presets:
        raise UserError(f"sweep: unknown preset {preset!r} for {design.name}; choose one of "
                        f"{', '.join(design.presets)}")
    base = design.presets[preset]
    names = {f.name for f in dataclasses.fields(base)}
    overrides = {}
    for key, value in point.items():
        if key == PRESET_KEY:
            continue
        name = aliases.get(key, key)
        if name not in names:
            raise UserError(f"sweep: unknown grid key {key!r} for {design.name}; use one of "
                            f"{', '.join(sorted({*aliases, *names, PRESET_KEY}))}")
        overrides[name] = value
    return dataclasses.replace(base, **overrides)


def fields_key(fields: tuple[str, ...] | None, config: dict[str, Any]) -> tuple:
    """The values of `fields` (None: every field) in a config dictionary."""
    names = sorted(config) if fields is None else fields
    return tuple(repr(config[name]) for name in names)
