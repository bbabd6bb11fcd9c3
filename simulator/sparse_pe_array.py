"""The PE array of a sparse-matrix engine (EIE, ESE): per PE an activation queue, a
banked pointer SRAM and a sparse-matrix SRAM."""

from __future__ import annotations

import numpy as np

from sparsesim.simulator.engine import Engine
from sparsesim.simulator.pe import ProcessingElement
from sparsesim.simulator.queue import ActivationQueue
from sparsesim.simulator.sram import BankedSRAM


class SparsePEArray:
    """`num_pes` PEs named pe0, pe1, ...; the model drives them, this class builds them
    and gathers their counts. `flag_timing` is the queues' (see queue.FLAG_TIMINGS)."""

    def __init__(self, engine: Engine, num_pes: int, queue_depth_entries: int,
                 pointer_bits: int, pointer_banks: int, spmat_word_bits: int, *,
                 flag_timing: str) -> None:
        pes = range(num_pes)
        self.queues = [ActivationQueue(engine, f"pe{p}.queue", queue_depth_entries, flag_timing)
                       for p in pes]
        self.pes = [ProcessingElement(engine, f"pe{p}", p) for p in pes]
        self.pointer_srams = [BankedSRAM(f"pe{p}.pointer_sram", pointer_bits, banks=pointer_banks)
                              for p in pes]
        self.spmat_srams = [BankedSRAM(f"pe{p}.spmat_sram", spmat_word_bits) for p in pes]

    def memory_and_queue_counts(self) -> dict[str, np.ndarray]:
        """Per-PE arrays: queue pushes and pops, SRAM word reads, pointer bank conflicts."""
        return {
            "queue_pushes": np.array([q.stats.pushes for q in self.queues]),
            "queue_pops": np.array([q.stats.pops for q in self.queues]),
            "spmat_reads": np.array([s.stats.reads for s in self.spmat_srams]),
            "pointer_reads": np.array([s.stats.reads for s in self.pointer_srams]),
            "pointer_conflicts": np.array([s.stats.bank_conflicts for s in self.pointer_srams]),
        }
