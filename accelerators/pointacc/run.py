"""What one simulated PointAcc layer produced: counters, maps and the numeric output."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.accelerators.pointacc.mergesort import MapperStats
from sparsesim.accelerators.pointacc.units import Units


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
    key_reads: int  # key-buffer reads: keys, hash slots, or points (distance unit)
    key_writes: int  # key-buffer writes: sorted keys or hash slots
    hashes: int  # keys hashed (hash mapper only)
    table_slots: int  # hash-table slots (hash mapper only)
    feature_writes: int  # feature values written into the feature buffer
    array_input_reads: int  # feature values streamed from the buffer into the array
    array_weight_loads: int  # weight values loaded into the array
    array_psum_updates: int  # partial sums read and written back in the output buffer
    out_coords: np.ndarray  # int64 (M_out, 3), in the accelerator's output order
    output: np.ndarray  # float64 (M_out, c_out), activation applied
    maps: dict  # the mapping results, for checking (see each simulator)


def counters_of(units: Units, mapping: MapperStats, name: str, kind: str, resident: bool,
                out_coords: np.ndarray, output: np.ndarray, maps: dict, *, map_entries: int,
                passes: int) -> LayerRun:
    """`mapping`: the stats of the unit that built the maps (mapper or distance unit)."""
    array = units.array.stats
    return LayerRun(
        name=name, kind=kind, cycles=units.end_cycle, mapping_cycles=mapping.cycles,
        matmul_cycles=array.busy_cycles, memory_cycles=units.dram.stats.busy_cycles,
        waiting_cycles=dict(units.waiting_cycles), map_entries=map_entries,
        comparisons=mapping.comparisons, collisions=mapping.collisions, mapping_passes=passes,
        macs=array.macs, dram_bytes_read=units.dram.stats.bytes_read,
        dram_bytes_written=units.dram.stats.bytes_written, features_resident=resident,
        key_reads=mapping.key_reads, key_writes=mapping.key_writes, hashes=mapping.hashes,
        table_slots=mapping.table_slots,
        feature_writes=units.feature_writes, array_input_reads=array.input_reads,
        array_weight_loads=array.weight_loads, array_psum_updates=array.psum_updates,
        out_coords=out_coords, output=output, maps=maps)
