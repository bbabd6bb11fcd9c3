"""EIE's fast engine: the reference model's state machine as a numba cycle loop.

Same per-cycle order as `eie_reference` (see its docstring): (1) free PEs pop their
queue, (2) the broadcast pushes unless a queue is full, (3) free PEs pop again. Each
branch below names the line of the SimPy model it mirrors.
"""

from __future__ import annotations

import time

import numpy as np

from sparsesim.accelerators.eie.compile import CompiledLayer
from sparsesim.accelerators.eie.counters import EIECounters, gather_output
from sparsesim.simulator import BankedSRAM
from sparsesim.simulator.jit import jit


@jit(inline=True)
def _start_column(p, t, column, value, ptr, weights, local_rows, useful, entries_per_word,
                  pointer_extra, acc, busy, stalled, entries, macs, spmat_reads,
                  pointer_reads, pointer_conflicts, busy_until):
    """A PE pops (column, value) at cycle t (SimPy: the body of pe_process)."""
    pointer_reads[p] += 2  # start and end pointer
    pointer_conflicts[p] += pointer_extra
    stalled[p] += pointer_extra  # pe.stall(extra)
    start, stop = ptr[column, p], ptr[column + 1, p]
    if stop > start:
        base = ptr[0, p]
        first_word = (start - base) // entries_per_word
        spmat_reads[p] += (stop - 1 - base) // entries_per_word - first_word + 1
        for e in range(start, stop):
            acc[p, local_rows[e]] += weights[e] * value
        entries[p] += stop - start
        macs[p] += useful[stop] - useful[start]
    work = max(1, stop - start)
    busy[p] += work  # pe.busy(max(1, stop - start))
    busy_until[p] = t + pointer_extra + work


@jit
def _simulate(ptr, weights, local_rows, useful, columns, values, n_rows_per_pe, depth,
              start_cycle, entries_per_word, pointer_extra):
    n = ptr.shape[1]  # ptr is (cols + 1, PEs)
    n_items = columns.shape[0]
    acc = np.zeros((n, n_rows_per_pe), dtype=np.float64)
    busy = np.zeros(n, dtype=np.int64)
    stalled = np.zeros(n, dtype=np.int64)
    entries = np.zeros(n, dtype=np.int64)
    macs = np.zeros(n, dtype=np.int64)
    spmat_reads = np.zeros(n, dtype=np.int64)
    pointer_reads = np.zeros(n, dtype=np.int64)
    pointer_conflicts = np.zeros(n, dtype=np.int64)
    pushes = np.zeros(n, dtype=np.int64)
    pops = np.zeros(n, dtype=np.int64)
    busy_until = np.zeros(n, dtype=np.int64)
    ring = np.zeros((n, depth), dtype=np.int64)  # item numbers waiting in each queue
    head = np.zeros(n, dtype=np.int64)
    count = np.zeros(n, dtype=np.int64)
    occupancy = np.zeros((n, 1024), dtype=np.int16)
    next_item = 0
    stall_cycles = 0
    t = 0
    while True:
        if next_item == n_items and t >= start_cycle:
            done = True
            for p in range(n):
                if count[p] > 0 or busy_until[p] > t:
                    done = False
                    break
            if done:
                break
        for phase in range(2):  # (1) pops before the broadcast, (3) pops after it
            for p in range(n):
                if busy_until[p] <= t and count[p] > 0:  # queue.get() resolves
                    item = ring[p, head[p]]
                    head[p] = (head[p] + 1) % depth
                    count[p] -= 1
                    pops[p] += 1
                    _start_column(p, t, columns[item], values[item], ptr, weights, local_rows,
                                  useful, entries_per_word, pointer_extra, acc, busy, stalled,
                                  entries, macs, spmat_reads, pointer_reads, pointer_conflicts,
                                  busy_until)
            if phase == 0 and t >= start_cycle and next_item < n_items:  # (2) Broadcast._run
                full = False
                for p in range(n):
                    if count[p] >= depth:
                        full = True
                        break
                if full:
                    stall_cycles += 1
                else:
                    for p in range(n):
                        ring[p, (head[p] + count[p]) % depth] = next_item
                        count[p] += 1
                        pushes[p] += 1
                    next_item += 1
        if t >= occupancy.shape[1]:
            grown = np.zeros((n, 2 * occupancy.shape[1]), dtype=np.int16)
            grown[:, :occupancy.shape[1]] = occupancy
            occupancy = grown
        for p in range(n):
            occupancy[p, t] = count[p]
        t += 1
    end = start_cycle
    for p in range(n):
        end = max(end, busy_until[p])
    recorded = np.zeros((n, end), dtype=np.int16)
    upto = min(end, t)
    recorded[:, :upto] = occupancy[:, :upto]
    return (end, busy, stalled, entries, macs, recorded, pushes, pops, next_item, stall_cycles,
            spmat_reads, pointer_reads, pointer_conflicts, acc)


def simulate_fast(compiled: CompiledLayer) -> tuple[EIECounters, float]:
    """Run the numba kernel; returns the counters and the seconds spent compiling
    (or loading the cached kernel) before the run, 0.0 once warm."""
    compile_seconds = 0.0
    if not _simulate.signatures:
        started = time.perf_counter()
        _warm_up()
        compile_seconds = time.perf_counter() - started
    cfg = compiled.config
    enc = compiled.encoding
    x = compiled.activations
    columns = np.flatnonzero(x).astype(np.int64)  # LNZD order: ascending index
    pointer_extra = BankedSRAM("probe", cfg.pointer_bits, banks=cfg.pointer_banks).read([0, 1]) - 1
    (end, busy, stalled, entries, macs, occupancy, pushes, pops, transfers, stall_cycles,
     spmat_reads, pointer_reads, pointer_conflicts, acc) = _simulate(
        compiled.pointers_by_column, compiled.entry_weights, compiled.entry_local_rows,
        compiled.useful_prefix, columns, x[columns].astype(np.float64),
        -(-enc.shape[0] // cfg.num_pes),
        cfg.queue_depth_entries, cfg.lnzd_levels, cfg.entries_per_word, pointer_extra)
    counters = EIECounters(
        model_end_cycle=int(end), pe_busy=busy, pe_stalled=stalled, pe_entries=entries,
        pe_macs_useful=macs, occupancy=occupancy, queue_pushes=pushes, queue_pops=pops,
        broadcast_transfers=int(transfers), broadcast_stall_cycles=int(stall_cycles),
        spmat_reads=spmat_reads, pointer_reads=pointer_reads,
        pointer_conflicts=pointer_conflicts, output=gather_output(compiled, acc))
    return counters, compile_seconds


def _warm_up() -> None:
    """Compile (or load from the disk cache) the kernel on a one-entry layer."""
    ptr = np.array([[0], [1]], dtype=np.int64)
    _simulate(ptr, np.ones(1), np.zeros(1, np.int64), np.array([0, 1], np.int64),
              np.zeros(1, np.int64), np.ones(1), 1, 1, 1, 8, 0)
