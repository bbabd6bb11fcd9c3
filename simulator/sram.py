"""BankedSRAM: word-addressed memory split into banks, counting accesses and conflicts."""

from __future__ import annotations

from collections.abc import Sequence

from sparsesim.simulator.stats import SRAMStats


class BankedSRAM:
    """SRAM of `banks` banks, each with `ports_per_bank` ports, words of `word_bits` bits.

    Word address a lives in bank a mod banks. `read(addresses)` issues the reads of one
    cycle and returns the cycles they take: more reads on one bank than it has ports
    take extra cycles, each counted as a bank conflict. Timing is the caller's (the
    cycles returned); this class only counts.
    """

    def __init__(self, name: str, word_bits: int, banks: int = 1, ports_per_bank: int = 1) -> None:
        for arg, value in (("word_bits", word_bits), ("banks", banks),
                           ("ports_per_bank", ports_per_bank)):
            if value < 1:
                raise ValueError(f"{name}: {arg} must be >= 1, got {value}")
        self.name = name
        self.word_bits = word_bits
        self.banks = banks
        self.ports_per_bank = ports_per_bank
        self.stats = SRAMStats()

    def read(self, addresses: Sequence[int]) -> int:
        """Read the given word addresses together; returns the cycles taken (>= 1)."""
        cycles = self._cycles(addresses)
        self.stats.reads += len(addresses)
        self.stats.bits_read += len(addresses) * self.word_bits
        self.stats.bank_conflicts += cycles - 1
        return cycles

    def read_words(self, words: int) -> None:
        """Count `words` sequential word reads streamed one per cycle (no conflicts)."""
        self.stats.reads += words
        self.stats.bits_read += words * self.word_bits

    def _cycles(self, addresses: Sequence[int]) -> int:
        per_bank: dict[int, int] = {}
        for address in addresses:
            bank = address % self.banks
            per_bank[bank] = per_bank.get(bank, 0) + 1
        busiest = max(per_bank.values(), default=0)
        return max(1, -(-busiest // self.ports_per_bank))
