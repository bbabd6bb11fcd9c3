"""`sparsesim prune`: train a real network on the shipped MNIST subset, prune it, save it.

    sparsesim prune --model lenet300 --method magnitude --sparsity 0.92 \\
        --iterations 8 --finetune-epochs 10 --out pruned.npz --json prune.json
    sparsesim prune --procedure sensitivity --model lenet300 --plot s.png --json s.json
    sparsesim prune --procedure lottery --model lenet300 --rounds 5 --plot l.png

The dense network is trained from a seed every time (about 1 s for LeNet-300-100), so a
run needs no stored checkpoint and the same flags give the same file bit for bit.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Sequence
from dataclasses import asdict, replace
from typing import Any

import numpy as np

from sparsesim.cli.output_paths import check_outputs
from sparsesim.cli.parser import (
    Parser,
    add_style_flag,
    fraction,
    non_negative_float,
    non_negative_int,
    pair,
    positive_float,
    positive_int,
)
from sparsesim.cli.progress import ProgressBar
from sparsesim.cli.seeds import add_seeds_flag, over_seeds, paired, seed_list, verdict
from sparsesim.simulator.atomic_file import write_atomically
from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.mnist import Mnist, load_mnist
from sparsesim.workloads.model_file import save_model
from sparsesim.workloads.nn.layers import Dense
from sparsesim.workloads.nn.network import MODELS, Network, build_model
from sparsesim.workloads.nn.training import TrainConfig, train
from sparsesim.workloads.pruning.iterative import iterative_prune
from sparsesim.workloads.pruning.methods import (
    METHODS,
    MethodOptions,
    prune_masks,
)
from sparsesim.workloads.pruning.sharing import share_layer
from sparsesim.workloads.pruning.slimming import DEFAULT_LAMBDA
from sparsesim.workloads.weight_sharing import MAX_ENTRIES

PROCEDURES = ("prune", "sensitivity", "lottery")
DEFAULT_SPARSITY = 0.92


def build_parser() -> Parser:
    p = Parser(prog="sparsesim prune", description="Train, prune and save a real network "
               "(MNIST subset shipped with sparsesim).",
               epilog="Hardware-aware pruning to a simulated latency budget: --method netadapt "
               "or amc (their flags: sparsesim prune --method netadapt --help).")
    p.add_argument("--procedure", choices=PROCEDURES, default="prune",
                   help="prune (default), sensitivity scan, or lottery-ticket search")
    p.add_argument("--model", choices=sorted(MODELS), default="lenet300")
    p.add_argument("--method", choices=sorted([*METHODS, "slimming"]), default="magnitude",
                   help="pruning method (slimming: Network Slimming beside L1-norm channel "
                        "pruning at the same --channel-ratio)")
    p.add_argument("--sparsity", type=fraction,
                   help="fraction of weights removed (default 0.92; nm sets its own, "
                        "1 - N/M)")
    p.add_argument("--iterations", type=positive_int, default=1,
                   help="prune/fine-tune steps to reach --sparsity (default 1: one-shot)")
    p.add_argument("--epochs", type=positive_int, default=10,
                   help="dense training epochs (default 10)")
    p.add_argument("--lr", type=positive_float, default=0.05, help="learning rate (default 0.05)")
    p.add_argument("--finetune-epochs", type=non_negative_int, default=3,
                   help="fine-tuning epochs after each pruning step (default 3)")
    p.add_argument("--finetune-lr", type=positive_float,
                   help="fine-tuning learning rate (default --lr / 10)")
    p.add_argument("--l1", type=non_negative_float, default=0.0, help="L1 coefficient (default 0)")
    p.add_argument("--l2", type=non_negative_float, default=5e-4,
                   help="L2 coefficient (default 5e-4)")
    p.add_argument("--seed", type=non_negative_int, default=0,
                   help="initialization and shuffling seed")
    p.add_argument("--nm", type=lambda t: pair(t, ":"), default=(2, 4), metavar="N:M",
                   help="N:M for --method nm (default 2:4)")
    p.add_argument("--block", type=lambda t: pair(t, "x"), default=(4, 4), metavar="RxC",
                   help="block shape for --method block (default 4x4)")
    p.add_argument("--patterns", type=positive_int, default=8,
                   help="pattern set size for --method pattern (default 8)")
    p.add_argument("--connectivity-sparsity", type=fraction, default=0.0,
                   help="fraction of 3x3 kernels removed whole by --method pattern")
    p.add_argument("--pes", type=positive_int, default=64,
                   help="PEs for --method balanced (rows interleaved, default 64)")
    p.add_argument("--channel-ratio", type=fraction, default=0.5,
                   help="slimming: fraction of hidden channels / neurons removed (default 0.5)")
    p.add_argument("--slimming-lambda", type=non_negative_float, default=DEFAULT_LAMBDA,
                   help=f"slimming: L1 coefficient on the scaling factors (default "
                        f"{DEFAULT_LAMBDA:g}, Liu et al.'s setting for VGGNet on CIFAR)")
    p.add_argument("--share-weights", type=positive_int, metavar="ENTRIES",
                   help="k-means weight sharing to a codebook of ENTRIES (e.g. 16 = 4 bits)")
    p.add_argument("--test-images", type=non_negative_int, default=1000,
                   help="test images stored in --out for classification (default 1000)")
    p.add_argument("--rounds", type=positive_int, default=5, help="lottery rounds (default 5)")
    p.add_argument("--rewind-epoch", type=non_negative_int, default=1,
                   help="lottery: rewind survivors to their weights after this epoch")
    p.add_argument("--out", metavar="PATH", help="write the pruned model file (.npz)")
    p.add_argument("--name", help="model name stored in --out (default MODEL-METHOD)")
    p.add_argument("--json", metavar="PATH", help="write the results as JSON")
    p.add_argument("--plot", metavar="PATH", help="sensitivity / lottery: write a PNG")
    add_style_flag(p)
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    for flag in ("--method", "--sparsity", "--iterations", "--finetune-epochs", "--finetune-lr",
                 "--share-weights", "--test-images", "--out", "--name"):
        p.only_with(flag, "--procedure", "prune")
    for flag, method in (("--nm", "nm"), ("--block", "block"), ("--patterns", "pattern"),
                         ("--connectivity-sparsity", "pattern"), ("--pes", "balanced")):
        p.only_with(flag, "--method", method)
    add_seeds_flag(p)
    for flag in ("--rounds", "--rewind-epoch", "--seeds"):
        p.only_with(flag, "--procedure", "lottery")
    for flag in ("--channel-ratio", "--slimming-lambda"):
        p.only_with(flag, "--method", "slimming")
    p.only_with("--plot", "--procedure", "sensitivity", "lottery")
    p.only_with("--style", "--plot")
    return p


def train_config(args: argparse.Namespace) -> TrainConfig:
    return TrainConfig(epochs=args.epochs, learning_rate=args.lr, l1=args.l1, l2=args.l2,
                       seed=args.seed)


def bar(args: argparse.Namespace, label: str) -> ProgressBar:
    return ProgressBar(label, quiet=args.quiet)


def train_dense(args: argparse.Namespace, data: Mnist) -> Network:
    network = build_model(args.model, seed=args.seed)
    train(network, data.train.images, data.train.labels, train_config(args),
          progress=bar(args, f"train {args.model}"))
    return network


def layer_table(network: Network) -> str:
    head = f"{'layer':8s} {'shape':>16s} {'weights':>9s} {'kept':>9s} {'sparsity':>9s}"
    rows = [head, "-" * len(head)]
    for name, w in network.weights.items():
        kept = int(np.count_nonzero(w))
        rows.append(f"{name:8s} {'x'.join(map(str, w.shape)):>16s} {w.size:9d} {kept:9d} "
                    f"{1 - kept / w.size:9.4f}")
    total = sum(w.size for w in network.weights.values())
    kept = sum(int(np.count_nonzero(w)) for w in network.weights.values())
    rows += ["-" * len(head),
             f"{'total':8s} {'':>16s} {total:9d} {kept:9d} {1 - kept / total:9.4f}"]
    return "\n".join(rows)


def check_method_options(args: argparse.Namespace) -> None:
    """Refuse, before training, options the method cannot honour; set --sparsity (nm
    fixes its own, 1 - N/M)."""
    if args.method == "slimming":
        if args.sparsity is not None or args.iterations != 1 or args.share_weights:
            raise ConfigError("--method slimming prunes channels once: give --channel-ratio, "
                              "not --sparsity, --iterations or --share-weights")
        return
    if args.method == "nm":
        implied = 1 - args.nm[0] / args.nm[1]
        if args.nm[0] >= args.nm[1]:
            raise ConfigError(f"--nm {args.nm[0]}:{args.nm[1]} keeps every weight; N must be "
                              "smaller than M")
        if args.sparsity is not None and args.sparsity != implied:
            raise ConfigError(f"--method nm prunes to sparsity 1 - N/M = {implied:g}; drop "
                              f"--sparsity {args.sparsity:g} or change --nm")
        args.sparsity = implied
    elif args.sparsity is None:
        args.sparsity = DEFAULT_SPARSITY
    if args.share_weights is not None and not 2 <= args.share_weights <= MAX_ENTRIES:
        raise ConfigError(f"--share-weights must be 2..{MAX_ENTRIES} (codes are stored in one "
                          f"byte), got {args.share_weights}")
    if args.method == "block":
        for name, w in build_model(args.model, seed=args.seed).weights.items():
            rows, cols = w.shape[0], w.size // w.shape[0]
            if args.block[0] > rows or args.block[1] > cols:
                raise ConfigError(f"--block {args.block[0]}x{args.block[1]} is larger than "
                                  f"layer {name} ({rows}x{cols}); use a block that fits")


def run_prune(args: argparse.Namespace, data: Mnist) -> tuple[str, dict[str, Any]]:
    test = data.test
    network = train_dense(args, data)
    dense = network.accuracy(test.images, test.labels)
    options = MethodOptions(n=args.nm[0], m=args.nm[1], block=args.block,
                            patterns=args.patterns,
                            connectivity_sparsity=args.connectivity_sparsity, num_pes=args.pes)
    finetune = replace(train_config(args), epochs=args.finetune_epochs,
                       learning_rate=args.finetune_lr or args.lr / 10)
    _, history = iterative_prune(
        network, data, lambda w, s: prune_masks(args.method, w, s, options), args.sparsity,
        args.iterations, finetune, progress=lambda i: bar(args, f"fine-tune step {i + 1}"))
    finetuned = network.accuracy(test.images, test.labels)
    codebooks = {}
    if args.share_weights:
        for name, w in network.weights.items():
            shared = share_layer(w, entries=args.share_weights)
            network.weights[name], codebooks[name] = shared.weights, shared.codebook
    final = network.accuracy(test.images, test.labels)
    sparsity = {n: 1 - float(np.count_nonzero(w)) / w.size for n, w in network.weights.items()}
    total = sum(w.size for w in network.weights.values())
    doc = {"model": args.model, "method": args.method, "target_sparsity": args.sparsity,
           "iterations": args.iterations, "finetune_epochs": args.finetune_epochs,
           "finetune_learning_rate": finetune.learning_rate, "seed": args.seed,
           "train_config": asdict(train_config(args)), "method_options": asdict(options),
           "dense_accuracy": dense, "pruned_accuracy": final,
           "finetuned_accuracy_before_sharing": finetuned,
           "accuracy_loss_points": 100 * (dense - final),
           "sparsity": sparsity,
           "total_sparsity": 1 - sum(int(np.count_nonzero(w))
                                     for w in network.weights.values()) / total,
           "share_weights_entries": args.share_weights,
           "codebooks": {n: c.astype(float).tolist() for n, c in codebooks.items()},
           "test_images_total": len(test.labels),
           "steps": [asdict(h) for h in history]}
    lines = [f"{args.model} on the shipped MNIST subset ({len(data.train.labels)} train / "
             f"{len(test.labels)} test images), method {args.method}, "
             f"{args.iterations} step(s) to sparsity {args.sparsity}, "
             f"{args.finetune_epochs} fine-tune epochs per step at lr {finetune.learning_rate:g}",
             layer_table(network),
             f"{'dense accuracy':32s} {dense:.4f}"]
    lines += [f"step {i + 1}: sparsity {h.sparsity:.4f}, accuracy pruned "
              f"{h.accuracy_pruned:.4f}, fine-tuned {h.accuracy_finetuned:.4f}"
              for i, h in enumerate(history)]
    if args.share_weights:
        lines.append(f"{'fine-tuned, before sharing':32s} {finetuned:.4f}")
        lines.append(f"{f'after {args.share_weights}-entry weight sharing':32s} {final:.4f}")
    lines.append(f"{'pruned accuracy':32s} {final:.4f} ({100 * (final - dense):+.1f} points)")
    if args.out:
        save(args, network, data, doc)
        lines.append(f"wrote {args.out}")
    return "\n".join(lines), doc


def save(args: argparse.Namespace, network: Network, data: Mnist, doc: dict[str, Any]) -> None:
    layers = network.weighted_layers
    carry = args.test_images and all(isinstance(layer, Dense) for layer in layers)
    images = data.test.images[:args.test_images] if carry else None
    labels = data.test.labels[:args.test_images] if carry else None
    meta = {"name": args.name or f"{args.model}-{args.method}", "network": args.model,
            "prune_args": {k: v for k, v in vars(args).items()
                           if k not in ("out", "json", "quiet")},
            "pruning": {k: doc[k] for k in ("method", "target_sparsity", "iterations",
                                            "dense_accuracy", "pruned_accuracy", "sparsity",
                                            "total_sparsity", "seed")},
            "codebooks": doc["codebooks"]}
    activations = {layer.name: "relu" if getattr(layer, "relu", True) else "none"
                   for layer in layers}
    save_model(args.out, network.weights, activations, meta,
               input_vector=None if images is None else images[0],
               test_images=images, test_labels=labels)


def run_sensitivity(args: argparse.Namespace, data: Mnist) -> tuple[str, dict[str, Any], Any]:
    from sparsesim.workloads.pruning.sensitivity import sensitivity_scan

    network = train_dense(args, data)
    points = sensitivity_scan(network, data.test)
    sparsities = sorted({p.sparsity for p in points})
    head = f"{'layer':8s} " + " ".join(f"{s:>7.2f}" for s in sparsities)
    rows = [f"{args.model}: test accuracy with one layer pruned by magnitude (columns: "
            "sparsity of that layer), no fine-tuning", head, "-" * len(head)]
    for layer in network.weights:
        acc = {p.sparsity: p.accuracy for p in points if p.layer == layer}
        rows.append(f"{layer:8s} " + " ".join(f"{acc[s]:7.4f}" for s in sparsities))
    doc = {"model": args.model, "seed": args.seed, "train_config": asdict(train_config(args)),
           "points": [asdict(p) for p in points]}

    def figure():
        from sparsesim.workloads.pruning.plots import sensitivity_figure

        return sensitivity_figure(points, args.model)

    return "\n".join(rows), doc, figure


def run_lottery(args: argparse.Namespace, data: Mnist) -> tuple[str, dict[str, Any], Any]:
    """Lottery-ticket rounds for each seed; with --seeds K, per round the mean ± 95% half
    width of both accuracies and their difference paired by seed."""
    from sparsesim.workloads.pruning.lottery import lottery_ticket

    if args.plot and args.seeds > 1:
        raise ConfigError(f"--plot draws one seed's rounds; give --seeds 1 (and --seed S) "
                          f"with --plot, or drop --plot for the {args.seeds}-seed table")
    runs = [lottery_ticket(build_model(args.model, seed=seed), data,
                           replace(train_config(args), seed=seed), args.rounds,
                           rewind_epochs=args.rewind_epoch) for seed in seed_list(args)]
    rows = [f"{args.model}: lottery-ticket search, {args.rounds} rounds removing half the "
            f"surviving weights of each layer, {args.epochs} epochs per training, rewind to "
            f"epoch {args.rewind_epoch}, seeds {args.seed}..{args.seed + args.seeds - 1} "
            "(test accuracy %, mean ± 95% half width over seeds)",
            f"{'round':>5s} {'kept':>8s} {'rewound':>14s} {'random':>14s}  rewound - random"]
    summary = []
    for i, per_seed in enumerate(zip(*runs)):
        rewound = [100 * r.accuracy_rewound for r in per_seed]
        rand = [100 * r.accuracy_random for r in per_seed]
        difference = paired(rewound, rand)
        summary.append({"round": i, "kept_fraction": 1 - per_seed[0].sparsity,
                        "rewound": over_seeds(rewound).to_dict("pct"),
                        "random": over_seeds(rand).to_dict("pct"),
                        "rewound_minus_random": {**difference.to_dict("points"),
                                                 "verdict": verdict(difference, "rewound",
                                                                    "random")}})
        rows.append(f"{i:5d} {1 - per_seed[0].sparsity:8.4f} "
                    f"{format(over_seeds(rewound), '.2f'):>14s} "
                    f"{format(over_seeds(rand), '.2f'):>14s}  {difference.mean:+.2f}"
                    f"{f' ± {difference.half_width:.2f}' if difference.n > 1 else ''}: "
                    f"{verdict(difference, 'rewound', 'random')}")
    doc = {"model": args.model, "seed": args.seed, "seeds": seed_list(args),
           "train_config": asdict(train_config(args)), "rewind_epoch": args.rewind_epoch,
           "prune_fraction_per_round": 0.5, "rounds": [asdict(r) for r in runs[0]],
           "runs": [[asdict(r) for r in rounds] for rounds in runs], "summary": summary}

    def figure():
        from sparsesim.workloads.pruning.plots import lottery_figure

        return lottery_figure(runs[0], args.model, args.rewind_epoch)

    return "\n".join(rows), doc, figure


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    check_outputs({"--out": args.out, "--json": args.json, "--plot": args.plot})
    check_method_options(args)
    start = time.perf_counter()
    data = load_mnist()
    figure = None
    if args.method == "slimming":
        from sparsesim.cli.slimming import run_slimming

        text, doc = run_slimming(args, data)
    elif args.procedure == "prune":
        text, doc = run_prune(args, data)
    elif args.procedure == "sensitivity":
        text, doc, figure = run_sensitivity(args, data)
    else:
        text, doc, figure = run_lottery(args, data)
    doc["wall_seconds"] = time.perf_counter() - start
    print(text)
    if args.json:
        body = json.dumps(doc, indent=2, sort_keys=True).encode()
        write_atomically(args.json, lambda handle: handle.write(body))
        print(f"wrote {args.json}")
    if args.plot:
        from sparsesim.simulator.plots import save_png

        save_png(figure(), args.plot, args.style)
        print(f"wrote {args.plot}")
    return 0
