"""Energy breakdown per layer, as stacked bars, for groups of runs (pruning schemes,
mappers): every component class on the left, the on-chip classes alone (DRAM left
out) on the right, where DRAM dwarfs the rest. Drawn from SimResults only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sparsesim.simulator.result import SimResult  # noqa: E402


def _stack(axis, bars: Sequence[tuple[str, dict[str, float]]], keys: Sequence[str],
           colours: Mapping[str, str]) -> None:
    labels = [label for label, _ in bars]
    bottom = [0.0] * len(bars)
    for key in keys:
        heights = [parts[key] * 1e-6 for _, parts in bars]
        axis.bar(labels, heights, bottom=bottom, color=colours[key], label=key, width=0.7)
        bottom = [b + h for b, h in zip(bottom, heights)]
    axis.tick_params(axis="x", labelsize=8 if len(bars) <= 6 else 7)
    axis.set_ylabel("energy (µJ)")
    axis.set_ylim(0, 1.12 * max(bottom))


def energy_figure(results: Mapping[str, Sequence[SimResult]], title: str) -> plt.Figure:
    """`results` maps a group name (scheme, mapper) to its per-layer SimResults."""
    bars = [(f"{group}\n{r.details['layer']}", r.energy_breakdown_pj)
            for group, layers in results.items() for r in layers]
    keys = [k for k in bars[0][1] if any(parts[k] > 0 for _, parts in bars)]
    cmap = plt.get_cmap("tab20")
    colours = {key: cmap(i) for i, key in enumerate(bars[0][1])}
    colours["dram"] = "#adb5bd"  # grey: off-chip, the same in every figure
    fig, (left, right) = plt.subplots(1, 2, figsize=(14, 5), constrained_layout=True)
    _stack(left, bars, keys, colours)
    left.set_title("all components (DRAM included)")
    handles, labels = left.get_legend_handles_labels()  # the rest are slivers at this scale
    left.legend([h for h, k in zip(handles, labels) if k == "dram"], ["dram"], fontsize=8,
                loc="upper left")
    on_chip = [k for k in keys if k != "dram"]
    _stack(right, bars, on_chip, colours)
    right.set_title("on-chip components only (DRAM left out)")
    right.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    totals = []
    for group, layers in results.items():
        energy = sum(r.energy_pj for r in layers)
        seconds = sum(r.seconds for r in layers)
        totals.append(f"{group}: {energy * 1e-6:.1f} µJ in {seconds * 1e6:.1f} µs = "
                      f"{energy * 1e-12 / seconds * 1e3:.0f} mW")
    fig.suptitle(f"{title}; " + "; ".join(totals), fontsize=10)
    return fig
