"""GPU sparse kernels against published figures (benchmarks/data/gpu_spmm_published.json;
compare only, nothing in the model is fitted to them).

    python benchmarks/gpu_spmm.py [--json results.json] [--quick]

1. A100, M = N = K = 4096 (--quick: 1024), fp16: every kernel over densities 0.5 .. 0.01
   for unstructured and block:32 A (Blocked-ELL padded to the longest block row) and
   blocked-ell / bsr on ell:32 A (the same number of blocks in every block row); each
   sparse kernel's crossover density (below which it beats the dense tensor-core GEMM)
   beside the NVIDIA blog's "unstructured is not competitive below ~95% sparsity".
2. A100 4096^3 fp16, bsr on block:16, block:32 and block:64 A over densities 0.9 .. 0.05:
   crossover densities beside PyTorch's BSR kernel (Quansight 2023) on the same shapes.
3. V100, M = N = K = 2048 (--quick: 512), fp32 operands (the paper's): sputnik and
   csr-rowsplit over densities 0.5 .. 0.01 against a dense fp32 GEMM at the CUDA cores'
   peak rate (an upper bound on cuBLAS SGEMM, the paper's baseline), beside Gale et al.'s
   crossovers (sputnik ~0.29, cuSPARSE ~0.02) and their best fraction of fp32 peak (27%).
4. A100 4096^3 2:4 vs dense beside a public cuSPARSELt / CUTLASS measurement.
Every kernel's output is checked against numpy (on a seeded sample of C at 4096).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from common import ROOT, output_path, write_json
from tqdm import tqdm

from sparsesim.accelerators.gpu_spmm import model
from sparsesim.accelerators.gpu_spmm.config import PRESETS
from sparsesim.accelerators.gpu_spmm.crossover import crossover_density, kernel_crossovers
from sparsesim.workloads.gemm import GemmShape
from sparsesim.workloads.spmm import SpmmWorkload, parse_pattern

DENSITIES = (0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01)
BLOCK_DENSITIES = (0.9, 0.7, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05)
BSR_BLOCKS = (16, 32, 64)
PUBLISHED = json.loads((ROOT / "benchmarks" / "data" / "gpu_spmm_published.json").read_text())


def published(figure_id: str) -> dict:
    return next(f for f in PUBLISHED["figures"] if f["id"] == figure_id)


def sweep(size: int, pattern: str, preset: str, kernels: str, densities=DENSITIES,
          dtype: str = "fp16") -> list:
    shape = GemmShape(f"gemm-{size}^3", size, size, size)
    results = []
    for density in tqdm(densities, desc=f"{preset} {size}^3 {pattern} {dtype}", unit="density"):
        w = SpmmWorkload(shape, parse_pattern(pattern), density, 0, dtype)
        results += model.run(model.compile(w, PRESETS[preset], kernels))
    return results


def fp32_dense_cycles(size: int, preset: str) -> float:
    """Dense fp32 GEMM at the CUDA cores' peak: M N K / (SMs x FMA per clock per SM)."""
    config = PRESETS[preset]
    return size ** 3 / (config.gpu.num_sms * config.cuda_fma_per_clk_per_sm)


def ratio(ours: float | None, theirs: float | None) -> float | None:
    return None if ours is None or theirs is None else ours / theirs


