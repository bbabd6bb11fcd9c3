"""Figures of gpu-spmm runs, drawn from SimResults only: speedup over dense vs density
per kernel (with each kernel's crossover), and per-SM load of csr-rowsplit vs sputnik."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from sparsesim.accelerators.gpu_spmm.crossover import by_kernel, kernel_crossovers  # noqa: E402
from sparsesim.simulator.result import SimResult  # noqa: E402

COLOURS = {"dense": "black", "2:4": "tab:purple", "csr-rowsplit": "tab:red",
           "sputnik": "tab:green", "blocked-ell": "tab:blue", "bsr": "tab:orange"}


def draw_speedups(ax: plt.Axes, results: Sequence[SimResult], title: str) -> None:
    crossings = kernel_crossovers(results)
    for kernel, runs in by_kernel(results).items():
        d = [r.details["density"] for r in runs]
        s = [r.details["speedup_over_dense"] for r in runs]
        cross = crossings.get(kernel)
        label = kernel if cross is None else f"{kernel} (wins below {cross:.3g})"
        ax.plot(d, s, "o-" if kernel != "dense" else "--", color=COLOURS[kernel], label=label)
        if cross is not None and cross < max(d):
            ax.axvline(cross, color=COLOURS[kernel], lw=0.8, ls=":")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.invert_xaxis()
    ax.set_xlabel("density of A (fraction kept), log")
    ax.set_ylabel("speedup over dense fp16 GEMM")
    ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)


def draw_sm_load(ax: plt.Axes, skewed: Sequence[SimResult]) -> None:
    """Per SM, sorted: the work (SM-cycles) of its CTAs, per kernel, and the cycles its
    useful FMAs alone would take (the same in every CSR kernel: the same nonzeros)."""
    useful = None
    for r in skewed:
        kernel = r.details["kernel"]
        if "sm_useful_macs" not in r.details:
            continue
        name = kernel + ("" if r.details["plan"].get("row_swizzle", True) else " (no swizzle)")
        busy = np.sort(np.asarray(r.pe_busy_cycles, float))[::-1]
        ax.plot(np.arange(len(busy)), busy / 1e3,
                color=COLOURS[kernel] if name == kernel else "tab:olive",
                label=f"{name}: CTA work (imbalance {r.details['sm_imbalance']:.2f})")
        rate = r.config["cuda_fma_per_clk_per_sm"]
        useful = np.sort(np.asarray(r.details["sm_useful_macs"], float) / rate)[::-1]
    if useful is not None:
        ax.plot(np.arange(len(useful)), useful / 1e3, color="black", ls="--",
                label="useful FMAs at the FMA peak (every kernel)")
    ax.set_yscale("log")
    ax.set_xlabel("SM (sorted by load)")
    ax.set_ylabel("kilocycles per SM, log")
    ax.set_title(f"per-SM load on {skewed[0].workload.rsplit('/', 1)[0]}", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)


def spmm_figure(sweeps: Mapping[str, Sequence[SimResult]],
                skewed: Sequence[SimResult]) -> plt.Figure:
    """One speedup panel per pattern in `sweeps`, then the per-SM load panel."""
    fig, axes = plt.subplots(1, len(sweeps) + 1, figsize=(6.2 * (len(sweeps) + 1), 4.8))
    for ax, (pattern, results) in zip(axes, sweeps.items()):
        shape = results[0].details["gemm_m_n_k"]
        draw_speedups(ax, results, f"{pattern}, M,N,K = {shape[0]},{shape[1]},{shape[2]}, "
                      f"{results[0].config['name']}")
    draw_sm_load(axes[-1], skewed)
    fig.tight_layout()
    return fig
