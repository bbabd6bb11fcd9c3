"""ActivationQueue: a bounded FIFO in front of one PE, with occupancy history."""

from __future__ import annotations

from collections import deque
from typing import Any

import numpy as np
import simpy

from sparsesim.simulator.engine import Component, Engine
from sparsesim.simulator.stats import QueueStats

FLAG_TIMINGS = ("registered", "same_cycle")
"""How the FIFO's full and empty flags see this cycle's pops and pushes:
  registered  the flags are registers (as in the EIE authors' RTL-level simulator,
              RalphMao/EIE-simulator src/nzfetch.cpp): a pop frees its slot for a push
              only in the next cycle, and an entry pushed in cycle t can be popped in
              cycle t + 1 at the earliest;
  same_cycle  a slot popped in cycle t can be refilled in cycle t, and a consumer
              waiting on an empty queue takes an entry in the cycle it is pushed."""


class _CountingStore(simpy.Store):
    """A SimPy Store that tells its owner about every push and pop, and lets the owner
    hold back a head entry its consumer cannot see yet."""

    def __init__(self, owner: ActivationQueue, capacity: int) -> None:
        super().__init__(owner.engine.env, capacity=capacity)
        self.owner = owner

    def _do_put(self, event):
        if len(self.items) < self.capacity:
            super()._do_put(event)
            self.owner._pushed()

    def _do_get(self, event):
        if self.items and self.owner._head_visible():
            super()._do_get(event)
            self.owner._popped()
        elif self.items:
            self.owner._retry_next_cycle()


class ActivationQueue(Component):
    """Bounded FIFO of `depth_entries` usable entries feeding one consumer.

    A producer checks `full_flag()` before `put()`; putting into a full queue is a bug.
    The consumer does `item = yield queue.get()` and receives the head as soon as the
    flag timing (`FLAG_TIMINGS`) lets it see it. Occupancy is logged at each change, so
    its value at the end of every cycle can be rebuilt exactly (`occupancy_per_cycle`).
    """

    def __init__(self, engine: Engine, name: str, depth_entries: int,
                 flag_timing: str = "registered") -> None:
        if depth_entries < 1:
            raise ValueError(f"{name}: depth_entries must be >= 1, got {depth_entries}")
        if flag_timing not in FLAG_TIMINGS:
            raise ValueError(f"{name}: flag_timing must be one of {', '.join(FLAG_TIMINGS)}, "
                             f"got {flag_timing!r}")
        super().__init__(engine, name)
        self.depth_entries = depth_entries
        self.registered = flag_timing == "registered"
        self.stats = QueueStats()
        self._store = _CountingStore(self, depth_entries)
        self._push_cycles: deque[int] = deque()  # cycle each waiting entry was pushed
        self._pops_this_cycle = (-1, 0)  # (cycle, pops in it)
        self._retry_at = -1
        self._space_waiters: list[simpy.Event] = []
        self._log_cycles: list[int] = [0]
        self._log_occupancy: list[int] = [0]

    @property
    def occupancy(self) -> int:
        return len(self._store.items)

    def is_full(self) -> bool:
        """Every slot holds an entry now."""
        return self.occupancy >= self.depth_entries

    def full_flag(self) -> bool:
        """The full flag a producer sees this cycle: with registered flags, slots
        popped in this cycle still count as taken."""
        cycle, pops = self._pops_this_cycle
        freed = pops if self.registered and cycle == self.engine.now else 0
        return self.occupancy + freed >= self.depth_entries

    def put(self, item: Any) -> None:
        if self.is_full():
            raise RuntimeError(f"{self.name}: put into a full queue")
        self._push_cycles.append(self.engine.now)
        self._store.put(item)

    def get(self) -> simpy.Event:
        """Event yielding the head item; marks the consumer's wait if none is visible."""
        event = self._store.get()
        if not event.triggered:
            self.blocked_on = "an item (queue empty)"
        return event

    def space_freed(self) -> simpy.Event:
        """Event that fires at the next pop from this queue."""
        event = self.engine.env.event()
        self._space_waiters.append(event)
        return event

    def _head_visible(self) -> bool:
        return not self.registered or self._push_cycles[0] < self.engine.now

    def _retry_next_cycle(self) -> None:
        """The head was pushed this cycle: offer it to a waiting consumer next cycle."""
        if self._retry_at != self.engine.now + 1:
            self._retry_at = self.engine.now + 1
            wake = self.engine.env.timeout(1)
            wake.callbacks.append(lambda _: self._store._trigger_get(None))

    def _pushed(self) -> None:
        self.stats.pushes += 1
        self._changed()

    def _popped(self) -> None:
        self._push_cycles.popleft()
        cycle, pops = self._pops_this_cycle
        self._pops_this_cycle = (cycle, pops + 1) if cycle == self.engine.now else (
            self.engine.now, 1)
        self.stats.pops += 1
        self.blocked_on = None
        self._changed()
        waiters, self._space_waiters = self._space_waiters, []
        for event in waiters:
            event.succeed()

    def _changed(self) -> None:
        self.engine.progress()
        occupancy = self.occupancy
        self.stats.max_occupancy_entries = max(self.stats.max_occupancy_entries, occupancy)
        if self._log_cycles[-1] == self.engine.now:
            self._log_occupancy[-1] = occupancy
        else:
            self._log_cycles.append(self.engine.now)
            self._log_occupancy.append(occupancy)

    def occupancy_per_cycle(self, cycles: int) -> np.ndarray:
        """Occupancy in entries at the end of each cycle 0 .. cycles-1 (int16)."""
        out = np.zeros(cycles, dtype=np.int16)
        starts = self._log_cycles + [cycles]
        for i, value in enumerate(self._log_occupancy):
            out[starts[i]:starts[i + 1]] = value
        return out
