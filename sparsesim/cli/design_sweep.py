"""Sweep support for any registered design, through the public API: grid keys are the
design's Config field names, plus `preset` to start from a named preset.

    sparsesim sweep --accel patdnn --workload lenet5 --grid preset=pattern,snapdragon855 threads=2,4
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sparsesim.accelerators.registry import design
from sparsesim.simulator.result import SimResult


def design_sweep(name: str) -> tuple[Callable[[dict[str, Any]], Any], Callable[..., list]]:
    """(sweep_config, sweep_run) for the registered design `name`."""
    from sparsesim.api import config as make_config

    def sweep_config(point: dict[str, Any]) -> Any:
        fields = dict(point)
        preset = fields.pop("preset", None)
        return make_config(name, preset, **fields)

    def sweep_run(workload: str, config: Any, *, engine: str, seed: int) -> list[SimResult]:
        d = design(name)
        compiled = d.compile(d.workload(workload, seed, config), config)
        return list(d.run(compiled, engine=engine, seed=seed).layers)

    return sweep_config, sweep_run
