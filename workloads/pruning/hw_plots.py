"""Figures of hardware-aware pruning, drawn from the benchmark's JSON rows: accuracy
against simulated latency per method, and the per-layer sparsity each method chose."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sparsesim.workloads.pruning.seed_stats import mean_ci95  # noqa: E402

MARKERS = {"uniform": "s", "sensitivity": "^", "netadapt": "o", "amc": "D",
           "random-search": "v"}


def pareto_figure(rows: Sequence[dict[str, Any]], dense: Sequence[dict[str, Any]], title: str
                  ) -> plt.Figure:
    """rows: method, latency_budget_us, latency_ratio, latency_us, accuracy (test), one per
    seed; dense: latency_us and accuracy per seed. Points are means over seeds at each
    budget ratio, bars the 95% Student-t interval of the mean (seed_stats.mean_ci95)."""
    fig, ax = plt.subplots(figsize=(7.5, 4.6))
    for method in dict.fromkeys(r["method"] for r in rows):
        ratios = sorted({r["latency_ratio"] for r in rows if r["method"] == method})
        groups = [[r for r in rows if r["method"] == method and r["latency_ratio"] == q]
                  for q in ratios]
        latency = [mean_ci95([r["latency_us"] for r in g]) for g in groups]
        accuracy = [mean_ci95([100 * r["accuracy"] for r in g]) for g in groups]
        ax.errorbar([v.mean for v in latency], [v.mean for v in accuracy],
                    xerr=[v.half_width for v in latency],
                    yerr=[v.half_width for v in accuracy],
                    marker=MARKERS.get(method, "x"), capsize=3, label=method)
    for budget in sorted({r["latency_budget_us"] for r in rows}):
        ax.axvline(budget, color="0.85", lw=0.6, ls="--", zorder=0)
    dense_accuracy = mean_ci95([100 * d["accuracy"] for d in dense])
    ax.axhspan(dense_accuracy.low, dense_accuracy.high, color="0.9", zorder=0)
    ax.axhline(dense_accuracy.mean, color="0.4", lw=0.8, ls=":",
               label=f"dense ({np.mean([d['latency_us'] for d in dense]):.2f} µs; "
                     "band: 95% interval)")
    ax.set_xlabel("simulated latency per image (µs); dashed: each seed's budgets")
    ax.set_ylabel("test accuracy after fine-tuning (%)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def ratios_figure(rows: Sequence[dict[str, Any]], title: str) -> plt.Figure:
    """Grouped bars: each layer's sparsity (fraction of weights removed) per method."""
    layers = list(rows[0]["sparsity"])
    fig, ax = plt.subplots(figsize=(7.5, 4.2))
    width = 0.8 / len(rows)
    for k, row in enumerate(rows):
        xs = np.arange(len(layers)) + (k - (len(rows) - 1) / 2) * width
        values = [100 * row["sparsity"][n] for n in layers]
        bars = ax.bar(xs, values, width, label=f"{row['method']} ({row['latency_us']:.3f} µs, "
                      f"{100 * row['accuracy']:.1f}%)")
        ax.bar_label(bars, fmt="%.0f", fontsize=7)
    ax.set_xticks(np.arange(len(layers)))
    ax.set_xticklabels(layers)
    ax.set_ylim(0, 110)
    ax.set_ylabel("weights removed (%)")
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8, title="method (latency, test accuracy)", title_fontsize=8)
    fig.tight_layout()
    return fig
