"""ESE hardware parameters (Han et al., "ESE: Efficient Speech Recognition Engine with
Sparse LSTM on FPGA", FPGA 2017, arXiv 1612.00694; cited below as "ESE").

Values marked "secondary" come from third-party summaries of the paper (see
/work/shared/reference/README.md); "not published: our choice" marks values no source
we could read gives.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sparsesim.simulator.errors import ConfigError
from sparsesim.simulator.validate import (
    MAX_CLOCK_MHZ,
    MAX_PES,
    MAX_QUEUE_DEPTH,
    MIN_CLOCK_MHZ,
    check_flag,
    check_real,
    check_whole,
)


@dataclass(frozen=True)
class ESEConfig:
    """One ESE channel (a PE array with its element-wise unit)."""

    pes_per_channel: int = 32  # PEs sharing out each matrix's rows; secondary
    channels: int = 1  # independent utterances in flight, one per channel; count not
    #                    published: our choice. One channel is simulated; throughput scales
    #                    by `channels` (sequences_per_second_all_channels)
    clock_mhz: float = 200.0  # MHz; ESE abstract (XCKU060 at 200 MHz)
    queue_depth_entries: int = 8  # activation FIFO per PE, entries; secondary
    weight_bits: int = 12  # fixed-point weight code per entry; ESE abstract (12-bit quantization)
    relative_index_bits: int = 4  # relative row index per entry; secondary (2 bytes per entry)
    spmat_word_bits: int = 64  # sparse-matrix memory word; not published: our choice
    pointer_bits: int = 16  # column pointer width; not published: our choice (as EIE)
    pointer_banks: int = 2  # even/odd column pointer banks; not published: our choice (as EIE)
    pe_pipeline_stages: int = 4  # pointer, matrix read, multiply, accumulate; not published
    elementwise_lanes: int = 16  # cells the element-wise unit finishes per cycle; not published
    elementwise_pipeline_cycles: int = 6  # latency of one cell's gate math; not published
    lut_segments: int = 2048  # sigmoid/tanh lookup table, linear between entries; ESE uses
    #                           lookup tables (secondary), size not published: our choice
    lut_range: float = 8.0  # table covers [-lut_range, +lut_range), saturates outside; ours
    skip_zero_activations: bool = False  # broadcast only nonzero activations (as EIE); ESE's
    #                                      LSTM activations are dense: not published, our choice
    # Widths and on-chip memories, for energy and leakage (not timing). ESE keeps the
    # compressed weights in DDR3 (secondary: two DDR3 channels) and streams them through
    # per-PE buffers every step, so the buffers are FIFOs, not whole-matrix stores.
    activation_bits: int = 16  # activations and LUT values, fixed point; not published: ours
    accumulator_bits: int = 32  # gate accumulators; not published: our choice
    column_index_bits: int = 16  # column index carried with each queued activation; ours
    spmat_buffer_bytes: int = 4096  # sparse-matrix buffer per PE; not published: our choice
    pointer_buffer_bytes: int = 1024  # pointer buffer per PE (all banks); not published: ours
    activation_buffer_bytes: int = 4096  # x_t, h_{t-1}, m_t (ese-lstm needs 3378); ours

    def __post_init__(self) -> None:
        check_whole("ESE", self, ("pes_per_channel",), high=MAX_PES)
        check_whole("ESE", self, ("queue_depth_entries",), high=MAX_QUEUE_DEPTH)
        check_whole("ESE", self, ("channels",), high=MAX_PES)
        check_whole("ESE", self, ("lut_segments",), high=2**24)
        check_whole("ESE", self, ("weight_bits", "relative_index_bits",
                                  "pointer_bits", "activation_bits", "accumulator_bits",
                                  "column_index_bits"), high=64)
        check_whole("ESE", self, ("spmat_word_bits",), high=4096)
        check_whole("ESE", self, ("pointer_banks", "pe_pipeline_stages", "elementwise_lanes",
                                  "elementwise_pipeline_cycles",
                                  "spmat_buffer_bytes", "pointer_buffer_bytes",
                                  "activation_buffer_bytes"))
        check_real("ESE", self, ("clock_mhz",), MIN_CLOCK_MHZ, MAX_CLOCK_MHZ, low_open=False)
        check_real("ESE", self, ("lut_range",), 0.0, 1e6)
        check_flag("ESE", self, ("skip_zero_activations",))
        if not 2 <= self.weight_bits <= 16:
            raise ConfigError(f"ESE config: weight_bits must lie in 2..16, got {self.weight_bits}")
        if self.relative_index_bits > 8:
            raise ConfigError("ESE config: relative_index_bits must be <= 8, got "
                              f"{self.relative_index_bits}")
        if self.spmat_word_bits < self.entry_bits:
            raise ConfigError(f"ESE config: spmat_word_bits ({self.spmat_word_bits}) must hold "
                              f"at least one {self.entry_bits}-bit entry")

    @property
    def entry_bits(self) -> int:
        """Bits of one stored entry (weight code and relative index)."""
        return self.weight_bits + self.relative_index_bits

    @property
    def queue_entry_bits(self) -> int:
        """Bits of one activation-queue entry (value and column index)."""
        return self.activation_bits + self.column_index_bits

    @property
    def entries_per_word(self) -> int:
        return self.spmat_word_bits // self.entry_bits

    @property
    def clock_hz(self) -> float:
        return self.clock_mhz * 1e6

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


ESE_PAPER = ESEConfig()
