"""The hardware blocks of one PointAcc layer run, built from a config, and the queues
between them (mapping unit -> memory unit -> matrix unit)."""

from __future__ import annotations

import simpy

from sparsesim.accelerators.pointacc.config import PointAccConfig
from sparsesim.accelerators.pointacc.distance import DistanceUnit
from sparsesim.accelerators.pointacc.hash import HashMapper
from sparsesim.accelerators.pointacc.mergesort import MergeSortMapper
from sparsesim.simulator.dram import DRAMChannel
from sparsesim.simulator.engine import Component, Engine
from sparsesim.simulator.systolic import SystolicArray

QUEUE_DEPTH = 2  # maps / gathered tiles in flight between units (double buffering)


class Units:
    """Engine, mapping unit (the configured mapper), distance unit, systolic array,
    DRAM channel and two bounded queues."""

    def __init__(self, config: PointAccConfig) -> None:
        self.config = config
        self.engine = Engine()
        mapper_class = MergeSortMapper if config.mapper == "mergesort" else HashMapper
        self.mapper = mapper_class(self.engine, config)
        self.distance = DistanceUnit(self.engine, config)
        self.array = SystolicArray(self.engine, "matrix", config.array_rows, config.array_cols)
        self.dram = DRAMChannel(self.engine, "dram", config.dram_bytes_per_cycle)
        env = self.engine.env
        self.maps = simpy.Store(env, capacity=QUEUE_DEPTH)  # mapping -> memory
        self.tiles = simpy.Store(env, capacity=QUEUE_DEPTH)  # memory -> matrix
        self.waiting_cycles = {"mapping": 0, "memory": 0, "matrix": 0}
        self.end_cycle = 0
        self.feature_writes = 0  # feature values written into the feature buffer
        self.done = False

    def wait(self, who: str, component: Component, event: simpy.Event, what: str):
        """Generator: wait on a queue event, counting the cycles as `who`'s waiting."""
        component.blocked_on = what
        start = self.engine.now
        item = yield event
        component.blocked_on = None
        self.waiting_cycles[who] += self.engine.now - start
        component.record(start, self.engine.now, "waiting")
        return item

    def finish(self) -> None:
        self.end_cycle = self.engine.now
        self.done = True

    def run(self) -> None:
        self.engine.run(lambda: self.done)
