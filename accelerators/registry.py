"""The accelerators the CLI knows, with their presets and how CLI flags map to fields."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from accelerators import eie
from simulator.result import SimResult


@dataclass(frozen=True)
class AcceleratorEntry:
    """How to run one accelerator from the command line."""

    description: str
    presets: dict[str, Any]  # name -> frozen Config
    default_preset: str
    default_workload: str
    engines: tuple[str, ...]
    flag_fields: dict[str, str]  # CLI option dest -> Config field
    run: Callable[..., list[SimResult]]  # run(workload, config, *, engine, seed)


ACCELERATORS: dict[str, AcceleratorEntry] = {
    "eie": AcceleratorEntry(
        description="EIE (Han et al., ISCA 2016): compressed sparse FC layers on a PE array",
        presets={"paper": eie.EIE_PAPER},
        default_preset="paper",
        default_workload="alexnet",
        engines=eie.ENGINES,
        flag_fields={"pes": "num_pes", "queue_depth": "queue_depth_entries",
                     "clock_mhz": "clock_mhz"},
        run=eie.run_workload,
    ),
}
