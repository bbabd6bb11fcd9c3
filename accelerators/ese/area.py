"""ESE's on-chip part as silicon area (simulator.area rules), from the energy model's
component inventory: per PE the sparse-matrix buffer, the pointer buffer banks, the
activation FIFO (flip-flops), one weight_bits x activation_bits multiplier with an
accumulator_bits adder, and the accumulator file when a layer sizes it; per channel the
activation buffer and the element-wise unit (`elementwise_lanes` lanes, each with the
multipliers and adders of one cell, OPS_PER_CELL, at activation_bits, and the sigmoid
and tanh tables as SRAM). ESE is an FPGA design: this is what the same inventory would
take as a 45 nm ASIC, not the XCKU060's resources. DDR3 is off chip.
"""

from __future__ import annotations

from typing import Any

from sparsesim.accelerators.ese.config import ESEConfig
from sparsesim.accelerators.ese.elementwise import OPS_PER_CELL
from sparsesim.simulator.area import AreaTable, area_fields, load_area_table

NOT_MODELLED = ("DDR3 and its controller (off chip)", "clock network", "filler cells",
                "control logic and pipeline registers")


def channel_area_um2(config: ESEConfig, table: AreaTable,
                     accumulator_bytes: float = 0.0) -> dict[str, float]:
    """One channel's area by component, um^2 (accumulators only when sized by a layer)."""
    n = config.pes_per_channel
    act = config.activation_bits
    lane = (OPS_PER_CELL.multiplies * table.mult_um2(act, act)
            + OPS_PER_CELL.adds * table.unit_um2("int_add_um2", act))
    lut_bytes = (config.lut_segments + 1) * act / 8
    return {
        "sram_spmat_buffer": n * table.sram_um2(config.spmat_buffer_bytes),
        "sram_pointer_buffer": n * config.pointer_banks
        * table.sram_um2(config.pointer_buffer_bytes / config.pointer_banks),
        "queues": n * table.flops_um2(config.queue_depth_entries * config.queue_entry_bits),
        "arithmetic_mac": n * (table.mult_um2(config.weight_bits, act)
                               + table.unit_um2("int_add_um2", config.accumulator_bits)),
        "register_file_accumulators": n * table.flops_um2(8 * accumulator_bytes),
        "sram_activation_buffer": table.sram_um2(config.activation_buffer_bytes),
        "elementwise_lut": 2 * table.sram_um2(lut_bytes),
        "elementwise_arithmetic": config.elementwise_lanes * lane,
    }


def area(config: ESEConfig, tech: str = "45nm", accumulator_bytes: float = 0.0) -> dict[str, Any]:
    """`details["area"]`: `channels` x one channel. Without `accumulator_bytes` (a layer's
    `energy.accumulator_file_bytes`) the accumulator file is left out and said so."""
    table = load_area_table(tech)
    channel = channel_area_um2(config, table, accumulator_bytes)
    unsized = {} if accumulator_bytes else {
        "register_file_accumulators": "accumulator file (sized by the layer it runs)"}
    return area_fields({key: um2 * config.channels for key, um2 in channel.items()}, table,
                       NOT_MODELLED, unsized)
