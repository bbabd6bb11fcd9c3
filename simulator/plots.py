"""Plots drawn from SimResults only: per-PE cycle breakdown and queue occupancy."""

from __future__ import annotations

import io
import os
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sparsesim.simulator.atomic_file import write_atomically  # noqa: E402
from sparsesim.simulator.result import SimResult  # noqa: E402

COLOURS = {"busy": "#2b8a3e", "stalled": "#e8590c", "starved": "#adb5bd"}


def pe_activity_figure(results: Sequence[SimResult]) -> plt.Figure:
    """One row per layer: per-PE stacked busy / stalled / starved cycles on the left,
    the queues' mean and peak occupancy over time on the right."""
    fig, axes = plt.subplots(len(results), 2, figsize=(13, 3.2 * len(results)), squeeze=False,
                             gridspec_kw={"width_ratios": [3, 2]})
    for row, result in zip(axes, results):
        bars, timeline = row
        pes = range(len(result.pe_busy_cycles))
        bottom = [0] * len(result.pe_busy_cycles)
        for label, values in (("busy", result.pe_busy_cycles),
                              ("stalled", result.pe_stalled_cycles),
                              ("starved", result.pe_starved_cycles)):
            bars.bar(pes, values, bottom=bottom, width=1.0, color=COLOURS[label], label=label)
            bottom = [b + v for b, v in zip(bottom, values)]
        layer = result.details.get("layer", result.workload)
        bars.set_title(f"{result.accel} {layer}: {result.cycles} cycles, PE utilization "
                       f"{result.pe_utilization:.1%}, load efficiency {result.load_efficiency:.1%}",
                       fontsize=10)
        bars.set_xlabel("PE index")
        bars.set_ylabel("cycles")
        bars.set_xlim(-0.5, len(result.pe_busy_cycles) - 0.5)
        bars.set_ylim(0, result.cycles * 1.25)
        bars.legend(loc="upper center", ncol=3, fontsize=8)
        line = result.queue_stats["timeline"]
        timeline.step(line["bin_start_cycles"], line["max_occupancy_entries"], where="post",
                      color="#c92a2a", label="max over queues")
        timeline.step(line["bin_start_cycles"], line["mean_occupancy_entries"], where="post",
                      color="#1864ab", label="mean over queues")
        timeline.axhline(result.queue_stats["depth_entries"], color="black", lw=0.8, ls="--",
                         label="depth")
        timeline.set_ylim(0, result.queue_stats["depth_entries"] * 1.45 + 0.1)
        timeline.set_title("activation queue occupancy", fontsize=10)
        timeline.set_xlabel("cycle")
        timeline.set_ylabel("occupancy (entries)")
        timeline.legend(loc="upper center", ncol=3, fontsize=8)
    fig.tight_layout()
    return fig


def save_png(fig: plt.Figure, path: str | os.PathLike) -> None:
    """Render `fig` to PNG and write it atomically to `path`."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=110)
    plt.close(fig)
    write_atomically(path, lambda handle: handle.write(buffer.getvalue()))


def sweep_figure(lines: dict[str, list[tuple]], xlabel: str, ylabel: str, logx: bool,
                 title: str, integer_x: bool = False, integer_y: bool = False,
                 pareto: Sequence[tuple] = ()) -> plt.Figure:
    """One curve per label; the labels carry the units. Integer axes get whole-number
    ticks (at the swept values themselves when there are few). `pareto` points are
    ringed and joined."""
    fig, ax = plt.subplots(figsize=(8, 5))
    for label, points in lines.items():
        ax.plot([p[0] for p in points], [p[1] for p in points], marker="o", ms=3, label=label)
    if pareto:
        ax.plot([p[0] for p in pareto], [p[1] for p in pareto], color="black", lw=0.8,
                ls="--", marker="o", ms=11, mfc="none", label="Pareto front")
    if logx:
        ax.set_xscale("log", base=2)
    xs = sorted({p[0] for points in lines.values() for p in points})
    if integer_x:
        ax.xaxis.set_major_locator(matplotlib.ticker.FixedLocator(xs) if len(xs) <= 16 else
                                   matplotlib.ticker.MaxNLocator(integer=True))
        ax.xaxis.set_minor_locator(matplotlib.ticker.NullLocator())
        ax.xaxis.set_major_formatter(matplotlib.ticker.FormatStrFormatter("%d"))
    elif logx:
        ax.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    if integer_y:
        ax.yaxis.set_major_locator(matplotlib.ticker.MaxNLocator(integer=True))
        ax.yaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:,.0f}"))
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(alpha=0.3)
    if len(lines) > 1:
        ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
