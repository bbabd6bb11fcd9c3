"""Raw counters of one ESE layer run and the SimResult built from them, with the
simulated hidden states checked against a numpy LSTM on the same quantized weights."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.accelerators.ese.area import area
from sparsesim.accelerators.ese.compile import CompiledLSTMLayer
from sparsesim.accelerators.ese.elementwise import OPS_PER_CELL, ElementwiseUnit
from sparsesim.accelerators.ese.energy import (
    accumulator_file_bytes,
    ddr_bytes_per_step,
    energy_breakdown_pj,
)
from sparsesim.simulator.energy import load_table
from sparsesim.simulator.result import SimResult, make_result
from sparsesim.simulator.stats import sram_read_stats
from sparsesim.workloads.formats import EIECSC

KINDS = ("input", "recurrent", "projection")  # a PE interval's broadcast segment


@dataclass(frozen=True)
class RecordedTimeline:
    """A step's timeline as the fast engine records it (arrays), turned into the
    reference's dict after the run: PE rows (PE, begin, end, index into KINDS) in the
    order each PE recorded them, element-wise rows (begin, end, step)."""

    step: int
    start_cycle: int
    end_cycle: int
    pes: int
    pe_rows: np.ndarray
    elementwise_rows: np.ndarray

    def to_dict(self) -> dict:
        pe_intervals: list[list[list]] = [[] for _ in range(self.pes)]
        for p, begin, end, kind in self.pe_rows.tolist():
            pe_intervals[p].append([begin, end, KINDS[kind]])
        return {"step": self.step, "start_cycle": self.start_cycle, "end_cycle": self.end_cycle,
                "pe_intervals": pe_intervals,
                "elementwise_intervals": [[b, e, f"step {s}"]
                                          for b, e, s in self.elementwise_rows.tolist()]}


@dataclass
class ESECounters:
    """What a simulation of one layer over a sequence counted. Arrays are indexed by PE."""

    model_end_cycle: int  # cycle the last step's h_t is ready
    pe_busy: np.ndarray
    pe_stalled: np.ndarray
    pe_entries: np.ndarray  # entries processed, padding included
    pe_macs_useful: np.ndarray
    occupancy_histogram: np.ndarray  # queue-cycles at each occupancy 0..depth (end of cycle)
    queue_pushes: np.ndarray
    queue_pops: np.ndarray
    broadcast_transfers: int
    broadcast_stall_cycles: int
    spmat_reads: np.ndarray  # sparse-matrix memory words read
    pointer_reads: np.ndarray
    pointer_conflicts: np.ndarray  # extra cycles from pointer bank conflicts
    elementwise_busy: int  # cycles the element-wise unit worked
    elementwise_cells: int  # LSTM cells it updated (ElementwiseUnit.OPS_PER_CELL each)
    step_end_cycles: np.ndarray  # cycle each step's h_t was ready
    timeline: dict | RecordedTimeline  # intervals of one step, for the timeline plot
    output: np.ndarray  # (T, outputs) float64 simulated hidden states


def reference_states(compiled: CompiledLSTMLayer, inputs: np.ndarray) -> np.ndarray:
    """numpy LSTM on the dequantized dense weights with the hardware's lookup tables."""
    unit = ElementwiseUnit.of(compiled.config)
    return compiled.quantized.forward(inputs, sig=unit.sigmoid, tanh=unit.tanh)


def padding_entries(encoding: EIECSC) -> np.ndarray:
    """Padding entries each PE stores for `encoding` (indexed by PE)."""
    owner = np.repeat(np.arange(encoding.num_pes), encoding.entries_per_pe())
    return np.bincount(owner[encoding.v == 0], minlength=encoding.num_pes)


def busy_split(compiled: CompiledLSTMLayer, counters: ESECounters,
               steps: int) -> dict[str, np.ndarray]:
    """Each PE's issue cycles by kind (arrays indexed by PE): real entries times a nonzero
    activation (useful) or a zero one (zero_activation), padding entries, and the one
    cycle per broadcast column whose run is empty for the PE (empty_slice). Without
    zero skipping every column is broadcast every step, so padding is the stored padding
    times the steps; with it every broadcast activation is nonzero."""
    entries = counters.pe_entries.astype(np.int64)
    useful = counters.pe_macs_useful.astype(np.int64)
    if compiled.config.skip_zero_activations:
        padding = entries - useful
    else:
        matrices = [m for m in (compiled.gates, compiled.projection) if m is not None]
        padding = steps * sum(padding_entries(m) for m in matrices)
    split = {"useful": useful, "zero_activation": entries - padding - useful,
             "padding": padding, "empty_slice": counters.pe_busy.astype(np.int64) - entries}
    if any(np.any(v < 0) for v in split.values()):
        raise RuntimeError("ESE cycle accounting broken: a busy category is negative")
    return split


