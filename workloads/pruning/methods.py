"""Pruning methods by name, each applied to a whole network: weights dict -> masks dict.

Layers a method does not fit are pruned by magnitude at the same sparsity (pattern
pruning acts on 3x3 convolutions only); the classifier (last layer) is never pruned by
whole rows, since a row there is a class.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.pruning.block import block_mask
from sparsesim.workloads.pruning.channel import channel_mask
from sparsesim.workloads.pruning.load_balance import balanced_mask
from sparsesim.workloads.pruning.magnitude import global_magnitude_masks, magnitude_mask
from sparsesim.workloads.pruning.n_m import n_m_mask
from sparsesim.workloads.pruning.pattern import pattern_prune

Weights = dict[str, np.ndarray]


@dataclass(frozen=True)
class MethodOptions:
    n: int = 2  # N of N:M
    m: int = 4  # M of N:M
    block: tuple[int, int] = (4, 4)  # block shape, rows x cols
    patterns: int = 8  # pattern set size
    connectivity_sparsity: float = 0.0  # fraction of 3x3 kernels removed whole
    num_pes: int = 64  # PEs for load-balance-aware pruning (EIE paper: 64)


def _per_layer(rule: Callable[[np.ndarray, float, MethodOptions], np.ndarray]):
    def apply(weights: Weights, sparsity: float, options: MethodOptions) -> Weights:
        return {name: rule(w, sparsity, options) for name, w in weights.items()}
    return apply


def _channel(weights: Weights, sparsity: float, options: MethodOptions) -> Weights:
    names = list(weights)
    masks = {name: channel_mask(weights[name], sparsity) for name in names[:-1]}
    masks[names[-1]] = magnitude_mask(weights[names[-1]], sparsity)
    return masks


def _pattern(w: np.ndarray, sparsity: float, options: MethodOptions) -> np.ndarray:
    if w.ndim == 4 and w.shape[2:] == (3, 3):
        return pattern_prune(w, options.patterns, options.connectivity_sparsity).mask
    return magnitude_mask(w, sparsity)


def _balanced(w: np.ndarray, sparsity: float, options: MethodOptions) -> np.ndarray:
    matrix = w.reshape(w.shape[0], -1)
    mask = balanced_mask(matrix, sparsity, options.num_pes)
    return np.asarray(mask, dtype=bool).reshape(w.shape)


METHODS: dict[str, Callable[[Weights, float, MethodOptions], Weights]] = {
    "magnitude": _per_layer(lambda w, s, o: magnitude_mask(w, s)),
    "global": lambda weights, s, o: global_magnitude_masks(weights, s),
    "nm": _per_layer(lambda w, s, o: n_m_mask(w, o.n, o.m)),
    "block": _per_layer(lambda w, s, o: block_mask(w, s, o.block)),
    "channel": _channel,
    "pattern": _per_layer(_pattern),
    "balanced": _per_layer(_balanced),
}


def prune_masks(method: str, weights: Weights, sparsity: float,
                options: MethodOptions = MethodOptions()) -> Weights:
    """Masks (True = keep) for every layer of `weights` by the named method."""
    if method not in METHODS:
        raise ConfigError(f"unknown pruning method {method!r}; choose one of "
                          f"{', '.join(METHODS)}")
    return METHODS[method](weights, sparsity, options)
