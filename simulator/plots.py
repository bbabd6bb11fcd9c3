"""Plots drawn from SimResults (per-PE cycle categories, queue occupancy) and from
traced activity (per-PE Gantt chart); the paper and slide styles of every --plot."""

from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from sparsesim.simulator.atomic_file import write_atomically  # noqa: E402
from sparsesim.simulator.result import CYCLE_CATEGORIES, SimResult  # noqa: E402
from sparsesim.simulator.trace import LayerActivity  # noqa: E402

# one colour per cycle category of simulator.result.CYCLE_CATEGORIES
COLOURS = {"useful": "#2b8a3e", "zero_activation": "#94d82d", "padding": "#fab005",
           "zero_weight": "#ffd43b", "empty_slice": "#74c0fc", "stalled": "#e8590c",
           "starved": "#dee2e6", "pipeline": "#495057"}
STYLES = ("paper", "slide")
SLIDE_INCHES = (13.33, 7.5)  # 16:9
SLIDE_MIN_FONT_PT = 14.0


def pe_cycle_bars(axis, pe_cycles: Mapping[str, Sequence[int]], top_cycles: float) -> None:
    """Stacked bars of every cycle category per PE, bottom to top in CYCLE_CATEGORIES
    order, on integer PE ticks."""
    pes = len(next(iter(pe_cycles.values())))
    bottom = np.zeros(pes)
    for label in CYCLE_CATEGORIES:
        if label in pe_cycles:
            values = np.asarray(pe_cycles[label], dtype=float)
            axis.bar(range(pes), values, bottom=bottom, width=1.0 if pes > 16 else 0.8,
                     color=COLOURS[label], label=label.replace("_", " "))
            bottom += values
    axis.set_xlim(-0.5, pes - 0.5)
    axis.set_ylim(0, top_cycles)
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.set_xlabel("PE index")
    axis.set_ylabel("cycles")
    axis.legend(loc="upper center", ncol=4, fontsize=7)


def gantt_figure(activity: LayerActivity, title: str = "") -> plt.Figure:
    """One row per track of `activity` (e.g. per PE), its spans coloured by cycle
    category (names outside CYCLE_CATEGORIES in grey), x in cycles."""
    tracks = list(activity.tracks.items())
    fig, ax = plt.subplots(figsize=(10, 0.9 + 0.42 * len(tracks)))
    seen: dict[str, str] = {}
    for row, (_, spans) in enumerate(tracks):
        for start, end, name in spans:
            colour = COLOURS.get(name, "#868e96")
            seen.setdefault(name, colour)
            ax.broken_barh([(start, end - start)], (row - 0.38, 0.76), color=colour,
                           edgecolor="white", linewidth=0.6)
    ax.set_yticks(range(len(tracks)), [name for name, _ in tracks])
    ax.invert_yaxis()
    ax.set_xlim(0, activity.cycles)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("cycle")
    ax.set_title(title or f"{activity.name}: {activity.cycles} cycles", fontsize=10)
    ax.legend([plt.Rectangle((0, 0), 1, 1, color=c) for c in seen.values()],
              [n.replace("_", " ") for n in seen], loc="upper center",
              bbox_to_anchor=(0.5, -0.18 - 0.6 / len(tracks)), ncol=min(6, len(seen)),
              fontsize=8)
    fig.tight_layout()
    return fig


def pe_activity_figure(results: Sequence[SimResult]) -> plt.Figure:
    """One row per layer: per-PE stacked cycle categories (useful, padding, empty slice,
    stalled, starved, pipeline) on the left, the queues' mean and peak occupancy over
    time on the right."""
    fig, axes = plt.subplots(len(results), 2, figsize=(13, 3.2 * len(results)), squeeze=False,
                             gridspec_kw={"width_ratios": [3, 2]})
    for row, result in zip(axes, results):
        bars, timeline = row
        pe_cycle_bars(bars, result.pe_cycles, result.cycles * 1.35)
        layer = result.details.get("layer", result.workload)
        bars.set_title(f"{result.accel} {layer}: {result.cycles} cycles, PE utilization "
                       f"{result.pe_utilization:.1%} (issuing {result.pe_issue_utilization:.1%})"
                       f", load efficiency {result.load_efficiency:.1%}", fontsize=10)
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


def save_png(fig: plt.Figure, path: str | os.PathLike, style: str = "paper") -> None:
    """Render `fig` to PNG and write it atomically to `path`. Style "slide" redraws it
    at slide width (SLIDE_INCHES) with fonts of at least SLIDE_MIN_FONT_PT points, for
    projecting: 16:9, or taller in its own proportions (rows of panels keep their room)."""
    if style not in STYLES:
        raise ValueError(f"unknown plot style {style!r}; choose one of {', '.join(STYLES)}")
    if style == "slide":
        width, height = fig.get_size_inches()
        slide_width, slide_height = SLIDE_INCHES
        fig.set_size_inches(slide_width, max(slide_height, slide_width * height / width))
        for text in fig.findobj(Text):
            text.set_fontsize(max(SLIDE_MIN_FONT_PT, text.get_fontsize() * 1.4))
        fig.tight_layout()
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
