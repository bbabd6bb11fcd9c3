"""k-means weight sharing of a pruned layer (Han et al., Deep Compression, ICLR 2016):
the nonzeros are replaced by the nearest of `entries - 1` shared values (codebook entry
0 stays zero), reusing workloads.weight_sharing."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.workloads.weight_sharing import share_weights


@dataclass(frozen=True)
class SharedLayer:
    weights: np.ndarray  # float32, same shape, each nonzero replaced by its shared value
    codebook: np.ndarray  # float16, codebook[0] == 0


def share_layer(weights: np.ndarray, entries: int = 16) -> SharedLayer:
    """Cluster the layer's nonzero weights to a codebook of `entries` 16-bit values."""
    nonzero = weights != 0
    shared = share_weights(weights[nonzero], entries=entries)
    out = np.zeros(weights.shape, dtype=np.float32)
    out[nonzero] = shared.values()
    return SharedLayer(out, shared.codebook)
