"""Latency budgets for hardware-aware pruning: the floor check, masked fine-tuning, and
the bisection on one pruning knob that the baselines use."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.nn.blas_threads import single_threaded_blas
from sparsesim.workloads.nn.network import Network
from sparsesim.workloads.nn.training import TrainConfig, apply_masks, softmax_cross_entropy, train
from sparsesim.workloads.pruning.latency_oracle import LatencyOracle
from sparsesim.workloads.pruning.validation import SearchData

Masks = dict[str, np.ndarray]
BISECTION_STEPS = 20
SETTLE_ROUNDS = 5  # fine-tunes tried before returning a model over the budget


@dataclass
class Pruned:
    """A pruned, fine-tuned model and its simulated latency."""

    method: str
    network: Network
    masks: Masks
    seconds: float  # simulated seconds per input, after the last fine-tune
    validation_accuracy: float

    def sparsity(self) -> dict[str, float]:
        return {n: 1.0 - float(m.mean()) for n, m in self.masks.items()}


def check_budget(oracle: LatencyOracle, budget_seconds: float, neurons: bool) -> float:
    """The floor in seconds; a ConfigError naming it in µs when the budget is below."""
    floor = oracle.seconds(oracle.floor_weights(neurons))
    if budget_seconds < floor:
        raise ConfigError(f"latency budget {budget_seconds * 1e6:.4f} µs is below the floor "
                          f"{floor * 1e6:.4f} µs (every layer at its largest pruning step, "
                          "simulated); ask for at least that")
    return floor


def finetune(network: Network, masks: Masks, data: SearchData, config: TrainConfig,
             seed: int) -> float:
    """Zero the pruned weights and train the survivors in place (pruned weights stay
    zero); returns the validation accuracy."""
    apply_masks(network.weights, masks)
    if config.epochs:
        train(network, data.train.images, data.train.labels, replace(config, seed=seed),
              masks=masks)
    return network.accuracy(data.validation.images, data.validation.labels)


def validation_loss(network: Network, data: SearchData) -> float:
    """Mean cross-entropy on the validation split: a finer score than accuracy on a few
    hundred images, where proposals often tie."""
    with single_threaded_blas():
        logits, _ = network.forward(data.validation.images)
    return softmax_cross_entropy(logits, data.validation.labels)[0]


def fit_budget(method: str, dense: Network, masks_for: Callable[[Network, float], Masks],
               oracle: LatencyOracle, budget_seconds: float, data: SearchData,
               config: TrainConfig, seed: int) -> Pruned:
    """Bisect the knob k in [0, 1] (more pruning as k grows) for the least pruning whose
    simulated latency meets the target, fine-tune, and re-simulate; if fine-tuning moved
    the latency over the budget, lower the target by the overshoot and start again from
    `dense` (at most SETTLE_ROUNDS times)."""
    def latency(k: float) -> float:
        masks = masks_for(dense, k)
        return oracle.seconds({n: w * masks[n] for n, w in dense.weights.items()})

    if latency(1.0) > budget_seconds:
        raise ConfigError(f"{method}: even its strongest pruning misses the budget "
                          f"{budget_seconds * 1e6:.4f} µs; raise the budget")
    target = budget_seconds
    for attempt in range(SETTLE_ROUNDS):
        low, high = 0.0, 1.0
        for _ in range(BISECTION_STEPS):
            middle = (low + high) / 2
            low, high = (low, middle) if latency(middle) <= target else (middle, high)
        network = dense.copy()
        masks = masks_for(dense, high)
        accuracy = finetune(network, masks, data, config, seed + attempt)
        seconds = oracle.seconds(network.weights)
        if seconds <= budget_seconds:
            break
        target -= seconds - budget_seconds
    return Pruned(method, network, masks, seconds, accuracy)
