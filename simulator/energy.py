"""Energy per access from technology tables (data files in simulator/tech/).

Rules for sizes the tables do not list (stated here, used everywhere):
- every per-operation energy is interpolated piecewise as a power law (straight lines in
  log-log space) through the table's points, and extrapolated with the nearest segment's
  exponent. Through Horowitz's points this gives adders about linear in width
  (exponent 0.87), multipliers about quadratic (1.98), and SRAM reads about the square
  root of capacity (0.5 from 8 to 32 KiB, 0.46 from 32 KiB to 1 MiB), the bitline-length
  scaling CACTI-style models assume;
- an SRAM read of w bits costs w / 64 of a 64-bit read of the same capacity; a write
  costs the same as a read; register files and FIFOs are small SRAMs;
- DRAM costs the midpoint of the table's range per 64 bits.
"""

from __future__ import annotations

import difflib
import math
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from sparsesim.simulator.errors import ConfigError
from sparsesim.simulator.interpolation import power_law

TECH_DIR = Path(__file__).resolve().parent / "tech"


@dataclass(frozen=True)
class TechTable:
    """One technology's energies, as read from its TOML file."""

    name: str
    source: str
    points: dict[str, tuple[tuple[float, float], ...]]  # table -> ((size, pJ), ...) sorted
    dram_64bit_pj: float
    sram_leakage_pw_per_bit: float

    def interpolate(self, table: str, size: float) -> float:
        """Energy in pJ from `table` at `size` by the power-law rule."""
        return power_law(self.points[table], size)

    def int_mac_pj(self, bits: int) -> float:
        """One integer multiply plus one add at `bits` width."""
        return self.interpolate("int_mult_pj", bits) + self.interpolate("int_add_pj", bits)

    def sram_access_pj(self, capacity_bytes: float, width_bits: float) -> float:
        """One read (or write) of `width_bits` from an SRAM of `capacity_bytes`."""
        return self.interpolate("sram_read_64bit_pj", capacity_bytes / 1024) * width_bits / 64

    def dram_pj(self, bytes_moved: float) -> float:
        return self.dram_64bit_pj * bytes_moved / 8

    def leakage_pj(self, sram_bits: float, seconds: float) -> float:
        return self.sram_leakage_pw_per_bit * sram_bits * seconds


def table_names() -> list[str]:
    return sorted(p.stem for p in TECH_DIR.glob("*.toml"))


POINT_TABLES = ("int_add_pj", "int_mult_pj", "fp_add_pj", "fp_mult_pj", "sram_read_64bit_pj")
SECTIONS = {"dram": ("access_64bit_pj_low", "access_64bit_pj_high"),
            "leakage": ("sram_leakage_pw_per_bit",)}
TEXT_KEYS = ("name", "source")
# Tables simulator/area.py reads and checks; the energy loader leaves them to it.
AREA_TABLES = ("area", "int_add_um2", "int_mult_um2", "fp_add_um2", "fp_mult_um2",
               "sram_array_efficiency")
MAX_TABLE_BYTES = 1 << 20  # a technology table is a few hundred bytes; refuse huge files


@lru_cache
def load_table(name: str) -> TechTable:
    """A shipped table by name (`45nm`), or a table file of your own by path (*.toml).
    Every key is checked (unknown ones are refused with a did-you-mean); every energy
    must be a finite number >= 0 and every size a number > 0."""
    path = Path(name) if name.endswith(".toml") else TECH_DIR / f"{name}.toml"
    if not path.exists():
        raise ConfigError(f"unknown technology table {name!r}; choose one of "
                          f"{', '.join(table_names())} or give a .toml file")
    if not path.is_file():
        raise ConfigError(f"technology table {path} is not a regular file; give a .toml file")
    if path.stat().st_size > MAX_TABLE_BYTES:
        raise ConfigError(f"technology table {path} is {path.stat().st_size} bytes, more than "
                          f"{MAX_TABLE_BYTES}; give a technology table .toml")
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError(f"technology table {path} is not UTF-8 text; give a .toml file") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"technology table {path} is not valid TOML ({exc})") from None
    return _checked_table(path, data)


