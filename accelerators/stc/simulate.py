"""The GPU running one GEMM kernel on the SimPy engine (the reference model).

One SimPy process per SM. The block scheduler hands thread blocks out in order
(KernelPlan.block: bands of tile columns walked along M, the K slices of one output tile
together), each to the first SM that is free, so blocks run in waves over the SMs and
the last wave may leave SMs idle (the wave tail). Per block (an output tile, or one K
slice of it under split-K) an SM:
  1. prologue: issues the copies of the first `stages - 1` K steps;
  2. main loop, step k: waits until step k's operands are in shared memory (time spent
     here is L2/HBM wait), issues the copy for step k + stages - 1 into the buffer step
     k - 1 just freed, then computes for max(math, shared-memory) cycles;
  3. epilogue: stages C through shared memory and posts its stores (it does not wait
     for them; the kernel ends when the last store has reached memory).
Copies and stores go through two chip-wide bandwidth pipes, L2 and HBM; L2 holds
operand blocks (one K step of one tile row of A, or tile column of B) least recently
used first, so only misses use HBM bandwidth and latency.
Under split-K a second kernel then sums the partial tiles: its launch overhead plus its
bytes (partials read, C written) at the slower of L2 and HBM bandwidth, plus HBM latency.
The counters record which block ran (tile row, tile column, K slice) in issue order: the
functional model computes C from exactly those blocks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from sparsesim.accelerators.stc.config import STCConfig
from sparsesim.accelerators.stc.kernel import KernelPlan
from sparsesim.simulator.bandwidth import BandwidthPipe, PipeStats
from sparsesim.simulator.cache import CacheStats, LRUCache
from sparsesim.simulator.engine import Component, Engine


@dataclass
class SMStats:
    """Where one SM's cycles went until it finished its last tile."""

    math_cycles: int = 0  # tensor cores running (the step's math time)
    smem_cycles: int = 0  # step time beyond the math: shared memory was slower
    memory_wait_cycles: int = 0  # waiting for operands from L2 / HBM
    epilogue_cycles: int = 0  # staging C through shared memory
    tiles: int = 0
    steps: int = 0


class StreamingMultiprocessor(Component):
    """One SM: computes the tiles it is given, counting where its cycles go."""

    def __init__(self, engine: Engine, index: int) -> None:
        super().__init__(engine, f"sm{index}")
        self.index = index
        self.stats = SMStats()
        self.finished_at = 0


@dataclass
class KernelCounters:
    """What one kernel run counted. Per-SM arrays are indexed by SM."""

    kernel_cycles: int  # first tile issued -> last store in memory (launch not included)
    sm_math: np.ndarray
    sm_smem: np.ndarray
    sm_memory_wait: np.ndarray
    sm_epilogue: np.ndarray
    sm_idle: np.ndarray  # cycles after the SM's last tile (or all, if it got none)
    sm_tiles: np.ndarray
    steps: int  # main-loop steps run, all blocks
    reduction_cycles: int  # split-K reduction kernel, launch included (0 without split-K)
    schedule: list[tuple[int, int, int]]  # (tile row, tile column, K slice) per block run
    l2_pipe: PipeStats
    hbm_pipe: PipeStats
    l2_cache: CacheStats


def reduction_cycles(plan: KernelPlan, config: STCConfig) -> int:
    """The split-K reduction kernel: launch, its bytes at the slower link, HBM latency."""
    if not plan.reduction_bytes:
        return 0
    link = min(config.l2_bytes_per_clk, config.hbm_bytes_per_clk)
    return (config.launch_overhead_cycles + math.ceil(plan.reduction_bytes / link)
            + config.hbm_latency_cycles)


