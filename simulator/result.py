"""SimResult: what every accelerator run returns (JSON-ready, units in the names), and
the one builder every design uses to make it."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from sparsesim.simulator.energy import energy_fields


@dataclass
class SimResult:
    """One layer (or one GEMM) on one accelerator.

    Common to every design: cycles (whole cycles of the accelerator clock), seconds
    (cycles / clock_hz), energy (pJ) with its breakdown and power (W), useful
    multiply-accumulates, PE utilization, the output check, and the host time the
    simulation took. Per-PE lists are indexed by PE (or by the design's compute unit:
    SM, mapping/matrix unit); design-specific figures go in `details`.
    """

    accel: str
    workload: str
    config: dict[str, Any]
    seed: int | None
    engine: str
    cycles: int
    clock_hz: float
    seconds: float
    macs_useful: int  # multiply-accumulates with a nonzero weight
    pe_utilization: float  # busy PE-cycles / (PEs x cycles)
    load_efficiency: float  # 1 - starved PE-cycles / (PEs x cycles)
    output_ok: bool
    max_abs_error: float
    wall_seconds: float
    energy_pj: float
    energy_breakdown_pj: dict[str, float]  # sums to energy_pj
    power_w: float  # energy_pj / seconds
    pe_busy_cycles: list[int] = field(default_factory=list)
    pe_stalled_cycles: list[int] = field(default_factory=list)
    pe_starved_cycles: list[int] = field(default_factory=list)
    queue_stats: dict[str, Any] = field(default_factory=dict)
    memory_stats: dict[str, Any] = field(default_factory=dict)
    details: dict[str, Any] = field(default_factory=dict)  # design-specific extras

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
    pe_cycles = max(1, len(busy) * cycles)
    return {"pe_busy_cycles": [int(b) for b in busy],
            "pe_stalled_cycles": [int(s) for s in stalled],
            "pe_starved_cycles": [int(s) for s in starved],
            "pe_utilization": float(np.sum(busy) / pe_cycles),
            "load_efficiency": float(1.0 - np.sum(starved) / pe_cycles)}


def make_result(*, accel: str, workload: str, config: Mapping[str, Any], seed: int | None,
                 engine: str, cycles: int, clock_hz: float, macs_useful: int,
                 busy: np.ndarray, stalled: np.ndarray, starved: np.ndarray,
                 output_ok: bool, max_abs_error: float, wall_seconds: float,
                 energy_breakdown_pj: dict[str, float],
                 queue_stats: dict[str, Any] | None = None,
                 memory_stats: dict[str, Any] | None = None,
                 details: dict[str, Any] | None = None) -> SimResult:
    """The one SimResult builder: derives seconds, energy total and power, and the PE
    figures from the per-PE busy / stalled / starved cycles."""
    seconds = cycles / clock_hz
    return SimResult(
        accel=accel, workload=workload, config=dict(config), seed=seed, engine=engine,
        cycles=int(cycles), clock_hz=float(clock_hz), seconds=seconds,
        macs_useful=int(macs_useful), output_ok=bool(output_ok),
        max_abs_error=float(max_abs_error), wall_seconds=float(wall_seconds),
        **pe_array_fields(busy, stalled, starved, cycles),
        **energy_fields(energy_breakdown_pj, seconds),
        queue_stats=queue_stats or {}, memory_stats=memory_stats or {},
        details=details or {})
