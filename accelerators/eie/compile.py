"""EIE compile step: weight sharing, then the interleaved CSC each PE stores."""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from sparsesim.accelerators.eie.config import EIEConfig
from sparsesim.simulator.disk_cache import cached, content_key, source_key
from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads import weight_sharing
from sparsesim.workloads.formats import CSC, EIECSC, eie_csc
from sparsesim.workloads.layer import Layer
from sparsesim.workloads.weight_sharing import SharedWeights, share_weights

# Config fields the encoding depends on; every other field only changes timing or energy.
ENCODING_FIELDS = ("num_pes", "weight_index_bits", "relative_row_bits")
_DECODINGS = ("entry_weights", "entry_local_rows", "useful_prefix", "pointers_by_column")


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

    @cached_property
    def _reference(self) -> tuple[np.ndarray, float]:
        x = self.activations.astype(np.float64)
        products = self.reference_weights * x[self.reference_cols]
        y = np.bincount(self.reference_rows, weights=products, minlength=self.encoding.shape[0])
        mag = np.bincount(self.reference_rows,
                          weights=np.abs(self.reference_weights) * np.abs(x)[self.reference_cols],
                          minlength=self.encoding.shape[0])
        return (np.maximum(y, 0.0) if self.relu else y), float(mag.max(initial=0.0))

    def reference_output(self) -> np.ndarray:
        """numpy y = act(W_shared @ x), from the CSC coordinates, not from EIE's encoding
        (computed once per layer and input)."""
        return self._reference[0]

    def reference_scale(self) -> float:
        """Largest |W| @ |x| entry: the scale the output tolerance is relative to."""
        return self._reference[1]

    def with_config(self, config: EIEConfig) -> CompiledLayer:
        """The same encoding under a config that differs only in timing or energy fields
        (its decodings carried over, not rebuilt)."""
        changed = [f for f in ENCODING_FIELDS if getattr(config, f) != getattr(self.config, f)]
        if changed:
            raise ConfigError(f"EIE: {', '.join(changed)} change the encoding; compile the "
                              "layer again for this config")
        return self._moved(config=config, carried=(*_DECODINGS, "_reference"))

    def with_activations(self, activations: np.ndarray) -> CompiledLayer:
        """The same encoding with another input vector (e.g. the previous layer's output)."""
        return self._moved(activations=np.asarray(activations, dtype=np.float32),
                           carried=_DECODINGS)

    def _moved(self, carried: tuple[str, ...], **changes) -> CompiledLayer:
        """A copy with fields changed; the cached properties named in `carried` (those
        the change leaves valid) computed here once and copied over."""
        moved = replace(self, **changes)
        moved.__dict__.update({name: getattr(self, name) for name in carried})
        return moved


def _share(values: np.ndarray, entries: int) -> dict[str, np.ndarray]:
    shared = share_weights(values, entries=entries)
    return {"codes": shared.codes, "codebook": shared.codebook}


def _encode(codes: CSC, config: EIEConfig) -> dict[str, np.ndarray]:
    """The encoding, and its decoded local rows (the slowest decoding) in the smallest
    unsigned type that holds them."""
    encoding = EIECSC.from_csc(codes, config.num_pes, config.weight_index_bits,
                               config.relative_row_bits)
    local_rows = encoding.local_rows()
    small = np.min_scalar_type(int(local_rows.max(initial=0)))
    return {"v": encoding.v, "z": encoding.z, "ptr": encoding.ptr,
            "local_rows": local_rows.astype(small)}


def compile_layer(layer: Layer, config: EIEConfig) -> CompiledLayer:
    """Share the nonzero weights (k-means codebook) and encode them for `config.num_pes`.
    Both steps are read from the disk cache when this layer's weights went through them
    before (the codebook with the same number of entries; the encoding with the same
    encoding fields). The per-entry decodings the engines read are built here too,
    outside their timing."""
    weights = layer.weights
    content = content_key(source_key(sys.modules[__name__], weight_sharing, eie_csc),
                          weights.shape, weights.values, weights.indices, weights.ptr)
    shared = cached("eie-codebooks", content_key(content, config.codebook_entries),
                    lambda: _share(weights.values, config.codebook_entries))
    codes = weights.with_values(shared["codes"])
    encoded = cached("eie-encodings",
                     content_key(content, [getattr(config, f) for f in ENCODING_FIELDS]),
                     lambda: _encode(codes, config))
    encoding = EIECSC(tuple(weights.shape), config.num_pes, encoded["v"], encoded["z"],
                      encoded["ptr"], config.weight_index_bits, config.relative_row_bits)
    codebook = shared["codebook"]
    rows, cols = weights.coordinates()
    compiled = CompiledLayer(layer.name, config, encoding, codebook,
                             np.asarray(layer.activations, dtype=np.float32), layer.relu,
                             SharedWeights(shared["codes"], codebook).values(), rows, cols)
    compiled.__dict__["entry_local_rows"] = encoded["local_rows"].astype(np.int64)
    for decoded in _DECODINGS:
        getattr(compiled, decoded)
    return compiled
