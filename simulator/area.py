"""Silicon area from technology tables (the `*_um2` tables and `[area]` of simulator/tech/).

Rules (stated here, used by every design's area inventory):
- arithmetic units: the table's area at the operand width, interpolated between listed
  widths by the same power law as energy (simulator.interpolation). Through Horowitz's
  points this gives integer adders about linear in width (exponent 0.9) and integer
  multipliers about width^1.8. An a x b-bit multiplier takes the area at the geometric
  mean width sqrt(a * b), the rule simulator.mac_energy states for its energy;
- an SRAM of C bytes takes 8 C bits x bitcell area / array efficiency, the efficiency
  interpolated by capacity (KiB) by the same power law;
- a register, register file or FIFO bit is one flip-flop (read/write muxes not counted);
- nothing else: no clock tree, wiring, filler cells or control logic (see README).
A table of your own (`--tech my.toml`) must carry every area entry below; a missing or
non-numeric one is refused with one line.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sparsesim.simulator.energy import TECH_DIR, table_names
from sparsesim.simulator.errors import ConfigError
from sparsesim.simulator.interpolation import power_law

UNIT_TABLES = ("int_add_um2", "int_mult_um2", "fp_add_um2", "fp_mult_um2")
EFFICIENCY_TABLE = "sram_array_efficiency"
SCALARS = ("sram_bitcell_um2", "flip_flop_um2")
UM2_PER_MM2 = 1e6


class AreaTableError(ConfigError):
    """A technology table whose area entries are missing or not numbers."""


@dataclass(frozen=True)
class AreaTable:
    """One technology's areas, as read from its TOML file (um^2 throughout)."""

    name: str
    source: str
    units: dict[str, tuple[tuple[float, float], ...]]  # table -> ((bits, um^2), ...) sorted
    sram_efficiency: tuple[tuple[float, float], ...]  # ((KiB, fraction), ...) sorted
    sram_bitcell_um2: float
    flip_flop_um2: float

    def unit_um2(self, table: str, bits: float) -> float:
        """Area of one arithmetic unit from `table` at `bits` width, um^2."""
        return power_law(self.units[table], bits)

    def mult_um2(self, a_bits: float, b_bits: float) -> float:
        """An a_bits x b_bits integer multiplier, um^2 (geometric-mean width rule)."""
        return self.unit_um2("int_mult_um2", math.sqrt(a_bits * b_bits))

    def sram_um2(self, capacity_bytes: float) -> float:
        """An SRAM macro of `capacity_bytes`, um^2 (bitcells over array efficiency)."""
        if capacity_bytes <= 0:
            return 0.0
        efficiency = power_law(self.sram_efficiency, capacity_bytes / 1024)
        return 8 * capacity_bytes * self.sram_bitcell_um2 / min(1.0, efficiency)

    def flops_um2(self, bits: float) -> float:
        """`bits` of registers or FIFO as flip-flops, um^2."""
        return bits * self.flip_flop_um2


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise AreaTableError(f"{where} must be a number > 0, got {value!r}")
    return float(value)


def _points(data: dict[str, Any], key: str, path: Path) -> tuple[tuple[float, float], ...]:
    table = data.get(key)
    if not isinstance(table, dict) or not table:
        raise AreaTableError(f"technology table {path} has no [{key}] table of area entries")
    points = []
    for size, value in table.items():
        try:
            width = float(size)
        except ValueError:
            raise AreaTableError(f"{path} [{key}]: key {size!r} is not a size (a number)") from None
        points.append((_number(width, f"{path} [{key}] key {size!r}"),
                       _number(value, f"{path} [{key}] {size}")))
    return tuple(sorted(points))


@lru_cache
def load_area_table(name: str) -> AreaTable:
    """The area entries of a shipped table by name (`45nm`) or a .toml file of your own."""
    path = Path(name) if name.endswith(".toml") else TECH_DIR / f"{name}.toml"
    if not path.exists():
        raise ConfigError(f"unknown technology table {name!r}; choose one of "
                          f"{', '.join(table_names())} or give a .toml file")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"technology table {path} is not valid TOML ({exc})") from None
    area = data.get("area")
    if not isinstance(area, dict):
        raise AreaTableError(f"technology table {path} has no [area] table")
    missing = [key for key in SCALARS if key not in area]
    if missing:
        raise AreaTableError(f"{path} [area] is missing {', '.join(missing)}")
    return AreaTable(
        name=str(data.get("name", path.stem)), source=str(area.get("source", "")),
        units={key: _points(data, key, path) for key in UNIT_TABLES},
        sram_efficiency=_points(data, EFFICIENCY_TABLE, path),
        sram_bitcell_um2=_number(area["sram_bitcell_um2"], f"{path} [area] sram_bitcell_um2"),
        flip_flop_um2=_number(area["flip_flop_um2"], f"{path} [area] flip_flop_um2"))


def area_fields(breakdown_um2: dict[str, float], table: AreaTable,
                not_modelled: Sequence[str] = (), unsized: Mapping[str, str] | None = None,
                **extras: Any) -> dict[str, Any]:
    """The `details["area"]` block: `area_mm2` (the sum), `area_breakdown_mm2`, the
    table's name and source, `not_modelled` (what the sum leaves out) and any
    design-specific `extras`. `unsized` maps breakdown keys that a run has not sized yet
    (a buffer sized by the layer it runs) to the note that replaces them."""
    unsized = unsized or {}
    breakdown = {key: um2 / UM2_PER_MM2 for key, um2 in breakdown_um2.items()
                 if key not in unsized}
    return {"area_mm2": sum(breakdown.values()), "area_breakdown_mm2": breakdown,
            "tech": table.name, "tech_source": table.source,
            "not_modelled": [*not_modelled, *unsized.values()], **extras}
