"""Per-design cases for the conformance suite: a small workload, and a corruption that
plants one error in the design's own encoded data (the check must then fail).

Every design in sparsesim.accelerators.registry needs an entry here; the suite fails
for a design without one.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from sparsesim.accelerators.pointacc.keys import pack, unpack
from sparsesim.workloads.conv_layers import ConvWorkload, pruned_layer
from sparsesim.workloads.lstm import LSTMLayer, LSTMModel
from sparsesim.workloads.point_clouds import load_cloud
from sparsesim.workloads.point_layers import point_workload


@dataclasses.dataclass(frozen=True)
class Case:
    workload: Callable[[Any, int], Any]  # (design, seed) -> a small workload
    corrupt: Callable[[Any], Any] | None  # compiled -> compiled with one error planted
    pending: str = ""  # why there is no corruption case yet (empty: there is one)


def _sparse_matrix(seed: int, rows: int = 40, cols: int = 72) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.where(rng.random((rows, cols)) < 0.3, rng.normal(size=(rows, cols)), 0.0)


def _changed_code(encoding, flip: Callable[[np.ndarray], np.ndarray]):
    """The encoding with its first real (nonzero) entry's weight code changed."""
    v = encoding.v.copy()
    first = int(np.flatnonzero(v)[0])
    v[first] = flip(v[first])
    return dataclasses.replace(encoding, v=v)


def _eie_corrupt(compiled):
    layer = compiled.layers[0]
    codes = int(layer.encoding.v.max())
    encoding = _changed_code(layer.encoding, lambda c: c % codes + 1 if codes > 1 else c + 1)
    layers = (dataclasses.replace(layer, encoding=encoding), *compiled.layers[1:])
    return dataclasses.replace(compiled, layers=layers)


def _small_lstm(design, seed: int) -> LSTMModel:
    rng = np.random.default_rng(seed)
    hidden, inputs = 16, 12
    w_ih, w_hh = rng.normal(size=(4 * hidden, inputs)), rng.normal(size=(4 * hidden, hidden))
    mask = rng.random(w_hh.shape) < 0.4
    layer = LSTMLayer("lstm0", w_ih * (rng.random(w_ih.shape) < 0.4), w_hh * mask,
                      rng.normal(size=4 * hidden) * 0.1)
    return LSTMModel("tiny-lstm", (layer,), rng.normal(size=(3, inputs)))


def _ese_corrupt(compiled):
    layer = compiled.layers[0]
    gates = _changed_code(layer.gates, lambda c: -c)
    return dataclasses.replace(compiled, layers=(dataclasses.replace(layer, gates=gates),
                                                 *compiled.layers[1:]))


def _gpu_spmm_corrupt(compiled):
    """One stored nonzero of the sputnik kernel's CSR changed."""
    matrix = compiled.encodings["sputnik"]
    values = matrix.csr.values.copy()
    values[0] += 1.0
    encodings = {**compiled.encodings,
                 "sputnik": dataclasses.replace(matrix, csr=dataclasses.replace(
                     matrix.csr, values=values))}
    return dataclasses.replace(compiled, encodings=encodings)


def _pointacc_corrupt(compiled):
    coords = unpack(compiled.keys)
    coords[0] = coords.max(axis=0) + 7  # one voxel moved outside the cloud
    return dataclasses.replace(compiled, keys=pack(coords))


def _stc_corrupt(compiled):
    """The sparse kernel's schedule loses its last row of output tiles (the plan thinks
    there is one tile row fewer), so that part of C is never computed."""
    first = compiled[0]
    selection = first.selections["sparse"]
    plan = dataclasses.replace(selection.plan, tiles_m=selection.plan.tiles_m - 1)
    assert plan.tiles_m >= 1, "the stc case needs at least two tile rows"
    selections = {**first.selections, "sparse": dataclasses.replace(selection, plan=plan)}
    return [dataclasses.replace(first, selections=selections), *compiled[1:]]


def _patdnn_workload(design, seed: int) -> ConvWorkload:
    rng = np.random.default_rng(seed)
    layer = pruned_layer("conv", rng.standard_normal((8, 6, 3, 3)), rng.random((6, 7, 9)), 1,
                         4, 0.3)
    return ConvWorkload("tiny-conv", (layer,))


def _patdnn_corrupt(compiled):
    layer = compiled.layers[0]
    weight = layer.encoding.weight.copy()
    weight[0] += 1.0
    encoding = dataclasses.replace(layer.encoding, weight=weight)
    return dataclasses.replace(compiled, layers=(dataclasses.replace(layer, encoding=encoding),))


def _torchsparse_corrupt(compiled):
    layer = compiled.layers[0]
    entries = layer.maps.entries.copy()
    entries[0, 0] = (entries[0, 0] + 1) % len(layer.in_coords)  # one map entry reads a wrong row
    maps = dataclasses.replace(layer.maps, entries=entries)
    return dataclasses.replace(compiled, layers=(dataclasses.replace(layer, maps=maps),
                                                 *compiled.layers[1:]))


CASES: dict[str, Case] = {
    "eie": Case(lambda d, seed: d.from_model(_sparse_matrix(seed), seed, d.default_config),
                _eie_corrupt),
    "ese": Case(_small_lstm, _ese_corrupt),
    "stc": Case(lambda d, seed: d.workload("160,64,128", seed, d.default_config),
                _stc_corrupt),
    "gpu-spmm": Case(lambda d, seed: d.workload("96,64,128:unstructured:0.3", seed,
                                                d.default_config), _gpu_spmm_corrupt),
    "pointacc": Case(lambda d, seed: point_workload(load_cloud("kitten"), 0.08, seed=seed,
                                                    samples=32), _pointacc_corrupt),
    "patdnn": Case(_patdnn_workload, _patdnn_corrupt),
    "torchsparse": Case(lambda d, seed: point_workload(load_cloud("kitten"), 0.08, seed=seed),
                        _torchsparse_corrupt),
}
