"""The one JSON document every run produces, for every accelerator.

Keys: schema_version, sparsesim_version, accel, workload, config, seed, engine, tech,
layers (one SimResult each), totals (the same keys for every design) and details (the
design's or the command's extras). `run_document.schema.json` beside this module is its
JSON Schema. Bump SCHEMA_VERSION on any breaking change.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sparsesim.simulator.result import SimResult, array_figures

SCHEMA_VERSION = 1
SCHEMA_FILE = "run_document.schema.json"


def totals(layers: Sequence[SimResult]) -> dict[str, Any]:
    """Sums over layers; PE utilizations and load efficiency weighted by PE-cycles; power
    is total energy over total time."""
    energy = sum(r.energy_pj for r in layers)
    seconds = sum(r.seconds for r in layers)
    keys = sorted({k for r in layers for k in r.energy_breakdown_pj})
    return {
        "cycles": sum(r.cycles for r in layers),
        "seconds": seconds,
        "energy_pj": energy,
        "energy_breakdown_pj": {k: sum(r.energy_breakdown_pj.get(k, 0.0) for r in layers)
                                for k in keys},
        "power_w": energy * 1e-12 / seconds if seconds > 0 else 0.0,
        "macs_useful": sum(r.macs_useful for r in layers),
        **array_figures(layers),
        "output_ok": all(r.output_ok for r in layers),
        "max_abs_error": max((r.max_abs_error for r in layers), default=0.0),
        "wall_seconds": sum(r.wall_seconds for r in layers),
    }


def chip_area_mm2(layers: Sequence[SimResult]) -> float | None:
    """The chip's area over a run, mm^2: the largest of the layers' `details["area"]`
    (a chip holds every layer's buffers; for EIE all layers agree); None where the design
    models no area."""
    areas = [r.details["area"]["area_mm2"] for r in layers if "area" in r.details]
    return max(areas) if areas else None


def run_document(*, accel: str, workload: str, config: Mapping[str, Any], seed: int | None,
                 engine: str, tech: str, layers: Sequence[SimResult],
                 details: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The JSON-ready document of one run."""
    from sparsesim import __version__

    return {"schema_version": SCHEMA_VERSION, "sparsesim_version": __version__,
            "accel": accel, "workload": workload, "config": dict(config), "seed": seed,
            "engine": engine, "tech": tech, "layers": [r.to_dict() for r in layers],
            "totals": totals(layers), "details": dict(details or {})}
