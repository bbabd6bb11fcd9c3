"""ESE compile step: 12-bit fixed-point weights, each PE's rows of the gate matrix
[W_ih | W_hh] and of the projection in interleaved CSC (weight code + relative index)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field, replace
from functools import cached_property

import numpy as np

from sparsesim.accelerators.ese.config import ESEConfig
from sparsesim.simulator.disk_cache import cached, content_key, source_key
from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.formats import CSC, EIECSC, eie_csc
from sparsesim.workloads.lstm import LSTMLayer, LSTMModel

# Config fields the encoding depends on; every other field only changes timing or energy.
ENCODING_FIELDS = ("pes_per_channel", "weight_bits", "relative_index_bits")


def _check_encoding(old: ESEConfig, new: ESEConfig) -> None:
    changed = [f for f in ENCODING_FIELDS if getattr(old, f) != getattr(new, f)]
    if changed:
        raise ConfigError(f"ESE: {', '.join(changed)} change the encoding; compile the model "
                          "again for this config")


@dataclass(frozen=True)
class QuantizedMatrix:
    """codes * scale is the matrix the hardware multiplies with."""

    codes: np.ndarray  # int64, nonzero wherever the pruned matrix is nonzero
    scale: float  # weight units per code step

    @property
    def values(self) -> np.ndarray:
        return self.codes * self.scale


def quantize(matrix: np.ndarray, bits: int) -> QuantizedMatrix:
    """Symmetric linear quantization, one scale per matrix (our choice; ESE gives 12-bit
    weights but not the scaling rule). A kept weight never rounds to code 0: it takes
    the nearest nonzero code, so pruning alone decides which entries exist."""
    top = 2 ** (bits - 1) - 1
    peak = float(np.abs(matrix).max(initial=0.0))
    scale = peak / top if peak > 0 else 1.0
    codes = np.clip(np.rint(matrix / scale), -top, top).astype(np.int64)
    tiny = (codes == 0) & (matrix != 0)
    codes[tiny] = np.sign(matrix[tiny]).astype(np.int64)
    return QuantizedMatrix(codes, scale)


@dataclass
class PEMatrix:
    """A PE-side view of one encoded matrix: per-entry weight and local row."""

    encoding: EIECSC
    weights: np.ndarray  # float64 weight code x scale per entry (0 for padding)
    local_rows: np.ndarray
    useful: np.ndarray  # int64 prefix count of non-padding entries
    pointer_base: int  # first pointer-memory address of this matrix
    rows_per_pe: int = field(init=False)

    def __post_init__(self) -> None:
        self.rows_per_pe = -(-self.encoding.shape[0] // self.encoding.num_pes)


def pe_matrix(encoding: EIECSC, column_scale: np.ndarray, pointer_base: int) -> PEMatrix:
    columns = np.tile(np.arange(encoding.shape[1]), encoding.num_pes)
    entry_column = np.repeat(columns, encoding.column_lengths().ravel())
    weights = encoding.v.astype(np.float64) * column_scale[entry_column]
    useful = np.concatenate([[0], np.cumsum(encoding.v != 0)]).astype(np.int64)
    return PEMatrix(encoding, weights, encoding.local_rows(), useful, pointer_base)


_DECODED = ("gate_matrix", "projection_matrix")  # valid while the encoding is unchanged


@dataclass(frozen=True)
class CompiledLSTMLayer:
    """One layer as an ESE channel holds it."""

    name: str
    config: ESEConfig
    gates: EIECSC  # 4H x (inputs + outputs): input columns first, then recurrent columns
    gate_column_scale: np.ndarray  # float64 per gate-matrix column: scale of W_ih or W_hh
    projection: EIECSC | None  # outputs x H
    projection_scale: float
    bias: np.ndarray  # float64 (4H,)
    quantized: LSTMLayer  # the same weights dequantized, dense: what numpy checks against

    @property
    def hidden(self) -> int:
        return self.quantized.hidden

    @property
    def inputs(self) -> int:
        return self.quantized.inputs

    @property
    def outputs(self) -> int:
        return self.quantized.outputs

    @cached_property
    def gate_matrix(self) -> PEMatrix:
        """The gate matrix as both engines' PEs read it (built once per encoding)."""
        return pe_matrix(self.gates, self.gate_column_scale, 0)

    @cached_property
    def projection_matrix(self) -> PEMatrix | None:
        """The projection likewise; its pointers follow the gate matrix's in memory."""
        if self.projection is None:
            return None
        return pe_matrix(self.projection, np.full(self.projection.shape[1],
                                                  self.projection_scale),
                         self.gates.shape[1] + 1)

    def with_config(self, config: ESEConfig) -> CompiledLSTMLayer:
        """The same encodings under a config differing only in timing or energy fields
        (the PE-side matrices carried over)."""
        _check_encoding(self.config, config)
        moved = replace(self, config=config)
        moved.__dict__.update({k: self.__dict__[k] for k in _DECODED if k in self.__dict__})
        return moved

    def pe_nonzeros(self) -> np.ndarray:
        """Nonzero weights each PE stores (gate matrix and projection), int64."""
        total = _nonzeros_per_pe(self.gates)
        if self.projection is not None:
            total = total + _nonzeros_per_pe(self.projection)
        return total

    def dense_weights(self) -> int:
        """Weights of the unpruned gate matrix and projection."""
        total = int(np.prod(self.gates.shape))
        return total + (int(np.prod(self.projection.shape)) if self.projection is not None else 0)

    def size_bits(self) -> dict[str, int]:
        bits = self.config.entry_bits
        out = {"gate_entries_bits": len(self.gates.v) * bits,
               "gate_pointers_bits": self.gates.ptr.size * self.config.pointer_bits}
        if self.projection is not None:
            out["projection_entries_bits"] = len(self.projection.v) * bits
            out["projection_pointers_bits"] = self.projection.ptr.size * self.config.pointer_bits
        out["total_bits"] = sum(out.values())
        return out


