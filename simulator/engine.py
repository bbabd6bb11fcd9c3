"""The discrete-event engine: one SimPy environment ticking in whole clock cycles.

Same-cycle ordering rule (the fast engines reproduce it exactly): within cycle t,
components whose timed waits end at t act first; a component that must see the state
*after* them (a broadcast checking queue space) calls `settle()` before looking.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

import simpy

from sparsesim.simulator.watchdog import Watchdog

_RECORDERS: ContextVar[list[Engine] | None] = ContextVar("sparsesim_recorders", default=None)


@contextmanager
def recording() -> Iterator[list[Engine]]:
    """Engines created inside the block log their components' activity (for traces)
    and are appended, in creation order, to the list this yields."""
    engines: list[Engine] = []
    token = _RECORDERS.set(engines)
    try:
        yield engines
    finally:
        _RECORDERS.reset(token)


class Component:
    """A hardware block: a name, the engine it lives in, and what it is waiting for.

    `blocked_on` is None while the block is working or done, else a sentence naming
    what it waits for; the watchdog quotes it when nothing moves. `busy_until` is the
    cycle its current timed wait ends (a block in a timed wait is not stuck). When its
    engine records, `activity` lists (start cycle, end cycle, kind) of every timed wait
    and of every other interval the block reports with `record`.
    """

    def __init__(self, engine: Engine, name: str) -> None:
        self.engine = engine
        self.name = name
        self.blocked_on: str | None = None
        self.busy_until = 0
        self.activity: list[tuple[int, int, str]] = []
        engine.components.append(self)

    def record(self, start: int, end: int, kind: str) -> None:
        """Log cycles start .. end - 1 as `kind`, if the engine records."""
        if self.engine.recording and end > start:
            self.activity.append((start, end, kind))

    def wait_cycles(self, cycles: int, kind: str = "wait") -> simpy.Timeout:
        """A timed wait of `cycles` whole cycles (the block is busy, not stuck), logged
        as `kind` when recording."""
        if cycles < 0 or int(cycles) != cycles:
            raise ValueError(f"{self.name}: wait must be a whole number of cycles, got {cycles}")
        self.blocked_on = None
        self.busy_until = self.engine.now + int(cycles)
        self.engine.progress()
        self.record(self.engine.now, self.busy_until, kind)
        return self.engine.env.timeout(int(cycles))


class Engine:
    """Owns the SimPy environment, the component list and the progress counter."""

    def __init__(self, watchdog_cycles: int = 10_000) -> None:
        if watchdog_cycles < 1:
            raise ValueError(f"watchdog_cycles must be >= 1, got {watchdog_cycles}")
        self.env = simpy.Environment()
        self.components: list[Component] = []
        self.progress_count = 0
        self.watchdog_cycles = watchdog_cycles
        recorders = _RECORDERS.get()
        self.recording = recorders is not None  # inside `with recording()`
        if recorders is not None:
            recorders.append(self)

    @property
    def now(self) -> int:
        """Current cycle."""
        return int(self.env.now)

    def progress(self) -> None:
        """Called by components whenever something moves (push, pop, transfer, work)."""
        self.progress_count += 1

    def settle(self) -> simpy.Timeout:
        """Zero-cycle wait that lets every event already due this cycle run first."""
        return self.env.timeout(0)

    def process(self, generator) -> simpy.Process:
        return self.env.process(generator)

    def run(self, complete: Callable[[], bool]) -> None:
        """Run until no events remain; `complete()` says whether the work is all done.

        Raises DeadlockError (from the watchdog) if nothing moves for
        `watchdog_cycles` cycles while work remains.
        """
        Watchdog(self, complete)
        self.env.run()
