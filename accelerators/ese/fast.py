"""ESE's fast engine: the reference model's schedule as a numba recurrence, bit for bit.

No cycle loop: every PE queue receives the same items in the same order, so each
pushed item's cycle and each PE's pop cycle follow from earlier ones (same-cycle FIFO
flags, as the SimPy model's queues):

    push[i]   = max(ready[i], max over PEs of pop[i - depth, p])
    pop[i, p] = max(push[i], done[p])        done[p] = pop + pointer stall + work

where ready[i] is one cycle after the previous push, or the cycle the controller
starts a segment. The controller runs the SimPy model's `control` / `finish_step` in
sequence; a segment is done when every PE has finished its last item. Queue occupancy
is accounted per PE between events (`_account`), never per cycle. Names follow
`reference`.
"""

from __future__ import annotations

import time

import numpy as np

from sparsesim.accelerators.ese.compile import CompiledLSTMLayer, compile_layer
from sparsesim.accelerators.ese.config import ESEConfig
from sparsesim.accelerators.ese.counters import ESECounters
from sparsesim.accelerators.ese.elementwise import ElementwiseUnit
from sparsesim.accelerators.ese.reference import pe_matrix
from sparsesim.simulator import BankedSRAM
from sparsesim.simulator.jit import jit, needs_warm_up
from sparsesim.workloads.lstm import LSTMLayer

KINDS = ("input", "recurrent", "projection")
INPUT, RECURRENT, PROJECTION = 0, 1, 2
# columns of the per-PE state table (CLOCK, APPLIED: how far its occupancy is accounted;
# LAST_REC: 1 + its latest timeline interval in `rec`, 0 for none)
BUSY_UNTIL, CLOCK, APPLIED, BUSY, STALLED, ENTRIES, MACS, PUSHES, POPS, SPMAT, \
    POINTER_READS, CONFLICTS, LAST_REC = range(13)


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
def _start(p, c, it, pe, item_col, item_val, item_seg, seg_kind, seg_step, g_ptr, g_rows, g_w,
           g_useful, p_ptr, p_rows, p_w, p_useful, gate_acc, proj_acc, per_word, pointer_extra,
           rec, nrec, tracked):
    """PE p pops item `it` at cycle c (SimPy: the body of pe_process)."""
    s = item_seg[it]
    kind = seg_kind[s]
    if kind == 2:
        ptr, rows, w, useful, acc = p_ptr, p_rows, p_w, p_useful, proj_acc
    else:
        ptr, rows, w, useful, acc = g_ptr, g_rows, g_w, g_useful, gate_acc[seg_step[s] % 2]
    column = item_col[it]
    value = item_val[it]
    pe[p, POPS] += 1
    pe[p, POINTER_READS] += 2  # pointer_srams[p].read([address, address + 1])
    pe[p, CONFLICTS] += pointer_extra
    pe[p, STALLED] += pointer_extra  # pe.stall(extra)
    start, stop = ptr[p, column], ptr[p, column + 1]
    if stop > start:
        base = ptr[p, 0]
        pe[p, SPMAT] += (stop - 1 - base) // per_word - (start - base) // per_word + 1
        for e in range(start, stop):
            acc[p, rows[e]] += w[e] * value
        pe[p, ENTRIES] += stop - start
        if value != 0.0:
            pe[p, MACS] += useful[stop] - useful[start]
    work = max(1, stop - start)
    begin = c + pointer_extra
    if tracked - 1 <= seg_step[s] <= tracked + 1:  # record(pe_intervals[p], ...)
        j = pe[p, LAST_REC] - 1
        if j >= 0 and rec[j, 2] == begin and rec[j, 3] == kind:
            rec[j, 2] = begin + work
        else:
            rec[nrec[0], 0] = p
            rec[nrec[0], 1] = begin
            rec[nrec[0], 2] = begin + work
            rec[nrec[0], 3] = kind
            nrec[0] += 1
            pe[p, LAST_REC] = nrec[0]
    pe[p, BUSY] += work  # pe.busy(max(1, stop - start))
    pe[p, BUSY_UNTIL] = begin + work


@jit
def _account(p, until, pushed, pe, pops, histogram):
    """Add PE p's queue occupancy at the end of each cycle from its CLOCK to `until` - 1
    to `histogram`, given `pushed` items pushed before `until` and the pop cycles of
    the items it has not yet accounted in the ring `pops` (PEs, depth + 1)."""
    slots = pops.shape[1]
    c = pe[p, CLOCK]
    while pe[p, APPLIED] < pushed and pops[p, pe[p, APPLIED] % slots] < until:
        popped = pops[p, pe[p, APPLIED] % slots]
        histogram[pushed - pe[p, APPLIED]] += popped - c
        c = popped
        pe[p, APPLIED] += 1
    histogram[pushed - pe[p, APPLIED]] += until - c
    pe[p, CLOCK] = until


