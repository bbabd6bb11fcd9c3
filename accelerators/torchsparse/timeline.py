"""One CUDA stream: the host launches kernels one after another (each launch costs the
preset's launch overhead on the host), the GPU runs them in order, each starting when
it has been launched and its predecessor has finished. The SimPy reference (a host and
a GPU process joined by a queue) and the fast recurrence give the same cycles."""

from __future__ import annotations

from collections.abc import Sequence

import simpy

from sparsesim.accelerators.torchsparse.kernels import Kernel
from sparsesim.simulator.engine import Component, Engine

ENGINES = ("reference", "fast")


def stream_reference(kernels: Sequence[Kernel], launch_cycles: int) -> int:
    """Cycle at which the last kernel ends."""
    engine = Engine()
    queue = simpy.Store(engine.env)
    state = {"end": 0}

    def host():
        unit = Component(engine, "host")
        for kernel in kernels:
            yield unit.wait_cycles(launch_cycles)
            yield queue.put(kernel)

    def gpu():
        unit = Component(engine, "gpu")
        for _ in kernels:
            unit.blocked_on = "a launched kernel"
            kernel = yield queue.get()
            yield unit.wait_cycles(kernel.cycles)
        state["end"] = engine.now

    engine.process(host())
    engine.process(gpu())
    engine.run(lambda: True)
    return state["end"]


def stream_fast(kernels: Sequence[Kernel], launch_cycles: int) -> int:
    end = 0
    for i, kernel in enumerate(kernels):
        end = max(end, (i + 1) * launch_cycles) + kernel.cycles
    return end


STREAMS = {"reference": stream_reference, "fast": stream_fast}
