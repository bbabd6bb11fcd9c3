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
from sparsesim.workloads.weight_sharing import share_weights

# Config fields the encoding depends on; every other field only changes timing or energy.
ENCODING_FIELDS = ("num_pes", "weight_index_bits", "relative_row_bits")
# Per-entry decodings only the SimPy reference reads (built before its timing starts).
_DECODINGS = ("entry_weights", "entry_local_rows", "useful_prefix")
_CARRIED = ("pointers_by_column", *_DECODINGS)  # valid while the encoding is unchanged


@dataclass(frozen=True)
class CompiledLayer:
    """A layer as EIE holds it on chip, plus its input activation vector."""

    name: str
    config: EIEConfig
    encoding: EIECSC
    codebook: np.ndarray  # float16, codebook[0] == 0
    activations: np.ndarray  # float32 input vector
    relu: bool
    codes: CSC  # the layer's weights as codebook indices (uint8), for the numpy check

    @cached_property
    def pointers_by_column(self) -> np.ndarray:
        """encoding.ptr transposed to (cols + 1, PEs), C-contiguous: the PEs' pointers of
        one column sit together in memory (the fast engine reads them that way)."""
        return np.ascontiguousarray(self.encoding.ptr.T)

    @cached_property
    def entry_weights(self) -> np.ndarray:
        """Codebook value of every stored entry, float64 (0 for padding entries)."""
        return self.codebook.astype(np.float64)[self.encoding.v]

    @cached_property
    def entry_local_rows(self) -> np.ndarray:
        """PE-local row of every stored entry, as the PE's address accumulator decodes z."""
        return self.encoding.local_rows()

    @cached_property
    def useful_prefix(self) -> np.ndarray:
        """useful_prefix[e] = non-padding entries before entry e (int64, len entries + 1)."""
        useful = np.zeros(len(self.encoding.v) + 1, dtype=np.int64)
        np.cumsum(self.encoding.v != 0, out=useful[1:])
        return useful

    @cached_property
    def issue_split(self) -> dict[str, np.ndarray]:
        """Each PE's issue cycles by kind, from the encoding and the input alone (the
        engines' counts are checked against it): over the nonzero inputs' columns, its
        real entries (useful), its padding entries (v == 0), and one cycle per column
        whose run is empty for it (empty_slice). Arrays indexed by PE. Each padding entry
        is placed in its (PE, column) run by a binary search in the flattened pointers,
        which never decrease, so no array as long as the encoding is allocated."""
        ptr = self.encoding.ptr
        lengths = np.diff(ptr, axis=1)[:, np.flatnonzero(self.activations)]
        run = np.searchsorted(ptr.ravel(), np.flatnonzero(self.encoding.v == 0), "right") - 1
        pe, column = np.divmod(run, ptr.shape[1])
        padding = np.bincount(pe[self.activations[column] != 0], minlength=ptr.shape[0])
        return {"useful": lengths.sum(axis=1) - padding, "padding": padding,
                "empty_slice": np.count_nonzero(lengths == 0, axis=1)}

    def decode_entries(self) -> None:
        """Build the per-entry decodings the SimPy reference reads (once per layer)."""
        for decoded in _DECODINGS:
            getattr(self, decoded)

    @cached_property
    def _reference(self) -> tuple[np.ndarray, float]:
        """numpy y = W_shared x from the CSC of codes, over the columns whose input is
        nonzero (the other columns only add zeros), and the largest |W| |x| entry."""
        x = self.activations.astype(np.float64)
        ptr = self.codes.ptr
        columns = np.flatnonzero(x)
        counts = ptr[columns + 1] - ptr[columns]
        entry = (np.arange(int(counts.sum()), dtype=np.int64)
                 + np.repeat(ptr[columns] - (np.cumsum(counts) - counts), counts))
        weights = self.codebook.astype(np.float64)[self.codes.values[entry]]
        inputs = np.repeat(x[columns], counts)
        rows = self.codes.indices[entry]
        y = np.bincount(rows, weights=weights * inputs, minlength=self.encoding.shape[0])
        mag = np.bincount(rows, weights=np.abs(weights) * np.abs(inputs),
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
        (its numpy reference and decodings carried over, not rebuilt)."""
        changed = [f for f in ENCODING_FIELDS if getattr(config, f) != getattr(self.config, f)]
        if changed:
            raise ConfigError(f"EIE: {', '.join(changed)} change the encoding; compile the "
                              "layer again for this config")
        self.reference_output()  # computed once here, then carried to every copy
        self.issue_split  # noqa: B018 (likewise)
        return self._moved(config=config, carried=(*_CARRIED, "_reference", "issue_split"))

    def with_activations(self, activations: np.ndarray) -> CompiledLayer:
        """The same encoding with another input vector (e.g. the previous layer's output)."""
        return self._moved(activations=np.asarray(activations, dtype=np.float32),
                           carried=_CARRIED)

    def _moved(self, carried: tuple[str, ...], **changes) -> CompiledLayer:
        """A copy with fields changed; the cached properties named in `carried` (those
        the change leaves valid) copied over where this layer has computed them."""
        moved = replace(self, **changes)
        moved.__dict__.update({name: self.__dict__[name] for name in carried
                               if name in self.__dict__})
        return moved


def _share(values: np.ndarray, entries: int) -> dict[str, np.ndarray]:
    shared = share_weights(values, entries=entries)
    return {"codes": shared.codes, "codebook": shared.codebook}


def _encode(codes: CSC, config: EIEConfig) -> dict[str, np.ndarray]:
    encoding = EIECSC.from_csc(codes, config.num_pes, config.weight_index_bits,
                               config.relative_row_bits)
    return {"v": encoding.v, "z": encoding.z, "ptr": encoding.ptr}


def compile_layer(layer: Layer, config: EIEConfig) -> CompiledLayer:
    """Share the nonzero weights (k-means codebook) and encode them for `config.num_pes`.
    Both steps are read from the disk cache when this layer's weights went through them
    before (the codebook with the same number of entries; the encoding with the same
    encoding fields). What the SimPy reference alone reads is decoded when it runs."""
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
    compiled = CompiledLayer(layer.name, config, encoding, shared["codebook"],
                             np.asarray(layer.activations, dtype=np.float32), layer.relu,
                             codes)
    compiled.pointers_by_column  # noqa: B018 (built here, outside the engine's timing)
    return compiled
