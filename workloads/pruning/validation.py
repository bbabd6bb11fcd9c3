"""A validation split carved from the training data, for searches that choose between
pruned models (NetAdapt, AMC, baselines): the test split is never looked at while
choosing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.mnist import Split


@dataclass(frozen=True)
class SearchData:
    train: Split  # what the networks train and fine-tune on
    validation: Split  # what the search measures accuracy on
    test: Split  # reported at the end only


def carve_validation(train: Split, test: Split, fraction: float = 0.125,
                     seed: int = 0) -> SearchData:
    """Move a seeded random `fraction` of `train` into a validation split."""
    if not 0 < fraction < 1:
        raise ConfigError(f"validation fraction must be in (0, 1), got {fraction}")
    order = np.random.default_rng(seed).permutation(len(train.labels))
    cut = int(round(fraction * len(order)))
    held, kept = np.sort(order[:cut]), np.sort(order[cut:])
    return SearchData(Split(train.images[kept], train.labels[kept]),
                      Split(train.images[held], train.labels[held]), test)
