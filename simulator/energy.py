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


@lru_cache
def load_table(name: str) -> TechTable:
    """A shipped table by name (`45nm`), or a table file of your own by path (*.toml)."""
    path = Path(name) if name.endswith(".toml") else TECH_DIR / f"{name}.toml"
    if not path.exists():
        raise ConfigError(f"unknown technology table {name!r}; choose one of "
                          f"{', '.join(table_names())} or give a .toml file")
    try:
        data = tomllib.loads(path.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"technology table {path} is not valid TOML ({exc})") from None
    points = {key: tuple(sorted((float(size), float(pj)) for size, pj in value.items()))
              for key, value in data.items() if key.endswith("_pj") and isinstance(value, dict)}
    dram = data["dram"]
    return TechTable(name=data["name"], source=data["source"], points=points,
                     dram_64bit_pj=(dram["access_64bit_pj_low"] + dram["access_64bit_pj_high"]) / 2,
                     sram_leakage_pw_per_bit=data["leakage"]["sram_leakage_pw_per_bit"])


def energy_fields(breakdown_pj: dict[str, float], seconds: float) -> dict[str, Any]:
    """SimResult's energy keys from a breakdown: `energy_pj` (the sum),
    `energy_breakdown_pj`, and `power_w` (energy over `seconds`; 0 for an empty run)."""
    energy = sum(breakdown_pj.values())
    return {"energy_pj": energy, "energy_breakdown_pj": breakdown_pj,
            "power_w": energy * 1e-12 / seconds if seconds > 0 else 0.0}
