"""The latency callbacks that hardware-aware pruning (workloads/pruning/) receives: one
weighted layer simulated on EIE's fast engine, input by input, or on the 2:4 tensor-core
model as one GEMM (a convolution as its implicit GEMM), with the simulator's output check passing.

Built here, in the CLI glue, so that workloads/ never imports an accelerator.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence

import numpy as np

from sparsesim.accelerators.eie import model as eie
from sparsesim.accelerators.stc import model as stc
from sparsesim.simulator.errors import FormatError, WorkloadError
from sparsesim.workloads.formats import CSC
from sparsesim.workloads.formats.nm_compressed import NMCompressed
from sparsesim.workloads.layer import Layer
from sparsesim.workloads.lowering import ConvSpec, NetworkGemm, conv, linear


class EIELatency:
    """`simulate(index, weights, inputs)`: mean simulated seconds per input row of layer
    `index` (weights (outputs, inputs), float32) on EIE with `config`. Each layer is
    compiled once (k-means codebook, interleaved CSC) and run once per input; results are
    cached by the exact bytes of weights and inputs. Every run's output is checked
    against numpy; a mismatch raises (it would be a simulator bug)."""

    def __init__(self, config: eie.EIEConfig, relu: Sequence[bool]) -> None:
        self.config, self.relu = config, tuple(relu)
        self._cache: dict[tuple[int, bytes, bytes], float] = {}
        self.simulations = 0  # layer runs actually simulated (not served from the cache)

    def __call__(self, index: int, weights: np.ndarray, inputs: np.ndarray) -> float:
        w = np.ascontiguousarray(weights, dtype=np.float32)
        x = np.ascontiguousarray(inputs, dtype=np.float32)
        key = (index, _digest(w), _digest(x))
        if key not in self._cache:
            self._cache[key] = self._simulate(index, w, x)
        return self._cache[key]

    def _simulate(self, index: int, w: np.ndarray, x: np.ndarray) -> float:
        layer = Layer(f"layer{index}", CSC.from_dense(w), x[0], relu=self.relu[index])
        compiled = eie.compile(layer, self.config)
        cycles = 0
        for row in x:
            result = eie.run(dataclasses.replace(compiled, activations=row))
            if not result.output_ok:
                raise WorkloadError(f"EIE output of layer {index} differs from numpy "
                                    f"(max abs error {result.max_abs_error}); report this")
            cycles += result.cycles
            self.simulations += 1
        return cycles / len(x) / self.config.clock_hz


def _digest(array: np.ndarray) -> bytes:
    return hashlib.sha1(array.tobytes() + str(array.shape).encode()).digest()


class STCLatency:
    """`simulate(index, weights, inputs)` on the 2:4 sparse tensor core: the layer as one
    GEMM through the lowering (a fully connected layer over the input rows; a convolution
    as its implicit GEMM over the input feature maps), M = rows (output channels) of
    `weights` still holding a nonzero (removed neurons and channels vanish), K = inputs
    (input channels x k x k) still holding one, N = input rows (x output pixels); the
    sparse kernel's time if the kept weights are 2:4 along K, else the dense kernel's
    (fine-grained sparsity gains nothing there). Seconds per input; cached by GEMM shape
    and mode; the model's output check (on seeded operands of that shape) must pass."""

    def __init__(self, config: stc.STCConfig, dtype: str = "fp16") -> None:
        self.config, self.dtype = config, dtype
        self._cache: dict[tuple[int, int, int, bool], float] = {}
        self.simulations = 0

    def __call__(self, index: int, weights: np.ndarray, inputs: np.ndarray) -> float:
        gemm, kept = layer_gemm(f"layer{index}", np.asarray(weights), np.asarray(inputs))
        shape = gemm.launch_shape
        key = (shape.m, shape.n, shape.k, _is_two_four(kept))
        if key not in self._cache:
            result = stc.run(stc.compile(shape, self.dtype, self.config))
            if not result.output_ok:
                raise WorkloadError(f"tensor-core output of layer {index} differs from numpy "
                                    f"(max abs error {result.max_abs_error}); report this")
            cycles = result.details["sparse_cycles" if key[3] else "dense_cycles"]
            self._cache[key] = cycles / self.config.clock_hz / len(inputs)
            self.simulations += 1
        return self._cache[key]


def layer_gemm(name: str, w: np.ndarray, x: np.ndarray) -> tuple[NetworkGemm, np.ndarray]:
    """The GEMM of a layer with weights `w` on inputs `x`, its all-zero rows and inputs
    dropped, and the kept weights as the GEMM's A (M x K)."""
    nonzero = w != 0
    rows = np.any(nonzero.reshape(len(w), -1), axis=1)
    cols = np.any(nonzero, axis=tuple(a for a in range(w.ndim) if a != 1))
    kept = w[rows][:, cols]
    m, c = max(1, int(rows.sum())), max(1, int(cols.sum()))
    if w.ndim == 4:
        spec = ConvSpec(c, m, w.shape[2:])
        return conv(name, spec, len(x), *x.shape[2:])[0], kept.reshape(len(kept), -1)
    return linear(name, m, c, len(x)), kept


def _is_two_four(matrix: np.ndarray) -> bool:
    try:
        NMCompressed.from_dense(matrix)
    except FormatError:
        return False
    return matrix.size > 0
