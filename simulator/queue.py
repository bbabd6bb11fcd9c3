"""ActivationQueue: a bounded FIFO in front of one PE, with occupancy history."""

from __future__ import annotations

from typing import Any

import numpy as np
import simpy

from sparsesim.simulator.engine import Component, Engine
from sparsesim.simulator.stats import QueueStats


class _CountingStore(simpy.Store):
    """A SimPy Store that tells its owner about every push and pop."""

    def __init__(self, owner: ActivationQueue, capacity: int) -> None:
        super().__init__(owner.engine.env, capacity=capacity)
        self.owner = owner

    def _do_put(self, event):
        if len(self.items) < self.capacity:
            super()._do_put(event)
            self.owner._pushed()

    def _do_get(self, event):
        if self.items:
            super()._do_get(event)
            self.owner._popped()


class ActivationQueue(Component):
    """Bounded FIFO of `depth_entries` entries feeding one consumer.

    A producer checks `is_full()` before `put()`; putting into a full queue is a bug.
    The consumer does `item = yield queue.get()` and receives the head in the same
    cycle it becomes available. Occupancy is logged at each change, so its value at
    the end of every cycle can be rebuilt exactly (`occupancy_per_cycle`).
    """

    def __init__(self, engine: Engine, name: str, depth_entries: int) -> None:
        if depth_entries < 1:
            raise ValueError(f"{name}: depth_entries must be >= 1, got {depth_entries}")
        super().__init__(engine, name)
        self.depth_entries = depth_entries
        self.stats = QueueStats()
        self._store = _CountingStore(self, depth_entries)
        self._space_waiters: list[simpy.Event] = []
        self._log_cycles: list[int] = [0]
        self._log_occupancy: list[int] = [0]

    @property
    def occupancy(self) -> int:
        return len(self._store.items)

    def is_full(self) -> bool:
        return self.occupancy >= self.depth_entries

    def put(self, item: Any) -> None:
        if self.is_full():
            raise RuntimeError(f"{self.name}: put into a full queue")
        self._store.put(item)

    def get(self) -> simpy.Event:
        """Event yielding the head item; marks the consumer's wait if the queue is empty."""
        event = self._store.get()
        if not event.triggered:
            self.blocked_on = "an item (queue empty)"
        return event

    def space_freed(self) -> simpy.Event:
        """Event that fires at the next pop from this queue."""
        event = self.engine.env.event()
        self._space_waiters.append(event)
        return event

    def _pushed(self) -> None:
        self.stats.pushes += 1
        self._changed()

    def _popped(self) -> None:
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
