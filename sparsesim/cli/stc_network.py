"""`sparsesim --accel stc` on a whole network: the per-layer and end-to-end table."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def table(rows: Sequence[dict[str, Any]], total: dict[str, Any], clock_hz: float) -> str:
    """The per-layer table (times in µs) and the end-to-end lines."""
    head = (f"{'layer':24s} {'M':>6s} {'N':>7s} {'K':>6s} {'batched':>7s} {'count':>5s} "
            f"{'dense_us':>9s} "
            f"{'2:4_us':>9s} {'speedup':>7s} {'share':>6s} {'worth':>5s} {'output':>6s}")
    lines = [head, "-" * len(head)]
    for row in rows:
        worth = "yes" if row["worth_pruning"] else ("-" if not row["prunable"] else "no")
        lines.append(f"{row['name'][:24]:24s} {row['m']:6d} {row['n']:7d} {row['k']:6d} "
                     f"{row['gemms_per_launch']:7d} {row['count']:5d} "
                     f"{row['dense_cycles'] / clock_hz * 1e6:9.2f} "
                     f"{row['pruned_cycles'] / clock_hz * 1e6:9.2f} {row['speedup']:7.3f} "
                     f"{row['dense_cycles'] / total['dense_cycles']:6.1%} {worth:>5s} "
                     f"{'ok' if row['output_ok'] else 'WRONG':>6s}")
    lines.append("-" * len(head))
    lines.append(
        f"end to end: dense {total['dense_us']:.1f} µs, 2:4 {total['pruned_us']:.1f} µs, "
        f"speedup {total['speedup']:.3f}; energy dense {total['dense_energy_pj'] * 1e-6:.1f} "
        f"µJ, 2:4 {total['pruned_energy_pj'] * 1e-6:.1f} µJ; {total['gemms']} GEMM rows "
        f"({total['distinct_shapes']} distinct launches simulated), output "
        f"{'ok' if total['output_ok'] else 'WRONG'}")
    lines.append(
        f"worth pruning (2:4 speedup >= {total['worth_speedup_threshold']:g}): "
        f"{len(total['worth_pruning'])} of {sum(r['prunable'] for r in rows)} weight GEMMs; "
        f"pruning only those: {total['worth_pruning_only_cycles'] / clock_hz * 1e6:.1f} µs "
        "('-': A is an activation, not prunable)")
    return "\n".join(lines)