@jit
def _finish_step(last, ctrl, spawn, waits, ew, cell, bias, hidden, outputs_n, n, drain,
                 ew_cycles, skip_zero, has_proj, sig_values, tanh_values, span, pe, pops,
                 histogram, item_col, item_val, item_seg, seg_kind, seg_step, seg_done,
                 seg_items, counts, g_ptr, g_rows, g_w, g_useful, p_ptr, p_rows, p_w, p_useful,
                 gate_acc, proj_acc, per_word, pointer_extra, rec, nrec, tracked, ew_rec):
    """SimPy: elementwise(last) then finish_step(last); returns (cycle h is ready, h)."""
    w = waits[last]
    begin = spawn[last]
    if w >= 0:  # yield waits_for.done
        begin = max(begin, seg_done[w])
    begin += drain  # ew.wait_cycles(drain)
    buffer = gate_acc[last % 2]
    gates = np.zeros(4 * hidden)
    for r in range(4 * hidden):  # _gather(gate_acc[step % 2]) + bias
        gates[r] = buffer[r % n, r // n] + bias[r]
    buffer[:, :] = 0.0
    if last == tracked - 1 or last == tracked:
        ew_rec[ew[1], 0] = begin
        ew_rec[ew[1], 1] = begin + ew_cycles
        ew_rec[ew[1], 2] = last
        ew[1] += 1
    ew[0] += ew_cycles  # ew.busy(cycles)
    ew[2] += hidden  # ew.stats.entries += compiled.hidden
    m = np.zeros(hidden)
    for k in range(hidden):  # ElementwiseUnit.step
        a = _lut(sig_values, span, gates[hidden + k]) * cell[k]
        b = _lut(sig_values, span, gates[k]) * _lut(tanh_values, span, gates[2 * hidden + k])
        cell[k] = a + b
        m[k] = _lut(sig_values, span, gates[3 * hidden + k]) * _lut(tanh_values, span, cell[k])
    ctrl = max(ctrl, begin + ew_cycles)  # m = yield m_ready[step]
    if not has_proj:
        return ctrl, m
    s = counts[1]
    counts[1] += 1
    seg_kind[s], seg_step[s] = PROJECTION, last
    ctrl = _broadcast(s, m, 0, ctrl, skip_zero, pe, pops, histogram, item_col, item_val,
                      item_seg, seg_kind, seg_step, seg_done, seg_items, counts, g_ptr, g_rows,
                      g_w, g_useful, p_ptr, p_rows, p_w, p_useful, gate_acc, proj_acc, per_word,
                      pointer_extra, rec, nrec, tracked)
    if seg_items[s] > 0:  # yield segment.done
        ctrl = seg_done[s]
    ctrl += drain  # controller.wait_cycles(drain)
    h = np.zeros(outputs_n)
    for r in range(outputs_n):  # _gather(proj_acc, outputs)
        h[r] = proj_acc[r % n, r // n]
    proj_acc[:, :] = 0.0
    return ctrl, h


@jit
def _simulate(inputs, bias, hidden, outputs_n, n, depth, drain, ew_cycles, skip_zero,
              per_word, pointer_extra, g_ptr, g_rows, g_w, g_useful, p_ptr, p_rows, p_w,
              p_useful, has_proj, g_rows_per_pe, p_rows_per_pe, sig_values, tanh_values, span,
              tracked):
    """SimPy: control() with every process it starts."""
    steps, n_inputs = inputs.shape
    pe = np.zeros((n, 13), dtype=np.int64)
    pops = np.zeros((n, depth + 1), dtype=np.int64)  # pop cycles of the latest items
    histogram = np.zeros(depth + 2, dtype=np.int64)
    capacity = steps * (n_inputs + outputs_n + hidden) + 1
    item_col = np.zeros(capacity, dtype=np.int64)
    item_val = np.zeros(capacity, dtype=np.float64)
    item_seg = np.zeros(capacity, dtype=np.int64)
    seg_kind = np.zeros(3 * steps, dtype=np.int64)
    seg_step = np.zeros(3 * steps, dtype=np.int64)
    seg_done = np.full(3 * steps, -1, dtype=np.int64)
    seg_items = np.zeros(3 * steps, dtype=np.int64)
    gate_acc = np.zeros((2, n, g_rows_per_pe))
    proj_acc = np.zeros((n, p_rows_per_pe))
    rec = np.zeros((3 * n * (n_inputs + outputs_n + hidden) + 1, 4), dtype=np.int64)
    nrec = np.zeros(1, dtype=np.int64)
    ew_rec = np.zeros((2, 3), dtype=np.int64)
    ew = np.zeros(3, dtype=np.int64)  # element-wise busy cycles, intervals recorded, cells
    counts = np.zeros(4, dtype=np.int64)  # items, segments, transfers, bus stall cycles
    outputs = np.zeros((steps, outputs_n))
    step_end = np.zeros(steps, dtype=np.int64)
    spawn = np.zeros(steps, dtype=np.int64)
    waits = np.full(steps, -1, dtype=np.int64)
    cell = np.zeros(hidden)
    h = np.zeros(outputs_n)
    window_start = 0
    ctrl = 0
    for step in range(steps + 1):
        if step < steps:  # part = new_segment("input", step); broadcast(part, inputs[step])
            part = counts[1]
            counts[1] += 1
            seg_kind[part], seg_step[part] = INPUT, step
            if step == tracked:
                window_start = ctrl
            ctrl = _broadcast(part, inputs[step], 0, ctrl, skip_zero, pe, pops, histogram,
                              item_col, item_val, item_seg, seg_kind, seg_step, seg_done,
                              seg_items, counts, g_ptr, g_rows, g_w, g_useful, p_ptr, p_rows,
                              p_w, p_useful, gate_acc, proj_acc, per_word, pointer_extra, rec,
                              nrec, tracked)
        if step > 0:  # h = yield from finish_step(step - 1)
            ctrl, h = _finish_step(step - 1, ctrl, spawn, waits, ew, cell, bias, hidden,
                                   outputs_n, n, drain, ew_cycles, skip_zero, has_proj,
                                   sig_values, tanh_values, span, pe, pops, histogram, item_col,
                                   item_val, item_seg, seg_kind, seg_step, seg_done, seg_items,
                                   counts, g_ptr, g_rows, g_w, g_useful, p_ptr, p_rows, p_w,
                                   p_useful, gate_acc, proj_acc, per_word, pointer_extra, rec,
                                   nrec, tracked, ew_rec)
            outputs[step - 1] = h
            step_end[step - 1] = ctrl
        if step == steps:
            break
        recurrent = counts[1]  # recurrent = new_segment("recurrent", step)
        counts[1] += 1
        seg_kind[recurrent], seg_step[recurrent] = RECURRENT, step
        ctrl = _broadcast(recurrent, h, n_inputs, ctrl, skip_zero, pe, pops, histogram, item_col,
                          item_val, item_seg, seg_kind, seg_step, seg_done, seg_items, counts,
                          g_ptr, g_rows, g_w, g_useful, p_ptr, p_rows, p_w, p_useful, gate_acc,
                          proj_acc, per_word, pointer_extra, rec, nrec, tracked)
        spawn[step] = ctrl  # engine.process(elementwise(step, last, cell))
        if seg_items[recurrent] > 0:
            waits[step] = recurrent
        elif seg_items[part] > 0:
            waits[step] = part
    end = step_end[steps - 1]
    for p in range(n):  # occupancy up to the last cycle
        _account(p, end, counts[0], pe, pops, histogram)
    return (pe, histogram[:depth + 1], counts, ew, step_end, outputs, rec[:nrec[0]],
            ew_rec[:ew[1]], window_start)


@jit
def _broadcast(s, vector, offset, start, skip_zero, pe, pops, histogram, item_col, item_val,
               item_seg, seg_kind, seg_step, seg_done, seg_items, counts, g_ptr, g_rows, g_w,
               g_useful, p_ptr, p_rows, p_w, p_useful, gate_acc, proj_acc, per_word,
               pointer_extra, rec, nrec, tracked):
    """Push `vector` from cycle `start` (SimPy: broadcast() and Broadcast._run) and let
    every PE take each item; returns the cycle the controller resumes (one after the
    last push), or `start` if nothing is sent."""
    n = pe.shape[0]
    slots = pops.shape[1]
    depth = slots - 1
    ready = start
    first = counts[0]
    for c in range(vector.shape[0]):
        if skip_zero and vector[c] == 0.0:
            continue
        it = counts[0]
        item_col[it], item_val[it], item_seg[it] = offset + c, vector[c], s
        t = ready
        if it >= depth:  # stall while a queue is full (checked after this cycle's pops)
            for p in range(n):
                t = max(t, pops[p, (it - depth) % slots])
        counts[3] += t - ready
        for p in range(n):  # queue.put(item) to every target; the PE takes it when free
            _account(p, t, it, pe, pops, histogram)
            pe[p, PUSHES] += 1
            pop = max(t, pe[p, BUSY_UNTIL])
            pops[p, it % slots] = pop
            _start(p, pop, it, pe, item_col, item_val, item_seg, seg_kind, seg_step, g_ptr,
                   g_rows, g_w, g_useful, p_ptr, p_rows, p_w, p_useful, gate_acc, proj_acc,
                   per_word, pointer_extra, rec, nrec, tracked)
        counts[0] += 1
        counts[2] += 1
        ready = t + 1
    seg_items[s] = counts[0] - first
    if seg_items[s] == 0:
        return start
    done = 0
    for p in range(n):  # segment.done: every PE has finished its last item
        done = max(done, pe[p, BUSY_UNTIL])
    seg_done[s] = done
    return ready


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
    """Compile the kernel on a one-cell, one-PE layer."""
    layer = LSTMLayer("warm-up", np.ones((4, 1)), np.ones((4, 1)), np.zeros(4))
    _run(compile_layer(layer, ESEConfig(pes_per_channel=1)), np.ones((1, 1)), 0)


def _run(compiled: CompiledLSTMLayer, inputs: np.ndarray, timeline_step: int) -> ESECounters:
    cfg = compiled.config
    n = cfg.pes_per_channel
    gates = pe_matrix(compiled.gates, compiled.gate_column_scale, 0)
    if compiled.projection is not None:
        proj = pe_matrix(compiled.projection,
                       np.full(compiled.projection.shape[1], compiled.projection_scale), 0)
        p_arrays = (proj.encoding.ptr, proj.local_rows, proj.weights,
                    proj.useful.astype(np.int64))
        p_rows_per_pe = proj.rows_per_pe
    else:
        p_arrays = (np.zeros((n, 1), dtype=np.int64), np.zeros(1, dtype=np.int64),
                    np.zeros(1), np.zeros(1, dtype=np.int64))
        p_rows_per_pe = 1
    probe = BankedSRAM("probe", cfg.pointer_bits, banks=cfg.pointer_banks)
    unit = ElementwiseUnit.of(cfg)
    ew_cycles = -(-compiled.hidden // cfg.elementwise_lanes) + cfg.elementwise_pipeline_cycles - 1
    args = (np.ascontiguousarray(inputs, dtype=np.float64), compiled.bias, compiled.hidden,
            compiled.outputs, n, cfg.queue_depth_entries, cfg.pe_pipeline_stages - 1, ew_cycles,
            cfg.skip_zero_activations, cfg.entries_per_word, probe.read([0, 1]) - 1,
            gates.encoding.ptr, gates.local_rows, gates.weights, gates.useful.astype(np.int64),
            *p_arrays, compiled.projection is not None, gates.rows_per_pe, p_rows_per_pe,
            unit.sigmoid.values, unit.tanh.values, float(cfg.lut_range), timeline_step)
    pe, histogram, counts, ew, step_end, outputs, rec, ew_rec, window = _simulate(*args)
    pe_intervals: list[list[list]] = [[] for _ in range(n)]
    for p, begin, end, kind in rec.tolist():  # merged in the kernel, as record() does
        pe_intervals[p].append([begin, end, KINDS[kind]])
    timeline = {"step": timeline_step, "start_cycle": int(window),
                "end_cycle": int(step_end[timeline_step]), "pe_intervals": pe_intervals,
                "elementwise_intervals": [[b, e, f"step {s}"] for b, e, s in ew_rec.tolist()]}
    return ESECounters(
        model_end_cycle=int(step_end[-1]), pe_busy=pe[:, BUSY], pe_stalled=pe[:, STALLED],
        pe_entries=pe[:, ENTRIES], pe_macs_useful=pe[:, MACS], occupancy_histogram=histogram,
        queue_pushes=pe[:, PUSHES], queue_pops=pe[:, POPS], broadcast_transfers=int(counts[2]),
        broadcast_stall_cycles=int(counts[3]), spmat_reads=pe[:, SPMAT],
        pointer_reads=pe[:, POINTER_READS], pointer_conflicts=pe[:, CONFLICTS],
        elementwise_busy=int(ew[0]), elementwise_cells=int(ew[2]), step_end_cycles=step_end,
        timeline=timeline, output=outputs)

