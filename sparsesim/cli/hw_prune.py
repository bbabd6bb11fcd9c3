"""`sparsesim prune --method netadapt|amc`: hardware-aware pruning with latency from the
simulator, and AMC's FLOPs-aware modes. Every other `sparsesim prune` invocation goes on
to sparsesim.cli.prune_frontend.

    sparsesim prune --model lenet300 --method netadapt --accel eie --pes 64 \\
        --latency-ratio 0.5 --out m.npz --json m.json
    sparsesim prune --model lenet5 --method amc --reward flops-error --granularity channel \\
        --seeds 3

The dense network is trained on the training split minus a seeded validation split; the
searches choose on the validation split; test accuracy is measured at the end only.
Latency is EIE's simulated seconds per image, averaged over --probe-images training
images, each layer fed the network's real activations. With --seeds K the whole
comparison runs for K seeds and the report gives mean and 95% interval over them.
"""

from __future__ import annotations

import argparse
import json
import math
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from sparsesim.accelerators.eie import model as eie
from sparsesim.accelerators.stc import model as stc
from sparsesim.cli import prune_frontend as prune_command
from sparsesim.cli.hw_latency import EIELatency, STCLatency
from sparsesim.cli.hw_prune_report import document, replace_seed, run_text, seeds_text
from sparsesim.cli.output_paths import check_outputs
from sparsesim.cli.parser import (
    Parser,
    bounded,
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
)
from sparsesim.cli.progress import ProgressBar
from sparsesim.cli.seeds import add_seeds_flag, seed_list
from sparsesim.simulator.atomic_file import write_atomically
from sparsesim.simulator.errors import ConfigError, WorkloadError
from sparsesim.workloads.mnist import DATASETS, load_dataset
from sparsesim.workloads.model_file import save_model
from sparsesim.workloads.nn.network import MODELS, Network, build_model
from sparsesim.workloads.nn.training import TrainConfig, train
from sparsesim.workloads.pruning import hw_baselines
from sparsesim.workloads.pruning.amc import REWARDS, AMCConfig, amc
from sparsesim.workloads.pruning.amc_budget import (
    GRANULARITIES,
    Budget,
    LatencyBudget,
    MacsBudget,
)
from sparsesim.workloads.pruning.budget import Pruned, check_budget
from sparsesim.workloads.pruning.latency_oracle import LatencyOracle, dense_layers
from sparsesim.workloads.pruning.layer_geometry import LayerGeometry, geometry, nonzero_macs
from sparsesim.workloads.pruning.netadapt import MOVES, NetAdaptConfig, netadapt
from sparsesim.workloads.pruning.validation import SearchData, carve_validation

HW_METHODS = ("netadapt", "amc")
ACCELS = ("eie", "stc")


ratio = bounded(float, "in (0, 1]", lambda v: 0 < v <= 1, "a fraction in (0, 1]")


def moves(text: str) -> tuple[str, ...]:
    chosen = tuple(m for m in text.split(",") if m)
    if not chosen or set(chosen) - set(MOVES):
        raise argparse.ArgumentTypeError(f"must be a comma list of {', '.join(MOVES)}, "
                                         f"got {text!r}")
    return chosen


