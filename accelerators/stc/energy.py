"""Tensor-core GPU energy: a kernel's counts (stc_counts) x energy per event from a
technology table (simulator.energy).

The shipped table is Horowitz's 45 nm one; A100 (7 nm) and H100 (4 nm) are far denser and
cheaper per operation, and we apply no scaling factor: every figure is what the same
events would cost at 45 nm. Give a table of your own (--tech FILE.toml) for another node.

Per event (our choices, stated):
- MAC: fp16/bf16 -> one 16-bit floating-point multiply plus one 32-bit floating-point add
  (the tensor cores accumulate in fp32); int8 -> one 8-bit integer multiply plus one
  32-bit integer add (int32 accumulators). bf16 is costed as 16-bit (the table has no
  mantissa-width rule);
- register file, shared memory, L2: per byte, an SRAM access of that width from an array
  of config.register_file_bytes_per_sm / register_file_banks_per_sm (one SM partition's
  register file), smem_bytes_per_sm, l2_array_bytes. Bank conflicts replay phases but read
  the same words: they cost time, not energy, here;
- HBM: the table's DRAM energy per byte. Real HBM costs less per bit than the DDR the
  table describes (short, wide links on the package); the table has only DRAM;
- leakage: the table's SRAM leakage per bit x (register files + shared memory of every SM
  + L2) x the kernel's seconds (0 in the 45 nm table: Horowitz gives none).
"""

from __future__ import annotations

from sparsesim.accelerators.stc.config import STCConfig
from sparsesim.accelerators.stc.counts import AccessCounts
from sparsesim.simulator.energy import TechTable
from sparsesim.workloads.numeric import numeric_type

COMPONENTS = ("arithmetic", "register_file", "shared_memory", "l2", "hbm", "leakage")
INT_ACCUMULATOR_BITS = 32
FP_ACCUMULATOR_BITS = 32


def mac_pj(table: TechTable, operand_bits: int, integer: bool) -> float:
    """One tensor-core multiply-accumulate at `operand_bits` (see the module's rule)."""
    if integer:
        return (table.interpolate("int_mult_pj", operand_bits)
                + table.interpolate("int_add_pj", INT_ACCUMULATOR_BITS))
    return (table.interpolate("fp_mult_pj", operand_bits)
            + table.interpolate("fp_add_pj", FP_ACCUMULATOR_BITS))


def sram_bits(config: STCConfig) -> int:
    """Every SRAM bit on the chip that leaks: register files, shared memory, L2."""
    per_sm = config.register_file_bytes_per_sm + config.smem_bytes_per_sm
    return 8 * (config.num_sms * per_sm + config.l2_bytes)


def energy_breakdown_pj(counts: AccessCounts, config: STCConfig, seconds: float,
                        table: TechTable) -> dict[str, float]:
    """Energy in pJ per component class (COMPONENTS); the values sum to the kernel's total."""
    integer = numeric_type(counts.mac_dtype).is_integer
    rf_bank = config.register_file_bytes_per_sm / config.register_file_banks_per_sm
    per_byte = {"register_file": table.sram_access_pj(rf_bank, 8),
                "shared_memory": table.sram_access_pj(config.smem_bytes_per_sm, 8),
                "l2": table.sram_access_pj(config.l2_array_bytes, 8)}
    return {
        "arithmetic": counts.tensor_core_macs * mac_pj(table, counts.mac_operand_bits, integer),
        "register_file": (counts.register_file_read_bytes + counts.register_file_write_bytes)
        * per_byte["register_file"],
        "shared_memory": (counts.smem_read_bytes + counts.smem_write_bytes)
        * per_byte["shared_memory"],
        "l2": (counts.l2_read_bytes + counts.l2_write_bytes) * per_byte["l2"],
        "hbm": table.dram_pj(counts.hbm_read_bytes + counts.hbm_write_bytes),
        "leakage": table.leakage_pj(sram_bits(config), seconds),
    }
