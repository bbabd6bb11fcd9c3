"""ESE's fast engine: the reference model's schedule as a numba recurrence, bit for bit.

No cycle loop: every PE queue receives the same items in the same order, so each
pushed item's cycle and each PE's pop cycle follow from earlier ones (same-cycle FIFO
flags, as the SimPy model's queues):

    push[i]   = max(ready[i], max over PEs of pop[i - depth, p])
    pop[i, p] = max(push[i], done[p])        done[p] = pop + pointer stall + work

where ready[i] is one cycle after the previous push, or the cycle the controller
starts a segment. The controller runs the SimPy model's `control` / `finish_step` in
sequence; a segment is done when every PE has finished its last item. The schedule
keeps per PE only what it needs (free cycle, pop cycles of the queued items); queue
occupancy is accounted per PE between events, never per cycle; what each PE did (busy
cycles, entries, MACs, memory reads) is counted after the run from the list of items
(`_work`). Names follow `reference`.
"""

from __future__ import annotations

import time

import numpy as np

from sparsesim.accelerators.ese.compile import CompiledLSTMLayer, compile_layer
from sparsesim.accelerators.ese.config import ESEConfig
from sparsesim.accelerators.ese.counters import ESECounters, RecordedTimeline
from sparsesim.accelerators.ese.elementwise import ElementwiseUnit
from sparsesim.simulator import BankedSRAM
from sparsesim.simulator.jit import jit, needs_warm_up
from sparsesim.workloads.lstm import LSTMLayer

INPUT, RECURRENT, PROJECTION = 0, 1, 2  # indices into counters.KINDS


@jit
def _lut(values, span, x):
    """LookupTable.__call__ for one value."""
    segments = values.shape[0] - 1
    position = (x + span) * (segments / (2.0 * span))
    position = min(max(position, 0.0), float(segments))
    index = min(int(position), segments - 1)
    fraction = position - index
    low = values[index]
    return low + fraction * (values[index + 1] - low)


@jit
def _broadcast(vector, offset, start, skip_zero, kind, record, ptr, rows, w, acc,
               pointer_extra, busy_until, pops, clock, applied, histogram, item_col,
               item_val, item_kind, counts, rec, last_rec, nrec):
    """Push `vector` from cycle `start` (SimPy: broadcast() and Broadcast._run) to every
    PE, which takes each item when free and accumulates its column of the matrix
    (`ptr`, `rows`, `w`) into `acc`; returns (the cycle the controller resumes, one
    after the last push, or `start` if nothing is sent; the cycle every PE has
    finished). Only what the schedule needs is kept per PE: when it is free, the pop
    cycles of its queued items (ring `pops`) and how far its queue occupancy is
    accounted (`clock`, `applied`); its work counts are derived after the run from the
    items (`_work`). With `record`, PE intervals are merged into `rec` as record() does."""
    n = busy_until.shape[0]
    slots = pops.shape[1]
    depth = slots - 1
    ready = start
    sent = 0
    for c in range(vector.shape[0]):
        value = vector[c]
        if skip_zero and value == 0.0:
            continue
        it = counts[0]
        column = offset + c
        item_col[it], item_val[it], item_kind[it] = column, value, kind
        t = ready
        if it >= depth:  # stall while a queue is full (checked after this cycle's pops)
            for p in range(n):
                t = max(t, pops[p, (it - depth) % slots])
        counts[3] += t - ready
        for p in range(n):
            # occupancy at the end of each cycle from clock[p] to t - 1: `it` items pushed
            tick, done = clock[p], applied[p]
            while done < it and pops[p, done % slots] < t:
                popped = pops[p, done % slots]
                histogram[it - done] += popped - tick
                tick = popped
                done += 1
            histogram[it - done] += t - tick
            clock[p], applied[p] = t, done
            pop = max(t, busy_until[p])  # queue.put(item); the PE takes it when free
            pops[p, it % slots] = pop
            first, stop = ptr[p, column], ptr[p, column + 1]
            for e in range(first, stop):
                acc[p, rows[e]] += w[e] * value
            begin = pop + pointer_extra  # after the pointer read's stall
            busy_until[p] = begin + max(1, stop - first)
            if record:
                j = last_rec[p] - 1
                if j >= 0 and rec[j, 2] == begin and rec[j, 3] == kind:
                    rec[j, 2] = busy_until[p]
                else:
                    k = nrec[0]
                    rec[k, 0], rec[k, 1], rec[k, 2], rec[k, 3] = p, begin, busy_until[p], kind
                    nrec[0] = k + 1
                    last_rec[p] = k + 1
        counts[0] += 1
        sent += 1
        ready = t + 1
    if sent == 0:
        return start, -1
    done_cycle = 0
    for p in range(n):  # segment.done: every PE has finished its last item
        done_cycle = max(done_cycle, busy_until[p])
    return ready, done_cycle