def build_parser() -> Parser:
    p = Parser(prog="sparsesim prune --method netadapt|amc",
               description="Prune a real network to a simulated latency budget (NetAdapt, AMC), a "
                           "MACs budget or AMC's -error x ln(MACs) reward; --seeds K reports "
                           "means and 95% intervals over K seeds.")
    p.add_argument("--model", choices=sorted(MODELS), default="lenet300")
    p.add_argument("--dataset", choices=sorted(DATASETS), default="mnist",
                   help="shipped images: mnist (5,000 digits, default) or fashion-mnist "
                        "(10,000 clothing images, harder; workloads/data/*/SOURCES)")
    p.add_argument("--method", choices=HW_METHODS, required=True)
    p.add_argument("--accel", choices=ACCELS, default="eie")
    p.add_argument("--pes", type=positive_int, default=64, help="EIE PEs (default 64)")
    p.add_argument("--preset", choices=sorted(stc.PRESETS), default="a100",
                   help="tensor-core GPU for --accel stc (default a100)")
    p.add_argument("--dtype", choices=("fp16", "bf16"), default="fp16",
                   help="tensor-core data type for --accel stc (default fp16)")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--latency-ratio", type=ratio,
                        help="budget as a fraction of the dense model's simulated latency "
                             "(default 0.5 when the budget is latency)")
    budget.add_argument("--latency-us", type=positive_float,
                        help="absolute budget, simulated µs per image")
    budget.add_argument("--flops-ratio", type=ratio,
                        help="AMC, constrained reward: budget as a fraction of the dense "
                             "model's MACs per image instead of latency")
    p.add_argument("--reward", choices=REWARDS,
                   help="AMC reward: constrained (-error under the budget, default) or "
                        "flops-error (-error x ln MACs, no budget)")
    p.add_argument("--granularity", choices=GRANULARITIES,
                   help="AMC actions: fraction of each layer's weights (fine, default) or of "
                        "its output channels / neurons (channel)")
    p.add_argument("--step-fraction", type=ratio, default=0.05,
                   help="NetAdapt: latency reduction asked per iteration, fraction of the "
                        "dense latency (default 0.05)")
    p.add_argument("--decay", type=ratio, default=1.0,
                   help="NetAdapt: the reduction asked is multiplied by this each iteration")
    p.add_argument("--moves", type=moves,
                   help="NetAdapt moves, comma list of fine,neuron (neuron: output rows of a "
                        "fully connected layer or output channels of a convolution); default "
                        "fine on eie (on LeNet-300-100 at 0.5 x dense latency, seeds 0-2, "
                        "adding neuron removal scored lower; see README), neuron on stc "
                        "(fine-grained sparsity gains nothing on its dense kernel)")
    p.add_argument("--episodes", type=positive_int, default=200,
                   help="AMC episodes, the first third random; the random search gets as "
                        "many (default 200)")
    p.add_argument("--epochs", type=positive_int, default=10, help="dense training epochs")
    p.add_argument("--lr", type=positive_float, default=0.05, help="learning rate")
    p.add_argument("--l2", type=non_negative_float, default=5e-4,
                   help="L2 coefficient (default 5e-4)")
    p.add_argument("--finetune-epochs", type=non_negative_int, default=10,
                   help="final fine-tune epochs, every method (default 10)")
    p.add_argument("--short-finetune-epochs", type=non_negative_int, default=1,
                   help="NetAdapt: fine-tune epochs of each proposal (default 1)")
    p.add_argument("--finetune-lr", type=positive_float, help="default --lr / 10")
    p.add_argument("--probe-images", type=positive_int, default=16,
                   help="training images whose simulated latency is averaged (default 16; "
                        "on stc also the GEMM batch)")
    p.add_argument("--validation-fraction", type=ratio, default=0.125,
                   help="fraction of the training split held out for the search")
    p.add_argument("--no-baselines", action="store_true",
                   help="skip the baselines (eie: uniform and sensitivity; stc: uniform "
                        "channel pruning)")
    p.add_argument("--seed", type=non_negative_int, default=0)
    add_seeds_flag(p)
    p.add_argument("--out", metavar="PATH", help="write the pruned model file (.npz)")
    p.add_argument("--json", metavar="PATH", help="write the results as JSON")
    p.add_argument("--quiet", action="store_true",
                   help="no progress bar (it also stays off when stderr is not a terminal)")
    p.only_with("--pes", "--accel", "eie")
    for flag in ("--preset", "--dtype"):
        p.only_with(flag, "--accel", "stc")
    for flag in ("--step-fraction", "--decay", "--moves", "--short-finetune-epochs"):
        p.only_with(flag, "--method", "netadapt")
    for flag in ("--episodes", "--reward", "--granularity", "--flops-ratio"):
        p.only_with(flag, "--method", "amc")
    return p


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """The flags, with the defaults that depend on others filled in (--moves, AMC's reward,
    granularity and budget) and the combinations that cannot run refused (check_flags)."""
    args = build_parser().parse_args(list(argv))
    if args.moves is None:
        args.moves = ("neuron",) if args.accel == "stc" else ("fine",)
    check_flags(args)
    return args


