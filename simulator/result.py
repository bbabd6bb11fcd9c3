"""SimResult: what every accelerator run returns (JSON-ready, units in the names)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np


@dataclass
class SimResult:
    """One layer on one accelerator. Per-PE lists are indexed by PE number.

    Cycle counts are whole cycles of the accelerator clock; `seconds` is
    cycles / clock_hz; `wall_seconds` is the host time the simulation took.
    """

    accel: str
    workload: str
    config: dict[str, Any]
    seed: int | None
    engine: str
    cycles: int
    clock_hz: float
    seconds: float
    macs_useful: int  # multiply-accumulates with nonzero weight and nonzero activation
    pe_busy_cycles: list[int]
    pe_stalled_cycles: list[int]
    pe_starved_cycles: list[int]
    pe_utilization: float  # mean over PEs of busy cycles / cycles
    load_efficiency: float  # 1 - starved PE-cycles / (PEs x cycles)
    queue_stats: dict[str, Any]
    memory_stats: dict[str, Any]
    output_ok: bool
    max_abs_error: float
    wall_seconds: float
    details: dict[str, Any] = field(default_factory=dict)  # accelerator-specific extras
    energy_pj: float | None = None  # total energy of the run (None: not modelled yet)
    energy_breakdown_pj: dict[str, float] = field(default_factory=dict)  # sums to energy_pj
    power_w: float | None = None  # energy_pj / seconds, in watts

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def comparable(self) -> dict[str, Any]:
        """All fields except those that legitimately differ between engines."""
        out = self.to_dict()
        for key in ("engine", "wall_seconds"):
            out.pop(key)
        out["details"] = {k: v for k, v in out["details"].items() if k != "compile_seconds"}
        return out


def pe_array_fields(busy: np.ndarray, stalled: np.ndarray, starved: np.ndarray,
                    cycles: int) -> dict[str, Any]:
    """SimResult's per-PE keys and the two array figures: utilization (busy PE-cycles over
    PEs x cycles) and load efficiency (1 - starved PE-cycles over PEs x cycles)."""
    pe_cycles = len(busy) * cycles
    return {"pe_busy_cycles": [int(b) for b in busy],
            "pe_stalled_cycles": [int(s) for s in stalled],
            "pe_starved_cycles": [int(s) for s in starved],
            "pe_utilization": float(np.sum(busy) / pe_cycles),
            "load_efficiency": float(1.0 - np.sum(starved) / pe_cycles)}
