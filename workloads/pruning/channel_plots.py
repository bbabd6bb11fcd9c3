"""Figure of the channel-pruning benchmark: tensor-core latency and accuracy against the
fraction of weights kept, channel pruning beside fine-grained sparsity and 2:4."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

STYLE = {"channel": ("o", "-", "C0"), "fine": ("s", "--", "C1"), "2:4": ("D", "none", "C2"),
         "dense": ("*", "none", "0.3")}  # marker, line, colour


def channel_figure(summary: Sequence[dict[str, Any]],
                   measures: Sequence[tuple[str, int, bool]], preset: str) -> plt.Figure:
    """summary: the benchmark's per-model, method and ratio lines (means over seeds);
    measures: (key, batch, launch overhead counted) of the tensor-core figures to draw,
    one batch: solid with the launch overhead, dotted without."""
    models = list(dict.fromkeys(s["model"] for s in summary))
    fig, axes = plt.subplots(2, len(models), figsize=(5.2 * len(models), 6.6), squeeze=False)
    for col, model in enumerate(models):
        for method, (marker, line, color) in STYLE.items():
            mine = sorted((s for s in summary if s["model"] == model and s["method"] == method),
                          key=lambda s: -s["weights_kept_fraction"])
            if not mine:
                continue
            kept = [100 * s["weights_kept_fraction"] for s in mine]
            for key, _, launch in measures:
                axes[0][col].plot(kept, [s[key] for s in mine], marker=marker, color=color,
                                  ms=6, ls=line if launch or line == "none" else ":",
                                  mfc=None if launch else "none",
                                  label=method if launch else f"{method}, no launch overhead")
            axes[1][col].errorbar(kept, [s["mean_accuracy_pct"] for s in mine],
                                  yerr=[s["ci95_half_width_accuracy_pct"] for s in mine],
                                  marker=marker, ls=line, color=color, capsize=3,
                                  label=method, ms=6)
        batch = measures[0][1]
        axes[0][col].set_title(f"{model}: {preset} tensor-core model, batch {batch}")
        axes[0][col].set_ylabel(f"simulated µs per batch of {batch}")
        axes[0][col].set_ylim(0, 1.15 * max(s[k] for s in summary if s["model"] == model
                                            for k, _, _ in measures))
        axes[1][col].set_ylabel("test accuracy (%), mean ± 95 % CI")
        axes[1][col].set_xlabel("weights kept (% of dense)")
        for ax in axes[:, col]:
            ax.invert_xaxis()
            ax.grid(alpha=0.3)
            ax.legend(fontsize=7, ncol=2 if ax in axes[0] else 1)
    fig.tight_layout()
    return fig


def floor_figure(floors: Sequence[dict[str, Any]], preset: str) -> plt.Figure:
    """floors: per preset and batch, each layer's µs per batch dense and at the floor
    (every hidden layer at its fewest channels); stacked bars per batch, the floor's
    ratio to dense above each pair."""
    rows = [f for f in floors if f["preset"] == preset]
    layers = list(rows[0]["dense_layer_us"])
    fig, ax = plt.subplots(figsize=(9.5, 4.6))
    for i, row in enumerate(rows):
        for offset, key, hatch in ((-0.2, "dense_layer_us", None), (0.2, "floor_layer_us", "//")):
            bottom = 0.0
            for j, layer in enumerate(layers):
                share = row[key][layer] / sum(row["dense_layer_us"].values())
                ax.bar(i + offset, share, 0.38, bottom=bottom, color=f"C{j}", hatch=hatch,
                       edgecolor="white", label=layer if i == 0 and hatch is None else None)
                bottom += share
        ax.text(i + 0.2, bottom + 0.02, f"{row['floor_latency_ratio']:.2f}", ha="center",
                fontsize=9)
    ax.axhline(0.7, color="0.3", ls="--", lw=0.8, label="0.7 x budget")
    ax.set_xticks(range(len(rows)), [f"batch {r['batch']}\ndense | floor" for r in rows])
    ax.set_ylabel("simulated latency / dense latency")
    ax.set_ylim(0, 1.12)
    ax.set_title(f"LeNet-5 on the {preset} tensor-core model: each layer's share, dense and "
                 "at the floor (hatched)", fontsize=10)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.tight_layout()
    return fig