def accelerator_config(args: argparse.Namespace) -> eie.EIEConfig | stc.STCConfig:
    if args.accel == "stc":
        return stc.preset(args.preset)
    return replace(eie.EIE_PAPER, num_pes=args.pes)


def accelerator_label(args: argparse.Namespace) -> str:
    if args.accel == "stc":
        return f"the {args.preset} tensor-core model ({args.dtype}, batch = probe images)"
    return f"EIE ({args.pes} PEs)"


def needs_latency(args: argparse.Namespace) -> bool:
    """NetAdapt and AMC's constrained reward without --flops-ratio budget latency."""
    return args.method == "netadapt" or (args.reward == "constrained" and not args.flops_ratio)


def check_flags(args: argparse.Namespace) -> None:
    """Refuse flag combinations that would be ignored or cannot run, before any training;
    then fill in the defaults that depend on the method."""
    args.reward = args.reward or "constrained"
    args.granularity = args.granularity or "fine"
    budgets = [f for f, v in (("--latency-ratio", args.latency_ratio),
                              ("--latency-us", args.latency_us),
                              ("--flops-ratio", args.flops_ratio)) if v is not None]
    if args.reward == "flops-error" and budgets:
        raise ConfigError(f"{budgets[0]}: the flops-error reward has no budget (AMC's "
                          "accuracy-guaranteed mode); drop it or use --reward constrained")
    if needs_latency(args) and args.method == "amc" and args.granularity == "channel":
        raise ConfigError("AMC channel actions take a MACs budget (--flops-ratio R) or "
                          "--reward flops-error; the latency tables hold one layer at a time")
    if needs_latency(args) and args.accel == "eie":
        try:
            dense_layers(build_model(args.model))
        except WorkloadError as error:
            hint = "; for AMC, --flops-ratio R or --reward flops-error need no latency"
            raise ConfigError(f"{error}{hint if args.method == 'amc' else ''}") from None
    if needs_latency(args) and args.latency_us is None and args.latency_ratio is None:
        args.latency_ratio = 0.5
    if args.out and args.seeds > 1:
        raise ConfigError(f"--out saves one model; with --seeds {args.seeds} give --seeds 1 "
                          "(and --seed S for the one you want)")


def _oracle(args: argparse.Namespace, dense: Network, data: SearchData) -> LatencyOracle:
    if args.accel == "stc":
        simulate = STCLatency(accelerator_config(args), args.dtype)
    else:
        relu = [layer.relu for layer in dense_layers(dense)]
        simulate = EIELatency(accelerator_config(args), relu)
    return LatencyOracle(simulate, dense, data.train.images[:args.probe_images])


@dataclass(frozen=True)
class Setup:
    """The trained dense model, its data splits, its layer geometry and, when the
    accelerator runs every layer, its latency oracle (else None: latency not simulated)."""

    data: SearchData
    dense: Network
    oracle: LatencyOracle | None
    dense_seconds: float | None
    shapes: list[LayerGeometry]


def prepare(args: argparse.Namespace) -> Setup:
    images = load_dataset(args.dataset)
    data = carve_validation(images.train, images.test, args.validation_fraction, args.seed)
    if args.probe_images > len(data.train.labels):
        raise ConfigError(f"--probe-images {args.probe_images} is more than the "
                          f"{len(data.train.labels)} training images; give at most that many")
    dense = build_model(args.model, seed=args.seed)
    train(dense, data.train.images, data.train.labels,
          TrainConfig(epochs=args.epochs, learning_rate=args.lr, l2=args.l2, seed=args.seed),
          progress=ProgressBar(f"train dense {args.model} (seed {args.seed})",
                               quiet=args.quiet))
    try:
        oracle = _oracle(args, dense, data)
    except WorkloadError:  # convolutions: check_flags made sure no latency is needed
        return Setup(data, dense, None, None, geometry(dense))
    return Setup(data, dense, oracle, oracle.seconds(dense.weights), geometry(dense))


