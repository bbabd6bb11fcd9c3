"""PointAcc energy from the model's counts x energy per access (simulator.energy tables).

Counted by the model (LayerRun): mapping-unit comparisons (merger comparisons, hash
probes, or distance-unit comparisons), key-buffer reads and writes, keys hashed, map
entries, feature values written into the feature buffer, the systolic array's input
reads, weight loads and partial-sum updates, MACs, DRAM bytes. Energy per event:
- merger comparison or hash probe: one compare (an add) at key width; a hash also
  costs one multiply at key width (Fibonacci hashing); a hash probe reads one slot
  (key and a ROW_BITS row number), other key-buffer accesses move one key;
- distance unit (set abstraction): each point read gives one squared distance (three
  subtractions, three multiplies, two adds at coordinate width) and each comparison is
  one compare at key width;
- every input key (or point) arriving from DRAM is written once into the key buffer;
  the key buffer is sized to what the layer needs (PointAcc publishes no buffer sizes;
  our rule): the merge-sort mapper holds the sorted input and output keys, the hash
  mapper the input keys and its table (slots of key and row number, at
  hash_load_factor), the distance unit the points;
- a map entry is written into the map buffer and read once by the memory unit;
- a MAC multiplies two features (feature_bytes wide) into a partial sum
  (accumulator_bits; rule: simulator.mac_energy); a partial-sum update is one read and
  one write of the output buffer; outputs are read once more to be written to DRAM.
"""

from __future__ import annotations

from sparsesim.accelerators.pointacc.config import PointAccConfig
from sparsesim.accelerators.pointacc.keys import FIELD_BITS
from sparsesim.accelerators.pointacc.run import LayerRun
from sparsesim.simulator.energy import TechTable
from sparsesim.simulator.mac_energy import mac_pj

ROW_BITS = 32  # row number stored beside each key in a hash slot; our choice


def key_buffer_bytes(run: LayerRun, config: PointAccConfig, input_points: int) -> int:
    """Key-buffer capacity the layer needs (rule in the module docstring)."""
    keys = input_points * config.key_bytes
    if run.kind == "set_abstraction":
        return keys
    if config.mapper == "hash":
        return keys + run.table_slots * (config.key_bytes + ROW_BITS // 8)
    return keys + len(run.out_coords) * config.key_bytes


def on_chip_bits(config: PointAccConfig, key_bytes: int) -> float:
    """SRAM and array-register bits of one PointAcc with a `key_bytes` key buffer."""
    weights = config.array_rows * config.array_cols * config.feature_bytes
    return 8 * (key_bytes + config.map_buffer_bytes + config.feature_buffer_bytes
                + config.output_buffer_bytes + weights)


def _mapping_pj(run: LayerRun, config: PointAccConfig, capacity: int,
                table: TechTable) -> tuple[float, float]:
    """(arithmetic, key-buffer) energy of the mapping unit (or distance unit), pJ."""
    key_bits = 8 * config.key_bytes
    compare = table.interpolate("int_add_pj", key_bits)
    key_access = table.sram_access_pj(capacity, key_bits)
    if run.kind == "set_abstraction":
        distance = 5 * table.interpolate("int_add_pj", FIELD_BITS) \
            + 3 * table.interpolate("int_mult_pj", FIELD_BITS)
        return (run.key_reads * distance + run.comparisons * compare,
                (run.key_reads + run.key_writes) * key_access)
    arithmetic = run.comparisons * compare + run.hashes * table.interpolate("int_mult_pj",
                                                                            key_bits)
    if config.mapper == "hash":
        slot = table.sram_access_pj(capacity, key_bits + ROW_BITS)
        return arithmetic, ((run.key_reads - run.comparisons) * key_access
                            + (run.comparisons + run.key_writes) * slot)
    return arithmetic, (run.key_reads + run.key_writes) * key_access


def energy_breakdown_pj(run: LayerRun, config: PointAccConfig, input_points: int,
                        seconds: float, table: TechTable) -> dict[str, float]:
    """Energy in pJ per component class of one layer; the values sum to the total."""
    feature_bits = 8 * config.feature_bytes
    capacity = key_buffer_bytes(run, config, input_points)
    mapping, keys = _mapping_pj(run, config, capacity, table)
    loaded = input_points * table.sram_access_pj(capacity, 8 * config.key_bytes)
    written_back = run.dram_bytes_written // config.feature_bytes
    weight_file = config.array_rows * config.array_cols * config.feature_bytes
    return {
        "arithmetic_mapping": mapping,
        "arithmetic_matrix_mac": run.macs * mac_pj(table, feature_bits, feature_bits,
                                                   config.accumulator_bits),
        "sram_key_buffer": keys + loaded,
        "sram_map_buffer": 2 * run.map_entries
        * table.sram_access_pj(config.map_buffer_bytes, config.map_entry_bits),
        "sram_feature_buffer": (run.feature_writes + run.array_input_reads)
        * table.sram_access_pj(config.feature_buffer_bytes, feature_bits),
        "sram_output_buffer": (2 * run.array_psum_updates + written_back)
        * table.sram_access_pj(config.output_buffer_bytes, config.accumulator_bits),
        "register_file_array_weights": run.array_weight_loads
        * table.sram_access_pj(weight_file, feature_bits),
        "dram": table.dram_pj(run.dram_bytes_read + run.dram_bytes_written),
        "leakage": table.leakage_pj(on_chip_bits(config, capacity), seconds),
    }