def build_result(compiled: CompiledLSTMLayer, counters: ESECounters, inputs: np.ndarray, *,
                 engine: str, seed: int | None, wall_seconds: float, workload: str,
                 tech: str = "45nm") -> SimResult:
    cfg = compiled.config
    n = cfg.pes_per_channel
    cycles = counters.model_end_cycle
    busy = counters.pe_busy.astype(np.int64)
    stalled = counters.pe_stalled.astype(np.int64)
    idle = cycles - busy - stalled
    if np.any(idle < 0):
        raise RuntimeError("ESE cycle accounting broken: a PE has negative idle cycles")
    reference = reference_states(compiled, inputs)
    error = float(np.max(np.abs(counters.output - reference), initial=0.0))
    tolerance = 1e-9 * max(1.0, float(np.abs(reference).max(initial=0.0)))
    macs = int(counters.pe_macs_useful.sum())
    steps = len(inputs)
    depth = cfg.queue_depth_entries
    histogram = counters.occupancy_histogram.astype(np.int64)
    levels = np.flatnonzero(histogram)
    seconds = cycles / cfg.clock_hz
    breakdown = energy_breakdown_pj(compiled, counters, steps, seconds, load_table(tech))
    cells = int(counters.elementwise_cells)
    return make_result(
        accel="ese", workload=workload, config=cfg.to_dict(), seed=seed, engine=engine,
        cycles=cycles, clock_hz=cfg.clock_hz, macs_useful=macs,
        busy=busy, stalled=stalled, starved=idle,
        busy_split=busy_split(compiled, counters, len(inputs)),
        queue_stats={
            "depth_entries": depth,
            "pushes": int(counters.queue_pushes.sum()),
            "pops": int(counters.queue_pops.sum()),
            "max_occupancy_entries": int(levels.max(initial=0)),
            "mean_occupancy_entries": float(histogram @ np.arange(depth + 1)
                                            / max(1, histogram.sum())),
            "occupancy_histogram_queue_cycles": histogram.tolist(),
            "full_queue_cycles": int(histogram[depth]),
        },
        memory_stats={
            "spmat_memory": sram_read_stats(cfg.spmat_word_bits, counters.spmat_reads.sum()),
            "pointer_memory": sram_read_stats(cfg.pointer_bits, counters.pointer_reads.sum(),
                                              cfg.pointer_banks, counters.pointer_conflicts.sum()),
            "activation_buffer": {"capacity_bytes": cfg.activation_buffer_bytes,
                                  "needed_bytes": (compiled.inputs + compiled.outputs
                                                   + compiled.hidden) * cfg.activation_bits // 8},
            "ddr3": {"bytes_per_step": ddr_bytes_per_step(compiled),
                     "bytes_read": steps * ddr_bytes_per_step(compiled),
                     "note": "weights streamed every step; counted, not timed"},
        },
        output_ok=bool(error <= tolerance),
        max_abs_error=error,
        wall_seconds=wall_seconds,
        details={
            "layer": compiled.name,
            "steps": steps,
            "hidden": compiled.hidden,
            "inputs": compiled.inputs,
            "outputs": compiled.outputs,
            "pe_nonzeros": compiled.pe_nonzeros().tolist(),
            "weights_dense": compiled.dense_weights(),
            "pe_entries": counters.pe_entries.astype(np.int64).tolist(),
            "ideal_cycles_per_step": int(-(-int(compiled.pe_nonzeros().sum()) // n)),
            "cycles_per_step": float(cycles / steps),
            "step_end_cycles": counters.step_end_cycles.astype(np.int64).tolist(),
            "elementwise_busy_cycles": int(counters.elementwise_busy),
            "elementwise_ops": {"cells": cells, "lookups": cells * OPS_PER_CELL.lookups,
                                "lut_reads": cells * OPS_PER_CELL.lut_reads,
                                "multiplies": cells * OPS_PER_CELL.multiplies,
                                "adds": cells * OPS_PER_CELL.adds},
            "macs_by_width": {f"{cfg.weight_bits}x{cfg.activation_bits}_bit":
                              int(counters.pe_entries.sum())},
            "broadcast": {"transfers": int(counters.broadcast_transfers),
                          "stall_cycles": int(counters.broadcast_stall_cycles)},
            "encoded_bits": compiled.size_bits(),
            "step_timeline": (counters.timeline if isinstance(counters.timeline, dict)
                              else counters.timeline.to_dict()),
            "tech": tech,
            "area": area(cfg, tech, accumulator_file_bytes(compiled)),
        },
        energy_breakdown_pj=breakdown,
    )
