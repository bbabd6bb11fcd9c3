"""DRAMChannel: off-chip memory moving a fixed number of bytes per cycle."""

from __future__ import annotations

from dataclasses import dataclass

import simpy

from sparsesim.simulator.engine import Component, Engine


@dataclass
class DRAMStats:
    bytes_read: int = 0
    bytes_written: int = 0
    busy_cycles: int = 0  # cycles spent transferring
    transfers: int = 0


class DRAMChannel(Component):
    """One channel of `bytes_per_cycle` bytes per cycle, one transfer at a time (others
    queue); a transfer of b bytes keeps it busy ceil(b / bytes_per_cycle) cycles."""

    def __init__(self, engine: Engine, name: str, bytes_per_cycle: int) -> None:
        if bytes_per_cycle < 1:
            raise ValueError(f"{name}: bytes_per_cycle must be >= 1, got {bytes_per_cycle}")
        super().__init__(engine, name)
        self.bytes_per_cycle = bytes_per_cycle
        self.stats = DRAMStats()
        self.port = simpy.Resource(engine.env, capacity=1)

    def transfer(self, read_bytes: int = 0, write_bytes: int = 0):
        """Generator (use `yield from`): wait for the channel, then move the bytes."""
        with self.port.request() as turn:
            yield turn
            yield self._move(read_bytes, write_bytes)

    def _move(self, read_bytes: int, write_bytes: int) -> simpy.Timeout:
        self.stats.bytes_read += read_bytes
        self.stats.bytes_written += write_bytes
        self.stats.transfers += 1
        cycles = -(-(read_bytes + write_bytes) // self.bytes_per_cycle)
        self.stats.busy_cycles += cycles
        return self.wait_cycles(cycles, "busy")
