"""The one shape every accelerator design has, as the library, the CLI, the sweep and
the conformance tests see it.

A design is a subpackage of `accelerators/` with a `design.py` defining `DESIGN`, and one
line in `registry.py`. The flow is always:

    workload = DESIGN.workload(name, seed, config)      # or DESIGN.from_model(obj, seed, config)
    compiled = DESIGN.compile(workload, config)          # the design's own encoding
    run = DESIGN.run(compiled, engine=..., seed=..., tech=...)   # -> DesignRun
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from sparsesim.simulator.errors import WorkloadError
from sparsesim.simulator.result import SimResult


@dataclass(frozen=True)
class DesignRun:
    """What one design run produced: a SimResult per layer (or GEMM) and the simulated
    numeric output of the last one (None where the design keeps no full output)."""

    layers: tuple[SimResult, ...]
    outputs: np.ndarray | None


@dataclass(frozen=True)
class Design:
    """One accelerator design.

    `presets` maps names to frozen Configs (the first is the default); `engines` lists
    the simulation engines (the first is the default; "reference" is always the SimPy
    model); `workloads` lists built-in workload names (the first is the default).
    """

    name: str
    description: str
    config_type: type
    presets: Mapping[str, Any]
    engines: tuple[str, ...]
    workloads: tuple[str, ...]
    workload: Callable[[str, int, Any], Any]  # (name, seed, config) -> workload
    compile: Callable[[Any, Any], Any]  # (workload, config) -> compiled
    run: Callable[..., DesignRun]  # (compiled, *, engine, seed, tech) -> DesignRun
    from_model: Callable[[Any, int, Any], Any] | None = None  # (model, seed, config) -> workload
    plots: Callable[[Sequence[SimResult]], Any] | None = None  # -> matplotlib Figure
    # (config, tech) -> the chip's area block (simulator.area.area_fields); None: a chip
    # we do not model as silicon (a whole GPU or mobile-CPU die)
    area: Callable[[Any, str], dict[str, Any]] | None = None
    # (path, seed) -> model: reads a model file (None: workloads.model_file.load_model)
    read_model: Callable[[Any, int], Any] | None = None

    @property
    def default_config(self) -> Any:
        return next(iter(self.presets.values()))


def paired_run(model_run: Callable[..., tuple[Sequence[SimResult], np.ndarray | None]]
               ) -> Callable[..., DesignRun]:
    """A Design.run from a model's run(compiled, *, engine, seed, tech) that returns
    (results, output)."""

    def run(compiled: Any, *, engine: str, seed: int | None = None,
            tech: str = "45nm") -> DesignRun:
        results, output = model_run(compiled, engine=engine, seed=seed, tech=tech)
        return DesignRun(tuple(results), output)

    return run


def expect_workload(obj: object, kind: type, design: str) -> Any:
    """obj when it is a `kind`, else one line naming what `design` runs."""
    if not isinstance(obj, kind):
        raise WorkloadError(f"{design} runs {kind.__name__} workloads "
                            f"({kind.__module__}.{kind.__qualname__}); got {type(obj).__name__}")
    return obj
