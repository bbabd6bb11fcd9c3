"""Iterative pruning with fine-tuning (Han et al., NeurIPS 2015): prune a little, retrain
the survivors at a reduced learning rate (1/10 of the original by default), repeat.

The kept fraction shrinks geometrically: after step i of K it is (1 - target)^(i / K).
Each step's mask is ANDed with the previous one, so pruned weights never return.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.mnist import Mnist
from sparsesim.workloads.nn.network import Network
from sparsesim.workloads.nn.training import Progress, TrainConfig, train

Weights = dict[str, np.ndarray]
Pruner = Callable[[Weights, float], Weights]  # (weights, sparsity) -> masks


@dataclass(frozen=True)
class PruneStep:
    sparsity: float  # target fraction of weights removed after this step
    accuracy_pruned: float  # test accuracy right after pruning, before fine-tuning
    accuracy_finetuned: float  # test accuracy after fine-tuning
    layer_sparsity: dict[str, float]  # fraction of each layer's weights that are zero


def layer_sparsity(masks: Weights) -> dict[str, float]:
    return {name: 1.0 - float(mask.mean()) for name, mask in masks.items()}


def schedule(target: float, steps: int) -> list[float]:
    """Sparsity after each of `steps` steps, kept fraction shrinking geometrically."""
    if steps < 1:
        raise ConfigError(f"iterative pruning needs >= 1 step, got {steps}")
    return [1.0 - (1.0 - target) ** ((i + 1) / steps) for i in range(steps)]


def iterative_prune(network: Network, data: Mnist, pruner: Pruner, target: float, steps: int,
                    finetune: TrainConfig,
                    progress: Callable[[int], Progress | None] = lambda step: None,
                    ) -> tuple[Weights, list[PruneStep]]:
    """Prune `network` in place to `target` sparsity in `steps` steps, fine-tuning after
    each with `finetune` (seed offset by the step); returns the final masks and history."""
    masks: Weights = {n: np.ones(w.shape, dtype=bool) for n, w in network.weights.items()}
    history = []
    test = data.test
    for i, sparsity in enumerate(schedule(target, steps)):
        new = pruner(network.weights, sparsity)
        masks = {name: masks[name] & new[name] for name in masks}
        for name, mask in masks.items():
            network.weights[name] *= mask
        pruned = network.accuracy(test.images, test.labels)
        train(network, data.train.images, data.train.labels,
              replace(finetune, seed=finetune.seed + i + 1), masks=masks, progress=progress(i))
        history.append(PruneStep(sparsity, pruned, network.accuracy(test.images, test.labels),
                                 layer_sparsity(masks)))
    return masks, history
