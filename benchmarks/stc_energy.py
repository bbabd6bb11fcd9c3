"""Energy of dense versus 2:4 sparse GEMM on the A100 model, per component.

    python benchmarks/stc_energy.py --json stc_energy.json --png stc_energy.png [--tech 45nm]

Energies are the technology table's per-event figures (45 nm by default, Horowitz ISSCC
2014) times the model's counts; A100 is a 7 nm chip and nothing is scaled, so absolute
figures are 45 nm ones: compare the shares and the dense / sparse ratio, not the joules.
There is no published per-GEMM energy to set beside ours; nothing is tuned.

Groups (M = rows of the sparse A, N = columns of B, K = reduction):
- square fp16: M = N = K = 1024 ... 8192;
- bert-base fp16: the four linear layers of one BERT-base block at 512 and 4096 tokens;
- cusparselt-int8: M = N = 10240, K = 1280 ... 20480 (the published cuSPARSELt sweep).
Every point's numeric output is checked against numpy on a seeded sample of output blocks.
"""

from __future__ import annotations

import argparse
import sys

from common import output_path, write_json

from sparsesim.accelerators.stc import model as stc
from sparsesim.accelerators.stc.energy import COMPONENTS
from sparsesim.cli.progress import progress
from sparsesim.simulator.plots import save_png
from sparsesim.simulator.result import SimResult
from sparsesim.workloads.gemm import GemmShape
from sparsesim.workloads.transformer_gemms import transformer_gemms

CHECK_BUDGET_MACS = 2**24  # output-check work per point (a sample of output blocks)
SQUARE_SIZES = (1024, 2048, 4096, 8192)
BERT_TOKENS = (512, 4096)
CUSPARSELT_MN, CUSPARSELT_K = 10240, (1280, 2560, 5120, 10240, 20480)


def shapes() -> list[tuple[str, str, GemmShape]]:
    """(group, dtype, shape) of every point."""
    out = [("square", "fp16", GemmShape(f"sq{s}", s, s, s)) for s in SQUARE_SIZES]
    out += [("bert-base", "fp16", s) for t in BERT_TOKENS
            for s in transformer_gemms("bert-base", t)]
    mn = CUSPARSELT_MN
    out += [("cusparselt-int8", "int8", GemmShape(f"cusparselt-k{k}", mn, mn, k))
            for k in CUSPARSELT_K]
    return out


def point(group: str, result: SimResult) -> dict:
    """One JSON-ready row of a finished run."""
    shape, dtype = result.details["gemm_m_n_k"], result.details["dtype"]
    energy = result.details["energy"]
    row = {"group": group, "gemm": result.workload, "dtype": dtype, "gemm_m_n_k": shape,
           "speedup": result.details["speedup"], "output_ok": result.output_ok,
           "sparse_over_dense_energy": energy["sparse_over_dense"]}
    for mode in ("dense", "sparse"):
        kernel = energy[mode]
        row[mode] = {"cycles": result.details[f"{mode}_cycles"],
                     "energy_uj": kernel["energy_pj"] * 1e-6, "power_w": kernel["power_w"],
                     "pj_per_dense_mac": kernel["energy_pj"] / (shape[0] * shape[1] * shape[2]),
                     "energy_breakdown_pj": kernel["energy_breakdown_pj"],
                     "counts": kernel["counts"]}
    return row


def table(rows: list[dict]) -> str:
    head = (f"{'gemm':24s} {'dtype':5s} {'dense_uJ':>10s} {'sparse_uJ':>10s} {'ratio':>6s} "
            f"{'speedup':>7s} {'dense_W':>7s} {'sparse_W':>8s}  largest share (dense -> sparse)")
    lines = [head, "-" * len(head)]
    for r in rows:
        d, s = r["dense"], r["sparse"]
        top = max(COMPONENTS, key=lambda c: d["energy_breakdown_pj"][c])
        shares = [m["energy_breakdown_pj"][top] / (m["energy_uj"] * 1e6) for m in (d, s)]
        lines.append(f"{r['gemm']:24s} {r['dtype']:5s} {d['energy_uj']:10.1f} "
                     f"{s['energy_uj']:10.1f} {r['sparse_over_dense_energy']:6.3f} "
                     f"{r['speedup']:7.3f} {d['power_w']:7.1f} {s['power_w']:8.1f}  "
                     f"{top} {shares[0]:.0%} -> {shares[1]:.0%}")
    return "\n".join(lines)


def figure(results: dict[str, list[SimResult]], tech: str):
    import matplotlib.pyplot as plt

    from sparsesim.accelerators.stc.plots import draw_energy_breakdown

    titles = {"square": "square GEMMs, fp16", "bert-base": "BERT-base linear layers, fp16",
              "cusparselt-int8": "int8, M = N = 10240 (cuSPARSELt sweep)"}
    fig, axes = plt.subplots(1, 3, figsize=(19, 5.8),
                             gridspec_kw={"width_ratios": [len(r) for r in results.values()]})
    for ax, (group, group_results) in zip(axes, results.items()):
        draw_energy_breakdown(ax, group_results, per_dense_mac=True)
        ax.set_title(titles[group], fontsize=10)
    handles, labels = axes[0].get_legend_handles_labels()
    fig.legend(handles[::-1], labels[::-1], fontsize=8, loc="center right",
               title="D = dense\nS = 2:4 sparse", title_fontsize=8)
    fig.suptitle(f"A100 model, energy per component, {tech} per-event energies (not scaled to "
                 "7 nm): dense (D) vs 2:4 sparse (S)", fontsize=11)
    fig.tight_layout(rect=(0, 0, 0.92, 1))
    return fig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the rows here (default benchmarks/results/)")
    parser.add_argument("--png", help="write the breakdown plot here (default benchmarks/results/)")
    parser.add_argument("--tech", default="45nm", help="energy table name or .toml (default 45nm)")
    args = parser.parse_args(argv)
    results: dict[str, list[SimResult]] = {}
    for group, dtype, shape in progress(shapes(), "stc_energy"):
        run = stc.run(stc.compile(shape, dtype, stc.A100, seed=0), CHECK_BUDGET_MACS, args.tech)
        results.setdefault(group, []).append(run)
    rows = [point(group, r) for group, runs in results.items() for r in runs]
    print(table(rows))
    json_path = output_path("stc_energy.json", args.json)
    png_path = output_path("stc_energy.png", args.png)
    write_json(json_path, {"note": f"ours: sparsesim A100 model, {args.tech} per-event energies "
                           "not scaled to 7 nm; no published per-GEMM energy to compare",
                           "tech": args.tech, "a100": stc.A100.to_dict(), "rows": rows})
    save_png(figure(results, args.tech), png_path)
    print(f"wrote {json_path} and {png_path}")
    return 0 if all(r["output_ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
