"""Raw counters of one EIE layer run, as both engines produce them, and the SimResult
built from them (one function, so both engines report identically)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.accelerators.eie.area import area
from sparsesim.accelerators.eie.compile import CompiledLayer
from sparsesim.accelerators.eie.energy import energy_breakdown_pj
from sparsesim.accelerators.eie.lnzd import broadcast_order
from sparsesim.simulator.energy import load_table
from sparsesim.simulator.result import SimResult, make_result
from sparsesim.simulator.stats import sram_read_stats

TIMELINE_BINS = 200  # most time bins in the queue-occupancy timeline


@dataclass
class EIECounters:
    """What a simulation of one layer counted. Arrays are indexed by PE."""

    model_end_cycle: int  # first cycle after the last PE's last issue cycle
    pe_busy: np.ndarray
    pe_stalled: np.ndarray
    pe_entries: np.ndarray  # entries processed, padding included
    pe_macs_useful: np.ndarray
    occupancy: np.ndarray  # (PEs, model_end_cycle) queue entries at the end of each cycle
    queue_pushes: np.ndarray
    queue_pops: np.ndarray
    broadcast_transfers: int
    broadcast_stall_cycles: int
    spmat_reads: np.ndarray  # SRAM words read
    pointer_reads: np.ndarray  # pointer words read
    pointer_conflicts: np.ndarray  # extra cycles from pointer bank conflicts
    output: np.ndarray  # float64 output vector, activation function applied


def gather_output(compiled: CompiledLayer, accumulators: np.ndarray) -> np.ndarray:
    """Output vector from the PEs' accumulators (PE p holds rows p, p + N, ...), with
    the layer's activation function applied."""
    output = accumulators.T.reshape(-1)[:compiled.encoding.shape[0]]
    return np.maximum(output, 0.0) if compiled.relu else output


def build_result(compiled: CompiledLayer, counters: EIECounters, *, engine: str,
                 seed: int | None, wall_seconds: float, workload: str,
                 tech: str = "45nm") -> SimResult:
    cfg = compiled.config
    pipeline_cycles = cfg.lnzd_levels + cfg.pipeline_stages - 1
    cycles = counters.model_end_cycle + cfg.pipeline_stages - 1
    busy = counters.pe_busy.astype(np.int64)
    stalled = counters.pe_stalled.astype(np.int64)
    starved = cycles - busy - stalled - pipeline_cycles
    if np.any(starved < 0):
        raise RuntimeError("EIE cycle accounting broken: a PE has negative starved cycles")
    split = compiled.issue_split
    if not (np.array_equal(split["useful"], counters.pe_macs_useful)
            and np.array_equal(split["useful"] + split["padding"], counters.pe_entries)):
        raise RuntimeError("EIE cycle accounting broken: the engine's entry counts differ "
                           "from the encoding's")
    macs = int(counters.pe_macs_useful.sum())
    reference = compiled.reference_output()
    error = float(np.max(np.abs(counters.output - reference), initial=0.0))
    tolerance = 1e-9 * max(1.0, compiled.reference_scale())
    n = cfg.num_pes
    encoded = compiled.encoding.size_bits(cfg.pointer_bits)
    encoded["codebook_bits"] = cfg.codebook_entries * cfg.codebook_value_bits
    encoded["total_bits"] += encoded["codebook_bits"]
    entries = int(counters.pe_entries.sum())
    seconds = cycles / cfg.clock_hz
    row_change_cycles = int(broadcast_order(compiled.activations, n,
                                            cfg.lnzd_row_change_cycles)[1].sum())
    breakdown = energy_breakdown_pj(compiled, counters, seconds, load_table(tech))
    return make_result(
        accel="eie", workload=workload, config=cfg.to_dict(), seed=seed, engine=engine,
        cycles=cycles, clock_hz=cfg.clock_hz, macs_useful=macs,
        busy=busy, stalled=stalled, starved=starved, busy_split=split,
        pipeline=pipeline_cycles,
        queue_stats=_queue_stats(counters, cfg.queue_depth_entries, cycles),
        memory_stats={
            "spmat_sram": sram_read_stats(cfg.spmat_word_bits, counters.spmat_reads.sum()),
            "pointer_sram": sram_read_stats(cfg.pointer_bits, counters.pointer_reads.sum(),
                                            cfg.pointer_banks, counters.pointer_conflicts.sum()),
        },
        output_ok=bool(error <= tolerance),
        max_abs_error=error,
        wall_seconds=wall_seconds,
        details={
            "layer": compiled.name,
            "shape_out_in": list(compiled.encoding.shape),
            "weight_density": float(compiled.codes.nnz
                                    / max(1, np.prod(compiled.encoding.shape))),
            "activation_density": float(np.count_nonzero(compiled.activations)
                                        / max(1, len(compiled.activations))),
            "nonzero_activations": int(counters.broadcast_transfers),
            "ideal_cycles": int(-(-macs // n)),
            "pipeline_cycles": int(pipeline_cycles),
            "entries_processed": entries,
            "padding_entries_processed": entries - macs,
            "pe_entries": counters.pe_entries.astype(np.int64).tolist(),
            "pe_macs_useful": counters.pe_macs_useful.astype(np.int64).tolist(),
            "broadcast": {"transfers": int(counters.broadcast_transfers),
                          "stall_cycles": int(counters.broadcast_stall_cycles),
                          "row_change_cycles": row_change_cycles},
            "encoded_bits": {k: int(v) for k, v in encoded.items()},
            "codebook": [float(c) for c in compiled.codebook],
            "tech": tech,
            "area": area(cfg, tech),
        },
        energy_breakdown_pj=breakdown,
    )


def _queue_stats(counters: EIECounters, depth: int, cycles: int) -> dict:
    occ = counters.occupancy
    n, recorded = occ.shape
    histogram = np.bincount(occ.ravel(), minlength=depth + 1).astype(np.int64)
    histogram[0] += n * (cycles - recorded)  # pipeline drain: queues are empty
    bins = min(TIMELINE_BINS, recorded)  # recorded >= 1: the LNZD takes >= 1 cycle
    edges = np.linspace(0, recorded, bins + 1).astype(np.int64)
    starts = edges[:-1]  # every bin holds >= 1 cycle: bins <= recorded
    per_cycle_sum = occ.sum(axis=0, dtype=np.int64)
    mean = np.add.reduceat(per_cycle_sum, starts) / (n * np.diff(edges))
    peak = np.maximum.reduceat(occ.max(axis=0), starts)
    return {
        "depth_entries": depth,
        "pushes": int(counters.queue_pushes.sum()),
        "pops": int(counters.queue_pops.sum()),
        "max_occupancy_entries": int(occ.max(initial=0)),
        "mean_occupancy_entries": float(histogram @ np.arange(depth + 1) / (n * cycles)),
        "occupancy_histogram_queue_cycles": histogram.tolist(),
        "full_queue_cycles": int(histogram[depth]),
        "timeline": {"bin_start_cycles": starts.tolist(),
                     "mean_occupancy_entries": mean.tolist(),
                     "max_occupancy_entries": peak.astype(np.int64).tolist()},
    }
