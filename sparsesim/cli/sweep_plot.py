"""`sparsesim plot`: curves from a sweep's JSON-lines results.

    sparsesim plot results.jsonl --x pes --y cycles --out curves.png [--series queue_depth]

--x names a grid key (or a config field); --y a result key (cycles, seconds,
pe_utilization, load_efficiency, macs_useful, energy_pj, power_w, wall_seconds). Reads
the JSON-lines or CSV file a sweep wrote. One curve per value of the
--series keys (default: every other grid key, plus the workload when several).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sparsesim.cli.sweep_store import ResultsFile
from sparsesim.simulator.errors import UserError

Y_KEYS = ("cycles", "seconds", "pe_utilization", "pe_issue_utilization", "load_efficiency",
          "macs_useful", "energy_pj",
          "power_w", "wall_seconds")


def read_records(path: str) -> list[dict[str, Any]]:
    if not Path(path).exists():
        raise UserError(f"plot: results file {path} not found")
    records = ResultsFile(path).read()
    if not records:
        raise UserError(f"plot: {path} holds no sweep results")
    return records


def value_of(record: dict[str, Any], key: str) -> Any:
    for source in (record.get("grid", {}), record.get("config", {}), record):
        if key in source:
            return source[key]
    raise UserError(f"plot: key {key!r} is not a grid key, config field or result key; "
                    f"grid keys here: {', '.join(record.get('grid', {}))}")


def curves(records: list[dict[str, Any]], x: str, y: str,
           series: Sequence[str]) -> dict[str, list[tuple[Any, Any]]]:
    lines: dict[str, list[tuple[Any, Any]]] = defaultdict(list)
    for record in records:
        label = ", ".join(f"{k}={value_of(record, k)}" for k in series) or y
        lines[label].append((value_of(record, x), value_of(record, y)))
    return {label: sorted(points) for label, points in sorted(lines.items())}


def main(argv: Sequence[str]) -> int:
    from sparsesim.cli.parser import Parser, add_style_flag
    from sparsesim.simulator.plots import save_png, sweep_figure

    parser = Parser(prog="sparsesim plot", description=__doc__.splitlines()[0])
    parser.add_argument("results", help="results file written by `sparsesim sweep`")
    parser.add_argument("--x", required=True, help="grid key or config field for the x axis")
    parser.add_argument("--y", default="cycles", choices=Y_KEYS, help="result key (default cycles)")
    parser.add_argument("--series", nargs="*", help="keys that split the curves")
    parser.add_argument("--logx", action="store_true", help="log2 x axis")
    parser.add_argument("--out", required=True, help="PNG path")
    add_style_flag(parser)
    args = parser.parse_args(argv)
    records = read_records(args.results)
    if args.series is None:
        grid_keys = [k for k in records[0].get("grid", {}) if k != args.x]
        workloads = {r["workload"] for r in records}
        args.series = (["workload"] if len(workloads) > 1 else []) + grid_keys
    lines = curves(records, args.x, args.y, args.series)
    title = f"{args.y} vs {args.x} ({Path(args.results).name})"
    save_png(sweep_figure(lines, args.x, args.y, args.logx, title), args.out, args.style)
    print(f"wrote {args.out} ({len(lines)} curves from {len(records)} runs)")
    return 0
