"""The tensor core's fast engine: simulate.py's state machine as a numba event loop.

Same SMs, block scheduler, L2 / HBM links and L2 LRU cache as the SimPy reference, and the
same order of events: SimPy runs the process whose timeout is earliest, equal times in the
order the timeouts were created; here a binary heap keyed (cycle, creation number) does
the same, so every link reservation and cache access happens in the same order and every
counter matches the reference bit for bit (tests cross-check on a grid of shapes).

Per SM the phases are those of simulate.sm_process: START a block (prologue copies),
CHECK step i (wait for its operands), ISSUE step i (next copy, step time), EPILOGUE,
STORE. L2 blocks are numbered: A block (tile row r, step k) is r * k_steps + k, B block
(tile column c, step k) is (tiles_m + c) * k_steps + k; the LRU order is a doubly linked
list over those numbers.
"""

from __future__ import annotations

import math

import numpy as np

from sparsesim.accelerators.stc.config import STCConfig
from sparsesim.accelerators.stc.kernel import KernelPlan, band_tile
from sparsesim.accelerators.stc.simulate import KernelCounters, reduction_cycles
from sparsesim.simulator.bandwidth import PipeStats
from sparsesim.simulator.cache import CacheStats
from sparsesim.simulator.jit import jit

START, CHECK, ISSUE, EPILOGUE, STORE, DONE = 0, 1, 2, 3, 4, 5
NONE = -1


@jit(inline=True)
def _heap_push(times, seqs, sms, size, time, seq, sm):
    i = size
    times[i], seqs[i], sms[i] = time, seq, sm
    while i > 0:
        parent = (i - 1) // 2
        if (times[parent], seqs[parent]) <= (times[i], seqs[i]):
            break
        times[i], times[parent] = times[parent], times[i]
        seqs[i], seqs[parent] = seqs[parent], seqs[i]
        sms[i], sms[parent] = sms[parent], sms[i]
        i = parent
    return size + 1


@jit(inline=True)
def _heap_pop(times, seqs, sms, size):
    time, sm = times[0], sms[0]
    size -= 1
    times[0], seqs[0], sms[0] = times[size], seqs[size], sms[size]
    i = 0
    while True:
        left, smallest = 2 * i + 1, i
        if left < size and (times[left], seqs[left]) < (times[smallest], seqs[smallest]):
            smallest = left
        if left + 1 < size and (times[left + 1], seqs[left + 1]) < (times[smallest],
                                                                    seqs[smallest]):
            smallest = left + 1
        if smallest == i:
            break
        times[i], times[smallest] = times[smallest], times[i]
        seqs[i], seqs[smallest] = seqs[smallest], seqs[i]
        sms[i], sms[smallest] = sms[smallest], sms[i]
        i = smallest
    return time, sm, size


@jit(inline=True)
def _transfer(pipe, now, nbytes, bytes_per_cycle):
    """pipe = [free_at, transfers, bytes, busy_cycles, queued_cycles]; BandwidthPipe.transfer."""
    start = max(float(now), pipe[0])
    duration = nbytes / bytes_per_cycle
    pipe[0] = start + duration
    pipe[1] += 1
    pipe[2] += nbytes
    pipe[3] += duration
    pipe[4] += start - now
    return math.ceil(pipe[0])


@jit(inline=True)
def _unlink(key, prev, nxt, ends):
    if prev[key] != NONE:
        nxt[prev[key]] = nxt[key]
    else:
        ends[0] = nxt[key]
    if nxt[key] != NONE:
        prev[nxt[key]] = prev[key]
    else:
        ends[1] = prev[key]


@jit(inline=True)
def _append(key, prev, nxt, ends):
    prev[key], nxt[key] = ends[1], NONE
    if ends[1] != NONE:
        nxt[ends[1]] = key
    else:
        ends[0] = key
    ends[1] = key


