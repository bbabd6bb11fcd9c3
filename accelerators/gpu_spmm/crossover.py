"""Where a sparse kernel starts to beat dense: from speedups measured at several
densities, the density below which every measured speedup is above 1."""

from __future__ import annotations

import math
from collections.abc import Sequence

from sparsesim.simulator.result import SimResult


def crossover_density(densities: Sequence[float], speedups: Sequence[float]) -> float | None:
    """The density at which speedup over dense crosses 1, interpolated linearly in log
    density between the two measured points around it; the highest measured density if
    the kernel wins everywhere; None if it wins nowhere or wins, loses and wins again
    towards lower density (no single crossover)."""
    points = sorted(zip(densities, speedups))  # ascending density
    wins = [s > 1.0 for _, s in points]
    if not wins[0]:
        return None
    last = max(i for i, w in enumerate(wins) if w)
    if not all(wins[:last + 1]):
        return None
    if last == len(points) - 1:
        return points[-1][0]
    (d0, s0), (d1, s1) = points[last], points[last + 1]
    t = math.log(s0) / (math.log(s0) - math.log(s1))
    return math.exp(math.log(d0) + t * (math.log(d1) - math.log(d0)))


def by_kernel(results: Sequence[SimResult]) -> dict[str, list[SimResult]]:
    """Results grouped by their kernel, in run order."""
    out: dict[str, list[SimResult]] = {}
    for r in results:
        out.setdefault(r.details["kernel"], []).append(r)
    return out


def kernel_crossovers(results: Sequence[SimResult]) -> dict[str, float | None]:
    """Crossover density of every sparse kernel in a density sweep."""
    return {kernel: crossover_density([r.details["density"] for r in runs],
                                      [r.details["speedup_over_dense"] for r in runs])
            for kernel, runs in by_kernel(results).items() if kernel != "dense"}
