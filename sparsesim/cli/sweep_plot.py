"""`sparsesim plot`: curves from a sweep's JSON-lines results.

    sparsesim plot results.jsonl --x pes --y cycles --out curves.png [--series queue_depth]
    sparsesim plot results.jsonl --x area_mm2 --y cycles --series queue_depth --pareto ...

--x names a grid key, a config field or a result key (area_mm2 for the area trade-off);
--y a result key (cycles, seconds, pe_utilization, load_efficiency, macs_useful,
energy_pj, power_w, area_mm2, wall_seconds); --pareto rings the runs on the Pareto front
(lowest x and y). Reads
the JSON-lines or CSV file a sweep wrote. One curve per value of the
--series keys (default: every other grid key, plus the workload when several).
"""

from __future__ import annotations

import os
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sparsesim.cli.output_paths import check_output_path
from sparsesim.cli.registry import ACCELERATORS
from sparsesim.cli.sweep_store import ResultsFile
from sparsesim.simulator.errors import UserError

Y_KEYS = ("cycles", "seconds", "pe_utilization", "pe_issue_utilization", "load_efficiency",
          "macs_useful", "energy_pj", "power_w", "area_mm2", "wall_seconds")
RESULT_UNITS = {"cycles": "cycles", "seconds": "s", "wall_seconds": "s", "macs_useful": "MACs",
                "pe_utilization": "fraction of PE-cycles",
                "load_efficiency": "fraction of PE-cycles", "energy_pj": "pJ", "power_w": "W",
                "area_mm2": "mm²"}
WORD_UNITS = {"mhz": "MHz", "hz": "Hz", "us": "µs", "s": "s", "pj": "pJ", "w": "W", "kib": "KiB",
              "bytes": "bytes", "bits": "bits", "cycles": "cycles", "entries": "entries",
              "clk": "clock", "pes": "PEs", "sms": "SMs", "fma": "FMA", "tc": "tensor core"}


def read_records(path: str) -> list[dict[str, Any]]:
    if not Path(path).exists():
        raise UserError(f"plot: results file {path} not found")
    if not Path(path).is_file():
        raise UserError(f"plot: {path} is not a regular file; give a sweep's results file")
    records = ResultsFile(path).read()
    if not records:
        raise UserError(f"plot: {path} holds no sweep results")
    return records


def value_of(record: dict[str, Any], key: str) -> Any:
    for source in (record.get("grid", {}), record.get("config", {}), record):
        if key in source:
            if source[key] is None:
                raise UserError(f"plot: {key} is not modelled for {record.get('accel')}")
            return source[key]
    raise UserError(f"plot: key {key!r} is not a grid key, config field or result key; "
                    f"grid keys here: {', '.join(record.get('grid', {}))}")


def curves(records: list[dict[str, Any]], x: str, y: str,
           series: Sequence[str]) -> dict[str, list[tuple[Any, Any]]]:
    lines: dict[tuple, list[tuple[Any, Any]]] = defaultdict(list)
    for record in records:
        lines[tuple(value_of(record, k) for k in series)].append((value_of(record, x),
                                                                  value_of(record, y)))
    for values, points in lines.items():
        label = ", ".join(f"{k}={v}" for k, v in zip(series, values)) or y
        for axis_name, key, column in (("x", x, [p[0] for p in points]),
                                       ("y", y, [p[1] for p in points])):
            kinds = {_kind(v) for v in column}
            if len(kinds) > 1 or (axis_name == "y" and kinds != {"number"}):
                raise UserError(f"plot: {key} values in {label!r} are "
                                f"{' and '.join(sorted(kinds))}; the {axis_name} axis needs "
                                f"{'numbers' if axis_name == 'y' else 'one kind of value'}")
    ordered = sorted(lines, key=lambda values: [(str(type(v)), v) for v in values])
    return {", ".join(f"{k}={v}" for k, v in zip(series, values)) or y: sorted(lines[values])
            for values in ordered}


def field_name(record: dict[str, Any], key: str) -> str:
    """The Config field a grid key names (grid keys may be command-line aliases)."""
    command = ACCELERATORS.get(record.get("accel", ""))
    hooks = command.sweep if command else None
    return hooks.aliases.get(key, key) if hooks else key


def unit_of(name: str, value: Any) -> str:
    """Unit of a result key or Config field, read from its name: a unit word at the end
    (`clock_mhz`, `queue_depth_entries`), or `X_per_Y` (`dram_bytes_per_cycle`: bytes/cycle);
    whole numbers without one are counts, other numbers dimensionless, text a category."""
    if name in RESULT_UNITS:
        return RESULT_UNITS[name]
    head, *per = name.split("_per_")
    last = head.rsplit("_", 1)[-1]
    if last in WORD_UNITS or per:
        return "/".join(WORD_UNITS.get(word, word) for word in (last, *per))
    if isinstance(value, bool):
        return "on/off"
    if isinstance(value, str):
        return "category"
    return "count" if isinstance(value, int) else "dimensionless"


def axis(records: list[dict[str, Any]], key: str) -> tuple[str, bool]:
    """Axis label with its unit, and whether every value is a whole number."""
    values = [value_of(r, key) for r in records]
    name = field_name(records[0], key)
    label = key if name == key else f"{key} = {name}"
    whole = all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    return f"{label} ({unit_of(name, values[0])})", whole


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "number"
    return "missing" if value is None else "text"


def main(argv: Sequence[str]) -> int:
    from sparsesim.cli.parser import Parser, add_style_flag
    from sparsesim.simulator.pareto import pareto_front
    from sparsesim.simulator.plots import save_png, sweep_figure

    parser = Parser(prog="sparsesim plot", description=__doc__.splitlines()[0])
    parser.add_argument("results", help="results file written by `sparsesim sweep`")
    parser.add_argument("--x", required=True, help="grid key or config field for the x axis")
    parser.add_argument("--y", default="cycles", choices=Y_KEYS, help="result key (default cycles)")
    parser.add_argument("--series", nargs="*", help="keys that split the curves")
    parser.add_argument("--logx", action="store_true", help="log2 x axis")
    parser.add_argument("--pareto", action="store_true",
                        help="ring the runs on the Pareto front (lowest x and y)")
    parser.add_argument("--out", required=True, help="PNG path")
    add_style_flag(parser)
    args = parser.parse_args(argv)
    check_output_path("--out", args.out)
    if os.path.realpath(args.out) == os.path.realpath(args.results):
        raise UserError("plot: --out names the results file itself; give a .png path")
    records = read_records(args.results)
    if args.series is None:
        grid_keys = [k for k in records[0].get("grid", {}) if k != args.x]
        workloads = {r["workload"] for r in records}
        args.series = (["workload"] if len(workloads) > 1 else []) + grid_keys
    lines = curves(records, args.x, args.y, args.series)
    title = f"{args.y} vs {args.x} ({Path(args.results).name})"
    (xlabel, whole_x), (ylabel, whole_y) = axis(records, args.x), axis(records, args.y)
    front = pareto_front(p for points in lines.values() for p in points) if args.pareto else []
    save_png(sweep_figure(lines, xlabel, ylabel, args.logx, title, whole_x, whole_y,
                          pareto=front), args.out, args.style)
    print(f"wrote {args.out} ({len(lines)} curves from {len(records)} runs)")
    return 0
