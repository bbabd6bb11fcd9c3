"""`sparsesim energy --tables`: the technology tables and their sources."""

from __future__ import annotations

from collections.abc import Sequence

from sparsesim.simulator.energy import load_table, table_names


def describe(name: str) -> str:
    table = load_table(name)
    lines = [f"{table.name}: {table.source}"]
    for key, points in table.points.items():
        lines.append(f"  {key:20s} " + ", ".join(f"{size:g}: {pj:g}" for size, pj in points))
    lines.append(f"  {'dram_64bit_pj':20s} {table.dram_64bit_pj:g} (midpoint of the table's range)")
    lines.append(f"  {'sram_leakage_pw_per_bit':20s} {table.sram_leakage_pw_per_bit:g}")
    return "\n".join(lines)


def main(argv: Sequence[str]) -> int:
    from sparsesim.cli.parser import Parser

    parser = Parser(prog="sparsesim energy", description=__doc__.splitlines()[0])
    parser.add_argument("--tables", action="store_true", help="list every table (default)")
    parser.add_argument("--tech", help="show one table by name or .toml path")
    args = parser.parse_args(argv)
    names = [args.tech] if args.tech else table_names()
    print("\n".join(describe(name) for name in names))
    print("keys are sizes: bits for arithmetic, KiB for SRAM; values in pJ "
          "(rules for other sizes: simulator/energy.py)")
    return 0
