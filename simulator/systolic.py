"""SystolicArray: a rows x cols weight-stationary multiply-accumulate array."""

from __future__ import annotations

from dataclasses import dataclass

import simpy

from sparsesim.simulator.engine import Component, Engine


@dataclass
class ArrayStats:
    busy_cycles: int = 0
    macs: int = 0  # useful multiply-accumulates
    tiles: int = 0  # weight tiles loaded
    weight_loads: int = 0  # weight values loaded into the array's registers
    input_reads: int = 0  # input values streamed in (each row once per column of tiles)
    psum_updates: int = 0  # partial sums read and written back (once per row of tiles)


class SystolicArray(Component):
    """Multiplies an (m, k) matrix by a (k, n) one: the weights are cut into tiles of
    rows x cols, each tile holds still while the m input rows stream through. A tile
    takes m + rows + cols - 1 cycles (stream plus skewed fill and drain); the next
    tile's weights load behind the current one (double-buffered), so tiles follow
    back to back. m = 0 takes no time."""

    def __init__(self, engine: Engine, name: str, rows: int, cols: int) -> None:
        if rows < 1 or cols < 1:
            raise ValueError(f"{name}: rows and cols must be >= 1, got {rows} x {cols}")
        super().__init__(engine, name)
        self.rows, self.cols = rows, cols
        self.stats = ArrayStats()

    def tile_count(self, k: int, n: int) -> int:
        return -(-k // self.rows) * -(-n // self.cols)

    def matmul(self, m: int, k: int, n: int) -> simpy.Timeout:
        """Time an (m, k) x (k, n) product; yield the returned timeout."""
        tiles = self.tile_count(k, n) if m else 0
        cycles = tiles * (m + self.rows + self.cols - 1)
        self.stats.busy_cycles += cycles
        self.stats.macs += m * k * n
        self.stats.tiles += tiles
        if m:
            self.stats.weight_loads += k * n
            self.stats.input_reads += m * k * -(-n // self.cols)
            self.stats.psum_updates += m * n * -(-k // self.rows)
        return self.wait_cycles(cycles, "busy")
