"""`sparsesim --accel stc`: GEMMs through the 2:4 sparse tensor core GPU model."""

from __future__ import annotations

import argparse
import math
from collections.abc import Iterable, Sequence

from sparsesim.accelerators.stc import model as stc
from sparsesim.accelerators.stc.design import DESIGN
from sparsesim.accelerators.stc.energy import COMPONENTS
from sparsesim.accelerators.stc.explain import explain
from sparsesim.accelerators.stc.network import DEFAULT_WORTH_SPEEDUP, layer_rows, simulate_network
from sparsesim.accelerators.stc.network import totals as network_totals
from sparsesim.accelerators.stc.result import BREAKDOWN_KEYS
from sparsesim.accelerators.stc.trace import trace_run
from sparsesim.cli.base import AcceleratorCommand, CommandOutput
from sparsesim.cli.parser import positive_float, positive_int
from sparsesim.cli.progress import progress
from sparsesim.cli.stc_model_layers import SHIPPED_GEMM_MODELS, model_gemms
from sparsesim.cli.stc_network import table as network_table
from sparsesim.cli.sweep_hooks import SweepHooks
from sparsesim.document import run_document
from sparsesim.simulator.energy import load_table
from sparsesim.simulator.errors import WorkloadError
from sparsesim.simulator.resources import EVENT_LIMIT, refuse_beyond, refuse_memory
from sparsesim.simulator.result import SimResult
from sparsesim.simulator.trace import chrome_trace
from sparsesim.workloads.gemm import BLOCK, GemmShape, parse_gemm
from sparsesim.workloads.gemm_list import read_gemm_list
from sparsesim.workloads.lowering import NetworkGemm, lower_model
from sparsesim.workloads.networks import BUILDERS, USES_TOKENS, network
from sparsesim.workloads.networks import DEFAULT_TOKENS as DEFAULT_NETWORK_TOKENS
from sparsesim.workloads.numeric import NUMERIC_TYPES
from sparsesim.workloads.readers import load_model as read_model

DEFAULT_GEMM = "4096,4096,4096"
HEATMAP_SIZES = (256, 512, 1024, 2048, 4096, 8192)  # M and K of the --plot heat map
HEATMAP_CHECK_MACS = 2**24  # output-check budget per heat-map point
SHORT = {"launch_cycles": "launch", "math_cycles": "math", "shared_memory_cycles": "smem",
         "l2_hbm_wait_cycles": "l2/hbm", "epilogue_cycles": "epilogue",
         "wave_tail_cycles": "wave_tail", "split_k_reduction_cycles": "splitk_red",
         "host_wait_cycles": "host_wait"}
SHORT_ENERGY = {"arithmetic": "arith", "register_file": "regfile", "shared_memory": "smem",
                "l2": "l2", "hbm": "hbm", "leakage": "leakage"}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--gemm", metavar="M,N,K",
                        help="one GEMM C(MxN) = A(MxK, 2:4 sparse) @ B(KxN) "
                        f"(default {DEFAULT_GEMM})")
    source.add_argument("--workload", choices=sorted([*BUILDERS, *SHIPPED_GEMM_MODELS]),
                        help="a whole network lowered to GEMMs at its published shapes, or "
                        "lenet300-2of4: a 2:4-pruned LeNet-300-100 on real test images")
    source.add_argument("--model", help="a model file (.npz, .safetensors, .onnx) lowered to "
                        "GEMMs; a sparsesim 2:4 model with test images runs its own weights "
                        "(N = images)")
    source.add_argument("--gemm-list", metavar="FILE.csv",
                        help="GEMMs to run, one per row: name,M,N,K[,count[,prunable]]")
    parser.add_argument("--images", type=positive_int,
                        help="test images for --model / lenet300-2of4 (default all it carries)")
    parser.add_argument("--tokens", type=positive_int,
                        help="sequence length (BERT, Llama prefill) or KV-cache length (Llama "
                        f"decode) (default {DEFAULT_NETWORK_TOKENS})")
    parser.add_argument("--batch", type=positive_int,
                        help="inputs per batch for networks and models (default 1)")
    parser.add_argument("--worth-speedup", type=positive_float, default=DEFAULT_WORTH_SPEEDUP,
                        help="a layer is worth pruning from this 2:4 speedup "
                        f"(default {DEFAULT_WORTH_SPEEDUP})")
    parser.add_argument("--preset", choices=sorted(stc.PRESETS), default="a100",
                        help="GPU (default a100)")
    parser.add_argument("--frontend", choices=sorted(stc.FRONTENDS), default="library",
                        help="how the GEMMs are called: library (plan made once, default), "
                        "pytorch-cslt (PyTorch's per-call cuSPARSELt set-up, pytorch#177866) or "
                        "pytorch-cutlass (PyTorch's one fixed CUTLASS 2:4 kernel)")
    parser.add_argument("--explain", action="store_true",
                        help="per GEMM: the kernel each library picked (tile, split-K, waves, "
                        "SMs busy) and why 2:4 wins or loses")
    parser.add_argument("--dtype", choices=sorted(NUMERIC_TYPES), default="fp16",
                        help="operand data type (default fp16)")


