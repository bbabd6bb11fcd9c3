"""BandwidthPipe: a shared link (L2, DRAM) that moves a fixed number of bytes per cycle.

Transfers are served first come, first served in the order they are requested: each
occupies the link for bytes / bytes_per_cycle cycles (kept exact as a fraction of a
cycle, so a link moving 1102.8 B/cycle is not rounded to 1102 or 1103), starting when
the link is free. The caller learns the whole cycle the data has passed and waits that
long itself; the pipe is a timing reservation, not a process.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from sparsesim.simulator.engine import Component, Engine


@dataclass
class PipeStats:
    transfers: int = 0
    bytes: int = 0
    busy_cycles: float = 0.0  # cycles the link was moving data
    queued_cycles: float = 0.0  # sum over transfers of cycles waited for the link


class BandwidthPipe(Component):
    """A link of `bytes_per_cycle` shared by every requester in the engine."""

    def __init__(self, engine: Engine, name: str, bytes_per_cycle: float) -> None:
        if not bytes_per_cycle > 0:
            raise ValueError(f"{name}: bytes_per_cycle must be > 0, got {bytes_per_cycle}")
        super().__init__(engine, name)
        self.bytes_per_cycle = float(bytes_per_cycle)
        self.free_at = 0.0  # cycle (fractional) the link finishes its last reserved transfer
        self.stats = PipeStats()

    def transfer(self, nbytes: int) -> int:
        """Reserve the link for `nbytes` now; returns the whole cycle the last byte is through."""
        now = self.engine.now
        start = max(float(now), self.free_at)
        duration = nbytes / self.bytes_per_cycle
        self.free_at = start + duration
        self.stats.transfers += 1
        self.stats.bytes += nbytes
        self.stats.busy_cycles += duration
        self.stats.queued_cycles += start - now
        self.engine.progress()
        return math.ceil(self.free_at)
