"""EIE silicon area from the energy model's component inventory (simulator.area rules).

Per PE (EIE Fig. 4 and Table II's modules): the sparse-matrix SRAM (SpmatRead), the two
pointer SRAM banks (PtrRead), the activation queue as flip-flops (Act queue), the
arithmetic unit (one arithmetic_bits multiplier and adder, and the codebook registers
that decode the weight index), the source/destination activation store (ActRW; an SRAM
of `activation_sram_bytes`, as the energy model reads it) and the PE's share of the LNZD
quadtree. An LNZD node picks the first nonzero of `lnzd_fanin` activations: modelled as
one comparator (an adder, the rule PointAcc's energy uses) per input at arithmetic_bits
(not published: our choice). The accumulators live in the destination activations.
"""

from __future__ import annotations

from typing import Any

from sparsesim.accelerators.eie.config import EIEConfig
from sparsesim.accelerators.eie.energy import QUEUE_ENTRY_BITS
from sparsesim.simulator.area import AreaTable, area_fields, load_area_table

NOT_MODELLED = ("clock network", "filler cells", "control logic and pipeline registers",
                "central control unit and wiring")


def lnzd_nodes(config: EIEConfig) -> int:
    """Nodes of the LNZD quadtree over `num_pes` PEs (every level, root included)."""
    nodes, span = 0, config.num_pes
    for _ in range(config.lnzd_levels):
        span = -(-span // config.lnzd_fanin)
        nodes += span
    return nodes


def pe_area_um2(config: EIEConfig, table: AreaTable) -> dict[str, float]:
    """One PE's area by module, um^2 (the LNZD tree shared out evenly)."""
    bits = config.arithmetic_bits
    lnzd_node = config.lnzd_fanin * table.unit_um2("int_add_um2", bits)
    return {
        "sram_spmat": table.sram_um2(config.spmat_sram_kib * 1024),
        "sram_pointer": config.pointer_banks
        * table.sram_um2(config.pointer_sram_kib * 1024 / config.pointer_banks),
        "activation_queue": table.flops_um2(config.queue_depth_entries * QUEUE_ENTRY_BITS),
        "arithmetic": table.unit_um2("int_mult_um2", bits) + table.unit_um2("int_add_um2", bits),
        "register_file_codebook": table.flops_um2(config.codebook_entries
                                                  * config.codebook_value_bits),
        "activation_rw": table.sram_um2(config.activation_sram_bytes),
        "lnzd": lnzd_node * lnzd_nodes(config) / config.num_pes,
    }


def area(config: EIEConfig, tech: str = "45nm") -> dict[str, Any]:
    """The chip's `details["area"]` block: num_pes x the PE, with the PE beside it."""
    table = load_area_table(tech)
    pe = pe_area_um2(config, table)
    return area_fields({key: um2 * config.num_pes for key, um2 in pe.items()}, table,
                       per_pe_area_um2=sum(pe.values()), per_pe_breakdown_um2=pe,
                       not_modelled=NOT_MODELLED)
