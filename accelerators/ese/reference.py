"""One LSTM layer on an ESE channel, over a whole input sequence (SimPy reference).

Hardware: N PEs, each owning rows i = p (mod N) of the gate matrix [W_ih | W_hh] and of
the projection, with an activation FIFO, pointer memory (two banks), sparse-matrix
memory (weight code + relative index per entry) and two banks of gate accumulators;
one broadcast bus; one element-wise unit (LUT sigmoid/tanh, cell update).

Schedule of step t (the bus carries one activation per cycle, in this order):
  input part      x_t columns of the gate matrix (needs nothing from step t-1);
  [wait]          h_{t-1}: the element-wise unit of step t-1 (and its projection) done;
  recurrent part  h_{t-1} columns of the gate matrix;
  element-wise    once every PE has issued its last recurrent column and the pipeline
                  drained: gates -> c_t, m_t. Meanwhile the bus already sends x_{t+1}
                  (accumulators are double-buffered by step parity): the overlap.
  projection      m_t columns of W_proj (if any) -> h_t, after x_{t+1}'s part.
A PE that pops column j reads its start and end pointers (one cycle, or more on a bank
conflict: stalled), then issues one entry per cycle for its run of column j (at least
one cycle even for an empty run).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import simpy

from sparsesim.accelerators.ese.compile import CompiledLSTMLayer
from sparsesim.accelerators.ese.counters import ESECounters
from sparsesim.accelerators.ese.elementwise import ElementwiseUnit
from sparsesim.simulator import Broadcast, Component, Engine, ProcessingElement
from sparsesim.simulator.sparse_pe_array import SparsePEArray


@dataclass
class Segment:
    """One pass of the bus over a vector: which matrix its columns index, where the
    products go, and when every PE has issued its last entry."""

    kind: str  # "input", "recurrent" or "projection"
    step: int
    matrix: str  # "gates" or "projection"
    column_offset: int
    accumulators: np.ndarray  # (PEs, rows per PE)
    done: simpy.Event
    pes_done: int = 0
    start_cycle: int = -1
    items: int = 0


def _gather(accumulators: np.ndarray, rows: int) -> np.ndarray:
    """Vector from interleaved accumulators (PE p holds rows p, p + N, ...)."""
    return accumulators.T.reshape(-1)[:rows].copy()


def simulate_layer(compiled: CompiledLSTMLayer, inputs: np.ndarray, timeline_step: int,
                   watchdog_cycles: int = 10_000) -> ESECounters:
    """Run the layer over `inputs` (T, inputs); record the timeline of `timeline_step`."""
    cfg = compiled.config
    n = cfg.pes_per_channel
    steps = len(inputs)
    engine = Engine(watchdog_cycles)
    array = SparsePEArray(engine, n, cfg.queue_depth_entries, cfg.pointer_bits,
                          cfg.pointer_banks, cfg.spmat_word_bits, flag_timing="same_cycle")
    queues, pes = array.queues, array.pes
    pointer_srams, spmat_srams = array.pointer_srams, array.spmat_srams
    unit = ElementwiseUnit.of(cfg)
    ew = ProcessingElement(engine, "elementwise", n)
    controller = Component(engine, "controller")
    drain = cfg.pe_pipeline_stages - 1
    gate_rows = 4 * compiled.hidden
    matrices = {"gates": compiled.gate_matrix}
    gate_acc = np.zeros((2, n, matrices["gates"].rows_per_pe))
    if compiled.projection is not None:
        matrices["projection"] = compiled.projection_matrix
        proj_acc = np.zeros((n, matrices["projection"].rows_per_pe))
    tracked = {timeline_step - 1, timeline_step, timeline_step + 1}  # all work in its window
    pe_intervals: list[list[list]] = [[] for _ in range(n)]
    ew_intervals: list[list] = []
    buses: list[Broadcast] = []
    m_ready = [engine.env.event() for _ in range(steps)]
    outputs = np.zeros((steps, compiled.outputs))
    step_end = np.zeros(steps, dtype=np.int64)
    window_start = [0]

    def record(intervals: list, start: int, end: int, kind: str) -> None:
        if intervals and intervals[-1][1] == start and intervals[-1][2] == kind:
            intervals[-1][1] = end
        else:
            intervals.append([start, end, kind])

    def pe_process(p: int):
        pe, queue = pes[p], queues[p]
        while True:
            segment, column, value, last = yield queue.get()
            mat = matrices[segment.matrix]
            address = mat.pointer_base + column
            extra = pointer_srams[p].read([address, address + 1]) - 1
            if extra:
                yield pe.stall(extra)
            start, stop = int(mat.encoding.ptr[p, column]), int(mat.encoding.ptr[p, column + 1])
            if stop > start:
                base, per_word = mat.encoding.ptr[p, 0], cfg.entries_per_word
                spmat_srams[p].read_words((stop - 1 - base) // per_word
                                          - (start - base) // per_word + 1)
                segment.accumulators[p, mat.local_rows[start:stop]] += (
                    mat.weights[start:stop] * value)
                pe.stats.entries += stop - start
                if value != 0.0:
                    pe.stats.macs_useful += int(mat.useful[stop] - mat.useful[start])
            cycles = max(1, stop - start)
            if segment.step in tracked:
                record(pe_intervals[p], engine.now, engine.now + cycles, segment.kind)
            yield pe.busy(cycles)
            if last:
                segment.pes_done += 1
                if segment.pes_done == n:
                    segment.done.succeed()

    def broadcast(segment: Segment, vector: np.ndarray):
        """Send `vector` over the bus; returns once its last item is delivered."""
        columns = np.flatnonzero(vector) if cfg.skip_zero_activations else range(len(vector))
        items = [(segment, segment.column_offset + int(c), float(vector[c]), False)
                 for c in columns]
        segment.start_cycle, segment.items = engine.now, len(items)
        if not items:
            return
        items[-1] = items[-1][:3] + (True,)
        bus = Broadcast(engine, f"bus.{segment.kind}{segment.step}", queues, items)
        buses.append(bus)
        yield bus.process

    def new_segment(kind: str, step: int) -> Segment:
        if kind == "projection":
            return Segment(kind, step, "projection", 0, proj_acc, engine.env.event())
        offset = 0 if kind == "input" else compiled.inputs
        return Segment(kind, step, "gates", offset, gate_acc[step % 2], engine.env.event())

    def elementwise(step: int, waits_for: Segment | None, cell: list):
        if waits_for is not None:
            yield waits_for.done
        yield ew.wait_cycles(drain)
        gates = _gather(gate_acc[step % 2], gate_rows) + compiled.bias
        gate_acc[step % 2][:] = 0.0
        cycles = -(-compiled.hidden // cfg.elementwise_lanes) + cfg.elementwise_pipeline_cycles - 1
        if step in (timeline_step - 1, timeline_step):
            ew_intervals.append([engine.now, engine.now + cycles, f"step {step}"])
        yield ew.busy(cycles)
        cell[0], m = unit.step(gates, cell[0])
        ew.stats.entries += compiled.hidden  # cells updated
        m_ready[step].succeed(m)

    def finish_step(step: int):
        """h_step from m_step (through the projection, if any)."""
        m = yield m_ready[step]
        if compiled.projection is None:
            h = m
        else:
            segment = new_segment("projection", step)
            yield from broadcast(segment, m)
            if segment.items:
                yield segment.done
            yield controller.wait_cycles(drain)
            h = _gather(proj_acc, compiled.outputs)
            proj_acc[:] = 0.0
        outputs[step], step_end[step] = h, engine.now
        return h

    def control():
        cell = [np.zeros(compiled.hidden)]
        h = np.zeros(compiled.outputs)
        for step in range(steps):
            part = new_segment("input", step)
            yield from broadcast(part, inputs[step])
            if step == timeline_step:
                window_start[0] = part.start_cycle
            if step > 0:
                h = yield from finish_step(step - 1)
            recurrent = new_segment("recurrent", step)
            yield from broadcast(recurrent, h)
            last = recurrent if recurrent.items else (part if part.items else None)
            engine.process(elementwise(step, last, cell))
        yield from finish_step(steps - 1)

    for p in range(n):
        engine.process(pe_process(p))
    done = engine.process(control())
    engine.run(lambda: done.triggered)
    end = int(step_end[-1])
    return ESECounters(
        model_end_cycle=end,
        pe_busy=np.array([pe.stats.busy_cycles for pe in pes]),
        pe_stalled=np.array([pe.stats.stalled_cycles for pe in pes]),
        pe_entries=np.array([pe.stats.entries for pe in pes]),
        pe_macs_useful=np.array([pe.stats.macs_useful for pe in pes]),
        occupancy_histogram=np.bincount(
            np.concatenate([q.occupancy_per_cycle(end) for q in queues]),
            minlength=cfg.queue_depth_entries + 1),
        broadcast_transfers=sum(b.stats.transfers for b in buses),
        broadcast_stall_cycles=sum(b.stats.stall_cycles for b in buses),
        **array.memory_and_queue_counts(),
        elementwise_busy=ew.stats.busy_cycles,
        elementwise_cells=ew.stats.entries,
        step_end_cycles=step_end,
        timeline={"step": timeline_step, "start_cycle": window_start[0],
                  "end_cycle": int(step_end[timeline_step]), "pe_intervals": pe_intervals,
                  "elementwise_intervals": ew_intervals},
        output=outputs,
    )
