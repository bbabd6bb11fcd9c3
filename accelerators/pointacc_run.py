"""What one simulated PointAcc layer produced: counters, maps and the numeric output."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accelerators.pointacc_units import Units


@dataclass
class LayerRun:
    """Raw counters of one layer (cycles are whole accelerator cycles)."""

    name: str
    kind: str  # "sparse_conv" or "set_abstraction"
    cycles: int  # first cycle to the last output written back
    mapping_cycles: int  # mapping / distance unit busy
    matmul_cycles: int  # systolic array busy
    memory_cycles: int  # DRAM channel busy
    waiting_cycles: dict  # per unit, cycles blocked on a queue (empty or full)
    map_entries: int  # kernel-map entries, or neighbour-list entries
    comparisons: int  # merger comparisons, hash probes or distance-unit comparisons
    collisions: int  # hash probes that hit another key (hash mapper only)
    mapping_passes: int
    macs: int
    dram_bytes_read: int
    dram_bytes_written: int
    features_resident: bool  # input features fit the on-chip feature buffer
    out_coords: np.ndarray  # int64 (M_out, 3), in the accelerator's output order
    output: np.ndarray  # float64 (M_out, c_out), activation applied
    maps: dict  # the mapping results, for checking (see each simulator)


def counters_of(units: Units, name: str, kind: str, mapping_cycles: int, map_entries: int,
                comparisons: int, collisions: int, passes: int, resident: bool,
                out_coords: np.ndarray, output: np.ndarray, maps: dict) -> LayerRun:
    return LayerRun(
        name=name, kind=kind, cycles=units.end_cycle, mapping_cycles=mapping_cycles,
        matmul_cycles=units.array.stats.busy_cycles, memory_cycles=units.dram.stats.busy_cycles,
        waiting_cycles=dict(units.waiting_cycles), map_entries=map_entries,
        comparisons=comparisons, collisions=collisions, mapping_passes=passes,
        macs=units.array.stats.macs, dram_bytes_read=units.dram.stats.bytes_read,
        dram_bytes_written=units.dram.stats.bytes_written, features_resident=resident,
        out_coords=out_coords, output=output, maps=maps)
