"""`sparsesim prune --method slimming`: Network Slimming (Liu et al., ICCV 2017) beside
plain L1-norm channel pruning (Li et al., ICLR 2017) at the same channel ratio.

    sparsesim prune --model lenet5 --method slimming --channel-ratio 0.5 \\
        --slimming-lambda 1e-4 --json slim.json

Slimming: the network gets one scaling factor per hidden channel / neuron, trained from
the seed with lambda x sum |gamma| added to the loss; the --channel-ratio fraction of all
factors of least |gamma| (one global threshold) are pruned with their channels, and the
rest fine-tuned. L1-norm: the plain network trained from the same seed without the
penalty; the same fraction of each hidden layer's channels, those of least filter L1
norm, pruned and fine-tuned alike.
"""

from __future__ import annotations

import argparse
from dataclasses import asdict, replace
from typing import Any

import numpy as np

from sparsesim.cli.prune_frontend import bar, train_config
from sparsesim.workloads.mnist import Mnist
from sparsesim.workloads.model_file import save_model
from sparsesim.workloads.nn.network import Network, build_model
from sparsesim.workloads.nn.training import Masks, apply_masks, train
from sparsesim.workloads.pruning.channel import uniform_channel_masks
from sparsesim.workloads.pruning.slimming import (
    channel_counts,
    fold_scales,
    slimming_masks,
    with_scales,
)


def _accuracy(network: Network, data: Mnist) -> float:
    return network.accuracy(data.test.images, data.test.labels)


def _prune_and_finetune(args: argparse.Namespace, data: Mnist, network: Network,
                        masks: Masks, label: str) -> tuple[float, float]:
    """Apply `masks`, fine-tune the survivors; test accuracy before and after."""
    apply_masks(network.weights, masks)
    pruned = _accuracy(network, data)
    finetune = replace(train_config(args), epochs=args.finetune_epochs,
                       learning_rate=args.finetune_lr or args.lr / 10)
    train(network, data.train.images, data.train.labels, finetune, masks=masks,
          progress=bar(args, f"fine-tune {label}"))
    return pruned, _accuracy(network, data)


def _entry(method: str, trained: float, pruned: float, final: float,
           network: Network) -> dict[str, Any]:
    total = sum(w.size for w in network.weights.values())
    kept = sum(int(np.count_nonzero(w)) for w in network.weights.values())
    return {"method": method, "trained_accuracy": trained, "pruned_accuracy": pruned,
            "finetuned_accuracy": final, "channels": channel_counts(network),
            "weights_kept": kept, "weights_total": total}


def run_slimming(args: argparse.Namespace, data: Mnist) -> tuple[str, dict[str, Any]]:
    ratio, lam = args.channel_ratio, args.slimming_lambda
    images, labels = data.train.images, data.train.labels
    scaled = with_scales(build_model(args.model, seed=args.seed))
    train(scaled, images, labels, replace(train_config(args), scale_l1=lam),
          progress=bar(args, f"train {args.model} with scaling factors"))
    trained = _accuracy(scaled, data)
    gammas = np.concatenate([np.abs(w) for n, w in scaled.weights.items() if w.ndim == 1])
    masks = slimming_masks(scaled, ratio)
    pruned, _ = _prune_and_finetune(args, data, scaled, masks, "slimming")
    slim = fold_scales(scaled)
    slimming = _entry("slimming", trained, pruned, _accuracy(slim, data), slim)

    plain = build_model(args.model, seed=args.seed)
    train(plain, images, labels, train_config(args), progress=bar(args, f"train {args.model}"))
    plain_trained = _accuracy(plain, data)
    names = [layer.name for layer in plain.weighted_layers]
    base_pruned, base_final = _prune_and_finetune(
        args, data, plain, uniform_channel_masks(plain.weights, names, ratio), "L1-norm")
    baseline = _entry("l1-norm", plain_trained, base_pruned, base_final, plain)

    full = channel_counts(build_model(args.model, seed=args.seed))
    doc = {"model": args.model, "method": "slimming", "channel_ratio": ratio,
           "slimming_lambda": lam, "seed": args.seed, "train_config": asdict(train_config(args)),
           "finetune_epochs": args.finetune_epochs, "channels_dense": full,
           "gamma_abs_quantiles": {f"q{q}": float(np.quantile(gammas, q / 100))
                                   for q in (10, 50, 90)},
           "results": [slimming, baseline], "test_images_total": len(data.test.labels)}
    if args.out:
        activations = {la.name: "relu" if la.relu else "none" for la in slim.weighted_layers}
        save_model(args.out, slim.weights, activations,
                   {"name": args.name or f"{args.model}-slimming", "network": args.model,
                    "pruning": {k: doc[k] for k in ("method", "channel_ratio",
                                                    "slimming_lambda", "seed")}})
    return _text(doc) + (f"\nwrote {args.out}" if args.out else ""), doc


def _text(doc: dict[str, Any]) -> str:
    full = "/".join(map(str, doc["channels_dense"].values()))
    head = (f"{'method':10s} {'trained':>8s} {'pruned':>8s} {'finetuned':>9s} "
            f"{'weights_kept':>12s}  channels kept per layer (of {full})")
    lines = [f"{doc['model']}: {doc['channel_ratio']:g} of the hidden channels removed; "
             f"slimming lambda {doc['slimming_lambda']:g}; test accuracy over "
             f"{doc['test_images_total']} images; |gamma| after training: 10/50/90 % "
             + " / ".join(f"{v:.3g}" for v in doc["gamma_abs_quantiles"].values()),
             head, "-" * len(head)]
    for r in doc["results"]:
        lines.append(f"{r['method']:10s} {r['trained_accuracy']:8.4f} {r['pruned_accuracy']:8.4f} "
                     f"{r['finetuned_accuracy']:9.4f} {r['weights_kept']:12d}  "
                     + " ".join(f"{n}={c}" for n, c in r["channels"].items()))
    return "\n".join(lines)
