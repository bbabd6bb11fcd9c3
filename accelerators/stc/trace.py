"""What each SM did during the 2:4 sparse kernel, from a recording engine's component
logs: per SM its tiles, each holding its memory waits, main-loop steps (touching
steps merged) and epilogue;
the launch overhead before them and idle time after the SM's last tile."""

from __future__ import annotations

from sparsesim.accelerators.stc import model as stc
from sparsesim.accelerators.stc.simulate import StreamingMultiprocessor
from sparsesim.simulator.engine import Engine, recording
from sparsesim.simulator.result import SimResult
from sparsesim.simulator.trace import LayerActivity, coalesce, with_gaps

TRACED_MODE = "sparse"  # the kernel SimResult.cycles describes


def kernel_activity(engine: Engine, result: SimResult, launch_cycles: int) -> LayerActivity:
    """The trace of one kernel run inside `recording()`; cycles shifted by the launch."""
    tracks = {}
    for sm in (c for c in engine.components if isinstance(c, StreamingMultiprocessor)):
        spans = [(a + launch_cycles, b + launch_cycles, kind) for a, b, kind in sm.activity]
        tiles = [s for s in spans if s[2].startswith("tile ")]
        work = with_gaps(coalesce(s for s in spans if not s[2].startswith("tile ")),
                         launch_cycles, result.cycles, "idle")
        tracks[f"SM {sm.index}"] = [(0, launch_cycles, "launch")] + tiles + work
    return LayerActivity(result.workload, result.cycles, tracks)


def trace_run(compiled: stc.CompiledGemm, tech: str = "45nm") -> tuple[SimResult, LayerActivity]:
    """Run both kernels on the reference engine (the fast one logs no cycles), recording;
    the result with the sparse kernel's activity."""
    with recording() as engines:
        result = stc.run(compiled, tech=tech, engine="reference")
    engine = engines[stc.MODES.index(TRACED_MODE)]
    return result, kernel_activity(engine, result, compiled.config.launch_overhead_cycles)
