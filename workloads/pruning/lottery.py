"""Lottery-ticket search with rewinding (Frankle & Carbin, ICLR 2019; rewinding to an
early iteration: Frankle et al., "Stabilizing the Lottery Ticket Hypothesis", 2019).

Train; prune a fraction of the surviving weights of each layer by magnitude; reset the
survivors to their values after `rewind_epochs` epochs of the first training and train
again under the mask. Repeat for each round. The control keeps the same masks but
starts every round from a fresh random initialization.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.mnist import Mnist
from sparsesim.workloads.nn.network import Network, he_init
from sparsesim.workloads.nn.training import TrainConfig, train
from sparsesim.workloads.pruning.magnitude import magnitude_mask

Weights = dict[str, np.ndarray]


@dataclass(frozen=True)
class LotteryRound:
    sparsity: float  # fraction of all weights removed in this round's mask
    accuracy_rewound: float  # test accuracy, survivors reset to the rewind point, retrained
    accuracy_random: float  # test accuracy, same mask, fresh random init, retrained


def _masked(weights: Weights, masks: Weights) -> Weights:
    return {name: w * masks[name] for name, w in weights.items()}


def lottery_ticket(network: Network, data: Mnist, config: TrainConfig, rounds: int,
                   prune_fraction: float = 0.5, rewind_epochs: int = 1) -> list[LotteryRound]:
    """Round 0 is the dense network; each later round removes `prune_fraction` of the
    weights still alive in every layer. `network` holds the initialization on entry."""
    if not 0 <= rewind_epochs < config.epochs:
        raise ConfigError(f"rewind epoch must be in [0, {config.epochs}), got {rewind_epochs}")
    train_x, train_y = data.train.images, data.train.labels
    test_x, test_y = data.test.images, data.test.labels
    train(network, train_x, train_y, replace(config, epochs=rewind_epochs))
    rewind = {name: w.copy() for name, w in network.weights.items()}
    rest = replace(config, epochs=config.epochs - rewind_epochs, seed=config.seed + 1)
    train(network, train_x, train_y, rest)
    dense = network.accuracy(test_x, test_y)
    history = [LotteryRound(0.0, dense, dense)]
    masks = {name: np.ones(w.shape, dtype=bool) for name, w in network.weights.items()}
    total = sum(m.size for m in masks.values())
    for r in range(1, rounds + 1):
        for name, w in network.weights.items():
            alive = masks[name].mean()
            masks[name] &= magnitude_mask(w, 1.0 - alive * (1.0 - prune_fraction))
        network.weights = _masked(rewind, masks)
        train(network, train_x, train_y, rest, masks=masks)
        rewound = network.accuracy(test_x, test_y)
        control = Network(network.name, network.layers,
                          _masked(he_init(network.layers, config.seed + 1000 + r), masks))
        train(control, train_x, train_y, replace(config, seed=config.seed + 1), masks=masks)
        sparsity = 1.0 - sum(int(m.sum()) for m in masks.values()) / total
        history.append(LotteryRound(sparsity, rewound,
                                    control.accuracy(test_x, test_y)))
    return history
