"""What each ESE PE and the element-wise unit did cycle by cycle, from a recording
reference engine's component logs: per PE the useful / zero_activation / padding /
empty_slice / stalled / starved spans, the element-wise unit's gate math, the queues'
occupancy and the buses' stalls as counters.

Every PE pops every item of every bus in bus order, so its k-th busy interval is the
k-th column sent over all of the layer's buses (simulator.trace.issue_track).
"""

from __future__ import annotations

import numpy as np

from sparsesim.accelerators.ese import model as ese
from sparsesim.accelerators.ese.compile import CompiledLSTM, CompiledLSTMLayer
from sparsesim.simulator import Broadcast, ProcessingElement
from sparsesim.simulator.engine import Engine, recording
from sparsesim.simulator.queue import ActivationQueue
from sparsesim.simulator.result import SimResult
from sparsesim.simulator.trace import LayerActivity, issue_track, occupancy_counters, with_gaps

ELEMENTWISE_KINDS = {"busy": "gate math", "wait": "pipeline drain"}


def layer_activity(compiled: CompiledLSTMLayer, engine: Engine,
                   result: SimResult) -> LayerActivity:
    """The trace of one layer run on the reference engine inside `recording()`."""
    n = compiled.config.pes_per_channel
    components = engine.components
    units = [c for c in components if isinstance(c, ProcessingElement)]
    (elementwise,) = [c for c in units if c.name == "elementwise"]
    pes = [c for c in units if c is not elementwise]
    if len(pes) != n:
        raise RuntimeError(f"ESE trace: the engine holds {len(pes)} PEs, the config {n}")
    queues = [c for c in components if isinstance(c, ActivationQueue)]
    buses = [c for c in components if isinstance(c, Broadcast)]
    encodings = {"gates": compiled.gates, "projection": compiled.projection}
    labels = {name: np.where(enc.v != 0, "useful", "padding") for name, enc in encodings.items()
              if enc is not None}
    items = [(segment.matrix, column, value) for bus in buses
             for segment, column, value, _ in bus.items]
    tracks = {}
    for p, pe in enumerate(pes):
        runs = []
        for matrix, column, value in items:
            ptr = encodings[matrix].ptr
            run = labels[matrix][ptr[p, column]:ptr[p, column + 1]].tolist()
            runs.append(run if value != 0.0 else
                        ["zero_activation" if x == "useful" else x for x in run])
        tracks[f"PE {p}"] = with_gaps(issue_track(pe.activity, runs, f"PE {p}"), 0,
                                      result.cycles, "starved")
    tracks["element-wise unit"] = [(a, b, ELEMENTWISE_KINDS[kind])
                                   for a, b, kind in elementwise.activity]
    return LayerActivity(compiled.name, result.cycles, tracks,
                         occupancy_counters(queues, [a for bus in buses for a in bus.activity],
                                            result.cycles))


def trace_run(compiled: CompiledLSTM, seed: int | None = None,
              tech: str = "45nm") -> tuple[ese.ESERun, list[LayerActivity]]:
    """Run every layer on the reference engine (the only one that logs per cycle) and
    return the run with each layer's activity."""
    with recording() as engines:
        run = ese.run(compiled, engine="reference", seed=seed, tech=tech)
    return run, [layer_activity(layer, engine, result)
                 for layer, engine, result in zip(compiled.layers, engines, run.layers)]
