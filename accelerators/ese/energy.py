"""ESE energy from the engine's counts x energy per access (simulator.energy tables).

Counted by both engines: entries each PE processed (one MAC, one accumulator read and
one write each), sparse-matrix buffer words and pointer words read, queue pushes and
pops, activations broadcast (one activation-buffer read each), LSTM cells the
element-wise unit updated (`OPS_PER_CELL` lookups, multiplies and adds each).
Fixed by the layer's shape and the step count: the DDR3 stream. The timing model does
not simulate DDR3; ESE keeps the compressed weights there and streams them through the
PEs' buffers every step, so each step moves the layer's whole encoding (entries and
pointers, `ddr_bytes_per_step`) from DDR3 into the buffers (one buffer write per bit
streamed). The input frames are not counted (40 to 153 values a step: negligible).
A MAC is a 12-bit weight times a 16-bit activation (rule: simulator.mac_energy).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sparsesim.accelerators.ese.compile import CompiledLSTMLayer
from sparsesim.accelerators.ese.elementwise import OPS_PER_CELL
from sparsesim.simulator.energy import TechTable
from sparsesim.simulator.mac_energy import mac_pj

if TYPE_CHECKING:
    from sparsesim.accelerators.ese.counters import ESECounters


def ddr_bytes_per_step(compiled: CompiledLSTMLayer) -> int:
    """Bytes of the layer's encoding (entries and pointers) streamed from DDR3 per step."""
    return -(-compiled.size_bits()["total_bits"] // 8)


def accumulator_file_bytes(compiled: CompiledLSTMLayer) -> float:
    """One PE's accumulators: two gate banks (double-buffered by step) and the projection's."""
    cfg = compiled.config
    rows = 2 * -(-compiled.gates.shape[0] // cfg.pes_per_channel)
    if compiled.projection is not None:
        rows += -(-compiled.projection.shape[0] // cfg.pes_per_channel)
    return rows * cfg.accumulator_bits / 8


def on_chip_bits(compiled: CompiledLSTMLayer) -> float:
    """SRAM, register-file and FIFO bits of one channel (what leaks)."""
    cfg = compiled.config
    per_pe = (cfg.spmat_buffer_bytes + cfg.pointer_buffer_bytes
              + accumulator_file_bytes(compiled)) * 8 \
        + cfg.queue_depth_entries * cfg.queue_entry_bits
    luts = 2 * (cfg.lut_segments + 1) * cfg.activation_bits  # sigmoid and tanh tables
    return cfg.pes_per_channel * per_pe + cfg.activation_buffer_bytes * 8 + luts


def energy_breakdown_pj(compiled: CompiledLSTMLayer, counters: ESECounters, steps: int,
                        seconds: float, table: TechTable) -> dict[str, float]:
    """Energy in pJ per component class over `steps` steps; the values sum to the total."""
    cfg = compiled.config
    entries = float(counters.pe_entries.sum())
    bits = compiled.size_bits()
    entry_bits = bits["gate_entries_bits"] + bits.get("projection_entries_bits", 0)
    pointer_bits = bits["gate_pointers_bits"] + bits.get("projection_pointers_bits", 0)
    pointer_bank_bytes = cfg.pointer_buffer_bytes / cfg.pointer_banks
    act = cfg.activation_bits
    written = compiled.inputs + compiled.outputs + (
        compiled.hidden if compiled.projection is not None else 0)  # x_t, h_t and m_t
    gathered = 4 * compiled.hidden + (compiled.outputs if compiled.projection is not None else 0)
    queue_bytes = cfg.queue_depth_entries * cfg.queue_entry_bits / 8
    lut_bytes = (cfg.lut_segments + 1) * act / 8
    cells = float(counters.elementwise_cells)
    return {
        "arithmetic_mac": entries * mac_pj(table, cfg.weight_bits, cfg.activation_bits,
                                           cfg.accumulator_bits),
        "sram_spmat_buffer": float(counters.spmat_reads.sum())
        * table.sram_access_pj(cfg.spmat_buffer_bytes, cfg.spmat_word_bits)
        + steps * table.sram_access_pj(cfg.spmat_buffer_bytes, entry_bits),
        "sram_pointer_buffer": float(counters.pointer_reads.sum())
        * table.sram_access_pj(pointer_bank_bytes, cfg.pointer_bits)
        + steps * table.sram_access_pj(pointer_bank_bytes, pointer_bits),
        "sram_activation_buffer": (counters.broadcast_transfers + steps * written)
        * table.sram_access_pj(cfg.activation_buffer_bytes, act),
        "register_file_accumulators": (2 * entries + steps * gathered)
        * table.sram_access_pj(accumulator_file_bytes(compiled), cfg.accumulator_bits),
        "queues": float(counters.queue_pushes.sum() + counters.queue_pops.sum())
        * table.sram_access_pj(queue_bytes, cfg.queue_entry_bits),
        "elementwise_lut": cells * OPS_PER_CELL.lut_reads * table.sram_access_pj(lut_bytes, act),
        "elementwise_arithmetic": cells * (OPS_PER_CELL.multiplies
                                           * table.interpolate("int_mult_pj", act)
                                           + OPS_PER_CELL.adds
                                           * table.interpolate("int_add_pj", act)),
        "dram": table.dram_pj(steps * ddr_bytes_per_step(compiled)),
        "leakage": table.leakage_pj(on_chip_bits(compiled), seconds),
    }
