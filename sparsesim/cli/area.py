"""Silicon area of a design's chip from the technology table, without simulating.

    sparsesim area --accel NAME [--pes N --queue-depth N ...] [--json PATH]

Every number or text Config field is a flag (`--pointer-sram-kib 32`), as are the accelerator's own
short names (`--pes`, `--queue-depth`); `--json PATH` writes the area block.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
from collections.abc import Sequence
from typing import Any

from sparsesim.api import area
from sparsesim.cli.registry import ACCELERATORS
from sparsesim.cli.sweep_hooks import PRESET_KEY, config_from_point
from sparsesim.simulator.atomic_file import write_atomically

METAVARS = {int: "N", float: "X", str: "TEXT"}


def _flag(name: str) -> str:
    return "--" + name.replace("_", "-")


def _add_config_flags(parser: argparse.ArgumentParser, config: Any,
                      aliases: dict[str, str]) -> None:
    for field in dataclasses.fields(config):
        default = getattr(config, field.name)
        if type(default) not in METAVARS:  # on/off flags and tuples: no area effect
            continue
        names = [_flag(field.name)] + [_flag(a) for a, f in aliases.items()
                                       if f == field.name and a != field.name]
        parser.add_argument(*names, dest=field.name, type=type(default), default=None,
                            metavar=METAVARS[type(default)], help=f"(default {default!r})")


def table_text(accel: str, block: dict[str, Any]) -> str:
    """The area block as a table: component, mm^2, share of the total."""
    total = block["area_mm2"]
    rows = [f"{accel} area ({block['tech']}: {block['tech_source']})",
            f"{'component':28s} {'mm2':>10s} {'share':>7s}"]
    for key, mm2 in block["area_breakdown_mm2"].items():
        rows.append(f"{key:28s} {mm2:10.4f} {mm2 / total:7.1%}")
    rows.append(f"{'total':28s} {total:10.4f} {1:7.1%}")
    if "per_pe_area_um2" in block:
        rows.append(f"per PE: {block['per_pe_area_um2']:,.0f} um2")
    rows.append("not modelled: " + "; ".join(block["not_modelled"]))
    return "\n".join(rows)


def main(argv: Sequence[str]) -> int:
    from sparsesim.cli.parser import Parser

    first = Parser(add_help=False)
    first.add_argument("--accel", choices=sorted(ACCELERATORS), default="eie")
    known, _ = first.parse_known_args(argv)
    command = ACCELERATORS[known.accel]
    design = command.design
    aliases = dict(command.sweep.aliases) if command.sweep else {}
    parser = Parser(prog="sparsesim area", description=__doc__.splitlines()[0])
    parser.add_argument("--accel", choices=sorted(ACCELERATORS), default="eie",
                        help="accelerator (default eie)")
    parser.add_argument("--preset", choices=list(design.presets),
                        default=next(iter(design.presets)), help="configuration to start from")
    parser.add_argument("--tech", default="45nm",
                        help="technology table: a name or a .toml with the area entries")
    parser.add_argument("--json", metavar="PATH", help="write the area block as JSON to PATH")
    _add_config_flags(parser, design.default_config, aliases)
    args = parser.parse_args(argv)
    point = {name: value for name, value in vars(args).items()
             if name in {f.name for f in dataclasses.fields(design.default_config)}
             and value is not None}
    config = config_from_point(design, {PRESET_KEY: args.preset, **point}, {})
    block = area(args.accel, config, args.tech)
    print(table_text(args.accel, block))
    if args.json:
        text = json.dumps(block, indent=2, sort_keys=True).encode()
        write_atomically(args.json, lambda handle: handle.write(text))
        print(f"wrote {args.json}")
    return 0