def final_finetune(args: argparse.Namespace) -> TrainConfig:
    return TrainConfig(epochs=args.finetune_epochs,
                       learning_rate=args.finetune_lr or args.lr / 10, l2=args.l2)


def amc_budget(args: argparse.Namespace, setup: Setup, budget_seconds: float | None
               ) -> Budget | None:
    if args.reward == "flops-error":
        return None
    if args.flops_ratio:
        dense_macs = nonzero_macs(setup.shapes, setup.dense.weights)
        return MacsBudget(setup.shapes, args.flops_ratio * dense_macs, args.granularity)
    return LatencyBudget(setup.oracle, budget_seconds, args.granularity)


def amc_search(args: argparse.Namespace, setup: Setup, budget_seconds: float | None,
               learn: bool) -> tuple[Pruned, list[dict[str, Any]], dict[str, Any]]:
    """AMC's agent (learn) or the random search with the same budget and episodes."""
    config = AMCConfig(args.reward, args.granularity, episodes=args.episodes,
                       finetune=final_finetune(args), learn=learn, seed=args.seed)
    result = amc(setup.dense, setup.data, config, amc_budget(args, setup, budget_seconds),
                 ProgressBar(config.method, quiet=args.quiet, unit="episode"))
    scale = 1e6 if args.reward == "constrained" and not args.flops_ratio else 1.0
    unit = "us" if scale == 1e6 else "macs"

    def row(e: Any) -> dict[str, Any]:
        return {"episode": e.episode, "reward": e.reward, "accuracy": e.accuracy,
                "macs": e.macs, f"budget_measured_{unit}": e.measured * scale}

    return result.pruned, [
        {**row(e), "layer": "all", "actions": e.actions,
         f"budget_predicted_{unit}": e.predicted * scale,
         "accuracy_split": "validation, before fine-tuning"} for e in result.best_episodes], {
        "warmup_episodes": (int(config.warmup_fraction * config.episodes) if learn
                            else config.episodes),
        "episodes": [row(e) for e in result.episodes],
        "best_reward": max(e.reward for e in result.best_episodes)}


def search(args: argparse.Namespace, setup: Setup, method: str, budget: float | None
           ) -> tuple[Pruned, list[dict[str, Any]], dict[str, Any]]:
    """The pruned model of `method` at `budget` seconds (None: no latency budget), its
    iterations for the JSON, and further keys for the JSON (AMC: every episode)."""
    if method == "amc":
        return amc_search(args, setup, budget, learn=True)
    final = final_finetune(args)
    short = replace(final, epochs=args.short_finetune_epochs)
    result = netadapt(setup.dense, setup.oracle, setup.data, NetAdaptConfig(
        budget, args.step_fraction, args.decay, short, final, args.moves, seed=args.seed),
        ProgressBar("netadapt", quiet=args.quiet, unit="iteration"))
    return result.pruned, [
        {"layer": it.layer, "move": it.move, "point": it.point,
         "latency_us": it.latency_seconds * 1e6,
         "table_latency_us": it.table_seconds * 1e6,
         "requested_reduction_us": it.requested_reduction_seconds * 1e6,
         "accuracy": it.accuracy, "accuracy_split": "validation",
         "proposals": it.proposals} for it in result.iterations], {}


def baselines(args: argparse.Namespace, setup: Setup, budget: float | None
              ) -> list[tuple[Pruned, dict[str, Any]]]:
    """AMC: the random search, always. Under a latency budget, unless --no-baselines: on
    EIE the uniform and sensitivity allocations, on the tensor core uniform channel
    pruning. Each with further keys for the JSON."""
    found = []
    if args.method == "amc":
        pruned, _, extra = amc_search(args, setup, budget, learn=False)
        found.append((pruned, {"best_reward": extra["best_reward"]}))
    if budget is not None and not args.no_baselines:
        builders = ((hw_baselines.uniform_channels,) if args.accel == "stc" else
                    (hw_baselines.uniform, hw_baselines.sensitivity_allocation))
        found += [(build(setup.dense, setup.oracle, budget, setup.data, final_finetune(args),
                         args.seed), {}) for build in builders]
    return found


