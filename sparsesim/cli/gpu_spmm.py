"""`sparsesim --accel gpu-spmm`: every GPU sparse kernel on one pruned SpMM (or a sweep
of densities), against dense and 2:4."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from dataclasses import replace

from tqdm import tqdm

from sparsesim.accelerators.gpu_spmm import model
from sparsesim.accelerators.gpu_spmm.config import PRESETS, preset
from sparsesim.accelerators.gpu_spmm.crossover import kernel_crossovers
from sparsesim.accelerators.gpu_spmm.design import DESIGN, WORKLOADS
from sparsesim.accelerators.gpu_spmm.kernels import KERNEL_NAMES
from sparsesim.cli.base import AcceleratorCommand, CommandOutput
from sparsesim.cli.parser import fraction
from sparsesim.document import run_document
from sparsesim.simulator.energy import load_table
from sparsesim.simulator.errors import WorkloadError
from sparsesim.simulator.result import SimResult
from sparsesim.workloads.gemm import parse_gemm
from sparsesim.workloads.spmm import PATTERN_HELP, SPMM_DTYPES, SpmmWorkload, parse_pattern

DEFAULT_GEMM = "4096,4096,4096"
PLOT_DENSITIES = (0.5, 0.3, 0.2, 0.1, 0.05, 0.02, 0.01)
PLOT_PATTERNS = ("unstructured", "block:32", "ell:32")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--gemm", metavar="M,N,K", default=DEFAULT_GEMM,
                        help=f"C(MxN) = A(MxK, pruned) @ B(KxN) (default {DEFAULT_GEMM})")
    parser.add_argument("--density", type=fraction, default=0.1,
                        help="fraction of A kept (default 0.1; 2:4 needs 0.5)")
    parser.add_argument("--densities", metavar="D1,D2,...",
                        help="a sweep instead of one --density; reports each kernel's crossover")
    parser.add_argument("--pattern", default="unstructured", help=f"{PATTERN_HELP} "
                        "(default unstructured)")
    parser.add_argument("--dtype", choices=SPMM_DTYPES, default="fp16",
                        help="operands A, B, C (default fp16); fp32 runs csr-rowsplit and "
                             "sputnik only, with no dense baseline, so no speedup")
    parser.add_argument("--kernel", default="all",
                        help=f"all, or a comma-separated list of {', '.join(KERNEL_NAMES)}")
    parser.add_argument("--preset", choices=sorted(PRESETS), default="a100",
                        help="GPU (default a100)")


def _densities(args: argparse.Namespace) -> list[float]:
    if not args.densities:
        return [args.density]
    try:
        values = [float(d) for d in args.densities.split(",")]
    except ValueError:
        raise WorkloadError(f"--densities takes numbers in (0, 1] separated by commas, e.g. "
                            f"0.5,0.1,0.05; got {args.densities!r}") from None
    return values


def sweep(gemm: str, pattern: str, densities: Sequence[float], kernels: str, config,
          engine: str, seed: int, tech: str, dtype: str = "fp16") -> list[SimResult]:
    """Every kernel at every density; workloads are checked before any simulation."""
    shape, kind = parse_gemm(gemm), parse_pattern(pattern)
    workloads = [SpmmWorkload(shape, kind, d, seed, dtype) for d in densities]
    results = []
    for w in tqdm(workloads, desc=f"gpu-spmm {kind.label()}", unit="density",
                  disable=len(workloads) < 2):
        results += model.run(model.compile(w, config, kernels), engine=engine, tech=tech)
    return results


def _speedup(result: SimResult) -> str:
    speedup = result.details["speedup_over_dense"]
    return "-" if speedup is None else f"{speedup:.3f}"


def table(results: Sequence[SimResult]) -> str:
    head = (f"{'density':>7s} {'kernel':12s} {'cycles':>10s} {'time_us':>9s} {'speedup':>8s} "
            f"{'A_MB':>7s} {'L2_read_MB':>10s} {'HBM_MB':>7s} {'energy_uJ':>10s} "
            f"{'util':>6s} {'sm_imbal':>8s} {'output':>6s}")
    rows = [head, "-" * len(head)]
    for r in results:
        mem = r.memory_stats
        rows.append(f"{r.details['density']:7.3g} {r.details['kernel']:12s} {r.cycles:10d} "
                    f"{r.seconds * 1e6:9.1f} {_speedup(r):>8s} "
                    f"{mem['a_encoded_bytes'] / 1e6:7.1f} {mem['l2_read_bytes'] / 1e6:10.1f} "
                    f"{mem['hbm_bytes'] / 1e6:7.1f} {r.energy_pj * 1e-6:10.1f} "
                    f"{r.details['unit_utilization']:6.1%} {r.details['sm_imbalance']:8.3f} "
                    f"{'ok' if r.output_ok else 'WRONG':>6s}")
    return "\n".join(rows)


def crossover_lines(results: Sequence[SimResult]) -> tuple[str, dict]:
    crossings = kernel_crossovers(results)
    lines = ["crossover (density below which the kernel beats dense, from this sweep):"]
    for kernel, cross in crossings.items():
        lines.append(f"  {kernel:12s} " + ("never in this sweep" if cross is None
                                           else f"{cross:.3g}"))
    return "\n".join(lines), crossings


def run(args: argparse.Namespace) -> CommandOutput:
    config = preset(args.preset)
    load_table(args.tech)
    densities = _densities(args)
    if args.plot and args.dtype != "fp16":
        raise WorkloadError(f"--plot draws speedups over the fp16 dense GEMM, which "
                            f"--dtype {args.dtype} runs do not have; drop --plot or use "
                            f"--dtype fp16")
    results = sweep(args.gemm, args.pattern, densities, args.kernel, config, args.engine,
                    args.seed, args.tech, args.dtype)
    ok = all(r.output_ok for r in results)
    sample = results[0].details["output_check"]
    heading = (f"gpu-spmm on {args.gemm} {args.pattern}: {config.name} ({config.gpu.num_sms} SMs "
               f"at {config.gpu.clock_mhz:g} MHz), {args.dtype} operands, seed {args.seed}; "
               f"outputs checked on {sample['rows_checked']} x {sample['cols_checked']} of C"
               + ("" if sample["complete"] else " (a seeded sample)"))
    text = heading + "\n" + table(results)
    details = {"gemm": args.gemm, "pattern": args.pattern, "densities": densities,
               "preset": config.name, "dtype": args.dtype}
    if len(densities) > 1 and results[0].details["dense_cycles"]:
        lines, crossings = crossover_lines(results)
        text += "\n\n" + lines
        details["crossover_density"] = crossings
    text += "\noutput ok for every kernel" if ok else "\noutput WRONG for a kernel above"
    document = run_document(accel="gpu-spmm", workload=f"{args.gemm}:{args.pattern}",
                            config=config.to_dict(), seed=args.seed, engine=args.engine,
                            tech=args.tech, layers=results, details=details)

    def figure():
        from sparsesim.accelerators.gpu_spmm.plots import spmm_figure

        curves = {}
        for pattern in dict.fromkeys([args.pattern, *PLOT_PATTERNS]):
            if pattern == "2:4":
                continue
            same = pattern == args.pattern and len(densities) > 1
            curves[pattern] = results if same else sweep(
                args.gemm, pattern, PLOT_DENSITIES, "all", config, args.engine, args.seed,
                args.tech)
        skewed = [*sweep(args.gemm, "powerlaw", [0.1], "csr-rowsplit,sputnik", config,
                         args.engine, args.seed, args.tech),
                  *sweep(args.gemm, "powerlaw", [0.1], "sputnik",
                         replace(config, sputnik_row_swizzle=False), args.engine, args.seed,
                         args.tech)[1:]]
        return spmm_figure(curves, skewed)

    return CommandOutput(text, document, ok, figure)


COMMAND = AcceleratorCommand(
    design=DESIGN,
    workloads=("--gemm M,N,K --pattern P --density D",) + WORKLOADS,
    add_arguments=add_arguments,
    run=run,
)