def network_from_args(args: argparse.Namespace) -> tuple[str, list[NetworkGemm]] | None:
    """(description, GEMMs) of a network, GEMM list or lowered model; None for one GEMM
    or a 2:4 model run on its own weights and images."""
    if args.tokens and args.workload not in USES_TOKENS:
        raise WorkloadError(f"--tokens applies to --workload only ({', '.join(USES_TOKENS)}); "
                            "give the GEMM's N in --gemm")
    if args.workload in BUILDERS:
        net = network(args.workload, args.tokens or DEFAULT_NETWORK_TOKENS, args.batch or 1)
        return net.description, list(net.gemms)
    if args.gemm_list:
        return f"GEMM list {args.gemm_list}", read_gemm_list(args.gemm_list)
    if args.model:
        model = read_model(args.model)
        if model.test_images is not None and model.source.startswith("sparsesim"):
            return None
        batch = args.batch or 1
        return (f"{model.name} ({model.source}), batch {batch}",
                lower_model(model, batch, steps=len(model.input) if model.input is not None
                            and model.input.ndim == 2 else 1))
    if args.batch:
        raise WorkloadError("--batch applies to networks and models; give the GEMM's N in --gemm")
    return None


def shapes_from_args(args: argparse.Namespace) -> list[GemmShape]:
    if args.images:
        raise WorkloadError("--images applies to --model and lenet300-2of4 only")
    return [parse_gemm(args.gemm or DEFAULT_GEMM)]


# Host bytes the output check holds per operand element it reads (the float32 panels,
# their float64 and |.| copies); our estimate, used to refuse a check that cannot fit.
CHECK_BYTES_PER_OPERAND = 24
# Tile steps the numba engine may simulate in one run: it does about 1.2 million per
# second of CPU (16384^3 fp16, 8.4 M steps: 12 s of CPU with start-up), so about 40 s.
FAST_STEP_LIMIT = 50_000_000
# Bytes per tile of the sparse kernel's block schedule the check replays (a tuple in a
# list and a Counter entry); our estimate.
SCHEDULE_BYTES_PER_TILE = 200


