"""Seeded mini-batch SGD with momentum, optional L1 / L2, and mask-aware updates.

With masks, each weight's gradient and momentum are zeroed where the mask is False and
the weight is re-zeroed after every step, so pruned weights stay exactly zero.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sparsesim.simulator.errors import ConfigError, WorkloadError
from sparsesim.workloads.nn.blas_threads import single_threaded_blas
from sparsesim.workloads.nn.layers import Scale
from sparsesim.workloads.nn.network import Network, Weights

# A progress report: (units done, units in all or None if open-ended, latest figures).
Progress = Callable[[int, int | None, dict[str, float]], None]
Masks = dict[str, np.ndarray]


@dataclass(frozen=True)
class TrainConfig:
    epochs: int = 10
    learning_rate: float = 0.05
    momentum: float = 0.9
    batch_size: int = 64
    l1: float = 0.0  # coefficient of sum |w| added to the loss
    l2: float = 0.0  # coefficient of 0.5 * sum w^2 added to the loss
    scale_l1: float = 0.0  # coefficient of sum |gamma| over Scale layers' factors (Network
    # Slimming's sparsity penalty, on those factors only)
    seed: int = 0  # shuffling order

    def __post_init__(self) -> None:
        if self.epochs < 0 or self.batch_size < 1:
            raise ConfigError(f"epochs must be >= 0 and batch size >= 1, got {self.epochs} "
                              f"and {self.batch_size}")
        if not self.learning_rate > 0 or not 0 <= self.momentum < 1:
            raise ConfigError(f"learning rate must be > 0 and momentum in [0, 1), got "
                              f"{self.learning_rate} and {self.momentum}")
        if self.l1 < 0 or self.l2 < 0 or self.scale_l1 < 0:
            raise ConfigError(f"l1, l2 and scale l1 must be >= 0, got {self.l1}, {self.l2} "
                              f"and {self.scale_l1}")


def softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean loss over the batch and its gradient with respect to the logits."""
    shifted = logits - logits.max(axis=1, keepdims=True)
    log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = len(labels)
    loss = -float(log_probs[np.arange(n), labels].mean())
    grad = np.exp(log_probs)
    grad[np.arange(n), labels] -= 1.0
    return loss, (grad / n).astype(logits.dtype)


def apply_masks(weights: Weights, masks: Masks | None) -> None:
    """Zero every masked-out weight in place."""
    for name, mask in (masks or {}).items():
        weights[name] *= mask


def train(network: Network, images: np.ndarray, labels: np.ndarray, config: TrainConfig,
          masks: Masks | None = None, progress: Progress | None = None) -> float:
    """Train `network` in place; returns the mean loss of the last epoch."""
    with single_threaded_blas():
        return _train(network, images, labels, config, masks, progress)


def _train(network: Network, images: np.ndarray, labels: np.ndarray, config: TrainConfig,
           masks: Masks | None, progress: Progress | None) -> float:
    rng = np.random.default_rng(config.seed)
    scales = {layer.name for layer in network.layers if isinstance(layer, Scale)}
    velocity = {name: np.zeros_like(w) for name, w in network.weights.items()}
    apply_masks(network.weights, masks)
    batches = -(-len(images) // config.batch_size)
    total, step, epoch_loss = config.epochs * batches, 0, float("nan")
    for _ in range(config.epochs):
        order = rng.permutation(len(images))
        losses = []
        for start in range(0, len(images), config.batch_size):
            batch = order[start:start + config.batch_size]
            with np.errstate(over="ignore", invalid="ignore"):  # checked just below
                logits, caches = network.forward(images[batch])
                loss, dlogits = softmax_cross_entropy(logits, labels[batch])
                grads = network.backward(dlogits, caches)
                _step(network.weights, grads, velocity, config, masks, scales)
            if not np.isfinite(loss):
                raise WorkloadError(f"training diverged in epoch {step // batches + 1} (loss "
                                    f"{loss}); lower the learning rate (now "
                                    f"{config.learning_rate:g})")
            losses.append(loss)
            step += 1
            if progress is not None:
                progress(step, total, {"loss": float(np.mean(losses))})
        epoch_loss = float(np.mean(losses))
    if not all(np.all(np.isfinite(w)) for w in network.weights.values()):
        raise WorkloadError(f"training diverged (weights reached NaN or infinity); lower the "
                            f"learning rate (now {config.learning_rate:g})")
    return epoch_loss


def _step(weights: Weights, grads: Weights, velocity: Weights, config: TrainConfig,
          masks: Masks | None, scales: set[str]) -> None:
    for name, grad in grads.items():
        w = weights[name]
        if config.l2:
            grad = grad + config.l2 * w
        if config.l1:
            grad = grad + config.l1 * np.sign(w)
        if config.scale_l1 and name in scales:
            grad = grad + config.scale_l1 * np.sign(w)
        if masks is not None and name in masks:
            grad = grad * masks[name]
        velocity[name] = config.momentum * velocity[name] - config.learning_rate * grad
        w += velocity[name]
        if masks is not None and name in masks:
            w *= masks[name]