@jit(inline=True)
def _fetch(key, nbytes, now, l2, hbm, rates, latency, capacity, held, ready_at, size_of, prev,
           nxt, ends, cache):
    """simulate.fetch: the cycle one operand block reaches shared memory, requested now;
    rates and latency: [l2, hbm] B/clk and cycles; capacity: L2 bytes."""
    through = _transfer(l2, now, nbytes, rates[0])
    if held[key]:
        _unlink(key, prev, nxt, ends)
        _append(key, prev, nxt, ends)
        cache[0] += 1
        cache[2] += nbytes
        return max(through + latency[0], ready_at[key])
    cache[1] += 1
    cache[3] += nbytes
    got = max(through, _transfer(hbm, now, nbytes, rates[1])) + latency[1]
    if nbytes <= capacity:  # larger than the whole cache: streamed, never held
        while cache[5] + nbytes > capacity:
            old = ends[0]
            _unlink(old, prev, nxt, ends)
            held[old] = False
            cache[5] -= size_of[old]
            cache[4] += 1
        held[key] = True
        ready_at[key] = got
        size_of[key] = nbytes
        cache[5] += nbytes
        _append(key, prev, nxt, ends)
    return got


@jit(inline=True)
def _load(row, col, k, now, tiles_m, k_steps, a_bytes, b_bytes, l2, hbm, rates, latency,
          capacity, held, ready_at, size_of, prev, nxt, ends, cache):
    """simulate.load: step k's A and B blocks, A first."""
    a = _fetch(row * k_steps + k, a_bytes, now, l2, hbm, rates, latency, capacity, held,
               ready_at, size_of, prev, nxt, ends, cache)
    b = _fetch((tiles_m + col) * k_steps + k, b_bytes, now, l2, hbm, rates, latency, capacity,
               held, ready_at, size_of, prev, nxt, ends, cache)
    return max(a, b)


_band_tile = jit(band_tile, inline=True)


@jit
def _simulate(tiles_m, tiles_n, split_k, band, k_steps, per_slice, a_bytes, b_bytes, step_cycles,
              math_cycles, epilogue_cycles, c_bytes, num_sms, stages, l2_bw, hbm_bw, l2_lat,
              hbm_lat, l2_capacity):
    blocks = tiles_m * tiles_n * split_k
    keys = (tiles_m + tiles_n) * k_steps
    held = np.zeros(keys, np.bool_)
    ready_at = np.zeros(keys, np.int64)
    size_of = np.zeros(keys, np.int64)
    prev = np.full(keys, NONE, np.int64)
    nxt = np.full(keys, NONE, np.int64)
    ends = np.array([NONE, NONE], np.int64)  # least, most recently used
    cache = np.zeros(6, np.int64)  # hits, misses, hit bytes, miss bytes, evictions, used bytes
    l2 = np.zeros(5, np.float64)
    hbm = np.zeros(5, np.float64)
    rates = np.array([l2_bw, hbm_bw], np.float64)
    latency = np.array([l2_lat, hbm_lat], np.int64)
    phase = np.zeros(num_sms, np.int64)
    step = np.zeros(num_sms, np.int64)  # index within the block's steps
    first = np.zeros(num_sms, np.int64)  # the block's first step
    count = np.zeros(num_sms, np.int64)  # the block's number of steps
    row = np.zeros(num_sms, np.int64)
    col = np.zeros(num_sms, np.int64)
    ready = np.zeros((num_sms, per_slice), np.int64)
    stats = np.zeros((num_sms, 6), np.int64)  # math, smem, wait, epilogue, blocks, steps
    finished = np.zeros(num_sms, np.int64)
    schedule = np.zeros((blocks, 3), np.int64)
    times = np.zeros(num_sms, np.int64)
    seqs = np.zeros(num_sms, np.int64)
    sms = np.zeros(num_sms, np.int64)
    size = 0
    seq = 0
    for sm in range(num_sms):
        size = _heap_push(times, seqs, sms, size, 0, seq, sm)
        seq += 1
    next_block = 0
    last_store = 0
    while size > 0:
        now, sm, size = _heap_pop(times, seqs, sms, size)
        waiting = False
        while not waiting:
            p = phase[sm]
            if p == START:
                if next_block >= blocks:
                    finished[sm] = now
                    phase[sm] = DONE
                    break
                tile, k_slice = divmod(next_block, split_k)
                row[sm], col[sm] = _band_tile(tile, tiles_m, tiles_n, band)
                schedule[next_block, 0] = row[sm]
                schedule[next_block, 1] = col[sm]
                schedule[next_block, 2] = k_slice
                next_block += 1
                first[sm] = k_slice * per_slice
                count[sm] = min(per_slice, k_steps - first[sm])
                stats[sm, 4] += 1
                stats[sm, 5] += count[sm]
                step[sm] = 0
                for i in range(min(stages - 1, count[sm])):
                    ready[sm, i] = _load(row[sm], col[sm], first[sm] + i, now, tiles_m, k_steps,
                                         a_bytes, b_bytes, l2, hbm, rates, latency,
                                         l2_capacity, held, ready_at, size_of, prev, nxt, ends,
                                         cache)
                phase[sm] = CHECK
            elif p == CHECK:
                i = step[sm]
                if i == count[sm]:
                    phase[sm] = EPILOGUE
                elif ready[sm, i] > now:
                    stats[sm, 2] += ready[sm, i] - now
                    size = _heap_push(times, seqs, sms, size, ready[sm, i], seq, sm)
                    seq += 1
                    phase[sm] = ISSUE
                    waiting = True
                else:
                    phase[sm] = ISSUE
            elif p == ISSUE:
                i = step[sm]
                j = i + stages - 1
                if j < count[sm]:
                    ready[sm, j] = _load(row[sm], col[sm], first[sm] + j, now, tiles_m, k_steps,
                                         a_bytes, b_bytes, l2, hbm, rates, latency,
                                         l2_capacity, held, ready_at, size_of, prev, nxt, ends,
                                         cache)
                stats[sm, 0] += math_cycles
                stats[sm, 1] += step_cycles - math_cycles
                step[sm] = i + 1
                size = _heap_push(times, seqs, sms, size, now + step_cycles, seq, sm)
                seq += 1
                phase[sm] = CHECK
                waiting = True
            elif p == EPILOGUE:
                stats[sm, 3] += epilogue_cycles
                size = _heap_push(times, seqs, sms, size, now + epilogue_cycles, seq, sm)
                seq += 1
                phase[sm] = STORE
                waiting = True
            else:  # STORE
                stored = max(_transfer(l2, now, c_bytes, l2_bw),
                             _transfer(hbm, now, c_bytes, hbm_bw)) + hbm_lat
                last_store = max(last_store, stored)
                phase[sm] = START
    return stats, finished, last_store, schedule, l2, hbm, cache


def simulate_fast(plan: KernelPlan, config: STCConfig) -> KernelCounters:
    """The counters simulate.simulate_kernel gives, from the numba event loop."""
    stats, finished, last_store, schedule, l2, hbm, cache = _simulate(
        plan.tiles_m, plan.tiles_n, plan.split_k, plan.band, plan.k_steps, plan.k_steps_per_slice,
        plan.a_bytes_per_step, plan.b_bytes_per_step, plan.step_cycles,
        plan.math_cycles_per_step, plan.epilogue_smem_cycles, plan.c_bytes_per_tile,
        config.num_sms, config.pipeline_stages, float(config.l2_bytes_per_clk),
        float(config.hbm_bytes_per_clk), config.l2_latency_cycles, config.hbm_latency_cycles,
        config.l2_bytes)
    end = int(max(last_store, finished.max()))

    def pipe(state: np.ndarray) -> PipeStats:
        return PipeStats(transfers=int(state[1]), bytes=int(state[2]),
                         busy_cycles=float(state[3]), queued_cycles=float(state[4]))

    return KernelCounters(
        kernel_cycles=end, sm_math=stats[:, 0].copy(), sm_smem=stats[:, 1].copy(),
        sm_memory_wait=stats[:, 2].copy(), sm_epilogue=stats[:, 3].copy(),
        sm_idle=end - finished, sm_tiles=stats[:, 4].copy(), steps=int(stats[:, 5].sum()),
        reduction_cycles=reduction_cycles(plan, config),
        schedule=[tuple(int(v) for v in block) for block in schedule],
        l2_pipe=pipe(l2), hbm_pipe=pipe(hbm),
        l2_cache=CacheStats(hits=int(cache[0]), misses=int(cache[1]), hit_bytes=int(cache[2]),
                            miss_bytes=int(cache[3]), evictions=int(cache[4])))
