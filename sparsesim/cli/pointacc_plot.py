"""--plot for pointacc: per-layer cycle breakdown and the cloud coloured by voxel."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.ticker import MaxNLocator

from sparsesim.simulator.plots import plt
from sparsesim.simulator.result import SimResult

PARTS = (("mapping_cycles", "mapping unit busy", "#1864ab"),
         ("matmul_cycles", "systolic array busy", "#2b8a3e"),
         ("memory_cycles", "DRAM busy", "#e8590c"))


def pointacc_figure(results: Sequence[SimResult], points: np.ndarray, point_voxel: np.ndarray,
                    title: str, up_axis: str = "z") -> plt.Figure:
    fig = plt.figure(figsize=(14, 5.5))
    bars = fig.add_subplot(1, 2, 1)
    x = np.arange(len(results))
    width = 0.2
    for i, (key, label, colour) in enumerate(PARTS):
        bars.bar(x + (i - 1.5) * width, [r.details[key] for r in results], width,
                 color=colour, label=label)
    bars.bar(x + 1.5 * width, [r.cycles for r in results], width, color="#495057",
             label="layer total (units overlap)")
    bars.set_xticks(x, [f"{r.details['layer']}\n{r.details['kind']}" for r in results])
    bars.set_ylabel("cycles")
    mapper = results[0].details["mapper"] if results else "?"
    bars.set_title(f"pointacc ({mapper} mapper) on {title}: cycles per layer", fontsize=10)
    bars.legend(fontsize=8)
    cloud = fig.add_subplot(1, 2, 2, projection="3d")
    colour = np.random.default_rng(0).permutation(max(1, point_voxel.max(initial=0) + 1))
    low, high = (np.percentile(points, [1, 99], axis=0) if len(points)
                 else (np.zeros(3), np.ones(3)))
    shown = np.all((points >= low) & (points <= high), axis=1)
    cloud.scatter(*points[shown].T, c=colour[point_voxel[shown]] % 20, cmap="tab20", s=1.0,
                  linewidths=0)
    cloud.view_init(elev=30, azim=-60, vertical_axis=up_axis)
    clipped = "" if shown.all() else "; view clipped to the 1-99th percentile box"
    cloud.set_title(f"{title}: {len(points)} points, {point_voxel.max(initial=-1) + 1} voxels\n"
                    f"(colour = voxel{clipped})", fontsize=10)
    for axis in (cloud.xaxis, cloud.yaxis, cloud.zaxis):
        axis.set_major_locator(MaxNLocator(4))
    cloud.set_xlabel("x")
    cloud.set_ylabel("y")
    cloud.set_zlabel("z")
    span = high - low
    cloud.set_box_aspect(np.maximum(span, 1e-9 + span.max() * 0.2))  # flat scans stay readable
    fig.tight_layout()
    return fig
