"""EIE hardware parameters (Han et al., "EIE: Efficient Inference Engine on Compressed
Deep Neural Network", ISCA 2016; cited below as "EIE")."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sparsesim.simulator.errors import ConfigError
from sparsesim.simulator.queue import FLAG_TIMINGS


@dataclass(frozen=True)
class EIEConfig:
    """One EIE instance. Every default is the paper's, with its section."""

    num_pes: int = 64  # PEs; EIE Sec. V (64-PE implementation)
    clock_mhz: float = 800.0  # MHz; EIE Sec. V (synthesised at 800 MHz)
    queue_depth_entries: int = 8  # activation FIFO per PE, usable entries; EIE Sec. VI depth study
    # FIFO full/empty flag timing (simulator/queue.py FLAG_TIMINGS). "registered": the
    # flags are registers, as in the authors' RTL-level simulator (RalphMao/EIE-simulator
    # src/nzfetch.cpp, full/empty computed from pos_read/pos_write); "same_cycle": this
    # simulator's timing before issue 16 (a pop and a push share a cycle).
    queue_flag_timing: str = "registered"
    # cycles the LNZD unit spends moving to the next row of num_pes activations (one per
    # PE's activation bank) without broadcasting: once per all-zero row, and after a row
    # whose last broadcast nonzero is not in the row's last slot; RalphMao/EIE-simulator
    # src/nzfetch.cpp (next_reg_addr). 0 = this simulator's timing before issue 16.
    lnzd_row_change_cycles: int = 1
    weight_index_bits: int = 4  # bits of the codebook index v (16-entry codebook); EIE Sec. III-B
    codebook_value_bits: int = 16  # bits per shared weight value; EIE Sec. III-B
    relative_row_bits: int = 4  # bits of the relative row index z; EIE Sec. III-B
    spmat_word_bits: int = 64  # sparse-matrix SRAM word = 8 entries per read; EIE Sec. IV
    pointer_bits: int = 16  # column pointer width; EIE Sec. IV (pointer read unit)
    pointer_banks: int = 2  # even/odd pointer banks: start and end in one cycle; EIE Sec. IV
    lnzd_fanin: int = 4  # leading-nonzero-detection tree fan-in; EIE Sec. IV
    pipeline_stages: int = 4  # pointer read, matrix read, arithmetic, write-back; EIE Sec. IV
    arithmetic_bits: int = 16  # fixed-point multiply-accumulate width; EIE Sec. IV
    # SRAM capacities per PE (energy only). Not in shared/reference: each is the smallest
    # power of two that holds the largest Table III layer (vgg-fc6) at 64 PEs: 100 KB of
    # entries, 25089 16-bit pointers (49 KB), 392 16-bit source activations (784 B).
    spmat_sram_kib: int = 128
    pointer_sram_kib: int = 64  # both banks together
    activation_sram_bytes: int = 2048  # source and destination halves

    def __post_init__(self) -> None:
        positive = ("num_pes", "queue_depth_entries", "weight_index_bits", "codebook_value_bits",
                    "relative_row_bits", "spmat_word_bits", "pointer_bits", "pointer_banks",
                    "pipeline_stages", "arithmetic_bits", "spmat_sram_kib", "pointer_sram_kib",
                    "activation_sram_bytes")
        for name in positive:
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"EIE config: {name} must be a whole number >= 1, got {value!r}")
        if self.queue_flag_timing not in FLAG_TIMINGS:
            raise ConfigError(f"EIE config: queue_flag_timing must be one of "
                              f"{', '.join(FLAG_TIMINGS)}, got {self.queue_flag_timing!r}")
        row_change = self.lnzd_row_change_cycles
        if not isinstance(row_change, int) or isinstance(row_change, bool) or row_change < 0:
            raise ConfigError("EIE config: lnzd_row_change_cycles must be a whole number >= 0, "
                              f"got {self.lnzd_row_change_cycles!r}")
        if not self.clock_mhz > 0:
            raise ConfigError(f"EIE config: clock_mhz must be > 0, got {self.clock_mhz!r}")
        if self.lnzd_fanin < 2:
            raise ConfigError(f"EIE config: lnzd_fanin must be >= 2, got {self.lnzd_fanin!r}")
        if self.weight_index_bits > 8 or self.relative_row_bits > 8:
            raise ConfigError("EIE config: weight_index_bits and relative_row_bits must be <= 8 "
                              "(entries are stored in bytes)")
        if self.spmat_word_bits < self.entry_bits:
            raise ConfigError(f"EIE config: spmat_word_bits ({self.spmat_word_bits}) must hold "
                              f"at least one {self.entry_bits}-bit entry")

    @property
    def entry_bits(self) -> int:
        """Bits of one stored entry (v and z)."""
        return self.weight_index_bits + self.relative_row_bits

    @property
    def entries_per_word(self) -> int:
        return self.spmat_word_bits // self.entry_bits

    @property
    def codebook_entries(self) -> int:
        return 2 ** self.weight_index_bits

    @property
    def clock_hz(self) -> float:
        return self.clock_mhz * 1e6

    @property
    def lnzd_levels(self) -> int:
        """Levels of the LNZD tree over the PEs' activation slices (>= 1): the cycles
        before the first nonzero activation can be broadcast."""
        levels, span = 1, self.lnzd_fanin
        while span < self.num_pes:
            span *= self.lnzd_fanin
            levels += 1
        return levels

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


EIE_PAPER = EIEConfig()
EIE_SAME_CYCLE_FIFO = EIEConfig(queue_flag_timing="same_cycle", lnzd_row_change_cycles=0)
"""The paper's configuration with this simulator's earlier, optimistic FIFO and LNZD
timing (a freed slot refilled and a pushed entry taken in the same cycle, free row
changes): kept for comparison."""
