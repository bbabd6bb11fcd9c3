"""ProcessingElement: a compute block that counts its busy and stalled cycles."""

from __future__ import annotations

import simpy

from sparsesim.simulator.engine import Component, Engine
from sparsesim.simulator.stats import PEStats


class ProcessingElement(Component):
    """A PE of an array. Its behaviour is the accelerator's process; this class keeps
    the cycle accounting honest: every cycle spent goes through `busy` or `stall`.

    Cycles a PE neither works nor stalls are starvation; they are derived at the end
    as total minus busy minus stalled minus the array's pipeline fill and drain.
    """

    def __init__(self, engine: Engine, name: str, index: int) -> None:
        super().__init__(engine, name)
        self.index = index
        self.stats = PEStats()

    def busy(self, cycles: int) -> simpy.Timeout:
        """Work for `cycles` cycles."""
        self.stats.busy_cycles += cycles
        return self.wait_cycles(cycles, "busy")

    def stall(self, cycles: int) -> simpy.Timeout:
        """Hold work but make no progress for `cycles` cycles (a structural hazard)."""
        self.stats.stalled_cycles += cycles
        return self.wait_cycles(cycles, "stalled")
