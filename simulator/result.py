"""SimResult: what every accelerator run returns (JSON-ready, units in the names), and
the one builder every design uses to make it."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field, fields, is_dataclass
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
    macs_useful: int  # multiply-accumulates with a nonzero weight and a nonzero activation
    pe_utilization: float  # useful PE-cycles / (PEs x cycles)
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
    pe_issue_utilization: float = 0.0  # busy (issuing) PE-cycles / (PEs x cycles)
    # where every PE's cycles went: category -> per-PE cycles; the categories sum to
    # `cycles` for every PE (see CYCLE_CATEGORIES)
    pe_cycles: dict[str, list[int]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The fields as a new dict, nested containers copied (as dataclasses.asdict
        gives, without its generic deep copy of every number)."""
        return {f.name: _copied(getattr(self, f.name)) for f in fields(self)}

    def comparable(self) -> dict[str, Any]:
        """All fields except those that legitimately differ between engines."""
        out = self.to_dict()
        for key in ("engine", "wall_seconds"):
            out.pop(key)
        out["details"] = {k: v for k, v in out["details"].items() if k != "compile_seconds"}
        return out


_IMMUTABLE = (int, float, str, bool, type(None))


def _copied(value: Any) -> Any:
    """`value` with its dicts, lists and tuples copied; immutable scalars shared; other
    objects converted as dataclasses.asdict does."""
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if kind is dict:
        return {k: _copied(v) for k, v in value.items()}
    if kind is list:
        return [_copied(v) for v in value]
    if kind is tuple:
        return tuple(_copied(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return asdict(value)
    return copy.deepcopy(value)


# Per-PE cycle categories, in drawing order. Busy (issue) cycles split into the first
# four; a design lists only the categories it models.
CYCLE_CATEGORIES = {
    "useful": "a multiply-accumulate of a nonzero weight with a nonzero activation",
    "zero_activation": "a stored weight multiplied by a zero activation (broadcast anyway)",
    "padding": "a filler entry the sparse format stores to bridge a long run of zeros",
    "zero_weight": "math a unit runs on a zero of the weight operand: a padding slot or the "
                   "zeros of a stored block, a lane of a tile padded to the instruction shape, "
                   "a SIMD lane idle while its warp finishes a longer row",
    "empty_slice": "the one cycle a PE spends on a broadcast column with no entry for it",
    "stalled": "work held by a structural hazard (e.g. a pointer-bank conflict)",
    "starved": "nothing to do: its queue was empty or it waited on another unit",
    "pipeline": "pipeline fill and drain of the array (LNZD tree, last PE's stages)",
}


def pe_array_fields(busy: np.ndarray, stalled: np.ndarray, starved: np.ndarray,
                    cycles: int, *, busy_split: Mapping[str, np.ndarray] | None = None,
                    pipeline: int = 0) -> dict[str, Any]:
    """SimResult's per-PE keys and the array figures.

    `busy_split` divides each PE's busy cycles into categories of CYCLE_CATEGORIES
    (default: all busy cycles are useful); `pipeline` is the cycles every PE spends in
    the array's fill and drain. pe_utilization = useful PE-cycles / (PEs x cycles);
    pe_issue_utilization = busy PE-cycles / (PEs x cycles); load efficiency =
    1 - starved PE-cycles / (PEs x cycles). Raises RuntimeError (a model bug) unless the
    categories sum to `cycles` for every PE.
    """
    busy = np.asarray(busy, dtype=np.int64)
    split = {"useful": busy} if busy_split is None else dict(busy_split)
    unknown = set(split) - set(CYCLE_CATEGORIES)
    if unknown or not np.array_equal(sum(np.asarray(v) for v in split.values()), busy):
        raise RuntimeError(f"busy split {sorted(split)} does not add up to the busy cycles")
    categories = {**split, "stalled": stalled, "starved": starved}
    if pipeline:
        categories["pipeline"] = np.full(len(busy), pipeline, dtype=np.int64)
    per_pe = {k: [int(c) for c in categories[k]] for k in CYCLE_CATEGORIES if k in categories}
    totals = np.sum([per_pe[k] for k in per_pe], axis=0)
    if np.any(totals != cycles):
        raise RuntimeError(f"PE cycle accounting broken: categories sum to {totals.tolist()}, "
                           f"not {cycles} cycles")
    pe_cycles = max(1, len(busy) * cycles)
    return {"pe_busy_cycles": [int(b) for b in busy],
            "pe_stalled_cycles": per_pe["stalled"],
            "pe_starved_cycles": per_pe["starved"],
            "pe_cycles": per_pe,
            "pe_utilization": float(np.sum(split["useful"]) / pe_cycles),
            "pe_issue_utilization": float(np.sum(busy) / pe_cycles),
            "load_efficiency": float(1.0 - np.sum(starved) / pe_cycles)}


def array_figures(results: Sequence[SimResult]) -> dict[str, float]:
    """pe_utilization, pe_issue_utilization and load_efficiency over several results
    (layers), each weighted by its PE-cycles."""
    pe_cycles = [max(1, len(r.pe_busy_cycles)) * r.cycles for r in results]
    weight = max(1, sum(pe_cycles))
    return {key: sum(getattr(r, key) * c for r, c in zip(results, pe_cycles)) / weight
            for key in ("pe_utilization", "pe_issue_utilization", "load_efficiency")}


def make_result(*, accel: str, workload: str, config: Mapping[str, Any], seed: int | None,
                 engine: str, cycles: int, clock_hz: float, macs_useful: int,
                 busy: np.ndarray, stalled: np.ndarray, starved: np.ndarray,
                 busy_split: Mapping[str, np.ndarray] | None = None, pipeline: int = 0,
                 output_ok: bool, max_abs_error: float, wall_seconds: float,
                 energy_breakdown_pj: dict[str, float],
                 queue_stats: dict[str, Any] | None = None,
                 memory_stats: dict[str, Any] | None = None,
                 details: dict[str, Any] | None = None) -> SimResult:
    """The one SimResult builder: derives seconds, energy total and power, and the PE
    figures from the per-PE busy / stalled / starved cycles, the split of busy cycles
    and the pipeline cycles (see pe_array_fields)."""
    seconds = cycles / clock_hz
    return SimResult(
        accel=accel, workload=workload, config=dict(config), seed=seed, engine=engine,
        cycles=int(cycles), clock_hz=float(clock_hz), seconds=seconds,
        macs_useful=int(macs_useful), output_ok=bool(output_ok),
        max_abs_error=float(max_abs_error), wall_seconds=float(wall_seconds),
        **pe_array_fields(busy, stalled, starved, cycles, busy_split=busy_split,
                          pipeline=pipeline),
        **energy_fields(energy_breakdown_pj, seconds),
        queue_stats=queue_stats or {}, memory_stats=memory_stats or {},
        details=details or {})
