"""Per-component event counters (plain dataclasses; every count is a whole number)."""

from dataclasses import dataclass


@dataclass
class PEStats:
    """Cycle accounting of one processing element."""

    busy_cycles: int = 0  # cycles issuing work (one entry, or one empty-column cycle)
    stalled_cycles: int = 0  # cycles holding work but blocked by a structural hazard
    entries: int = 0  # matrix entries processed, padding included
    macs_useful: int = 0  # multiply-accumulates with a nonzero weight


@dataclass
class QueueStats:
    """Traffic of one bounded FIFO."""

    pushes: int = 0
    pops: int = 0
    max_occupancy_entries: int = 0


@dataclass
class SRAMStats:
    """Accesses to one banked SRAM; `bank_conflicts` counts extra cycles they cost."""

    reads: int = 0  # word reads
    writes: int = 0  # word writes
    bits_read: int = 0
    bits_written: int = 0
    bank_conflicts: int = 0


@dataclass
class BroadcastStats:
    """Traffic of one broadcast bus."""

    transfers: int = 0  # items delivered to every target queue at once
    stall_cycles: int = 0  # cycles an item was ready but some target queue was full


def sram_read_stats(word_bits: int, reads_words: int, banks: int | None = None,
                    bank_conflicts: int | None = None) -> dict[str, int]:
    """The memory_stats entry of one SRAM (summed over PEs): word width, words and bits
    read, and for a banked SRAM its banks and conflicts."""
    stats = {"word_bits": word_bits, "reads_words": int(reads_words),
             "bits_read": int(reads_words) * word_bits}
    if banks is not None:
        stats.update(banks=banks, bank_conflicts=int(bank_conflicts or 0))
    return stats
