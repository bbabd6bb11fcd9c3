"""The ablation of PatDNN's optimizations: the same workload under every preset in
ABLATION order, summarized per variant (units in the keys)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from sparsesim.accelerators.patdnn import model
from sparsesim.accelerators.patdnn.config import ABLATION, PRESETS
from sparsesim.simulator.result import SimResult
from sparsesim.workloads.conv_layers import ConvWorkload


def summary(results: list[SimResult]) -> dict[str, Any]:
    """One variant's totals over the workload's layers. Thread imbalance: the layers'
    time with their busiest thread over their time with perfectly shared work (sum over
    layers of max busy / sum of mean busy)."""
    busiest = sum(max(r.details["thread_busy_cycles"]) for r in results)
    mean = sum(sum(r.details["thread_busy_cycles"]) / len(r.details["thread_busy_cycles"])
               for r in results)
    return {"cycles": sum(r.cycles for r in results),
            "seconds": sum(r.seconds for r in results),
            "energy_pj": sum(r.energy_pj for r in results),
            "loads_issued": sum(r.details["loads_issued"] for r in results),
            "input_loads": sum(r.details["input_loads"] for r in results),
            "pattern_mispredicts": sum(r.details["pattern_mispredicts"] for r in results),
            "thread_imbalance_max_over_mean": busiest / mean if mean else 1.0,
            "encoded_bytes": sum(r.details["encoded_bytes"] for r in results),
            "output_ok": all(r.output_ok for r in results)}


def run_ablation(workload: ConvWorkload, *, engine: str, seed: int, tech: str,
                 overrides: dict[str, Any] | None = None,
                 progress: Callable[[str], None] | None = None,
                 ) -> dict[str, tuple[list[SimResult], dict[str, Any]]]:
    """Every ablation variant on `workload` (each preset with the CPU fields in
    `overrides` replaced): its per-layer results and summary."""
    out = {}
    for name in ABLATION:
        if progress:
            progress(name)
        config = dataclasses.replace(PRESETS[name], **(overrides or {}))
        results, _ = model.run(model.compile(workload, config), engine=engine, seed=seed,
                               tech=tech)
        out[name] = (results, summary(results))
    return out


def factors(summaries: dict[str, dict[str, Any]]) -> dict[str, float]:
    """The measured factor of each step: speedup = cycles before / after, imbalance and
    loads as before / after."""
    s = summaries
    return {
        "pattern_vs_dense_speedup": s["dense-im2col"]["cycles"] / s["pattern"]["cycles"],
        "pattern_vs_csr_speedup": s["csr"]["cycles"] / s["pattern"]["cycles"],
        "reorder_speedup": s["pattern"]["cycles"] / s["pattern+reorder"]["cycles"],
        "reorder_imbalance_reduction": s["pattern"]["thread_imbalance_max_over_mean"]
        / s["pattern+reorder"]["thread_imbalance_max_over_mean"],
        "lre_speedup": s["pattern+reorder"]["cycles"] / s["snapdragon855"]["cycles"],
        "lre_load_reduction": s["pattern+reorder"]["loads_issued"]
        / s["snapdragon855"]["loads_issued"],
        "patdnn_vs_dense_speedup": s["dense-im2col"]["cycles"] / s["snapdragon855"]["cycles"],
        "patdnn_vs_csr_speedup": s["csr"]["cycles"] / s["snapdragon855"]["cycles"],
    }


def ablation_figure(summaries: dict[str, dict[str, dict[str, Any]]]):
    """Bars per workload: cycles, loads issued and thread imbalance of each variant,
    normalized to dense im2col (cycles, loads) or absolute (imbalance)."""
    import matplotlib.pyplot as plt
    import numpy as np

    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    names = list(ABLATION)
    width = 0.8 / len(summaries)
    keys = (("cycles", "cycles / dense im2col"), ("loads_issued", "loads issued / dense im2col"),
            ("thread_imbalance_max_over_mean", "thread imbalance (max / mean busy)"))
    for i, (workload, rows) in enumerate(summaries.items()):
        x = np.arange(len(names)) + i * width
        for ax, (key, label) in zip(axes, keys):
            values = [rows[n][key] for n in names]
            if key != "thread_imbalance_max_over_mean":
                values = [v / rows["dense-im2col"][key] for v in values]
            ax.bar(x, values, width, label=workload)
            ax.set_title(label, fontsize=10)
    for ax in axes:
        ax.set_xticks(np.arange(len(names)) + width * (len(summaries) - 1) / 2)
        ax.set_xticklabels(["dense\nim2col", "CSR", "pattern", "+reorder", "+LRE"], fontsize=8)
    axes[0].legend(fontsize=8)
    fig.suptitle("PatDNN ablation on the modelled Snapdragon 855 (4 Cortex-A76 threads)")
    fig.tight_layout()
    return fig