@jit
def _simulate(inputs, bias, hidden, outputs_n, n, depth, drain, ew_cycles, skip_zero,
              pointer_extra, g_ptr, g_rows, g_w, p_ptr, p_rows, p_w, has_proj,
              g_rows_per_pe, p_rows_per_pe, sig_values, tanh_values, span, tracked):
    """SimPy: control() with every process it starts: per step the input and recurrent
    broadcasts, the element-wise unit, and the projection's broadcast (finish_step)."""
    steps, n_inputs = inputs.shape
    busy_until = np.zeros(n, dtype=np.int64)
    pops = np.zeros((n, depth + 1), dtype=np.int64)  # pop cycles of the latest items
    clock = np.zeros(n, dtype=np.int64)
    applied = np.zeros(n, dtype=np.int64)
    histogram = np.zeros(depth + 2, dtype=np.int64)
    capacity = steps * (n_inputs + outputs_n + hidden) + 1
    item_col = np.zeros(capacity, dtype=np.int64)
    item_val = np.zeros(capacity, dtype=np.float64)
    item_kind = np.zeros(capacity, dtype=np.int64)
    gate_acc = np.zeros((2, n, g_rows_per_pe))
    proj_acc = np.zeros((n, p_rows_per_pe))
    rec = np.zeros((3 * n * (n_inputs + outputs_n + hidden) + 1, 4), dtype=np.int64)
    last_rec = np.zeros(n, dtype=np.int64)  # 1 + the PE's latest interval in rec, 0: none
    nrec = np.zeros(1, dtype=np.int64)
    ew_rec = np.zeros((2, 3), dtype=np.int64)
    n_ew_rec = 0
    counts = np.zeros(4, dtype=np.int64)  # items, (unused), (unused), bus stall cycles
    outputs = np.zeros((steps, outputs_n))
    step_end = np.zeros(steps, dtype=np.int64)
    cell = np.zeros(hidden)
    h = np.zeros(outputs_n)
    gates = np.zeros(4 * hidden)
    m = np.zeros(hidden)
    window_start = 0
    ctrl = 0
    part_done = -1
    spawn = 0  # cycle the previous step's element-wise process started
    waits_done = -1  # cycle the segment it waits for is done (-1: none)
    for step in range(steps + 1):
        if step < steps:  # part = new_segment("input", step); broadcast(part, inputs[step])
            if step == tracked:
                window_start = ctrl
            ctrl, part_done = _broadcast(
                inputs[step], 0, ctrl, skip_zero, INPUT, tracked - 1 <= step <= tracked + 1,
                g_ptr, g_rows, g_w, gate_acc[step % 2], pointer_extra, busy_until, pops,
                clock, applied, histogram, item_col, item_val, item_kind, counts, rec,
                last_rec, nrec)
        if step > 0:  # h = yield from finish_step(step - 1), after elementwise(step - 1)
            last = step - 1
            begin = spawn if waits_done < 0 else max(spawn, waits_done)
            begin += drain  # ew.wait_cycles(drain)
            buffer = gate_acc[last % 2]
            for r in range(4 * hidden):  # _gather(gate_acc[last % 2]) + bias
                gates[r] = buffer[r % n, r // n] + bias[r]
            buffer[:, :] = 0.0
            if last == tracked - 1 or last == tracked:
                ew_rec[n_ew_rec, 0], ew_rec[n_ew_rec, 1] = begin, begin + ew_cycles
                ew_rec[n_ew_rec, 2] = last
                n_ew_rec += 1
            for k in range(hidden):  # ElementwiseUnit.step
                a = _lut(sig_values, span, gates[hidden + k]) * cell[k]
                b = (_lut(sig_values, span, gates[k])
                     * _lut(tanh_values, span, gates[2 * hidden + k]))
                cell[k] = a + b
                m[k] = (_lut(sig_values, span, gates[3 * hidden + k])
                        * _lut(tanh_values, span, cell[k]))
            ctrl = max(ctrl, begin + ew_cycles)  # m = yield m_ready[last]
            if has_proj:
                ctrl, proj_done = _broadcast(
                    m, 0, ctrl, skip_zero, PROJECTION, tracked - 1 <= last <= tracked + 1,
                    p_ptr, p_rows, p_w, proj_acc, pointer_extra, busy_until, pops, clock,
                    applied, histogram, item_col, item_val, item_kind, counts, rec,
                    last_rec, nrec)
                if proj_done >= 0:  # yield segment.done
                    ctrl = proj_done
                ctrl += drain  # controller.wait_cycles(drain)
                for r in range(outputs_n):  # _gather(proj_acc, outputs)
                    h[r] = proj_acc[r % n, r // n]
                proj_acc[:, :] = 0.0
            else:
                h[:] = m
            outputs[last] = h
            step_end[last] = ctrl
        if step == steps:
            break
        ctrl, recurrent_done = _broadcast(  # recurrent = new_segment("recurrent", step)
            h, n_inputs, ctrl, skip_zero, RECURRENT, tracked - 1 <= step <= tracked + 1,
            g_ptr, g_rows, g_w, gate_acc[step % 2], pointer_extra, busy_until, pops, clock,
            applied, histogram, item_col, item_val, item_kind, counts, rec, last_rec, nrec)
        spawn = ctrl  # engine.process(elementwise(step, last, cell))
        waits_done = recurrent_done if recurrent_done >= 0 else part_done
    end = step_end[steps - 1]
    items = counts[0]
    for p in range(n):  # occupancy up to the last cycle
        tick, done = clock[p], applied[p]
        while done < items and pops[p, done % (depth + 1)] < end:
            popped = pops[p, done % (depth + 1)]
            histogram[items - done] += popped - tick
            tick = popped
            done += 1
        histogram[items - done] += end - tick
    return (histogram[:depth + 1], items, counts[3], step_end, outputs, item_col[:items],
            item_val[:items], item_kind[:items], rec[:nrec[0]], ew_rec[:n_ew_rec],
            window_start)


@jit
def _work(ptr, useful, columns, values, per_word):
    """Per PE, over the items one matrix received (`columns`, `values`), what the PEs did
    (SimPy: pe_process): busy cycles (at least one per item), entries, useful MACs
    (real entries times a nonzero value) and sparse-matrix words read, int64."""
    n = ptr.shape[0]
    out = np.zeros((4, n), dtype=np.int64)
    for p in range(n):
        base = ptr[p, 0]
        busy = entries = macs = reads = 0
        for i in range(columns.shape[0]):
            start, stop = ptr[p, columns[i]], ptr[p, columns[i] + 1]
            busy += max(1, stop - start)
            if stop > start:
                entries += stop - start
                reads += (stop - 1 - base) // per_word - (start - base) // per_word + 1
                if values[i] != 0.0:
                    macs += useful[stop] - useful[start]
        out[0, p], out[1, p], out[2, p], out[3, p] = busy, entries, macs, reads
    return out


def simulate_fast(compiled: CompiledLSTMLayer, inputs: np.ndarray,
                  timeline_step: int) -> tuple[ESECounters, float]:
    """Counters (identical to simulate_layer's) and the seconds spent compiling (or
    loading the cached kernel) before the run, 0.0 once warm."""
    compile_seconds = 0.0
    if needs_warm_up(_simulate):
        started = time.perf_counter()
        _warm_up()
        compile_seconds = time.perf_counter() - started
    return _run(compiled, inputs, timeline_step), compile_seconds


def _warm_up() -> None:
    """Compile the kernels on a one-cell, one-PE layer."""
    layer = LSTMLayer("warm-up", np.ones((4, 1)), np.ones((4, 1)), np.zeros(4))
    _run(compile_layer(layer, ESEConfig(pes_per_channel=1)), np.ones((1, 1)), 0)


def _run(compiled: CompiledLSTMLayer, inputs: np.ndarray, timeline_step: int) -> ESECounters:
    cfg = compiled.config
    n = cfg.pes_per_channel
    gates, proj = compiled.gate_matrix, compiled.projection_matrix
    if proj is not None:
        p_arrays = (proj.encoding.ptr, proj.local_rows, proj.weights)
        p_rows_per_pe = proj.rows_per_pe
    else:
        p_arrays = (np.zeros((n, 1), dtype=np.int64), np.zeros(1, dtype=np.int64), np.zeros(1))
        p_rows_per_pe = 1
    pointer_extra = BankedSRAM("probe", cfg.pointer_bits, banks=cfg.pointer_banks).read([0, 1]) - 1
    unit = ElementwiseUnit.of(cfg)
    ew_cycles = -(-compiled.hidden // cfg.elementwise_lanes) + cfg.elementwise_pipeline_cycles - 1
    histogram, items, stall_cycles, step_end, outputs, item_col, item_val, item_kind, rec, \
        ew_rec, window = _simulate(
            np.ascontiguousarray(inputs, dtype=np.float64), compiled.bias, compiled.hidden,
            compiled.outputs, n, cfg.queue_depth_entries, cfg.pe_pipeline_stages - 1,
            ew_cycles, cfg.skip_zero_activations, pointer_extra, gates.encoding.ptr,
            gates.local_rows, gates.weights, *p_arrays, compiled.projection is not None,
            gates.rows_per_pe, p_rows_per_pe, unit.sigmoid.values, unit.tanh.values,
            float(cfg.lut_range), timeline_step)
    on_gates = item_kind != PROJECTION
    busy, entries, macs, spmat = _work(gates.encoding.ptr, gates.useful,
                                       item_col[on_gates], item_val[on_gates],
                                       cfg.entries_per_word)
    if proj is not None:
        busy, entries, macs, spmat = (a + b for a, b in zip(
            (busy, entries, macs, spmat),
            _work(proj.encoding.ptr, proj.useful, item_col[~on_gates],
                  item_val[~on_gates], cfg.entries_per_word)))
    per_pe = np.full(n, items, dtype=np.int64)  # every PE takes every item
    timeline = RecordedTimeline(timeline_step, int(window), int(step_end[timeline_step]), n,
                                rec, ew_rec)
    return ESECounters(
        model_end_cycle=int(step_end[-1]), pe_busy=busy, pe_stalled=per_pe * pointer_extra,
        pe_entries=entries, pe_macs_useful=macs, occupancy_histogram=histogram,
        queue_pushes=per_pe, queue_pops=per_pe, broadcast_transfers=int(items),
        broadcast_stall_cycles=int(stall_cycles), spmat_reads=spmat,
        pointer_reads=2 * per_pe, pointer_conflicts=per_pe * pointer_extra,
        elementwise_busy=len(step_end) * ew_cycles,
        elementwise_cells=len(step_end) * compiled.hidden, step_end_cycles=step_end,
        timeline=timeline, output=outputs)
