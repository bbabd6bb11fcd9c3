"""EIE compile step: weight sharing, then the interleaved CSC each PE stores."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sparsesim.accelerators.eie.config import EIEConfig
from sparsesim.workloads.formats import EIECSC
from sparsesim.workloads.layer import Layer
from sparsesim.workloads.weight_sharing import share_weights


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

    @cached_property
    def entry_weights(self) -> np.ndarray:
        """Codebook value of every stored entry, float64 (0 for padding entries)."""
        return self.codebook.astype(np.float64)[self.encoding.v]

    @cached_property
    def entry_local_rows(self) -> np.ndarray:
        """PE-local row of every stored entry, as the PE's address accumulator decodes z."""
        return self.encoding.local_rows()

    @cached_property
    def pointers_by_column(self) -> np.ndarray:
        """encoding.ptr transposed to (cols + 1, PEs), C-contiguous: the PEs' pointers of
        one column sit together in memory (the fast engine reads them that way)."""
        return np.ascontiguousarray(self.encoding.ptr.T)

    @cached_property
    def useful_prefix(self) -> np.ndarray:
        """useful_prefix[e] = non-padding entries before entry e (int64, len entries + 1)."""
        return np.concatenate([[0], np.cumsum(self.encoding.v != 0)]).astype(np.int64)

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
    """Share the nonzero weights (k-means codebook) and encode them for `config.num_pes`.
    The per-entry decodings the engines read are built here too, outside their timing."""
    shared = share_weights(layer.weights.values, entries=config.codebook_entries)
    codes = layer.weights.with_values(shared.codes)
    encoding = EIECSC.from_csc(codes, config.num_pes, config.weight_index_bits,
                               config.relative_row_bits)
    rows, cols = layer.weights.coordinates()
    compiled = CompiledLayer(layer.name, config, encoding, shared.codebook,
                             np.asarray(layer.activations, dtype=np.float32), layer.relu,
                             shared.values(), rows, cols)
    for decoded in ("entry_weights", "entry_local_rows", "useful_prefix", "pointers_by_column"):
        getattr(compiled, decoded)
    return compiled
