"""Run a schedule on the CPU's cores: the SimPy reference (one process per core, one
timed step per block and output row, a barrier after the im2col phase) and the fast
engine (the same sums in closed form). Both give each core's busy cycles and the
layer's cycles, bit for bit equal."""

from __future__ import annotations

from dataclasses import dataclass

from sparsesim.accelerators.patdnn.config import PatDNNConfig
from sparsesim.accelerators.patdnn.schedule import Schedule
from sparsesim.simulator.engine import Component, Engine

ENGINES = ("reference", "fast")


@dataclass(frozen=True)
class Timing:
    cycles: int  # the layer, from start to the last core's finish
    busy: tuple[int, ...]  # cycles each core worked
    im2col_cycles: int  # the lowering phase up to its barrier (dense only)


def simulate_reference(schedule: Schedule, config: PatDNNConfig) -> Timing:
    engine = Engine()
    busy = [0] * config.threads
    lowered = [engine.env.event() for _ in range(config.threads)]
    barrier = {"cycle": 0}

    def core(t: int):
        unit = Component(engine, f"core{t}")
        for _ in range(schedule.im2col_rows[t]):
            step = schedule.tiles_per_row * schedule.im2col_tile_cycles
            yield unit.wait_cycles(step)
            busy[t] += step
        lowered[t].succeed()
        unit.blocked_on = "the im2col barrier"
        yield engine.env.all_of(lowered)
        barrier["cycle"] = engine.now
        for b, _, rows in schedule.threads[t]:
            step = schedule.tiles_per_row * schedule.tile_cycles(schedule.blocks[b], config)
            for _ in range(rows):
                yield unit.wait_cycles(step)
                busy[t] += step
        unit.blocked_on = None

    for t in range(config.threads):
        engine.process(core(t))
    engine.run(lambda: True)
    return Timing(engine.now, tuple(busy), barrier["cycle"])


def simulate_fast(schedule: Schedule, config: PatDNNConfig) -> Timing:
    lowering = [rows * schedule.tiles_per_row * schedule.im2col_tile_cycles
                for rows in schedule.im2col_rows]
    compute = [schedule.tiles_per_row *
               sum(rows * schedule.tile_cycles(schedule.blocks[b], config)
                   for b, _, rows in work)
               for work in schedule.threads]
    barrier = max(lowering)
    return Timing(barrier + max(compute), tuple(a + b for a, b in zip(lowering, compute)),
                  barrier)