def simulate_kernel(plan: KernelPlan, config: STCConfig,
                    watchdog_cycles: int = 1_000_000) -> KernelCounters:
    engine = Engine(watchdog_cycles)
    l2_pipe = BandwidthPipe(engine, "l2", config.l2_bytes_per_clk)
    hbm_pipe = BandwidthPipe(engine, "hbm", config.hbm_bytes_per_clk)
    l2 = LRUCache("l2", config.l2_bytes)
    sms = [StreamingMultiprocessor(engine, i) for i in range(config.num_sms)]
    stages = config.pipeline_stages
    shared = {"next_tile": 0, "last_store": 0}  # block scheduler, store drain
    schedule: list[tuple[int, int, int]] = []

    def fetch(key: tuple, nbytes: int) -> int:
        """Cycle one operand block reaches shared memory, if requested now."""
        through_l2 = l2_pipe.transfer(nbytes)
        ready = l2.lookup(key, nbytes)
        if ready is not None:
            return max(through_l2 + config.l2_latency_cycles, ready)
        done = max(through_l2, hbm_pipe.transfer(nbytes)) + config.hbm_latency_cycles
        l2.insert(key, nbytes, done)
        return done

    def load(tile_m: int, tile_n: int, k: int) -> int:
        return max(fetch(("A", tile_m, k), plan.a_bytes_per_step),
                   fetch(("B", tile_n, k), plan.b_bytes_per_step))

    def sm_process(sm: StreamingMultiprocessor):
        stats = sm.stats
        while shared["next_tile"] < plan.tiles:
            tile_m, tile_n, k_slice = plan.block(shared["next_tile"])
            tile_start = engine.now
            schedule.append((tile_m, tile_n, k_slice))
            shared["next_tile"] += 1
            stats.tiles += 1
            steps = plan.slice_steps(k_slice)
            stats.steps += len(steps)
            ready = [load(tile_m, tile_n, k) for k in steps[:stages - 1]]
            for i in range(len(steps)):
                if ready[i] > engine.now:
                    stats.memory_wait_cycles += ready[i] - engine.now
                    yield sm.wait_cycles(ready[i] - engine.now, "memory wait")
                if i + stages - 1 < len(steps):
                    ready.append(load(tile_m, tile_n, steps[i + stages - 1]))
                stats.math_cycles += plan.math_cycles_per_step
                stats.smem_cycles += plan.step_cycles - plan.math_cycles_per_step
                yield sm.wait_cycles(plan.step_cycles, "main-loop step")
            stats.epilogue_cycles += plan.epilogue_smem_cycles
            yield sm.wait_cycles(plan.epilogue_smem_cycles, "epilogue")
            sm.record(tile_start, engine.now, f"tile {tile_m},{tile_n}"
                      + (f" k-slice {k_slice}" if plan.split_k > 1 else ""))
            stored = max(l2_pipe.transfer(plan.c_bytes_per_tile),
                         hbm_pipe.transfer(plan.c_bytes_per_tile)) + config.hbm_latency_cycles
            shared["last_store"] = max(shared["last_store"], stored)
        sm.finished_at = engine.now

    processes = [engine.process(sm_process(sm)) for sm in sms]
    engine.run(lambda: all(p.triggered for p in processes))
    end = max([shared["last_store"]] + [sm.finished_at for sm in sms])

    def per_sm(field: str) -> np.ndarray:
        return np.array([getattr(sm.stats, field) for sm in sms], dtype=np.int64)

    return KernelCounters(
        kernel_cycles=int(end),
        sm_math=per_sm("math_cycles"), sm_smem=per_sm("smem_cycles"),
        sm_memory_wait=per_sm("memory_wait_cycles"), sm_epilogue=per_sm("epilogue_cycles"),
        sm_idle=np.array([end - sm.finished_at for sm in sms], dtype=np.int64),
        sm_tiles=per_sm("tiles"), steps=int(per_sm("steps").sum()),
        reduction_cycles=reduction_cycles(plan, config), schedule=schedule,
        l2_pipe=l2_pipe.stats, hbm_pipe=hbm_pipe.stats, l2_cache=l2.stats,
    )
