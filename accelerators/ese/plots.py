"""The load-imbalance picture: for each pruning scheme, nonzeros per PE, every cycle
category per PE, and the timeline of one time step of one layer. Drawn from
SimResults and their summaries only."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from sparsesim.simulator.plots import pe_cycle_bars  # noqa: E402
from sparsesim.simulator.result import SimResult  # noqa: E402

KIND_COLOURS = {"input": "#1c7ed6", "recurrent": "#2b8a3e", "projection": "#ae3ec9"}
ELEMENTWISE_COLOUR = "#f08c00"


def _timeline(axis, result: SimResult, span_cycles: int) -> None:
    line = result.details["step_timeline"]
    start, end = line["start_cycle"], line["end_cycle"]
    pes = len(result.pe_busy_cycles)
    for pe, intervals in enumerate(line["pe_intervals"]):
        for kind in KIND_COLOURS:
            bars = [(max(a, start) - start, min(b, end) - max(a, start))
                    for a, b, k in intervals if k == kind and b > start and a < end]
            axis.broken_barh(bars, (pe - 0.4, 0.8), color=KIND_COLOURS[kind], lw=0)
    for a, b, _ in line["elementwise_intervals"]:
        if b > start and a < end:
            axis.broken_barh([(max(a, start) - start, min(b, end) - max(a, start))],
                             (pes + 0.6, 1.6), color=ELEMENTWISE_COLOUR, lw=0)
    axis.set_xlim(0, span_cycles)
    axis.set_ylim(-1, pes + 7)
    axis.set_yticks([0, pes - 1, pes + 1.4], ["PE 0", f"PE {pes - 1}", "element-wise"],
                    fontsize=8)
    axis.set_xlabel(f"cycle since step {line['step']} began (cycles)")
    axis.set_title(f"{result.details['layer']}, step {line['step']}: {end - start} cycles "
                   "(white = PE idle)", fontsize=10)
    present = [k for k in KIND_COLOURS if any(i[2] == k for pe in line["pe_intervals"] for i in pe)]
    handles = [plt.Rectangle((0, 0), 1, 1, color=KIND_COLOURS[k]) for k in present]
    handles.append(plt.Rectangle((0, 0), 1, 1, color=ELEMENTWISE_COLOUR))
    labels = [f"{k} columns" for k in present] + ["gate math (element-wise unit)"]
    axis.legend(handles, labels, loc="upper center", fontsize=7, ncol=4, framealpha=0.9)


def _pe_panels(nz_axis, bar_axis, name: str, summary: dict[str, Any], top_nonzeros: float,
               top_cycles: float) -> None:
    nonzeros = summary["pe_nonzeros"]
    pes = range(len(nonzeros))
    nz_axis.bar(pes, nonzeros, width=0.9, color="#495057")
    mean = sum(nonzeros) / len(nonzeros)
    nz_axis.axhline(mean, color="#c92a2a", lw=1, ls="--", label=f"mean {mean:.0f}")
    nz_axis.set_ylim(0, top_nonzeros)
    nz_axis.set_title(f"{name} pruning: nonzero weights per PE\n"
                      f"(max/mean {summary['nonzeros_max_over_mean']:.3f})", fontsize=10)
    nz_axis.set_xlabel("PE index")
    nz_axis.set_ylabel("nonzero weights (count)")
    nz_axis.legend(loc="upper right", fontsize=8)
    nz_axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    pe_cycle_bars(bar_axis, summary["pe_cycles"], top_cycles)
    bar_axis.set_title(f"{name}: {summary['cycles']} cycles (all layers, all steps)\n"
                       f"PE utilization {summary['pe_utilization']:.1%}, issuing "
                       f"{summary['pe_issue_utilization']:.1%}", fontsize=10)


def _scales(schemes: Mapping[str, tuple[Any, dict[str, Any]]], layer: int) -> tuple:
    top_nonzeros = max(max(s["pe_nonzeros"]) for _, s in schemes.values()) * 1.15
    top_cycles = max(s["cycles"] for _, s in schemes.values()) * 1.35
    span = max(r.layers[layer].details["step_timeline"]["end_cycle"]
               - r.layers[layer].details["step_timeline"]["start_cycle"]
               for r, _ in schemes.values())
    return top_nonzeros, top_cycles, span


def imbalance_figure(schemes: Mapping[str, tuple[Any, dict[str, Any]]],
                     timeline_layer: int = 0) -> plt.Figure:
    """One row per scheme (`schemes` maps a name to (ESERun, summary)): nonzeros per PE,
    every cycle category per PE, and the timeline of one step."""
    top_nonzeros, top_cycles, span = _scales(schemes, timeline_layer)
    fig, axes = plt.subplots(len(schemes), 3, figsize=(16, 3.8 * len(schemes)), squeeze=False,
                             gridspec_kw={"width_ratios": [2, 3, 3]})
    for (name, (run, summary)), (nz_axis, bar_axis, line_axis) in zip(schemes.items(), axes):
        _pe_panels(nz_axis, bar_axis, name, summary, top_nonzeros, top_cycles)
        _timeline(line_axis, run.layers[timeline_layer], span)
    fig.tight_layout()
    return fig


def pe_cycles_figure(schemes: Mapping[str, tuple[Any, dict[str, Any]]]) -> plt.Figure:
    """Nonzeros and every cycle category per PE, one row per scheme."""
    top_nonzeros, top_cycles, _ = _scales(schemes, 0)
    fig, axes = plt.subplots(len(schemes), 2, figsize=(12, 3.6 * len(schemes)), squeeze=False,
                             gridspec_kw={"width_ratios": [2, 3]})
    for (name, (_, summary)), (nz_axis, bar_axis) in zip(schemes.items(), axes):
        _pe_panels(nz_axis, bar_axis, name, summary, top_nonzeros, top_cycles)
    fig.tight_layout()
    return fig


def timeline_figure(schemes: Mapping[str, tuple[Any, dict[str, Any]]],
                    timeline_layer: int = 0) -> plt.Figure:
    """Timeline of one step of one layer, one panel per scheme, on one cycle axis."""
    _, _, span = _scales(schemes, timeline_layer)
    fig, axes = plt.subplots(len(schemes), 1, figsize=(11, 4.0 * len(schemes)), squeeze=False)
    for (name, (run, _)), (axis,) in zip(schemes.items(), axes):
        _timeline(axis, run.layers[timeline_layer], span)
        axis.set_title(f"{name} pruning: " + axis.get_title(), fontsize=10)
    fig.tight_layout()
    return fig
