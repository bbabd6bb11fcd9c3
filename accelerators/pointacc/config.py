"""PointAcc hardware parameters (Lin et al., "PointAcc: Efficient Point Cloud
Accelerator", MICRO 2021; cited below as "PointAcc").

The paper describes the architecture (one sorting-based mapping unit, a systolic
matrix unit, a memory unit) but does not publish comparator count, array size,
buffer sizes or clock in a source we could read (shared/reference/README.md): every
default below is our choice, marked so. Compare shapes of behaviour, not absolute
times.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sparsesim.simulator.errors import ConfigError
from sparsesim.simulator.validate import (
    MAX_CLOCK_MHZ,
    MAX_LATENCY_CYCLES,
    MAX_PES,
    MIN_CLOCK_MHZ,
    check_real,
    check_whole,
)

MAPPERS = ("mergesort", "hash")  # PointAcc's merge-sort mapping unit; hash-table baseline


@dataclass(frozen=True)
class PointAccConfig:
    """One PointAcc instance; the mapping budget is shared by both mappers."""

    mapper: str = "mergesort"  # mapping unit: PointAcc Sec. IV (merge sort); "hash" = baseline
    # merger comparisons per cycle = hash probes per cycle; not published: our choice
    comparators: int = 16
    # pipeline fill per merge or sort pass; not published: our choice
    merger_latency_cycles: int = 4
    # squared distances per cycle (FPS, kNN, ball query); not published: our choice
    distance_lanes: int = 16
    hash_load_factor: float = 0.5  # hash entries / slots (baseline); not published: our choice
    array_rows: int = 16  # systolic array rows (input channels per tile); not published: our choice
    # systolic array columns (output channels per tile); not published: our choice
    array_cols: int = 16
    # on-chip input-feature buffer; not published: our choice
    feature_buffer_bytes: int = 256 * 1024
    dram_bytes_per_cycle: int = 32  # DRAM bandwidth, bytes per cycle; not published: our choice
    feature_bytes: int = 2  # bytes per feature value (16-bit); not published: our choice
    key_bytes: int = 8  # bytes per packed coordinate key (3 x 21 bits); our encoding
    clock_mhz: float = 1000.0  # clock, MHz; not published: our choice
    # Memories and widths for energy and leakage only (no timing effect); not published:
    map_buffer_bytes: int = 32 * 1024  # kernel-map entries between the units; our choice
    output_buffer_bytes: int = 128 * 1024  # partial sums of the outputs; our choice
    accumulator_bits: int = 32  # systolic array partial sums; not published: our choice
    map_entry_bits: int = 64  # one map entry: input row and output row, 32 bits each; ours

    def __post_init__(self) -> None:
        if self.mapper not in MAPPERS:
            raise ConfigError(f"PointAcc config: mapper must be one of {', '.join(MAPPERS)}, "
                              f"got {self.mapper!r}")
        check_whole("PointAcc", self, ("comparators", "distance_lanes", "array_rows",
                                       "array_cols"), high=MAX_PES)
        check_whole("PointAcc", self, ("feature_buffer_bytes", "dram_bytes_per_cycle",
                                       "feature_bytes", "key_bytes", "map_buffer_bytes",
                                       "output_buffer_bytes", "accumulator_bits",
                                       "map_entry_bits"))
        check_whole("PointAcc", self, ("merger_latency_cycles",), low=0,
                    high=MAX_LATENCY_CYCLES)
        check_real("PointAcc", self, ("hash_load_factor",), 0.0, 1.0)
        check_real("PointAcc", self, ("clock_mhz",), MIN_CLOCK_MHZ, MAX_CLOCK_MHZ,
                   low_open=False)

    @property
    def clock_hz(self) -> float:
        return self.clock_mhz * 1e6

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


POINTACC_DEFAULT = PointAccConfig()
