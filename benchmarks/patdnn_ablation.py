"""PatDNN ablation: dense im2col, CSR, pattern, + filter kernel reorder, + LRE, in one run.

    python benchmarks/patdnn_ablation.py [--model LENET5.npz] [--scale 1] [--out PATH.json]

Workloads: LeNet-5 trained on the shipped MNIST and pattern-pruned by our front end
(`sparsesim prune --model lenet5 --method pattern --connectivity-sparsity 0.5`, run here
unless --model names such a file), and the VGG-16 / ResNet-18 stride-1 3x3 conv shapes
(workloads/conv_layers.py, one layer per stage, 224x224 input; --scale divides H and W)
with seeded weights pattern-pruned by the same front end (8 patterns, connectivity
sparsity 0.5). Each variant runs on the modelled Snapdragon 855 (4 Cortex-A76 threads),
outputs checked against numpy. Prints the table and each step's measured factor, a
second pass with pattern dispatch free (mispredict_cycles=0) to separate what reorder
buys in dispatch from what it buys in balance, writes JSON and a PNG (PATH.png).

Published (Niu et al., ASPLOS 2020, abstract): on a mobile CPU, PatDNN is up to 44.5x,
11.4x and 7.1x faster than TensorFlow Lite, TVM and MNN (dense frameworks, whole
networks). The paper also breaks the speedup down per optimization; we could not
retrieve those per-step figures, so only the dense-vs-PatDNN factor is set beside ours.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

from common import RESULTS, output_path, write_json
from tqdm import tqdm

from sparsesim.accelerators.patdnn.ablation import (
    ablation_figure,
    factors,
    run_ablation,
)
from sparsesim.accelerators.patdnn.config import ABLATION
from sparsesim.cli.patdnn import ablation_table
from sparsesim.simulator.plots import save_png
from sparsesim.workloads.conv_layers import lenet5_from_file, network_workload

PUBLISHED = {"source": "Niu et al., PatDNN, ASPLOS 2020, abstract (arXiv 2001.00138)",
             "speedup_over_tflite_up_to": 44.5, "speedup_over_tvm_up_to": 11.4,
             "speedup_over_mnn_up_to": 7.1}
PRUNE_ARGS = ["--model", "lenet5", "--method", "pattern", "--connectivity-sparsity", "0.5",
              "--quiet"]


def lenet5_model(path: str | None) -> str:
    """A pattern-pruned LeNet-5 file: `path`, or made by the front end (cached)."""
    if path:
        return path
    made = RESULTS / "lenet5_pattern_c50.npz"
    if not made.exists():
        from sparsesim.cli.prune_frontend import main as prune

        RESULTS.mkdir(parents=True, exist_ok=True)
        prune([*PRUNE_ARGS, "--out", str(made)])
    return str(made)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", help="LeNet-5 model file from sparsesim prune (default: "
                                        "made by the front end)")
    parser.add_argument("--scale", type=int, default=1,
                        help="divide VGG/ResNet spatial size by this (default 1: real)")
    parser.add_argument("--engine", default="fast", choices=("fast", "reference"))
    parser.add_argument("--out", help="JSON path (default benchmarks/results/"
                                      "patdnn_ablation.json)")
    args = parser.parse_args()
    start = time.perf_counter()
    workloads = [lenet5_from_file(lenet5_model(args.model)),
                 network_workload("vgg16", 0, scale=args.scale),
                 network_workload("resnet18", 0, scale=args.scale)]
    document = {"published": PUBLISHED, "engine": args.engine, "scale": args.scale,
                "prune_args": PRUNE_ARGS, "workloads": {}}
    plotted = {}
    bar = tqdm(total=2 * len(workloads) * len(ABLATION), desc="patdnn ablation",
               file=sys.stderr, disable=not sys.stderr.isatty())
    for workload in workloads:
        entry = {}
        for label, overrides in (("as_configured", {}), ("dispatch_free",
                                                         {"mispredict_cycles": 0})):
            variants = run_ablation(workload, engine=args.engine, seed=0, tech="45nm",
                                    overrides=overrides, progress=lambda _: bar.update(1))
            summaries = {name: s for name, (_, s) in variants.items()}
            entry[label] = {"summaries": summaries, "factors": factors(summaries),
                            "layers": {name: [r.details for r in results]
                                       for name, (results, _) in variants.items()}}
            bar.clear()
            print(f"\n{workload.name} ({label}):")
            print(ablation_table(summaries))
            if label == "as_configured":
                plotted[workload.name] = summaries
        document["workloads"][workload.name] = entry
    bar.close()
    document["wall_seconds"] = time.perf_counter() - start
    out = output_path("patdnn_ablation.json", args.out)
    write_json(out, document)
    png = os.path.splitext(out)[0] + ".png"
    save_png(ablation_figure(plotted), png)
    print(f"\npublished: {PUBLISHED}")
    print(f"wrote {out} and {png}")


if __name__ == "__main__":
    main()
