"""A whole network on the tensor core: every GEMM dense and 2:4, per layer and end to
end, and which layers are worth pruning.

Each distinct kernel launch is simulated once (both kernels, output checked on a seeded
sample) and multiplied by how often the network runs it. GEMMs whose A is not a weight
(attention's QK^T and PV) run dense in the pruned network too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sparsesim.accelerators.stc.config import STCConfig
from sparsesim.accelerators.stc.model import compile as compile_gemm
from sparsesim.accelerators.stc.model import run
from sparsesim.simulator.result import SimResult
from sparsesim.workloads.gemm import GemmShape
from sparsesim.workloads.lowering import NetworkGemm

CHECK_BUDGET_MACS = 2**22  # output-check work per distinct launch: our choice (keeps < 1 min)
DEFAULT_WORTH_SPEEDUP = 1.1  # a layer is worth pruning from this 2:4 speedup: our choice


@dataclass(frozen=True)
class NetworkLayer:
    """One GEMM row of a network and the simulated launch it runs `count` times."""

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


def simulate_network(gemms: Sequence[NetworkGemm], dtype: str, config: STCConfig,
                     seed: int, tech: str, engine: str = "fast",
                     progress: Callable[[Iterable], Iterable] = iter) -> list[NetworkLayer]:
    """Run each distinct launch shape once on `engine`; one row per GEMM. `progress` wraps
    the loop over distinct launches (the CLI passes a progress bar)."""
    def key(g: NetworkGemm) -> tuple[int, int, int]:
        return g.launch_shape.m, g.launch_shape.n, g.launch_shape.k

    shapes = list(dict.fromkeys(key(g) for g in gemms))
    results: dict[tuple[int, int, int], SimResult] = {}
    for m, n, k in progress(shapes):
        shape = GemmShape(f"gemm-{m}x{n}x{k}", m, n, k)
        results[(m, n, k)] = run(compile_gemm(shape, dtype, config, seed), CHECK_BUDGET_MACS,
                                 tech, engine)
    return [NetworkLayer(g, results[key(g)]) for g in gemms]


def totals(layers: Sequence[NetworkLayer], clock_hz: float, threshold: float) -> dict[str, Any]:
    """End-to-end cycles (dense, 2:4, 2:4 only where worth it), time in µs, energy in pJ,
    the layers worth pruning, and whether every output was right."""
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
    """One JSON-ready row per GEMM: shape, launches, cycles, speedup, energy (pJ)."""
    return [{"name": la.gemm.shape.name, "m": la.gemm.shape.m, "n": la.gemm.shape.n,
             "k": la.gemm.shape.k, "gemms_per_launch": la.gemm.batched,
             "count": la.gemm.count, "prunable": la.gemm.prunable,
             "dense_cycles": la.dense_cycles, "pruned_cycles": la.pruned_cycles,
             "speedup": la.dense_cycles / la.pruned_cycles,
             "dense_energy_pj": la.energy_pj(False), "pruned_energy_pj": la.energy_pj(True),
             "worth_pruning": la.worth_pruning(threshold), "output_ok": la.result.output_ok}
            for la in layers]
