"""Figures of the pruning procedures (matplotlib, written with simulator.plots.save_png)."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sparsesim.workloads.pruning.lottery import LotteryRound  # noqa: E402
from sparsesim.workloads.pruning.sensitivity import SensitivityPoint  # noqa: E402


def sensitivity_figure(points: Sequence[SensitivityPoint], model: str) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for layer in dict.fromkeys(p.layer for p in points):
        rows = [p for p in points if p.layer == layer]
        ax.plot([100 * p.sparsity for p in rows], [100 * p.accuracy for p in rows], marker="o",
                label=layer)
    ax.set_xlabel("weights removed from this layer only (%)")
    ax.set_ylabel("test accuracy (%)")
    ax.set_title(f"{model}: sensitivity of each layer to magnitude pruning (no fine-tuning)",
                 fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend(title="layer pruned")
    fig.tight_layout()
    return fig


def lottery_figure(rounds: Sequence[LotteryRound], model: str, rewind_epochs: int) -> plt.Figure:
    fig, ax = plt.subplots(figsize=(7, 4.2))
    kept = [100 * (1 - r.sparsity) for r in rounds]
    ax.plot(kept, [100 * r.accuracy_rewound for r in rounds], marker="o",
            label=f"rewound to epoch {rewind_epochs} weights")
    ax.plot(kept, [100 * r.accuracy_random for r in rounds], marker="s",
            label="random re-initialization, same mask")
    ax.set_xscale("log")
    ax.invert_xaxis()
    ax.set_xticks(kept)
    ax.set_xticklabels([f"{k:.3g}" for k in kept], fontsize=8)
    ax.minorticks_off()
    ax.set_xlabel("weights kept (%, log scale)")
    ax.set_ylabel("test accuracy after retraining (%)")
    ax.set_title(f"{model}: lottery-ticket search, iterative magnitude pruning", fontsize=10)
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig
