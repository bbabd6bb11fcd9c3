"""Figures of sparse tensor core runs, drawn from SimResults only."""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sparsesim.accelerators.stc.energy import COMPONENTS  # noqa: E402
from sparsesim.accelerators.stc.result import BREAKDOWN_KEYS  # noqa: E402
from sparsesim.simulator.result import SimResult  # noqa: E402

LABELS = {"launch_cycles": "launch", "math_cycles": "tensor-core math",
          "shared_memory_cycles": "shared memory", "l2_hbm_wait_cycles": "L2 / HBM wait",
          "epilogue_cycles": "epilogue", "wave_tail_cycles": "wave tail",
          "split_k_reduction_cycles": "split-K reduction", "host_wait_cycles": "host wait"}
COLOURS = {"launch_cycles": "#868e96", "math_cycles": "#2b8a3e",
           "shared_memory_cycles": "#1c7ed6", "l2_hbm_wait_cycles": "#e8590c",
           "epilogue_cycles": "#9c36b5", "wave_tail_cycles": "#ced4da",
           "split_k_reduction_cycles": "#fab005", "host_wait_cycles": "#495057"}
ENERGY_COLOURS = {"arithmetic": "tab:red", "register_file": "tab:orange",
                  "shared_memory": "tab:olive", "l2": "tab:green", "hbm": "tab:blue",
                  "leakage": "tab:grey"}


def draw_breakdown(ax: plt.Axes, results: Sequence[SimResult]) -> None:
    """Stacked bars of where time goes (µs), dense and sparse side by side per GEMM."""
    positions, labels = [], []
    for i, result in enumerate(results):
        clock_mhz = result.clock_hz / 1e6
        for j, mode in enumerate(("dense", "sparse")):
            x = i * 2.6 + j
            parts = result.details["breakdown"][mode]
            bottom = 0.0
            for key in BREAKDOWN_KEYS:
                height = parts[key] / clock_mhz
                ax.bar(x, height, bottom=bottom, color=COLOURS[key], width=0.9,
                       label=LABELS[key] if (i, j) == (0, 0) else None)
                bottom += height
            positions.append(x)
            labels.append(f"{mode}\n{result.workload}" if j == 0 else mode)
        ax.annotate(f"{result.details['speedup']:.2f}x", (i * 2.6 + 1, bottom),
                    ha="center", va="bottom", fontsize=8)
    ax.set_xticks(positions, labels, fontsize=7)
    ax.set_ylabel("time per SM (µs, mean over SMs)")
    ax.set_title("where time goes: dense vs 2:4 sparse (label: speedup)", fontsize=10)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))


def draw_energy_breakdown(ax: plt.Axes, results: Sequence[SimResult],
                          per_dense_mac: bool = False) -> None:
    """Stacked bars of energy per component, dense (D) and sparse (S) side by side per
    GEMM: in µJ, or in pJ per multiply-accumulate of the dense GEMM (M x N x K)."""
    tallest = 0.0
    for i, result in enumerate(results):
        m, n, k = result.details["gemm_m_n_k"]
        scale = 1 / (m * n * k) if per_dense_mac else 1e-6
        for offset, mode in ((-0.2, "dense"), (0.2, "sparse")):
            parts = result.details["energy"][mode]["energy_breakdown_pj"]
            bottom = 0.0
            for key in COMPONENTS:
                ax.bar(i + offset, parts[key] * scale, 0.38, bottom=bottom,
                       color=ENERGY_COLOURS[key], label=key if (i, mode) == (0, "dense") else None)
                bottom += parts[key] * scale
            ax.text(i + offset, bottom, mode[0].upper(), ha="center", va="bottom", fontsize=8)
            tallest = max(tallest, bottom)
    labels = [f"{r.workload}\n" + "x".join(map(str, r.details["gemm_m_n_k"])) for r in results]
    ax.set_xticks(range(len(results)), labels, fontsize=7, rotation=30, ha="right")
    ax.set_ylim(0, 1.08 * tallest)
    ax.set_ylabel("energy per MAC of the dense GEMM (pJ/MAC)" if per_dense_mac
                  else "energy per kernel (µJ)")


def draw_speedup_heatmap(ax: plt.Axes, grid: Sequence[SimResult], title: str) -> None:
    """Speedup (dense cycles / sparse cycles) over M (rows) and K (columns)."""
    ms = sorted({r.details["gemm_m_n_k"][0] for r in grid})
    ks = sorted({r.details["gemm_m_n_k"][2] for r in grid})
    values = np.full((len(ms), len(ks)), np.nan)
    for r in grid:
        m, _, k = r.details["gemm_m_n_k"]
        values[ms.index(m), ks.index(k)] = r.details["speedup"]
    image = ax.imshow(values, origin="lower", cmap="viridis", vmin=1.0, vmax=2.0)
    for (row, col), value in np.ndenumerate(values):
        ax.text(col, row, f"{value:.2f}", ha="center", va="center", fontsize=8,
                color="white" if value < 1.5 else "black")
    ax.set_xticks(range(len(ks)), [str(k) for k in ks])
    ax.set_yticks(range(len(ms)), [str(m) for m in ms])
    ax.set_xlabel("K (reduction dimension)")
    ax.set_ylabel("M (rows of the 2:4 sparse A)")
    ax.set_title(title, fontsize=10)
    plt.colorbar(image, ax=ax, label="speedup (dense cycles / sparse cycles)")


def run_figure(results: Sequence[SimResult], grid: Sequence[SimResult],
               grid_title: str) -> plt.Figure:
    """The CLI's --plot, stacked to fit a page: where time goes, energy per component,
    speedup heat map."""
    width = min(16.0, max(9.0, 0.9 * len(results) + 5))
    fig, (top, middle, bottom) = plt.subplots(3, 1, figsize=(width, 15),
                                              gridspec_kw={"height_ratios": [1, 1, 1.25]})
    draw_breakdown(top, results)
    draw_energy_breakdown(middle, results)
    tech = results[0].details["energy"]["tech"]
    middle.set_title(f"energy, dense (D) vs 2:4 sparse (S); {tech} energies, not scaled to "
                     "the GPU's node", fontsize=10)
    middle.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    draw_speedup_heatmap(bottom, grid, grid_title)
    fig.tight_layout()
    return fig
