"""Watchdog: turns a hang into a DeadlockError that names the stuck components."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from sparsesim.simulator.errors import DeadlockError

if TYPE_CHECKING:
    from sparsesim.simulator.engine import Engine


class Watchdog:
    """Wakes every `engine.watchdog_cycles` cycles.

    It stops quietly once `complete()` holds. If no component made progress since the
    last wake-up and none is in a timed wait, the model is deadlocked: it raises.
    """

    def __init__(self, engine: Engine, complete: Callable[[], bool]) -> None:
        self.engine = engine
        self.complete = complete
        engine.process(self._run())

    def _run(self):
        engine = self.engine
        last = -1
        while True:
            if self.complete():
                return
            if engine.progress_count == last and not self._anyone_timed():
                stuck = [f"{c.name} waits for {c.blocked_on}" for c in engine.components
                         if c.blocked_on]
                raise DeadlockError(
                    f"no progress for {engine.watchdog_cycles} cycles at cycle {engine.now}: "
                    + ("; ".join(stuck) or "no component reports what it waits for")
                )
            last = engine.progress_count
            yield engine.env.timeout(engine.watchdog_cycles)

    def _anyone_timed(self) -> bool:
        """True if some component is inside a timed wait that has not ended yet."""
        return any(c.busy_until > self.engine.now for c in self.engine.components)
