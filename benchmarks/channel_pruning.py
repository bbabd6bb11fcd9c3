"""Channel pruning needs no sparse hardware: LeNet-300-100's neurons and LeNet-5's
channels removed at several ratios, the network compacted to smaller dense layers and
lowered to dense GEMMs on the tensor-core model (convolutions as implicit GEMMs), and its
fully connected layers run on EIE; beside it fine-grained sparsity at the same weight
count per layer (same GEMM shapes: the dense kernel gains nothing) and 2:4 on the sparse
tensor core. Accuracy after a short masked fine-tune, mean and 95 % interval over seeds.

    python benchmarks/channel_pruning.py --json channel.json --png channel.png [--seeds 3]

Every compacted network is checked to compute the masked network's logits (numpy); every
tensor-core launch passes the model's output check (seeded operands of its shape), and
the 2:4 layers' sparse kernels also run their real fine-tuned weights on their real
inputs with the check passing; every EIE run is checked against numpy inside EIELatency.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace

import numpy as np
from common import output_path, write_json

from sparsesim.accelerators.eie import model as eie
from sparsesim.accelerators.stc import model as stc
from sparsesim.accelerators.stc.network import CHECK_BUDGET_MACS, simulate_network
from sparsesim.cli.hw_latency import EIELatency
from sparsesim.cli.progress import progress
from sparsesim.simulator.plots import save_png
from sparsesim.workloads.gemm import MatrixOperands
from sparsesim.workloads.mnist import load_mnist
from sparsesim.workloads.nn.compact import compact
from sparsesim.workloads.nn.gemms import network_gemms
from sparsesim.workloads.nn.layers import Conv2d, Dense, im2col
from sparsesim.workloads.nn.network import Network, build_model
from sparsesim.workloads.nn.training import TrainConfig, apply_masks, train
from sparsesim.workloads.numeric import numeric_type
from sparsesim.workloads.pruning.channel import uniform_channel_masks
from sparsesim.workloads.pruning.channel_plots import channel_figure
from sparsesim.workloads.pruning.latency_oracle import layer_inputs
from sparsesim.workloads.pruning.magnitude import magnitude_mask
from sparsesim.workloads.pruning.n_m import n_m_mask
from sparsesim.workloads.pruning.seed_stats import mean_ci95

MODELS = ("lenet300", "lenet5")
RATIOS = (0.25, 0.5, 0.75)
# Tensor-core figures: (JSON key, batch, launch overhead counted). Batch 1 is latency-bound;
# at 256 the GEMMs are larger; without the model's launch overhead (2 µs per kernel, "not
# published: our choice" in STCConfig) what is left is the kernels' own time.
MEASURES = (("stc_b1_us", 1, True), ("stc_b256_us", 256, True),
            ("stc_b256_no_launch_us", 256, False))
PROBE_IMAGES = 16  # EIE: µs per image averaged over this many training images


class TensorCore:
    """Simulated µs per batch of a network's GEMMs, dense kernel or 2:4 where the layer's
    weights are 2:4; each distinct launch simulated once (shapes repeat across seeds)."""

    def __init__(self, config: stc.STCConfig) -> None:
        self.config, self._done = config, {}

    def micros(self, network: Network, batch: int, two_four: set[str]) -> tuple[float, bool]:
        """µs per batch and whether every launch's output check passed."""
        cycles, ok = 0, True
        for gemm in network_gemms(network, batch):
            s = gemm.launch_shape
            if (s.m, s.n, s.k) not in self._done:
                (layer,) = simulate_network([gemm], "fp16", self.config, 0, "45nm")
                self._done[(s.m, s.n, s.k)] = layer
            layer = self._done[(s.m, s.n, s.k)]
            cycles += layer.pruned_cycles if s.name in two_four else layer.dense_cycles
            ok = ok and layer.result.output_ok
        return cycles / self.config.clock_hz * 1e6, ok

    def real_two_four_ok(self, network: Network, images: np.ndarray,
                         two_four: set[str]) -> bool:
        """Run each 2:4 layer's sparse kernel on its real fine-tuned weights (A, M x K) and
        its real inputs for `images` (B, K x N; a convolution's im2col): True if every
        output check passes and the cycles equal the shape-only run's (timing depends on
        the shape alone)."""
        inputs = layer_inputs(network, network.weights, images)
        layers = network.weighted_layers
        ok = True
        for gemm, layer, x in zip(network_gemms(network, len(images)), layers, inputs):
            if layer.name not in two_four:
                continue
            w = network.weights[layer.name]
            b = (im2col(x, layer.kernel) if isinstance(layer, Conv2d) else x).T
            operands = MatrixOperands(layer.name, w.reshape(len(w), -1), b,
                                      numeric_type("fp16"))
            result = stc.run(stc.compile_operands(operands, self.config), CHECK_BUDGET_MACS)
            s = gemm.launch_shape
            (shape_only,) = simulate_network([gemm], "fp16", self.config, 0, "45nm")
            ok = ok and result.output_ok and (s.m, s.n, s.k) == (
                operands.shape.m, operands.shape.n, operands.shape.k) and (
                result.details["sparse_cycles"] == shape_only.result.details["sparse_cycles"])
        return ok


