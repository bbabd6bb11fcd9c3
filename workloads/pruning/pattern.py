"""Pattern and connectivity pruning for 3x3 kernels (Niu et al., PatDNN, ASPLOS 2020).

Every kept 3x3 kernel keeps exactly the entries of one pattern from a small set (4 of
the 9 positions, the centre always among them); connectivity pruning removes whole
kernels (one input channel -> one output channel connection).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

import numpy as np

from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.pruning.checks import keep_largest

CENTRE = 4  # index of the centre in a flattened 3x3 kernel
# every 4-entry pattern containing the centre: C(8, 3) = 56 candidates
CANDIDATES = np.array([[p in (CENTRE, *others) for p in range(9)]
                       for others in combinations([0, 1, 2, 3, 5, 6, 7, 8], 3)])


@dataclass(frozen=True)
class PatternPruning:
    mask: np.ndarray  # bool, shape of the weights (out, in, 3, 3)
    patterns: np.ndarray  # bool (patterns, 9): the pattern set chosen
    assigned: np.ndarray  # int (out, in): pattern index per kernel, -1 where removed


def pattern_prune(weights: np.ndarray, patterns: int = 8,
                  connectivity_sparsity: float = 0.0) -> PatternPruning:
    """Choose the `patterns` candidates most often best for the layer's kernels (best =
    keeps most of the kernel's squared magnitude), assign each kernel its best pattern
    in that set, then remove the `connectivity_sparsity` fraction of kernels whose
    pattern-pruned L2 norm is smallest."""
    if weights.ndim != 4 or weights.shape[2:] != (3, 3):
        raise ConfigError(f"pattern pruning needs 3x3 kernels (out, in, 3, 3), "
                          f"got shape {weights.shape}")
    if not 1 <= patterns <= len(CANDIDATES):
        raise ConfigError(f"pattern set size must be 1..{len(CANDIDATES)}, got {patterns}")
    kernels = (weights.reshape(-1, 9).astype(np.float64)) ** 2
    energy = kernels @ CANDIDATES.T  # kept energy of each kernel under each candidate
    votes = np.bincount(energy.argmax(axis=1), minlength=len(CANDIDATES))
    chosen = np.argsort(-votes, kind="stable")[:patterns]
    pattern_set = CANDIDATES[chosen]
    best = energy[:, chosen].argmax(axis=1)
    kept_energy = energy[np.arange(len(kernels)), chosen[best]]
    connected = keep_largest(kept_energy, connectivity_sparsity)
    mask = pattern_set[best] & connected[:, None]
    assigned = np.where(connected, best, -1)
    out, inp = weights.shape[:2]
    return PatternPruning(mask.reshape(weights.shape), pattern_set, assigned.reshape(out, inp))