def _checked_table(path: Path, data: dict[str, Any]) -> TechTable:
    where = f"technology table {path}"
    data = {key: value for key, value in data.items() if key not in AREA_TABLES}
    _check_keys(where, "", data, (*TEXT_KEYS, *POINT_TABLES, *SECTIONS))
    for key in TEXT_KEYS:
        if not isinstance(data[key], str):
            raise ConfigError(f"{where}: {key} must be a quoted string")
    points = {key: _points(where, key, data[key]) for key in POINT_TABLES}
    numbers = {}
    for section, keys in SECTIONS.items():
        entries = data[section]
        if not isinstance(entries, dict):
            raise ConfigError(f"{where}: {section} must be a [{section}] table")
        _check_keys(where, f"{section}.", entries, keys)
        for key in keys:
            numbers[key] = _number(where, f"{section}.{key}", entries[key], minimum=0.0)
    return TechTable(name=data["name"], source=data["source"], points=points,
                     dram_64bit_pj=(numbers["access_64bit_pj_low"]
                                    + numbers["access_64bit_pj_high"]) / 2,
                     sram_leakage_pw_per_bit=numbers["sram_leakage_pw_per_bit"])


def _check_keys(where: str, prefix: str, entries: dict[str, Any],
                allowed: tuple[str, ...]) -> None:
    """Every key of `entries` is allowed (else a did-you-mean) and every allowed key is
    there (else the shipped table to copy)."""
    for key in entries:
        if key not in allowed:
            raise ConfigError(f"{where}: unknown key '{prefix}{key}'"
                              f"{did_you_mean(key, allowed)}")
    for key in allowed:
        if key not in entries:
            raise ConfigError(f"{where}: missing '{prefix}{key}'; copy the layout of "
                              f"{TECH_DIR / '45nm.toml'}")


def _points(where: str, key: str, value: Any) -> tuple[tuple[float, float], ...]:
    """A [key] table of `size = pJ` lines, sorted by size; energies must be > 0 (the power
    law between points needs them positive)."""
    if not isinstance(value, dict) or not value:
        raise ConfigError(f"{where}: [{key}] must be a table of `size = pJ` lines")
    points = []
    for size, pj in value.items():
        try:
            size_value = float(size)
        except ValueError:
            raise ConfigError(f"{where}: [{key}] size {size!r} is not a number") from None
        if not (math.isfinite(size_value) and size_value > 0):
            raise ConfigError(f"{where}: [{key}] size {size!r} must be a number > 0")
        points.append((size_value, _number(where, f"{key}.{size}", pj, minimum=None)))
    if len({size for size, _ in points}) != len(points):
        raise ConfigError(f"{where}: [{key}] lists one size twice")
    return tuple(sorted(points))


def _number(where: str, key: str, value: Any, minimum: float | None) -> float:
    """A finite energy: >= `minimum`, or > 0 when `minimum` is None."""
    ok = (isinstance(value, (int, float)) and not isinstance(value, bool)
          and math.isfinite(value) and (value > 0 if minimum is None else value >= minimum))
    if not ok:
        bound = "> 0" if minimum is None else f">= {minimum:g}"
        raise ConfigError(f"{where}: {key} must be a finite number {bound}, got {value!r}")
    return float(value)


def did_you_mean(word: str, choices: Any) -> str:
    """'; did you mean X?' for the closest of `choices`, or a list of them."""
    close = difflib.get_close_matches(word, list(choices), n=1)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; allowed: {', '.join(choices)}"


def energy_fields(breakdown_pj: dict[str, float], seconds: float) -> dict[str, Any]:
    """SimResult's energy keys from a breakdown: `energy_pj` (the sum),
    `energy_breakdown_pj`, and `power_w` (energy over `seconds`; 0 for an empty run)."""
    energy = sum(breakdown_pj.values())
    return {"energy_pj": energy, "energy_breakdown_pj": breakdown_pj,
            "power_w": energy * 1e-12 / seconds if seconds > 0 else 0.0}