def summary(pruned: Pruned, setup: Setup) -> dict[str, Any]:
    """Test accuracy, MACs per image and simulated latency (None when not simulated)."""
    seconds = pruned.seconds
    if math.isnan(seconds) and setup.oracle is not None:  # the search did not simulate
        seconds = setup.oracle.seconds(pruned.network.weights)
    data = setup.data
    return {"method": pruned.method,
            "latency_us": None if math.isnan(seconds) else seconds * 1e6,
            "accuracy": pruned.network.accuracy(data.test.images, data.test.labels),
            "validation_accuracy": pruned.validation_accuracy,
            "macs": nonzero_macs(setup.shapes, pruned.network.weights),
            "sparsity": pruned.sparsity()}


def run(args: argparse.Namespace) -> tuple[dict[str, Any], Pruned]:
    """One seed's comparison: its document and the method's pruned model."""
    setup = prepare(args)
    budget = floor = None
    if needs_latency(args):
        budget = (args.latency_us * 1e-6 if args.latency_us
                  else args.latency_ratio * setup.dense_seconds)
        neurons = args.method == "netadapt" and "neuron" in args.moves
        floor = check_budget(setup.oracle, budget, neurons)
    pruned, iterations, extra = search(args, setup, args.method, budget)
    mine = summary(pruned, setup)
    dense_macs = nonzero_macs(setup.shapes, setup.dense.weights)
    data = setup.data
    return {"seed": args.seed, "dataset": args.dataset,
            "latency_budget_us": None if budget is None else budget * 1e6,
            "macs_budget": args.flops_ratio * dense_macs if args.flops_ratio else None,
            "dense_latency_us": (None if setup.dense_seconds is None
                                 else setup.dense_seconds * 1e6),
            "floor_latency_us": None if floor is None else floor * 1e6, "dense_macs": dense_macs,
            "dense_accuracy": setup.dense.accuracy(data.test.images, data.test.labels),
            **mine, "iterations": iterations,
            "baselines": [{**summary(p, setup), **more} for p, more in
                          baselines(args, setup, budget)],
            "probe_images": args.probe_images, "test_images": len(data.test.labels),
            "train_images": len(data.train.labels),
            "validation_images": len(data.validation.labels),
            "simulated_layer_runs": (0 if setup.oracle is None
                                     else setup.oracle.simulate.simulations), **extra}, pruned


def _save(path: str, args: argparse.Namespace, pruned: Pruned, doc: dict[str, Any]) -> None:
    meta = {"name": f"{args.model}-{args.method}", "network": args.model,
            "pruning": {k: doc[k] for k in ("method", "latency_budget_us", "latency_us",
                                            "dense_latency_us", "accuracy", "sparsity",
                                            "seed")}}
    activations = {layer.name: "relu" if getattr(layer, "relu", True) else "none"
                   for layer in pruned.network.weighted_layers}
    save_model(path, pruned.network.weights, activations, meta)


def main(argv: Sequence[str]) -> int:
    argv = list(argv)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--method")
    if pre.parse_known_args(argv)[0].method not in HW_METHODS:
        return prune_command.main(argv)
    args = parse_args(argv)
    check_outputs({"--out": args.out, "--json": args.json})
    start = time.perf_counter()
    runs, pruned = [], None
    for seed in seed_list(args):
        doc, found = run(replace_seed(args, seed))
        pruned = pruned or found
        runs.append(doc)
        print(run_text(args, doc, accelerator_label(args)), flush=True)
    doc = document(args, runs, {"accel": args.accel, "accelerator": accelerator_label(args),
                                "config": asdict(accelerator_config(args))})
    doc["wall_seconds"] = time.perf_counter() - start
    if args.seeds > 1:
        print(seeds_text(doc))
    if args.out:
        _save(args.out, args, pruned, runs[0])
        print(f"wrote {args.out}")
    if args.json:
        body = json.dumps(doc, indent=2, sort_keys=True).encode()
        write_atomically(args.json, lambda handle: handle.write(body))
        print(f"wrote {args.json}")
    return 0