def row(name: str, ours: float | None, figure: dict, note: str = "") -> dict:
    return {"quantity": name, "ours": ours, "published": figure["value"],
            "ratio_ours_over_published": ratio(ours, figure["value"]),
            "source": figure["source"], "note": note or figure.get("note", "")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="output path (default benchmarks/results/gpu_spmm.json)")
    parser.add_argument("--quick", action="store_true", help="small shapes (a smoke test)")
    args = parser.parse_args()
    a100_size, v100_size = (1024, 512) if args.quick else (4096, 2048)

    a100 = {p: sweep(a100_size, p, "a100", "all") for p in ("unstructured", "block:32")}
    a100["ell:32"] = sweep(a100_size, "ell:32", "a100", "blocked-ell,bsr")
    for block in BSR_BLOCKS:
        a100[f"block:{block} (bsr)"] = sweep(a100_size, f"block:{block}", "a100", "bsr",
                                             BLOCK_DENSITIES)
    crossings = {p: kernel_crossovers(r) for p, r in a100.items()}
    v100 = sweep(v100_size, "unstructured", "v100", "csr-rowsplit,sputnik", dtype="fp32")
    fp32 = fp32_dense_cycles(v100_size, "v100")
    v100_speedup = {k: [(r.details["density"], fp32 / r.cycles) for r in v100
                        if r.details["kernel"] == k] for k in ("sputnik", "csr-rowsplit")}

    def fp32_crossover(kernel: str) -> float | None:
        densities, speedups = zip(*v100_speedup[kernel])
        return crossover_density(densities, speedups)

    peak = PRESETS["v100"].gpu.num_sms * PRESETS["v100"].cuda_fma_per_clk_per_sm
    best_fraction = max(r.details["energy"]["counts"]["fma_lanes"] / (r.cycles * peak)
                        for r in v100 if r.details["kernel"] == "sputnik")
    two_four = model.run(model.compile(SpmmWorkload(GemmShape("g", 4096, 4096, 4096),
                                                    parse_pattern("2:4"), 0.5), PRESETS["a100"],
                                       "2:4"))
    dense_ms, sparse_ms = (r.seconds * 1e3 for r in two_four)
    rows = [
        row("A100 sputnik crossover density (unstructured, vs fp16 tensor-core dense)",
            crossings["unstructured"].get("sputnik"),
            published("unstructured_not_competitive_a100"),
            "published is qualitative: about where unstructured kernels start to win"),
        row("A100 csr-rowsplit crossover density", crossings["unstructured"].get("csr-rowsplit"),
            published("unstructured_not_competitive_a100")),
        row("A100 blocked-ell crossover density (block:32, padded block rows)",
            crossings["block:32"].get("blocked-ell"), published("blocked_ell_speedups_a100")),
        row("A100 blocked-ell crossover density (ell:32, balanced block rows)",
            crossings["ell:32"].get("blocked-ell"), published("blocked_ell_speedups_a100")),
        *[row(f"A100 bsr crossover density, block {block} (fp16)",
              crossings[f"block:{block} (bsr)"].get("bsr"),
              published(f"bsr_block{block}_crossover_a100_fp16"))
          for block in BSR_BLOCKS],
        row("V100 sputnik crossover density vs fp32 dense at peak", fp32_crossover("sputnik"),
            published("sputnik_crossover_v100"),
            "ours: interpolated on the 0.5..0.01 grid; fp32 operands as the paper"),
        row("V100 csr-rowsplit crossover density vs fp32 dense at peak",
            fp32_crossover("csr-rowsplit"), published("cusparse_crossover_v100")),
        row("V100 sputnik best fraction of fp32 peak", best_fraction,
            published("sputnik_peak_fraction_v100")),
        row("A100 4096^3 dense fp16 time (ms)", dense_ms,
            published("cusparselt_4096_a100_dense_ms")),
        row("A100 4096^3 2:4 time (ms)", sparse_ms, published("cusparselt_4096_a100_sparse_ms")),
    ]
    ok = all(r.output_ok for runs in (*a100.values(), v100, two_four) for r in runs)
    print(f"{'quantity':70s} {'ours':>9s} {'published':>9s} {'ratio':>7s}")
    for r in rows:
        cells = [("-" if r[k] is None else f"{r[k]:.3g}")
                 for k in ("ours", "published", "ratio_ours_over_published")]
        print(f"{r['quantity']:70s} {cells[0]:>9s} {cells[1]:>9s} {cells[2]:>7s}")
    print("\nA100 crossovers (density below which each kernel beats dense):")
    for pattern, kernels in crossings.items():
        print(f"  {pattern:12s} " + ", ".join(f"{k} {'never' if v is None else f'{v:.3g}'}"
                                              for k, v in kernels.items()))
    print(f"\nevery output checked against numpy: {'ok' if ok else 'WRONG'}")
    path = output_path("gpu_spmm.json", args.json)
    write_json(Path(path), {
        "rows": rows, "crossover_density_a100": crossings, "all_outputs_ok": ok,
        "a100_size": a100_size, "v100_size": v100_size,
        "v100_speedup_over_fp32_dense": v100_speedup,
        "a100_points": {p: [{"density": r.details["density"], "kernel": r.details["kernel"],
                             "cycles": r.cycles,
                             "speedup_over_dense": r.details["speedup_over_dense"]}
                            for r in runs] for p, runs in a100.items()}})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
