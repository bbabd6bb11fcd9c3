"""EIE's fast engine: the reference model's schedule as a numba recurrence.

No cycle loop: every queue receives the same items in the same order, so the whole
run is two max-plus recurrences over the broadcast items (the SimPy model's per-cycle
order is in `reference`'s docstring):

    push[i]   = max(ready[i], max over PEs of pop[i - depth, p] + r)
    pop[i, p] = max(push[i] + r, done[i - 1, p])
    done[i, p] = pop[i, p] + pointer stall + max(1, entries of column i in PE p)

where ready[i] = push[i - 1] + 1 + LNZD row-change cycles, and r is 1 with registered
FIFO flags (a pop frees its slot, and a push shows, one cycle later), 0 with same-cycle
flags. The work of a PE (accumulation, counts) does not depend on timing and is done
in a second kernel; queue occupancy per cycle is rebuilt from the push and pop cycles
after the run. Both agree with the SimPy model bit for bit (tests/test_eie_fast.py).
"""

from __future__ import annotations

import time

import numpy as np

from sparsesim.accelerators.eie.compile import CompiledLayer
from sparsesim.accelerators.eie.counters import EIECounters, gather_output
from sparsesim.accelerators.eie.lnzd import broadcast_order
from sparsesim.simulator import BankedSRAM
from sparsesim.simulator.jit import jit, needs_warm_up, split_by_rows


@jit
def schedule(ptr_by_column, columns, gaps, depth, registered, start_cycle, pointer_extra):
    """Push cycle of each item (items,) and pop cycle of each item at each PE
    (items, PEs), both int64; the end cycle (first cycle after the last issue); and
    the broadcast's stall cycles. `ptr_by_column` is (columns + 1, PEs)."""
    n = ptr_by_column.shape[1]
    m = columns.shape[0]
    r = 1 if registered else 0
    push = np.empty(m, dtype=np.int64)
    pop = np.empty((m, n), dtype=np.int64)
    done = np.zeros(n, dtype=np.int64)  # cycle each PE can pop again (busy_until)
    ready = start_cycle
    stall_cycles = 0
    for i in range(m):
        ready += gaps[i]
        t = ready
        if i >= depth:  # the slot item i - depth held must be free at every PE
            freed = pop[i - depth]
            for p in range(n):
                t = max(t, freed[p] + r)
        stall_cycles += t - ready
        push[i] = t
        visible = t + r
        starts = ptr_by_column[columns[i]]
        stops = ptr_by_column[columns[i] + 1]
        for p in range(n):
            begin = max(visible, done[p])
            pop[i, p] = begin
            done[p] = begin + pointer_extra + max(1, stops[p] - starts[p])
        ready = t + 1
    end = start_cycle
    for p in range(n):
        end = max(end, done[p])
    return push, pop, end, stall_cycles