def _nonzeros_per_pe(encoding: EIECSC) -> np.ndarray:
    pe = np.repeat(np.arange(encoding.num_pes), encoding.entries_per_pe())
    return np.bincount(pe[encoding.v != 0], minlength=encoding.num_pes).astype(np.int64)


@dataclass(frozen=True)
class CompiledLSTM:
    name: str
    config: ESEConfig
    layers: tuple[CompiledLSTMLayer, ...]
    frames: np.ndarray  # float64 (T, inputs of the first layer)

    def with_config(self, config: ESEConfig) -> CompiledLSTM:
        """The same encodings under a config differing only in timing or energy fields."""
        _check_encoding(self.config, config)
        return replace(self, config=config,
                       layers=tuple(layer.with_config(config) for layer in self.layers))


def _encode(codes: np.ndarray, config: ESEConfig) -> EIECSC:
    """Interleaved CSC of a matrix of weight codes, read from the disk cache when the
    same codes were encoded for the same encoding fields before."""
    def encode() -> dict[str, np.ndarray]:
        encoding = EIECSC.from_csc(CSC.from_dense(codes), config.pes_per_channel,
                                   config.weight_bits, config.relative_index_bits, signed=True)
        return {"v": encoding.v, "z": encoding.z, "ptr": encoding.ptr}

    key = content_key(source_key(sys.modules[__name__], eie_csc),
                      codes.astype(np.int16),  # weight_bits <= 16: every code fits exactly
                      [getattr(config, f) for f in ENCODING_FIELDS])
    arrays = cached("ese-encodings", key, encode)
    return EIECSC(tuple(codes.shape), config.pes_per_channel, arrays["v"], arrays["z"],
                  arrays["ptr"], config.weight_bits, config.relative_index_bits, signed=True)


def compile_layer(layer: LSTMLayer, config: ESEConfig) -> CompiledLSTMLayer:
    w_ih, w_hh = (quantize(m, config.weight_bits) for m in (layer.w_ih, layer.w_hh))
    scales = np.concatenate([np.full(layer.inputs, w_ih.scale), np.full(layer.outputs,
                                                                         w_hh.scale)])
    projection, projection_scale, proj_values = None, 1.0, None
    if layer.w_proj is not None:
        proj = quantize(layer.w_proj, config.weight_bits)
        projection, projection_scale, proj_values = _encode(proj.codes, config), proj.scale, \
            proj.values
    quantized = replace(layer, w_ih=w_ih.values, w_hh=w_hh.values, w_proj=proj_values)
    compiled = CompiledLSTMLayer(layer.name, config,
                                 _encode(np.hstack([w_ih.codes, w_hh.codes]), config), scales,
                                 projection, projection_scale, layer.bias.copy(), quantized)
    for decoded in _DECODED:  # built here, outside the engines' timing
        getattr(compiled, decoded)
    return compiled


def compile_model(model: LSTMModel, config: ESEConfig) -> CompiledLSTM:
    return CompiledLSTM(model.name, config,
                        tuple(compile_layer(layer, config) for layer in model.layers),
                        np.asarray(model.frames, dtype=np.float64))
