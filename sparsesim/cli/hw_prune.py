"""`sparsesim prune --method netadapt|amc`: hardware-aware pruning with latency from the
simulator. Every other `sparsesim prune` invocation goes on to sparsesim.cli.prune_frontend.

    sparsesim prune --model lenet300 --method netadapt --accel eie --pes 64 \\
        --latency-ratio 0.5 --out m.npz --json m.json

The dense network is trained on the training split minus a seeded validation split; the
searches choose on the validation split; test accuracy is measured at the end only.
Latency is EIE's simulated seconds per image, averaged over --probe-images training
images, each layer fed the network's real activations.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, replace
from typing import Any

from sparsesim.accelerators.eie import model as eie
from sparsesim.accelerators.stc import model as stc
from sparsesim.cli import prune_frontend as prune_command
from sparsesim.cli.hw_latency import EIELatency, STCLatency
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
from sparsesim.simulator.atomic_file import write_atomically
from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.mnist import load_mnist
from sparsesim.workloads.model_file import save_model
from sparsesim.workloads.nn.network import MODELS, Network, build_model
from sparsesim.workloads.nn.training import TrainConfig, train
from sparsesim.workloads.pruning import hw_baselines
from sparsesim.workloads.pruning.budget import Pruned, check_budget
from sparsesim.workloads.pruning.latency_oracle import LatencyOracle, dense_layers
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
               description="Prune a real network to a simulated latency budget.")
    p.add_argument("--model", choices=sorted(MODELS), default="lenet300")
    p.add_argument("--method", choices=HW_METHODS, required=True)
    p.add_argument("--accel", choices=ACCELS, default="eie")
    p.add_argument("--pes", type=positive_int, default=64, help="EIE PEs (default 64)")
    p.add_argument("--preset", choices=sorted(stc.PRESETS), default="a100",
                   help="tensor-core GPU for --accel stc (default a100)")
    p.add_argument("--dtype", choices=("fp16", "bf16"), default="fp16",
                   help="tensor-core data type for --accel stc (default fp16)")
    budget = p.add_mutually_exclusive_group()
    budget.add_argument("--latency-ratio", type=ratio, default=0.5,
                        help="budget as a fraction of the dense model's simulated latency "
                             "(default 0.5)")
    budget.add_argument("--latency-us", type=positive_float,
                        help="absolute budget, simulated µs per image")
    p.add_argument("--step-fraction", type=ratio, default=0.05,
                   help="NetAdapt: latency reduction asked per iteration, fraction of the "
                        "dense latency (default 0.05)")
    p.add_argument("--decay", type=ratio, default=1.0,
                   help="NetAdapt: the reduction asked is multiplied by this each iteration")
    p.add_argument("--moves", type=moves, default=("fine",),
                   help="NetAdapt moves, comma list of fine,neuron (default fine: on "
                        "LeNet-300-100 at 0.5 x dense latency, seeds 0-2, adding neuron "
                        "removal scored lower; see README)")
    p.add_argument("--episodes", type=positive_int, default=200,
                   help="AMC episodes, the first third random (default 200)")
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
                   help="training images whose simulated latency is averaged (default 16)")
    p.add_argument("--validation-fraction", type=ratio, default=0.125,
                   help="fraction of the training split held out for the search")
    p.add_argument("--no-baselines", action="store_true",
                   help="skip the uniform and sensitivity baselines")
    p.add_argument("--seed", type=non_negative_int, default=0)
    p.add_argument("--out", metavar="PATH", help="write the pruned model file (.npz)")
    p.add_argument("--json", metavar="PATH", help="write the results as JSON")
    p.add_argument("--quiet", action="store_true",
                   help="no progress bar (it also stays off when stderr is not a terminal)")
    p.only_with("--pes", "--accel", "eie")
    for flag in ("--preset", "--dtype"):
        p.only_with(flag, "--accel", "stc")
    for flag in ("--step-fraction", "--decay", "--moves", "--short-finetune-epochs"):
        p.only_with(flag, "--method", "netadapt")
    p.only_with("--episodes", "--method", "amc")
    return p


def accelerator_config(args: argparse.Namespace) -> eie.EIEConfig | stc.STCConfig:
    if args.accel == "stc":
        return stc.preset(args.preset)
    return replace(eie.EIE_PAPER, num_pes=args.pes)


def accelerator_label(args: argparse.Namespace) -> str:
    if args.accel == "stc":
        return f"the {args.preset} tensor-core model ({args.dtype}, batch = probe images)"
    return f"EIE ({args.pes} PEs)"


def _oracle(args: argparse.Namespace, dense: Network, data: SearchData) -> LatencyOracle:
    if args.accel == "stc":
        simulate = STCLatency(accelerator_config(args), args.dtype)
    else:
        relu = [layer.relu for layer in dense_layers(dense)]
        simulate = EIELatency(accelerator_config(args), relu)
    return LatencyOracle(simulate, dense, data.train.images[:args.probe_images])


@dataclass(frozen=True)
class Setup:
    """The trained dense model, its data splits and its latency oracle."""

    data: SearchData
    dense: Network
    oracle: LatencyOracle
    dense_seconds: float


def prepare(args: argparse.Namespace) -> Setup:
    mnist = load_mnist()
    data = carve_validation(mnist.train, mnist.test, args.validation_fraction, args.seed)
    if args.probe_images > len(data.train.labels):
        raise ConfigError(f"--probe-images {args.probe_images} is more than the "
                          f"{len(data.train.labels)} training images; give at most that many")
    dense = build_model(args.model, seed=args.seed)
    dense_layers(dense)
    train(dense, data.train.images, data.train.labels,
          TrainConfig(epochs=args.epochs, learning_rate=args.lr, l2=args.l2, seed=args.seed),
          progress=ProgressBar(f"train dense {args.model}", quiet=args.quiet))
    oracle = _oracle(args, dense, data)
    return Setup(data, dense, oracle, oracle.seconds(dense.weights))


def final_finetune(args: argparse.Namespace) -> TrainConfig:
    return TrainConfig(epochs=args.finetune_epochs,
                       learning_rate=args.finetune_lr or args.lr / 10, l2=args.l2)


def search(args: argparse.Namespace, setup: Setup, method: str, budget: float
           ) -> tuple[Pruned, list[dict[str, Any]], dict[str, Any]]:
    """The pruned model of `method` at `budget` seconds, its iterations for the JSON, and
    further keys for the JSON (AMC: every episode)."""
    final = final_finetune(args)
    if method == "netadapt":
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
    from sparsesim.workloads.pruning.amc import AMCConfig, amc

    config = AMCConfig(budget, episodes=args.episodes, finetune=final, seed=args.seed)
    result = amc(setup.dense, setup.oracle, setup.data, config,
                 ProgressBar("amc", quiet=args.quiet, unit="episode"))
    episodes = [{"episode": e.episode, "reward": e.reward, "accuracy": e.accuracy,
                 "latency_us": e.latency_us} for e in result.episodes]
    return result.pruned, [
        {"layer": "all", "episode": e.episode, "sparsity": e.sparsity,
         "latency_us": e.latency_us, "table_latency_us": e.table_latency_us,
         "accuracy": e.accuracy, "accuracy_split": "validation, before fine-tuning",
         "reward": e.reward} for e in result.best_episodes], {
        "amc_warmup_episodes": int(config.warmup_fraction * config.episodes),
        "amc_episodes": episodes}


def baselines(args: argparse.Namespace, setup: Setup, budget: float) -> list[Pruned]:
    return [build(setup.dense, setup.oracle, budget, setup.data, final_finetune(args),
                  args.seed) for build in (hw_baselines.uniform,
                                           hw_baselines.sensitivity_allocation)]


def summary(pruned: Pruned, data: SearchData) -> dict[str, Any]:
    return {"method": pruned.method, "latency_us": pruned.seconds * 1e6,
            "accuracy": pruned.network.accuracy(data.test.images, data.test.labels),
            "validation_accuracy": pruned.validation_accuracy,
            "sparsity": pruned.sparsity()}


def run(args: argparse.Namespace) -> tuple[str, dict[str, Any], Pruned]:
    setup = prepare(args)
    budget = (args.latency_us * 1e-6 if args.latency_us
              else args.latency_ratio * setup.dense_seconds)
    neurons = args.method == "netadapt" and "neuron" in args.moves
    floor = check_budget(setup.oracle, budget, neurons)
    pruned, iterations, extra = search(args, setup, args.method, budget)
    others = [] if args.no_baselines else baselines(args, setup, budget)
    data = setup.data
    mine = summary(pruned, data)
    doc = {"model": args.model, "method": args.method, "accel": args.accel,
           "accelerator": accelerator_label(args),
           "config": asdict(accelerator_config(args)), "seed": args.seed,
           "latency_budget_us": budget * 1e6, "latency_us": mine["latency_us"],
           "dense_latency_us": setup.dense_seconds * 1e6, "floor_latency_us": floor * 1e6,
           "accuracy": mine["accuracy"], "validation_accuracy": mine["validation_accuracy"],
           "dense_accuracy": setup.dense.accuracy(data.test.images, data.test.labels),
           "sparsity": mine["sparsity"], "iterations": iterations,
           "baselines": [summary(p, data) for p in others],
           "probe_images": args.probe_images, "test_images": len(data.test.labels),
           "train_images": len(data.train.labels),
           "validation_images": len(data.validation.labels),
           "simulated_layer_runs": setup.oracle.simulate.simulations, **extra}
    return _text(doc), doc, pruned


def _text(doc: dict[str, Any]) -> str:
    head = f"{'method':12s} {'latency_us':>11s} {'test_acc':>9s}  sparsity per layer"
    rows = [f"{doc['model']} on {doc['accelerator']}, budget "
            f"{doc['latency_budget_us']:.4f} µs (dense {doc['dense_latency_us']:.4f} µs, "
            f"floor {doc['floor_latency_us']:.4f} µs), simulated per image",
            head, "-" * len(head),
            f"{'dense':12s} {doc['dense_latency_us']:11.4f} {doc['dense_accuracy']:9.4f}"]
    for entry in [doc] + doc["baselines"]:
        ratios = " ".join(f"{n}={s:.3f}" for n, s in entry["sparsity"].items())
        rows.append(f"{entry['method']:12s} {entry['latency_us']:11.4f} "
                    f"{entry['accuracy']:9.4f}  {ratios}")
    return "\n".join(rows)


def _save(path: str, args: argparse.Namespace, pruned: Pruned, doc: dict[str, Any]) -> None:
    meta = {"name": f"{args.model}-{args.method}", "network": args.model,
            "pruning": {k: doc[k] for k in ("method", "latency_budget_us", "latency_us",
                                            "dense_latency_us", "accuracy", "sparsity",
                                            "seed")}}
    activations = {layer.name: "relu" if layer.relu else "none"
                   for layer in dense_layers(pruned.network)}
    save_model(path, pruned.network.weights, activations, meta)


def main(argv: Sequence[str]) -> int:
    argv = list(argv)
    pre = argparse.ArgumentParser(add_help=False)
    pre.add_argument("--method")
    if pre.parse_known_args(argv)[0].method not in HW_METHODS:
        return prune_command.main(argv)
    args = build_parser().parse_args(argv)
    check_outputs({"--out": args.out, "--json": args.json})
    start = time.perf_counter()
    text, doc, pruned = run(args)
    doc["wall_seconds"] = time.perf_counter() - start
    print(text)
    if args.out:
        _save(args.out, args, pruned, doc)
        print(f"wrote {args.out}")
    if args.json:
        body = json.dumps(doc, indent=2, sort_keys=True).encode()
        write_atomically(args.json, lambda handle: handle.write(body))
        print(f"wrote {args.json}")
    return 0