@jit
def compute(ptr, v, z, codebook, columns, values, rows_per_pe, entries_per_word):
    """What every PE computes and counts, from the encoding as the PE reads it (`ptr`
    (PEs, columns + 1); per entry the codebook index `v` and relative row `z`, decoded
    by an address accumulator that restarts each column), in the reference's order:
    accumulators (PEs, rows_per_pe) float64; per PE busy cycles, entries, useful MACs
    (nonzero codebook index) and sparse-matrix words read, int64."""
    n = ptr.shape[0]
    acc = np.zeros((n, rows_per_pe), dtype=np.float64)
    busy = np.zeros(n, dtype=np.int64)
    entries = np.zeros(n, dtype=np.int64)
    macs = np.zeros(n, dtype=np.int64)
    spmat_reads = np.zeros(n, dtype=np.int64)
    for p in range(n):
        base = ptr[p, 0]
        pe_busy = pe_entries = pe_macs = pe_reads = 0
        for i in range(columns.shape[0]):
            start, stop = ptr[p, columns[i]], ptr[p, columns[i] + 1]
            pe_busy += max(1, stop - start)
            if stop > start:
                value = values[i]
                row = -1
                for e in range(start, stop):
                    row += int(z[e]) + 1
                    acc[p, row] += codebook[v[e]] * value
                    pe_macs += v[e] != 0
                pe_entries += stop - start
                pe_reads += ((stop - 1 - base) // entries_per_word
                             - (start - base) // entries_per_word + 1)
        busy[p], entries[p], macs[p], spmat_reads[p] = pe_busy, pe_entries, pe_macs, pe_reads
    return acc, busy, entries, macs, spmat_reads


@jit
def occupancy(push, pop, end):
    """Entries in each queue at the end of each cycle 0 .. end-1, (PEs, end) int16:
    pushes so far minus that PE's pops so far."""
    m, n = pop.shape
    pushed = np.zeros(end, dtype=np.int64)  # pushes so far, at the end of each cycle
    for i in range(m):
        pushed[push[i]] += 1
    for t in range(1, end):
        pushed[t] += pushed[t - 1]
    out = np.empty((n, end), dtype=np.int16)
    pops_at = np.empty(end, dtype=np.int64)
    for p in range(n):
        pops_at[:] = 0
        for i in range(m):
            pops_at[pop[i, p]] += 1
        queue = out[p]
        popped = 0
        for t in range(end):
            popped += pops_at[t]
            queue[t] = pushed[t] - popped
    return out


def simulate_fast(compiled: CompiledLayer) -> tuple[EIECounters, float]:
    """Run the numba kernels; returns the counters and the seconds spent compiling
    (or loading the cached kernels) before the run, 0.0 once warm."""
    compile_seconds = 0.0
    if needs_warm_up(schedule):
        started = time.perf_counter()
        _warm_up()
        compile_seconds = time.perf_counter() - started
    return _run(compiled), compile_seconds


def _run(compiled: CompiledLayer) -> EIECounters:
    cfg = compiled.config
    enc = compiled.encoding
    x = compiled.activations
    n = cfg.num_pes
    columns, gaps = broadcast_order(x, n, cfg.lnzd_row_change_cycles)
    pointer_extra = BankedSRAM("probe", cfg.pointer_bits, banks=cfg.pointer_banks).read([0, 1]) - 1
    push, pop, end, stall_cycles = schedule(
        compiled.pointers_by_column, columns, gaps, cfg.queue_depth_entries,
        cfg.queue_flag_timing == "registered", cfg.lnzd_levels, pointer_extra)
    codebook, values = compiled.codebook.astype(np.float64), x[columns].astype(np.float64)
    acc, busy, entries, macs, spmat_reads = split_by_rows(
        compute, n, lambda first, last: compute(
            enc.ptr[first:last], enc.v, enc.z, codebook, columns, values,
            -(-enc.shape[0] // n), cfg.entries_per_word))
    items = np.full(n, len(columns), dtype=np.int64)
    return EIECounters(
        model_end_cycle=int(end), pe_busy=busy, pe_stalled=items * pointer_extra,
        pe_entries=entries, pe_macs_useful=macs, occupancy=occupancy(push, pop, end),
        queue_pushes=items, queue_pops=items, broadcast_transfers=len(columns),
        broadcast_stall_cycles=int(stall_cycles), spmat_reads=spmat_reads,
        pointer_reads=2 * items, pointer_conflicts=items * pointer_extra,
        output=gather_output(compiled, acc))


def _warm_up() -> None:
    """Compile (or load from the disk cache) the kernels on a one-entry layer."""
    ptr = np.array([[0, 1]], dtype=np.int64)
    one = np.zeros(1, np.int64)
    push, pop, end, _ = schedule(np.ascontiguousarray(ptr.T), one, one, 1, True, 1, 0)
    occupancy(push, pop, end)
    codes = np.ones(1, np.uint8)  # EIE's codebook indices and relative rows are bytes
    compute(ptr, codes, np.zeros(1, np.uint8), np.ones(2), one, np.ones(1), 1, 8)
