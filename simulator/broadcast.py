"""Broadcast: one item per cycle to many queues, stalling while any target is full."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sparsesim.simulator.engine import Component, Engine
from sparsesim.simulator.queue import ActivationQueue
from sparsesim.simulator.stats import BroadcastStats


class Broadcast(Component):
    """Bus that delivers `items`, in order, to every queue in `targets`.

    It starts at cycle `start_cycle` and delivers at most one item per cycle. In a
    cycle where any target is full it stalls; the check is made after the consumers
    have popped in that cycle (`Engine.settle`), so a slot freed in cycle t can be
    refilled in cycle t.
    """

    def __init__(self, engine: Engine, name: str, targets: Sequence[ActivationQueue],
                 items: Sequence[Any], start_cycle: int = 0) -> None:
        if not targets:
            raise ValueError(f"{name}: needs at least one target queue")
        if start_cycle < 0:
            raise ValueError(f"{name}: start_cycle must be >= 0, got {start_cycle}")
        super().__init__(engine, name)
        self.targets = list(targets)
        self.items = items
        self.start_cycle = start_cycle
        self.stats = BroadcastStats()
        self.last_transfer_cycle = -1
        self.done = len(items) == 0
        self.process = engine.process(self._run())  # ends the cycle after the last transfer

    def _run(self):
        engine = self.engine
        if self.items:
            yield self.wait_cycles(self.start_cycle, "start")
        for item in self.items:
            yield engine.settle()
            while True:
                full = next((q for q in self.targets if q.is_full()), None)
                if full is None:
                    break
                self.blocked_on = f"space in {full.name} (full, {full.depth_entries} entries)"
                waited_from = engine.now
                yield full.space_freed()
                yield engine.settle()
                self.stats.stall_cycles += engine.now - waited_from
                self.record(waited_from, engine.now, "stalled")
            self.blocked_on = None
            for queue in self.targets:
                queue.put(item)
            self.stats.transfers += 1
            self.last_transfer_cycle = engine.now
            yield self.wait_cycles(1, "transfer")
        self.done = True
