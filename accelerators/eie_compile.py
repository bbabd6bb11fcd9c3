"""EIE compile step: weight sharing, then the interleaved CSC each PE stores."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from accelerators.eie_config import EIEConfig
from workloads.formats import EIECSC
from workloads.layer import Layer
from workloads.weight_sharing import share_weights


@dataclass(frozen=True)
class CompiledLayer:
    """A layer as EIE holds it on chip, plus its input activation vector."""

    name: str
    config: EIEConfig
    encoding: EIECSC
    codebook: np.ndarray  # float16, codebook[0] == 0
    activations: np.ndarray  # float32 input vector
    relu: bool
    reference_weights: np.ndarray  # float64 shared weight of each CSC nonzero (for numpy check)
    reference_rows: np.ndarray  # row of each CSC nonzero
    reference_cols: np.ndarray  # column of each CSC nonzero

    def reference_output(self) -> np.ndarray:
        """numpy y = act(W_shared @ x), from the CSC coordinates, not from EIE's encoding."""
        x = self.activations.astype(np.float64)
        products = self.reference_weights * x[self.reference_cols]
        y = np.bincount(self.reference_rows, weights=products, minlength=self.encoding.shape[0])
        return np.maximum(y, 0.0) if self.relu else y

    def reference_scale(self) -> float:
        """Largest |W| @ |x| entry: the scale the output tolerance is relative to."""
        x = np.abs(self.activations.astype(np.float64))
        mag = np.bincount(self.reference_rows,
                          weights=np.abs(self.reference_weights) * x[self.reference_cols],
                          minlength=self.encoding.shape[0])
        return float(mag.max(initial=0.0))


def compile_layer(layer: Layer, config: EIEConfig) -> CompiledLayer:
    """Share the nonzero weights (k-means codebook) and encode them for `config.num_pes`."""
    shared = share_weights(layer.weights.values, entries=config.codebook_entries)
    codes = layer.weights.with_values(shared.codes)
    encoding = EIECSC.from_csc(codes, config.num_pes, config.weight_index_bits,
                               config.relative_row_bits)
    rows, cols = layer.weights.coordinates()
    return CompiledLayer(layer.name, config, encoding, shared.codebook,
                         np.asarray(layer.activations, dtype=np.float32), layer.relu,
                         shared.values(), rows, cols)
