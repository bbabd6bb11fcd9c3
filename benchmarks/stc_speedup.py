"""Speedup of 2:4 sparse over dense GEMM on the A100 and H100 models, beside published
figures (reference/README.md; compare only, nothing here is tuned to them).

    python benchmarks/stc_speedup.py --json stc_speedup.json --png stc_speedup.png

Groups of shapes (M = rows of the sparse A, N = columns of B, K = reduction):
- square: M = N = K from 256 to 8192, fp16 and int8;
- cusparselt-int8: M = N = 10240, K = 1280 ... 20480, int8 (the published cuSPARSELt sweep);
- linear-10240-3072: a 10240 -> 3072 linear layer (M = 3072, K = 10240) at N = 1024 ... 8192
  tokens, fp16 (the published PyTorch 2:4 linear layer);
- bert-base: the four linear layers of a BERT-base block at 128 ... 8192 tokens, fp16; the
  group's speedup is total dense over total sparse time (the published figure is end to end,
  attention and element-wise layers included).
Every point's numeric output is checked against numpy on a seeded sample of output blocks.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sparsesim.accelerators.stc import model as stc  # noqa: E402
from sparsesim.cli.progress import progress  # noqa: E402
from sparsesim.simulator.atomic_file import write_atomically  # noqa: E402
from sparsesim.simulator.plots import save_png  # noqa: E402
from sparsesim.workloads.gemm import GemmShape  # noqa: E402
from sparsesim.workloads.transformer_gemms import transformer_gemms  # noqa: E402

CHECK_BUDGET_MACS = 2**26  # output-check work per point (a sample of output blocks)
SQUARE_SIZES = (256, 512, 1024, 2048, 4096, 8192)
CUSPARSELT_MN, CUSPARSELT_K = 10240, (1280, 2560, 5120, 10240, 20480)
LINEAR_OUT_IN, LINEAR_TOKENS = (3072, 10240), (1024, 2048, 4096, 8192)
BERT_TOKENS = (128, 512, 2048, 8192)
README = "reference/README.md (NVIDIA figures)"
PUBLISHED = {  # (group, preset, dtype, K or tokens) -> (speedup, source); compare only
    ("cusparselt-int8", "a100", "int8", 1280): (1.23, f"cuSPARSELt A100 INT8, {README}"),
    ("cusparselt-int8", "a100", "int8", 20480): (1.95, f"cuSPARSELt A100 INT8, {README}"),
}
PUBLISHED_RANGES = {  # group -> (low, high, source): one figure for a range of sizes
    "linear-10240-3072": (1.38, 1.38, "PyTorch 2:4 linear 10240->3072, batch in the "
                          f"thousands, about 1.38x; {README}"),
    "bert-base": (0.71, 1.23, f"BERT-base end to end with 2:4, 0.71x-1.23x by batch; {README}"),
}


def point(group: str, label: int, shapes: list[GemmShape], dtype: str,
          config: stc.STCConfig) -> dict:
    """Run shapes (one GEMM, or a layer set summed) and return one JSON-ready row."""
    results = [stc.run(stc.compile(s, dtype, config, seed=0), CHECK_BUDGET_MACS) for s in shapes]
    dense = sum(r.details["dense_cycles"] for r in results)
    sparse = sum(r.details["sparse_cycles"] for r in results)
    published = PUBLISHED.get((group, config.name, dtype, label))
    row = {
        "group": group, "preset": config.name, "dtype": dtype, "label": label,
        "gemms_m_n_k": [r.details["gemm_m_n_k"] for r in results],
        "dense_cycles": dense, "sparse_cycles": sparse, "speedup": dense / sparse,
        "dense_us": dense / config.clock_hz * 1e6, "sparse_us": sparse / config.clock_hz * 1e6,
        "sparse_breakdown_cycles": {k: sum(r.details["breakdown"]["sparse"][k] for r in results)
                                    for k in results[0].details["breakdown"]["sparse"]},
        "output_ok": all(r.output_ok for r in results),
        "published_speedup": published[0] if published else None,
        "published_source": published[1] if published else None,
    }
    if group in PUBLISHED_RANGES and config.name == "a100":
        low, high, source = PUBLISHED_RANGES[group]
        row.update(published_speedup_range=[low, high], published_source=source)
    return row


def grid() -> list[dict]:
    rows = []
    for config in progress((stc.A100, stc.H100), "stc_speedup"):
        for dtype in ("fp16", "int8"):
            for size in SQUARE_SIZES:
                rows.append(point("square", size, [GemmShape(f"sq{size}", size, size, size)],
                                  dtype, config))
        for k in CUSPARSELT_K:
            shape = GemmShape(f"cusparselt-k{k}", CUSPARSELT_MN, CUSPARSELT_MN, k)
            rows.append(point("cusparselt-int8", k, [shape], "int8", config))
        for tokens in LINEAR_TOKENS:
            shape = GemmShape(f"linear-t{tokens}", LINEAR_OUT_IN[0], tokens, LINEAR_OUT_IN[1])
            rows.append(point("linear-10240-3072", tokens, [shape], "fp16", config))
        for tokens in BERT_TOKENS:
            rows.append(point("bert-base", tokens, transformer_gemms("bert-base", tokens),
                              "fp16", config))
    return rows


def table(rows: list[dict]) -> str:
    head = (f"{'group':18s} {'gpu':4s} {'dtype':5s} {'size':>6s} {'dense_us':>9s} "
            f"{'sparse_us':>9s} {'speedup':>7s} {'published':>10s} {'output':>6s}")
    lines = [head, "-" * len(head)]
    for r in rows:
        if r.get("published_speedup_range"):
            low, high = r["published_speedup_range"]
            published = f"{low:.2f}" if low == high else f"{low:.2f}-{high:.2f}"
        else:
            published = f"{r['published_speedup']:.2f}" if r["published_speedup"] else ""
        lines.append(f"{r['group']:18s} {r['preset']:4s} {r['dtype']:5s} {r['label']:6d} "
                     f"{r['dense_us']:9.1f} {r['sparse_us']:9.1f} {r['speedup']:7.3f} "
                     f"{published:>10s} {'ok' if r['output_ok'] else 'WRONG':>6s}")
    return "\n".join(lines)


def figure(rows: list[dict]):
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 4, figsize=(20, 4.8))
    styles = {"a100": "-", "h100": "--"}
    panels = (("square", "M = N = K", "square GEMMs"),
              ("cusparselt-int8", "K (M = N = 10240)", "int8, M = N = 10240 (cuSPARSELt sweep)"),
              ("linear-10240-3072", "tokens N (M = 3072, K = 10240)", "linear 10240 -> 3072, fp16"),
              ("bert-base", "tokens N", "BERT-base linear layers (sum), fp16"))
    for ax, (group, xlabel, title) in zip(axes, panels):
        for preset in ("a100", "h100"):
            for dtype in ("fp16", "int8"):
                sel = [r for r in rows if (r["group"], r["preset"], r["dtype"]) ==
                       (group, preset, dtype)]
                if sel:
                    ax.plot([r["label"] for r in sel], [r["speedup"] for r in sel],
                            styles[preset], marker="o", label=f"ours {preset} {dtype}")
        published = [r for r in rows if r["group"] == group and r["published_speedup"]]
        if published:
            ax.plot([r["label"] for r in published], [r["published_speedup"] for r in published],
                    "k*", markersize=13, label="published A100 (cuSPARSELt)")
        ranged = [r for r in rows if r["group"] == group and r.get("published_speedup_range")]
        if ranged:
            low, high = ranged[0]["published_speedup_range"]
            if low == high:
                ax.axhline(low, color="black", ls=":", label=f"published A100 ~{low}x")
            else:
                ax.axhspan(low, high, color="black", alpha=0.1,
                           label=f"published A100 end to end {low}-{high}x")
        ax.axhline(1.0, color="grey", lw=0.8)
        ax.set_xscale("log", base=2)
        ticks = sorted({r["label"] for r in rows if r["group"] == group})
        ax.set_xticks(ticks, [str(t) for t in ticks], fontsize=8)
        ax.minorticks_off()
        ax.set_ylim(0.6, 2.1)
        ax.set_xlabel(xlabel)
        ax.set_ylabel("speedup (dense time / 2:4 sparse time)")
        ax.set_title(title, fontsize=10)
        ax.legend(fontsize=7, loc="upper left")
    fig.suptitle("sparsesim 2:4 sparse tensor core model: ours (lines) vs published (black)",
                 fontsize=11)
    fig.tight_layout()
    return fig


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", required=True, help="write the grid as JSON here")
    parser.add_argument("--png", required=True, help="write the speedup plot as PNG here")
    args = parser.parse_args(argv)
    rows = grid()
    print(table(rows))
    document = {"note": "ours: sparsesim model; published: compare only, never fitted",
                "a100": stc.A100.to_dict(), "h100": stc.H100.to_dict(), "rows": rows}
    text = json.dumps(document, indent=2, sort_keys=True).encode()
    write_atomically(args.json, lambda handle: handle.write(text))
    save_png(figure(rows), args.png)
    print(f"wrote {args.json} and {args.png}")
    return 0 if all(r["output_ok"] for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
