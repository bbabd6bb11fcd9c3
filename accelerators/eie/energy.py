"""EIE energy from the engine's counts x energy per access (simulator.energy tables).

Every count below is an event the model counted or one fixed by the layer's shape:
per processed entry, one codebook register read, one MAC at `arithmetic_bits`, one
accumulator read and one write; per spmat word, one 64-bit SRAM read; per column a PE
takes, two pointer reads; per broadcast, one push into and one pop from every queue;
the LNZD reads every input activation once and each output is written once.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sparsesim.accelerators.eie.compile import CompiledLayer
from sparsesim.simulator.energy import TechTable

if TYPE_CHECKING:
    from sparsesim.accelerators.eie.counters import EIECounters

QUEUE_ENTRY_BITS = 32  # 16-bit activation value + 16-bit column index (our choice)


def energy_breakdown_pj(compiled: CompiledLayer, counters: EIECounters, seconds: float,
                        table: TechTable) -> dict[str, float]:
    """Energy in pJ per component class; the values sum to the layer's total."""
    cfg = compiled.config
    n = cfg.num_pes
    entries = float(counters.pe_entries.sum())
    rows_per_pe = -(-compiled.encoding.shape[0] // n)
    bits = cfg.arithmetic_bits
    spmat_bytes = cfg.spmat_sram_kib * 1024
    pointer_bank_bytes = cfg.pointer_sram_kib * 1024 / cfg.pointer_banks
    activation_accesses = compiled.encoding.shape[1] + compiled.encoding.shape[0]
    queue_bytes = cfg.queue_depth_entries * QUEUE_ENTRY_BITS / 8
    sram_bits = n * 8 * (spmat_bytes + cfg.pointer_sram_kib * 1024 + cfg.activation_sram_bytes)
    return {
        "arithmetic": entries * table.int_mac_pj(bits),
        "sram_spmat": float(counters.spmat_reads.sum())
        * table.sram_access_pj(spmat_bytes, cfg.spmat_word_bits),
        "sram_pointer": float(counters.pointer_reads.sum())
        * table.sram_access_pj(pointer_bank_bytes, cfg.pointer_bits),
        "sram_activation": activation_accesses
        * table.sram_access_pj(cfg.activation_sram_bytes, bits),
        "register_file_codebook": entries * table.sram_access_pj(
            cfg.codebook_entries * cfg.codebook_value_bits / 8, cfg.codebook_value_bits),
        "register_file_accumulators": 2 * entries * table.sram_access_pj(rows_per_pe * bits / 8,
                                                                          bits),
        "queues": float(counters.queue_pushes.sum() + counters.queue_pops.sum())
        * table.sram_access_pj(queue_bytes, QUEUE_ENTRY_BITS),
        "dram": table.dram_pj(0),  # EIE holds the whole compressed layer on chip
        "leakage": table.leakage_pj(sram_bits, seconds),
    }
