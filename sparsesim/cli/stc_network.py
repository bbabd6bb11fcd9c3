"""`sparsesim --accel stc` on a whole network: every GEMM dense and 2:4, per layer and end
to end, and which layers are worth pruning.

Each distinct kernel launch is simulated once (both kernels, output checked on a seeded
sample) and multiplied by how often the network runs it. GEMMs whose A is not a weight
(attention's QK^T and PV) run dense in the pruned network too.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tqdm import tqdm

from sparsesim.accelerators.stc import model as stc
from sparsesim.simulator.result import SimResult
from sparsesim.workloads.gemm import GemmShape
from sparsesim.workloads.lowering import NetworkGemm

CHECK_BUDGET_MACS = 2**28  # output-check work per distinct GEMM: our choice (keeps < 1 min)
DEFAULT_WORTH_SPEEDUP = 1.1  # a layer is worth pruning from this 2:4 speedup: our choice


@dataclass(frozen=True)
class NetworkLayer:
    gemm: NetworkGemm
    result: SimResult  # one launch of the GEMM's launch shape (both kernels)

    @property
    def dense_cycles(self) -> int:
        """Cycles of all `count` runs with the dense kernel."""
        return self.gemm.count * self.result.details["dense_cycles"]

    @property
    def pruned_cycles(self) -> int:
        """Cycles of all runs in the 2:4 network (dense if A is not a weight)."""
        mode = "sparse" if self.gemm.prunable else "dense"
        return self.gemm.count * self.result.details[f"{mode}_cycles"]

    def energy_pj(self, pruned: bool) -> float:
        mode = "sparse" if pruned and self.gemm.prunable else "dense"
        return self.gemm.count * self.result.details["energy"][mode]["energy_pj"]

    def worth_pruning(self, threshold: float) -> bool:
        return self.gemm.prunable and self.result.details["speedup"] >= threshold


def simulate_network(gemms: Sequence[NetworkGemm], dtype: str, config: stc.STCConfig,
                     seed: int, tech: str) -> list[NetworkLayer]:
    """Run each distinct launch shape once (progress bar on a terminal); one row per GEMM."""
    def key(g: NetworkGemm) -> tuple[int, int, int]:
        return g.launch_shape.m, g.launch_shape.n, g.launch_shape.k

    shapes = list(dict.fromkeys(key(g) for g in gemms))
    results: dict[tuple[int, int, int], SimResult] = {}
    for m, n, k in tqdm(shapes, desc="stc GEMM shapes", unit="shape", file=sys.stderr,
                        disable=None, leave=False):
        shape = GemmShape(f"gemm-{m}x{n}x{k}", m, n, k)
        results[(m, n, k)] = stc.run(stc.compile(shape, dtype, config, seed),
                                     CHECK_BUDGET_MACS, tech)
    return [NetworkLayer(g, results[key(g)]) for g in gemms]


def totals(layers: Sequence[NetworkLayer], clock_hz: float, threshold: float) -> dict[str, Any]:
    dense = sum(la.dense_cycles for la in layers)
    pruned = sum(la.pruned_cycles for la in layers)
    worth = [la for la in layers if la.worth_pruning(threshold)]
    only_worth = pruned + sum(la.dense_cycles - la.pruned_cycles for la in layers
                              if la.gemm.prunable and la not in worth)
    return {"dense_cycles": dense, "pruned_cycles": pruned, "speedup": dense / pruned,
            "dense_us": dense / clock_hz * 1e6, "pruned_us": pruned / clock_hz * 1e6,
            "worth_pruning_only_cycles": only_worth,
            "dense_energy_pj": sum(la.energy_pj(False) for la in layers),
            "pruned_energy_pj": sum(la.energy_pj(True) for la in layers),
            "gemms": len(layers), "distinct_shapes": len({la.result.workload for la in layers}),
            "worth_pruning": [la.gemm.shape.name for la in worth],
            "worth_speedup_threshold": threshold,
            "output_ok": all(la.result.output_ok for la in layers)}


def layer_rows(layers: Sequence[NetworkLayer], threshold: float) -> list[dict[str, Any]]:
    return [{"name": la.gemm.shape.name, "m": la.gemm.shape.m, "n": la.gemm.shape.n,
             "k": la.gemm.shape.k, "gemms_per_launch": la.gemm.batched,
             "count": la.gemm.count, "prunable": la.gemm.prunable,
             "dense_cycles": la.dense_cycles, "pruned_cycles": la.pruned_cycles,
             "speedup": la.dense_cycles / la.pruned_cycles,
             "dense_energy_pj": la.energy_pj(False), "pruned_energy_pj": la.energy_pj(True),
             "worth_pruning": la.worth_pruning(threshold), "output_ok": la.result.output_ok}
            for la in layers]


def table(rows: Sequence[dict[str, Any]], total: dict[str, Any], clock_hz: float) -> str:
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
