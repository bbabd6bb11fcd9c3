"""What each EIE PE did cycle by cycle, from a recording reference engine's component
logs: per PE the useful / padding / empty_slice / stalled / starved / pipeline spans,
the queues' occupancy and the broadcast's stalls as counters.

Every PE pops every broadcast item in bus order, so its k-th busy interval is the k-th
broadcast column; within it the PE issues its run of that column one entry per cycle
(simulator.trace.issue_track).
"""

from __future__ import annotations

import numpy as np

from sparsesim.accelerators.eie.compile import CompiledLayer
from sparsesim.accelerators.eie.config import EIEConfig
from sparsesim.accelerators.eie.model import compile_workload, run_compiled
from sparsesim.simulator import Broadcast, ProcessingElement
from sparsesim.simulator.engine import Engine, recording
from sparsesim.simulator.queue import ActivationQueue
from sparsesim.simulator.result import SimResult
from sparsesim.simulator.trace import LayerActivity, issue_track, occupancy_counters, with_gaps
from sparsesim.workloads.layer import Workload


def layer_activity(compiled: CompiledLayer, engine: Engine, result: SimResult) -> LayerActivity:
    """The trace of one layer run on the reference engine inside `recording()`."""
    cfg = compiled.config
    components = engine.components
    pes = [c for c in components if isinstance(c, ProcessingElement)]
    queues = [c for c in components if isinstance(c, ActivationQueue)]
    (bus,) = [c for c in components if isinstance(c, Broadcast)]
    columns = [int(item[0]) for item in bus.items]
    labels = np.where(compiled.encoding.v != 0, "useful", "padding")
    end = result.cycles - (cfg.pipeline_stages - 1)  # last issue cycle + 1
    ptr = compiled.encoding.ptr
    tracks = {}
    for p, pe in enumerate(pes):
        runs = [labels[ptr[p, c]:ptr[p, c + 1]].tolist() for c in columns]
        spans = issue_track(pe.activity, runs, f"PE {p}")
        spans = [(0, cfg.lnzd_levels, "pipeline")] + spans + [(end, result.cycles, "pipeline")]
        tracks[f"PE {p}"] = with_gaps(spans, 0, result.cycles, "starved")
    return LayerActivity(compiled.name, result.cycles, tracks,
                         occupancy_counters(queues, bus.activity, result.cycles))


def trace_workload(workload: Workload, config: EIEConfig, seed: int | None = None,
                   tech: str = "45nm") -> tuple[list[SimResult], list[LayerActivity]]:
    """Run `workload` on the reference engine (the only one that logs per cycle) and
    return its results with each layer's activity."""
    compiled = compile_workload(workload, config)
    with recording() as engines:
        results, _ = run_compiled(compiled, engine="reference", seed=seed, tech=tech)
    return results, [layer_activity(c, e, r)
                     for c, e, r in zip(compiled.layers, engines, results)]