def eie_micros(network: Network, probe: np.ndarray, config: eie.EIEConfig) -> float:
    """EIE µs per image of the network's fully connected layers, real activations."""
    layers = network.weighted_layers
    latency = EIELatency(config, [getattr(la, "relu", True) for la in layers])
    inputs = layer_inputs(network, network.weights, probe)
    return 1e6 * sum(latency(i, network.weights[la.name], inputs[i])
                     for i, la in enumerate(layers) if isinstance(la, Dense))


def two_four_masks(weights: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """2:4 along each layer's flattened inputs where they divide by 4 (LeNet-5's conv1,
    K = 9, stays dense)."""
    flat = {n: w.reshape(len(w), -1) for n, w in weights.items()}
    return {n: n_m_mask(w) if flat[n].shape[1] % 4 == 0 else np.ones(w.shape, dtype=bool)
            for n, w in weights.items()}


def variants(dense: Network) -> list[tuple[str, float | None, dict[str, np.ndarray]]]:
    """(method, removed-channel ratio or None, masks) of every pruned model to compare."""
    names = [la.name for la in dense.weighted_layers]
    out = []
    for ratio in RATIOS:
        channel = uniform_channel_masks(dense.weights, names, ratio)
        fine = {n: magnitude_mask(w, 1 - channel[n].sum() / w.size)
                for n, w in dense.weights.items()}
        out += [("channel", ratio, channel), ("fine", ratio, fine)]
    return out + [("2:4", None, two_four_masks(dense.weights))]


def measure(model: str, seed: int, args: argparse.Namespace,
            tensor_cores: dict[bool, TensorCore], eie_config: eie.EIEConfig) -> list[dict]:
    data = load_mnist()
    train_images, train_labels = data.train.images, data.train.labels
    dense = build_model(model, seed=seed)
    train(dense, train_images, train_labels,
          TrainConfig(epochs=args.epochs, learning_rate=0.05, l2=5e-4, seed=seed))
    finetune = TrainConfig(epochs=args.finetune_epochs, learning_rate=0.005, l2=5e-4, seed=seed)
    probe = train_images[:PROBE_IMAGES]
    rows = []
    for method, ratio, masks in [("dense", 0.0, None), *variants(dense)]:
        network = dense.copy()
        if masks is not None:
            apply_masks(network.weights, masks)
            train(network, train_images, train_labels, finetune, masks=masks)
        small = compact(network) if method in ("dense", "channel") else network
        same = np.allclose(small.forward(data.test.images[:64])[0],
                           network.forward(data.test.images[:64])[0], rtol=1e-4, atol=1e-4)
        two_four = ({n for n, m in masks.items() if not m.all()} if method == "2:4" else set())
        row = {"model": model, "seed": seed, "method": method, "removed_channel_ratio": ratio,
               "weights_kept": int(sum(np.count_nonzero(w) for w in small.weights.values())),
               "weights_dense": int(sum(w.size for w in dense.weights.values())),
               "accuracy": network.accuracy(data.test.images, data.test.labels),
               "gemm_shapes_mnk": [[g.shape.m, g.shape.n, g.shape.k]
                                   for g in network_gemms(small, 1)],
               "eie_fc_us_per_image": eie_micros(small, probe, eie_config),
               "compact_logits_ok": bool(same)}
        ok = True
        for key, batch, launch in MEASURES:
            row[key], launch_ok = tensor_cores[launch].micros(small, batch, two_four)
            ok = ok and launch_ok
        if method == "2:4":
            row["stc_2of4_real_operands_ok"] = tensor_cores[True].real_two_four_ok(
                small, train_images[:MEASURES[1][1]], two_four)
            ok = ok and row["stc_2of4_real_operands_ok"]
        row["stc_output_ok"] = ok
        if not (same and ok):
            raise RuntimeError(f"{model} {method} {ratio}: an output check failed: {row}")
        rows.append(row)
    return rows


def summarize(rows: list[dict]) -> list[dict]:
    """One line per model, method and ratio: means and 95 % intervals over seeds."""
    out = []
    keys = dict.fromkeys((r["model"], r["method"], r["removed_channel_ratio"]) for r in rows)
    for model, method, ratio in keys:
        mine = [r for r in rows if (r["model"], r["method"], r["removed_channel_ratio"]) == (
            model, method, ratio)]
        dense = [r for r in rows if (r["model"], r["method"]) == (model, "dense")]
        accuracy = mean_ci95([100 * r["accuracy"] for r in mine])
        line = {"model": model, "method": method, "removed_channel_ratio": ratio,
                "weights_kept_fraction": mine[0]["weights_kept"] / mine[0]["weights_dense"],
                **accuracy.to_dict("accuracy_pct"),
                "eie_fc_us_per_image": float(np.mean([r["eie_fc_us_per_image"] for r in mine]))}
        for key, _, _ in MEASURES:
            line[key] = mine[0][key]
            line[key.replace("_us", "_speedup")] = dense[0][key] / mine[0][key]
        out.append(line)
    return out


def table(summary: list[dict]) -> str:
    head = (f"{'model':9s} {'method':8s} {'removed':>7s} {'kept_%':>7s} {'accuracy_%':>14s} "
            + " ".join(f"{key:>{max(11, len(key))}s} {'x':>5s}" for key, _, _ in MEASURES)
            + f" {'eie_fc_us':>9s}")
    lines = [head, "-" * len(head)]
    for s in summary:
        ratio = "-" if s["removed_channel_ratio"] is None else (
            f"{s['removed_channel_ratio']:.2f}")
        accuracy = f"{s['mean_accuracy_pct']:.2f} ± {s['ci95_half_width_accuracy_pct']:.2f}"
        lines.append(f"{s['model']:9s} {s['method']:8s} {ratio:>7s} "
                     f"{100 * s['weights_kept_fraction']:7.1f} {accuracy:>14s} "
                     + " ".join(f"{s[key]:{max(11, len(key))}.2f} "
                                f"{s[key.replace('_us', '_speedup')]:5.2f}"
                                for key, _, _ in MEASURES)
                     + f" {s['eie_fc_us_per_image']:9.3f}")
    return "\n".join(lines)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--json")
    p.add_argument("--png")
    p.add_argument("--seeds", type=int, default=3)
    p.add_argument("--epochs", type=int, default=10, help="dense training epochs")
    p.add_argument("--finetune-epochs", type=int, default=3)
    p.add_argument("--preset", default="a100")
    args = p.parse_args()
    start = time.perf_counter()
    tensor_cores = {True: TensorCore(stc.preset(args.preset)),
                    False: TensorCore(stc.preset(args.preset, launch_overhead_us=0.0))}
    eie_config = replace(eie.EIE_PAPER, num_pes=64)
    rows = [row for model in MODELS
            for seed in progress(range(args.seeds), f"{model} seeds")
            for row in measure(model, seed, args, tensor_cores, eie_config)]
    summary = summarize(rows)
    print(table(summary))
    doc = {"preset": args.preset, "dtype": "fp16", "eie_pes": 64,
           "tensor_core_measures": [{"key": k, "batch": b, "launch_overhead": launch}
                                    for k, b, launch in MEASURES],
           "probe_images": PROBE_IMAGES, "seeds": args.seeds, "epochs": args.epochs,
           "finetune_epochs": args.finetune_epochs, "runs": rows, "summary": summary,
           "wall_seconds": time.perf_counter() - start}
    write_json(output_path("channel_pruning.json", args.json), doc)
    save_png(channel_figure(summary, MEASURES[1:], args.preset),
             output_path("channel_pruning.png", args.png))
    return 0


if __name__ == "__main__":
    sys.exit(main())
