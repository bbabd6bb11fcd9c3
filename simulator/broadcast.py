"""Broadcast: one item per cycle to many queues, stalling while any target is full."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sparsesim.simulator.engine import Component, Engine
from sparsesim.simulator.queue import ActivationQueue
from sparsesim.simulator.stats import BroadcastStats


class Broadcast(Component):
    """Bus that delivers `items`, in order, to every queue in `targets`.

    Item i is ready `gaps[i]` cycles after the cycle following the previous delivery
    (the first: `start_cycle + gaps[0]` cycles after the bus is created); `gaps`
    defaults to zeros, i.e. at most one item per cycle. A ready item waits while any
    target's full flag is up (a stall); the flag is read after the consumers have
    popped in that cycle (`Engine.settle`), and each queue's flag timing says whether
    those pops already count.
    """

    def __init__(self, engine: Engine, name: str, targets: Sequence[ActivationQueue],
                 items: Sequence[Any], start_cycle: int = 0,
                 gaps: Sequence[int] | None = None) -> None:
        if not targets:
            raise ValueError(f"{name}: needs at least one target queue")
        if start_cycle < 0:
            raise ValueError(f"{name}: start_cycle must be >= 0, got {start_cycle}")
        if gaps is not None and (len(gaps) != len(items) or min(gaps, default=0) < 0):
            raise ValueError(f"{name}: gaps must hold one count >= 0 per item")
        super().__init__(engine, name)
        self.targets = list(targets)
        self.items = items
        self.gaps = [0] * len(items) if gaps is None else [int(g) for g in gaps]
        self.start_cycle = start_cycle
        self.stats = BroadcastStats()
        self.last_transfer_cycle = -1
        self.done = len(items) == 0
        self.process = engine.process(self._run())  # ends the cycle after the last transfer

    def _run(self):
        engine = self.engine
        ready = engine.now + self.start_cycle  # earliest cycle the next item can leave
        for item, gap in zip(self.items, self.gaps):
            ready += gap
            yield self.wait_cycles(ready - engine.now)
            yield engine.settle()
            while True:
                full = next((q for q in self.targets if q.full_flag()), None)
                if full is None:
                    break
                self.blocked_on = f"space in {full.name} (full, {full.depth_entries} entries)"
                if full.is_full():
                    yield full.space_freed()
                else:  # popped this cycle; the registered flag clears next cycle
                    yield self.wait_cycles(1)
                yield engine.settle()
            self.stats.stall_cycles += engine.now - ready
            self.record(ready, engine.now, "stalled")
            self.blocked_on = None
            for queue in self.targets:
                queue.put(item)
            self.stats.transfers += 1
            self.last_transfer_cycle = engine.now
            ready = engine.now + 1
        if self.items:
            yield self.wait_cycles(1)
        self.done = True