def check_memory_bytes(shape: GemmShape,
                       budget_macs: int = stc.DEFAULT_CHECK_BUDGET_MACS) -> int:
    """Estimated peak memory of the output check, bytes: one A panel and the sampled B
    panels (K x sampled columns), sampled as the check samples them."""
    fraction = min(1.0, budget_macs / shape.macs)
    col_panels = -(-shape.n // BLOCK)
    cols = min(shape.n, BLOCK * max(1, math.floor(col_panels * math.sqrt(fraction))))
    return CHECK_BYTES_PER_OPERAND * shape.k * (BLOCK + cols)


def check_cost(compiled: Sequence[stc.CompiledGemm], engine: str, force: bool) -> None:
    """Refuse, before simulating, GEMMs whose simulated steps (tiles x K steps, both
    kernels, SimPy engine) or output check would exceed the run limits."""
    steps = sum(p.tiles * p.k_steps for c in compiled for p in c.plans.values())
    limit = EVENT_LIMIT if engine == "reference" else FAST_STEP_LIMIT
    refuse_beyond(f"this stc run on the {engine} engine", steps, limit, "simulated tile steps",
                  "use smaller M, N, K or fewer --tokens", force)
    memory = max(check_memory_bytes(c.operands.shape)
                 + SCHEDULE_BYTES_PER_TILE * c.plans["sparse"].tiles for c in compiled)
    refuse_memory("the stc output check", memory, "use a smaller GEMM", force)


# Tile and K-step sizes of the network estimate below (our choice: the menus' common
# 128 x 128 tile and a 32-element K step).
ESTIMATE_TILE, ESTIMATE_K_STEP = 128, 32


def tile_steps_estimate(shapes: Iterable[GemmShape]) -> int:
    """Simulated tile steps of both kernels of these GEMMs, estimated before compiling."""
    return sum(2 * -(-s.m // ESTIMATE_TILE) * -(-s.n // ESTIMATE_TILE)
               * -(-s.k // ESTIMATE_K_STEP) for s in shapes)


def check_network_cost(gemms: list[NetworkGemm], description: str, force: bool) -> None:
    """Refuse, before lowering to operands, a network whose distinct launches would need
    more simulated tile steps (both kernels) than the numba engine's limit."""
    launches = {(g.launch_shape.m, g.launch_shape.n, g.launch_shape.k): g.launch_shape
                for g in gemms}
    refuse_beyond(f"the stc network {description}", tile_steps_estimate(launches.values()),
                  FAST_STEP_LIMIT, "simulated tile steps",
                  "use fewer --tokens or a smaller --batch", force)


def heatmap_shapes(n: int) -> list[GemmShape]:
    """The --plot heat map's grid over M and K at the run's N."""
    return [GemmShape(f"grid-{m}x{n}x{k}", m, n, k) for m in HEATMAP_SIZES
            for k in HEATMAP_SIZES]


def check_heatmap_cost(args: argparse.Namespace, n: int) -> None:
    """Refuse, before the run, a --plot whose heat map at N = n is beyond the step limit."""
    if args.plot:
        refuse_beyond(f"the --plot heat map at N = {n}", tile_steps_estimate(heatmap_shapes(n)),
                      FAST_STEP_LIMIT, "simulated tile steps",
                      "drop --plot or plot a run with a smaller N", getattr(args, "force", False))


def run_network(args: argparse.Namespace, config: stc.STCConfig, description: str,
                gemms: list[NetworkGemm]) -> CommandOutput:
    check_network_cost(gemms, description, getattr(args, "force", False))
    check_heatmap_cost(args, gemms[0].launch_shape.n)
    layers = simulate_network(gemms, args.dtype, config, args.seed, args.tech, args.engine,
                              progress=lambda items: progress(items, "stc GEMM launches",
                                                              quiet=args.quiet, unit="launch"))
    total = network_totals(layers, config.clock_hz, args.worth_speedup)
    rows = layer_rows(layers, args.worth_speedup)
    heading = (f"stc on {description}: {config.name} ({config.num_sms} SMs at "
               f"{config.clock_mhz:g} MHz), {args.dtype}, seed {args.seed}")
    unique = list({la.result.workload: la.result for la in layers}.values())
    document = run_document(
        accel="stc", workload=args.workload or args.gemm_list or args.model,
        config=config.to_dict(), seed=args.seed, engine=args.engine, tech=args.tech,
        layers=unique,
        details={"preset": config.name, "dtype": args.dtype, "network": description,
                 "batch": args.batch or 1, "tokens": args.tokens, "network_layers": rows,
                 "network_totals": total})

    def figure():
        from sparsesim.accelerators.stc.plots import run_figure

        n = unique[0].details["gemm_m_n_k"][1]
        grid = heatmap_grid(n, args.dtype, config, args.seed)
        return run_figure(unique, grid, f"{config.name} {args.dtype} speedup, N = {n}")

    return CommandOutput(heading + "\n" + network_table(rows, total, config.clock_hz), document,
                         total["output_ok"], figure)


def run_shapes(shapes: Iterable[GemmShape], dtype: str, config: stc.STCConfig, seed: int,
               check_budget_macs: int = stc.DEFAULT_CHECK_BUDGET_MACS,
               tech: str = "45nm", engine: str = "fast",
               force: bool = False) -> list[SimResult]:
    compiled = [stc.compile(s, dtype, config, seed) for s in shapes]
    check_cost(compiled, engine, force)
    return [stc.run(c, check_budget_macs, tech, engine) for c in compiled]


def heatmap_grid(n: int, dtype: str, config: stc.STCConfig, seed: int,
                 quiet: bool = False) -> list[SimResult]:
    """Speedup grid over M and K at fixed N (each point's output is checked on a sample)."""
    shapes = heatmap_shapes(n)
    # Its cost was checked before the run (check_heatmap_cost), so no second check here.
    return run_shapes(progress(shapes, "heat map", quiet=quiet, total=len(shapes), unit="GEMM"),
                      dtype, config, seed, HEATMAP_CHECK_MACS, force=True)


def sum_breakdowns(results: Sequence[SimResult], mode: str) -> dict[str, float]:
    return {key: sum(r.details["breakdown"][mode][key] for r in results)
            for key in BREAKDOWN_KEYS}


def energy_totals(results: Sequence[SimResult], mode: str) -> dict[str, float]:
    """Energy (pJ), its breakdown and mean power (W) of one kernel kind over all GEMMs."""
    kernels = [r.details["energy"][mode] for r in results]
    energy = sum(k["energy_pj"] for k in kernels)
    seconds = sum(r.details[f"{mode}_cycles"] for r in results) / results[0].clock_hz
    return {"energy_pj": energy, "power_w": energy * 1e-12 / seconds,
            "energy_breakdown_pj": {c: sum(k["energy_breakdown_pj"][c] for k in kernels)
                                    for c in COMPONENTS}}


def energy_table(results: Sequence[SimResult]) -> str:
    energy = results[0].details["energy"]
    rows = [f"energy per kernel and share per component ({energy['tech']} table: "
            f"{energy['tech_source']};",
            "  per-event energies of that node, not scaled to the GPU's 7 nm / 4 nm):",
            f"{'gemm':28s} {'kernel':6s} {'energy_uJ':>10s} {'power_W':>8s} "
            + " ".join(f"{SHORT_ENERGY[c]:>8s}" for c in COMPONENTS)]
    for r in results:
        for mode in ("dense", "sparse"):
            kernel = r.details["energy"][mode]
            shares = [f"{kernel['energy_breakdown_pj'][c] / kernel['energy_pj']:8.1%}"
                      for c in COMPONENTS]
            rows.append(f"{r.workload if mode == 'dense' else '':28s} {mode:6s} "
                        f"{kernel['energy_pj'] * 1e-6:10.1f} {kernel['power_w']:8.1f} "
                        + " ".join(shares))
    return "\n".join(rows)


def _kernel_cell(result: SimResult, mode: str) -> str:
    kernel = result.details["kernels"][mode]
    split = kernel["plan"]["split_k"]
    return f"{kernel['plan']['tile']}" + (f"/sk{split}" if split > 1 else "")


def explanation(results: Sequence[SimResult]) -> str:
    rows = ["why (per GEMM: each library's kernel, then what decides the speedup):"]
    for r in results:
        rows += [r.workload] + [f"  {line}" for line in explain(r)]
    return "\n".join(rows)


def table(results: Sequence[SimResult]) -> str:
    head = (f"{'gemm':28s} {'dense_kernel':>13s} {'sparse_kernel':>13s} {'dense_cycles':>12s} "
            f"{'sparse_cycles':>13s} {'speedup':>7s} {'output':>6s}")
    rows = [head, "-" * len(head)]
    for r in results:
        rows.append(f"{r.workload:28s} {_kernel_cell(r, 'dense'):>13s} "
                    f"{_kernel_cell(r, 'sparse'):>13s} "
                    f"{r.details['dense_cycles']:12d} {r.details['sparse_cycles']:13d} "
                    f"{r.details['speedup']:7.3f} {'ok' if r.output_ok else 'WRONG':>6s}")
    parts = [f"{SHORT[k]:>10s}" for k in BREAKDOWN_KEYS]
    rows += ["", "where time goes (mean cycles per SM, share of the kernel):",
             f"{'gemm':28s} {'kernel':6s} " + " ".join(parts)]
    for r in results:
        for mode in ("dense", "sparse"):
            b, total = r.details["breakdown"][mode], r.details[f"{mode}_cycles"]
            cells = [f"{b[k]:10.0f}" for k in BREAKDOWN_KEYS]
            shares = [f"{b[k] / total:10.1%}" for k in BREAKDOWN_KEYS]
            rows.append(f"{r.workload if mode == 'dense' else '':28s} {mode:6s} " + " ".join(cells))
            rows.append(f"{'':28s} {'':6s} " + " ".join(shares))
    return "\n".join(rows)


def run(args: argparse.Namespace) -> CommandOutput:
    config = stc.with_frontend(stc.preset(args.preset), args.frontend)
    load_table(args.tech)  # an unknown table fails here, before any simulation
    lowered = network_from_args(args)
    if lowered is not None:
        return run_network(args, config, *lowered)
    model_path = args.model or SHIPPED_GEMM_MODELS.get(args.workload)
    if model_path:
        model = model_gemms(model_path, args.dtype, args.images, args.seed)
        compiled = [stc.compile_operands(ops, config) for ops in model.operands]
        shapes = [ops.shape for ops in model.operands]
    else:
        shapes = shapes_from_args(args)
        compiled = [stc.compile(s, args.dtype, config, args.seed) for s in shapes]
    check_cost(compiled, args.engine, getattr(args, "force", False))
    check_heatmap_cost(args, shapes[0].n)
    trace = None
    if args.trace:
        traced = [trace_run(c, args.tech) for c in compiled]
        results = [result for result, _ in traced]
        trace = chrome_trace(f"stc {config.name}: 2:4 sparse kernels", [a for _, a in traced],
                             config.clock_hz, args.trace_max_events,
                             {"accel": "stc", "engine": "reference"})
    else:
        results = [stc.run(c, tech=args.tech, engine=args.engine) for c in compiled]
    dense = sum(r.details["dense_cycles"] for r in results)
    sparse = sum(r.details["sparse_cycles"] for r in results)
    ok = all(r.output_ok for r in results)
    heading = (f"stc on {args.workload or shapes[0].name}: {config.name} ({config.num_sms} SMs at "
               f"{config.clock_mhz:g} MHz), {args.dtype}, front end {args.frontend}, "
               f"seed {args.seed}")
    footer = (f"\ntotal: dense {dense} cycles ({dense / config.clock_hz * 1e6:.1f} µs), "
              f"sparse {sparse} cycles ({sparse / config.clock_hz * 1e6:.1f} µs), "
              f"speedup {dense / sparse:.3f}, output {'ok' if ok else 'WRONG'}")
    energy = {mode: energy_totals(results, mode) for mode in ("dense", "sparse")}
    footer += (f"\nenergy ({args.tech}): dense {energy['dense']['energy_pj'] * 1e-6:.1f} µJ "
               f"({energy['dense']['power_w']:.1f} W), sparse "
               f"{energy['sparse']['energy_pj'] * 1e-6:.1f} µJ "
               f"({energy['sparse']['power_w']:.1f} W), sparse / dense "
               f"{energy['sparse']['energy_pj'] / energy['dense']['energy_pj']:.3f}")
    document = run_document(
        accel="stc", workload=args.workload or shapes[0].name, config=config.to_dict(),
        seed=args.seed, engine=args.engine, tech=args.tech, layers=results,
        details={"preset": config.name, "dtype": args.dtype, "frontend": args.frontend,
                 "dense_cycles": dense, "sparse_cycles": sparse, "speedup": dense / sparse,
                 "energy": energy, "energy_note": results[0].details["energy"]["note"],
                 "breakdown": {m: sum_breakdowns(results, m) for m in ("dense", "sparse")}})

    def figure():
        from sparsesim.accelerators.stc.plots import run_figure

        n = shapes[0].n
        grid = heatmap_grid(n, args.dtype, config, args.seed, args.quiet)
        return run_figure(results, grid, f"{config.name} {args.dtype} speedup, N = {n}")

    if model_path:
        document["details"].update(images=model.images, accuracy_2of4=model.accuracy,
                                   **model.metadata_accuracy)
        footer += (f"\nmodel: {model.images} test images, accuracy of the 2:4 model in "
                   f"{args.dtype} {model.accuracy:.4f}"
                   + "".join(f", {k} {v:.4f}" for k, v in model.metadata_accuracy.items())
                   + " (from the model file)")
    text = heading + "\n" + table(results) + "\n\n" + energy_table(results) + footer
    if args.explain:
        text += "\n\n" + explanation(results)
    return CommandOutput(text, document, ok, figure, trace)


SWEEP = SweepHooks(  # planning both kernels is cheap: compiled again every point
    load_model=lambda path, seed, config: model_gemms(path, "fp16", None, seed).operands,
    compile_model=lambda operands, config: [stc.compile_operands(ops, config)
                                            for ops in operands],
)


COMMAND = AcceleratorCommand(
    design=DESIGN,
    workloads=("--gemm M,N,K", "--gemm-list FILE.csv") + tuple(sorted([*BUILDERS,
                                                                     *SHIPPED_GEMM_MODELS])),
    add_arguments=add_arguments,
    run=run,
    sweep=SWEEP,
    traceable=True,
)
