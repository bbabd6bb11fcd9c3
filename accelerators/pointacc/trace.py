"""What PointAcc's three units did cycle by cycle, from a recording engine's component
logs: the mapping unit (mapper or distance unit), the memory unit (DRAM channel) and the
matrix unit (systolic array), each working, waiting on a queue, or idle.

A unit's work covers its queue waits where both were logged at once (the DRAM channel
serves the mapping unit's key reads while the memory unit waits for a map).
"""

from __future__ import annotations

from sparsesim.accelerators.pointacc import model as pointacc
from sparsesim.accelerators.pointacc.mergesort import ComparatorUnit
from sparsesim.simulator.dram import DRAMChannel
from sparsesim.simulator.engine import Engine, recording
from sparsesim.simulator.result import SimResult
from sparsesim.simulator.systolic import SystolicArray
from sparsesim.simulator.trace import LayerActivity, painted

UNITS = {"mapping unit": (ComparatorUnit, "mapping"), "memory unit": (DRAMChannel, "transfer"),
         "matrix unit": (SystolicArray, "matmul")}  # track -> (component class, work name)


def layer_activity(engine: Engine, result: SimResult) -> LayerActivity:
    """The trace of one layer run inside `recording()`."""
    tracks = {}
    for track, (kind, work) in UNITS.items():
        logs = [a for c in engine.components if isinstance(c, kind) for a in c.activity]
        waiting = [a for a in logs if a[2] == "waiting"]
        busy = [(a, b, work) for a, b, k in logs if k == "busy"]
        tracks[track] = painted(result.cycles, [waiting, busy], "idle")
    return LayerActivity(result.details.get("layer", result.workload), result.cycles, tracks)


def trace_run(compiled: pointacc.CompiledPointAcc, seed: int | None = None,
              tech: str = "45nm") -> tuple[list[SimResult], list[LayerActivity]]:
    """Run every layer with its engine recording; the results with each layer's activity."""
    with recording() as engines:
        results = pointacc.run(compiled, seed=seed, tech=tech)
    return results, [layer_activity(e, r) for e, r in zip(engines, results)]
