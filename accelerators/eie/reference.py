"""EIE on the SimPy engine: the readable reference model.

Per cycle t (the fast engine computes the same schedule):
  1. every PE whose previous column ends by t pops the head of its queue, if it can
     see one (registered flags: pushed before t);
  2. the broadcast (fed by the LNZD tree) pushes the next nonzero activation (j, a_j)
     to all queues once the LNZD has reached its row (lnzd.broadcast_order), unless a
     queue's full flag is up (then it stalls this cycle; registered flags still count
     the slots popped in step 1 as taken);
  3. same-cycle flags only: a PE that is free and found its queue empty in step 1 pops
     the new item.
A PE that pops (j, a_j) reads column j's start and end pointers (one cycle when they
sit in different banks, more on a bank conflict: a stall), then issues one entry per
cycle for the column's run in its slice (at least one cycle, even for an empty run),
multiplying the entry's codebook value by a_j into its accumulator.
"""

from __future__ import annotations

import numpy as np

from sparsesim.accelerators.eie.compile import CompiledLayer
from sparsesim.accelerators.eie.counters import EIECounters, gather_output
from sparsesim.accelerators.eie.lnzd import broadcast_order
from sparsesim.simulator import Broadcast, Engine
from sparsesim.simulator.sparse_pe_array import SparsePEArray


def simulate_reference(compiled: CompiledLayer, watchdog_cycles: int = 10_000) -> EIECounters:
    cfg = compiled.config
    enc = compiled.encoding
    n = cfg.num_pes
    engine = Engine(watchdog_cycles)
    array = SparsePEArray(engine, n, cfg.queue_depth_entries, cfg.pointer_bits,
                          cfg.pointer_banks, cfg.spmat_word_bits,
                          flag_timing=cfg.queue_flag_timing)
    queues, pes = array.queues, array.pes
    pointer_srams, spmat_srams = array.pointer_srams, array.spmat_srams
    rows_per_pe = -(-enc.shape[0] // n)
    accumulators = np.zeros((n, rows_per_pe), dtype=np.float64)
    weights = compiled.entry_weights  # codebook look-up per entry
    local_rows = compiled.entry_local_rows  # the address accumulator's decoding of z
    useful = compiled.useful_prefix  # prefix count of non-padding entries
    x = compiled.activations
    nonzero, gaps = broadcast_order(x, n, cfg.lnzd_row_change_cycles)
    items = list(zip(nonzero.tolist(), x[nonzero].astype(np.float64).tolist()))
    bus = Broadcast(engine, "lnzd.broadcast", queues, items, start_cycle=cfg.lnzd_levels,
                    gaps=gaps.tolist())

    def pe_process(p: int):
        pe, queue = pes[p], queues[p]
        base = enc.ptr[p, 0]
        while True:
            column, value = yield queue.get()
            extra = pointer_srams[p].read([column, column + 1]) - 1
            if extra:
                yield pe.stall(extra)
            start, stop = int(enc.ptr[p, column]), int(enc.ptr[p, column + 1])
            if stop > start:
                per_word = cfg.entries_per_word
                first_word, last_word = (start - base) // per_word, (stop - 1 - base) // per_word
                spmat_srams[p].read_words(last_word - first_word + 1)
                accumulators[p, local_rows[start:stop]] += weights[start:stop] * value
                pe.stats.entries += stop - start
                pe.stats.macs_useful += int(useful[stop] - useful[start])
            yield pe.busy(max(1, stop - start))

    for p in range(n):
        engine.process(pe_process(p))

    def complete() -> bool:
        return (bus.done and all(q.occupancy == 0 for q in queues)
                and all(pe.busy_until <= engine.now for pe in pes))

    engine.run(complete)
    end = max([cfg.lnzd_levels] + [pe.busy_until for pe in pes])
    return EIECounters(
        model_end_cycle=end,
        pe_busy=np.array([pe.stats.busy_cycles for pe in pes]),
        pe_stalled=np.array([pe.stats.stalled_cycles for pe in pes]),
        pe_entries=np.array([pe.stats.entries for pe in pes]),
        pe_macs_useful=np.array([pe.stats.macs_useful for pe in pes]),
        occupancy=np.stack([q.occupancy_per_cycle(end) for q in queues]),
        broadcast_transfers=bus.stats.transfers,
        broadcast_stall_cycles=bus.stats.stall_cycles,
        **array.memory_and_queue_counts(),
        output=gather_output(compiled, accumulators),
    )
