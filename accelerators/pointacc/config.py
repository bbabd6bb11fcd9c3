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
        positive = ("comparators", "distance_lanes", "array_rows", "array_cols",
                    "feature_buffer_bytes", "dram_bytes_per_cycle", "feature_bytes",
                    "key_bytes", "map_buffer_bytes", "output_buffer_bytes",
                    "accumulator_bits", "map_entry_bits")
        for name in positive:
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"PointAcc config: {name} must be a whole number >= 1, "
                                  f"got {value!r}")
        if not isinstance(self.merger_latency_cycles, int) or self.merger_latency_cycles < 0:
            raise ConfigError("PointAcc config: merger_latency_cycles must be a whole number "
                              f">= 0, got {self.merger_latency_cycles!r}")
        if not 0 < self.hash_load_factor <= 1:
            raise ConfigError("PointAcc config: hash_load_factor must be in (0, 1], "
                              f"got {self.hash_load_factor!r}")
        if not self.clock_mhz > 0:
            raise ConfigError(f"PointAcc config: clock_mhz must be > 0, got {self.clock_mhz!r}")

    @property
    def clock_hz(self) -> float:
        return self.clock_mhz * 1e6

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


POINTACC_DEFAULT = PointAccConfig()
