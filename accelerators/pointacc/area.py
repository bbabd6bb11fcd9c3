"""PointAcc silicon area (simulator.area rules) from the energy model's inventory: the
mapping unit's `comparators` (an adder at key width each, the energy model's compare),
the distance unit's `distance_lanes` (three multipliers and five adders at coordinate
width each), the array_rows x array_cols systolic array (a feature-width multiplier and
an accumulator_bits adder per cell, its weights as flip-flops) and the map, feature and
output buffers as SRAM. The key buffer is sized per layer by the energy model (PointAcc
publishes no size): included only when a layer gives `key_buffer_bytes`.
"""

from __future__ import annotations

from typing import Any

from sparsesim.accelerators.pointacc.config import PointAccConfig
from sparsesim.accelerators.pointacc.keys import FIELD_BITS
from sparsesim.simulator.area import AreaTable, area_fields, load_area_table

NOT_MODELLED = ("the hash mapper's hash units", "clock network", "filler cells",
                "control logic and pipeline registers")


def area_um2(config: PointAccConfig, table: AreaTable,
             key_buffer_bytes: float = 0.0) -> dict[str, float]:
    """Area by component, um^2."""
    feature_bits = 8 * config.feature_bytes
    cells = config.array_rows * config.array_cols
    distance_lane = (3 * table.unit_um2("int_mult_um2", FIELD_BITS)
                     + 5 * table.unit_um2("int_add_um2", FIELD_BITS))
    return {
        "arithmetic_mapping": config.comparators * table.unit_um2("int_add_um2",
                                                                  8 * config.key_bytes)
        + config.distance_lanes * distance_lane,
        "arithmetic_matrix_mac": cells * (table.mult_um2(feature_bits, feature_bits)
                                          + table.unit_um2("int_add_um2",
                                                           config.accumulator_bits)),
        "register_file_array_weights": table.flops_um2(cells * feature_bits),
        "sram_key_buffer": table.sram_um2(key_buffer_bytes),
        "sram_map_buffer": table.sram_um2(config.map_buffer_bytes),
        "sram_feature_buffer": table.sram_um2(config.feature_buffer_bytes),
        "sram_output_buffer": table.sram_um2(config.output_buffer_bytes),
    }


def area(config: PointAccConfig, tech: str = "45nm",
         key_buffer_bytes: float = 0.0) -> dict[str, Any]:
    """`details["area"]`; without `key_buffer_bytes` the key buffer is left out, said so."""
    table = load_area_table(tech)
    unsized = {} if key_buffer_bytes else {
        "sram_key_buffer": "key buffer (sized by the layer it runs)"}
    return area_fields(area_um2(config, table, key_buffer_bytes), table, NOT_MODELLED, unsized)
