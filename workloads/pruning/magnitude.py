"""Fine-grained magnitude pruning (Han et al., "Learning both Weights and Connections",
NeurIPS 2015): remove the weights of smallest |w|, per layer or over all layers at once."""

from __future__ import annotations

import numpy as np

from sparsesim.workloads.pruning.checks import keep_largest

Weights = dict[str, np.ndarray]


def magnitude_mask(weights: np.ndarray, sparsity: float) -> np.ndarray:
    """Keep the (1 - sparsity) fraction of entries with the largest |w| in this layer."""
    return keep_largest(np.abs(weights), sparsity)


def global_magnitude_masks(weights: Weights, sparsity: float) -> Weights:
    """One threshold over all layers: the (1 - sparsity) fraction of all weights with the
    largest |w| are kept, so layers with many small weights lose more."""
    names = list(weights)
    flat = np.concatenate([np.abs(weights[n]).ravel() for n in names])
    kept = keep_largest(flat, sparsity)
    masks, start = {}, 0
    for name in names:
        size = weights[name].size
        masks[name] = kept[start:start + size].reshape(weights[name].shape)
        start += size
    return masks
