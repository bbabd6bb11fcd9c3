"""The nine benchmark layers of EIE (Han et al., ISCA 2016, Table III).

Shapes and densities are the published ones; nonzero positions and values are drawn
at random from a seed (the paper's pruned weights are not public). Weight values are
normal with standard deviation 1/sqrt(nonzeros per row); input activations are
non-negative (post-ReLU), uniform in (0, 1].
"""

from __future__ import annotations

import sys
import zlib
from dataclasses import astuple, dataclass

import numpy as np

from sparsesim.simulator.disk_cache import cached, content_key, source_key
from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.formats import CSC
from sparsesim.workloads.layer import Layer, Workload


@dataclass(frozen=True)
class LayerSpec:
    """A benchmark layer: matrix size and densities as fractions (Table III)."""

    inputs: int
    outputs: int
    weight_density: float
    activation_density: float


# Han et al., EIE, ISCA 2016, Table III (size = input x output; densities in percent / 100).
EIE_LAYERS: dict[str, LayerSpec] = {
    "alexnet-fc6": LayerSpec(9216, 4096, 0.09, 0.351),
    "alexnet-fc7": LayerSpec(4096, 4096, 0.09, 0.353),
    "alexnet-fc8": LayerSpec(4096, 1000, 0.25, 0.375),
    "vgg-fc6": LayerSpec(25088, 4096, 0.04, 0.183),
    "vgg-fc7": LayerSpec(4096, 4096, 0.04, 0.375),
    "vgg-fc8": LayerSpec(4096, 1000, 0.23, 0.411),
    "neuraltalk-we": LayerSpec(4096, 600, 0.10, 1.0),
    "neuraltalk-wd": LayerSpec(600, 8791, 0.11, 1.0),
    "neuraltalk-lstm": LayerSpec(1201, 2400, 0.10, 1.0),
}

EIE_CHAINS: dict[str, tuple[str, ...]] = {
    "alexnet": ("alexnet-fc6", "alexnet-fc7", "alexnet-fc8"),
    "vgg": ("vgg-fc6", "vgg-fc7", "vgg-fc8"),
}


def _rng(name: str, seed: int) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def random_sparse_matrix(rng: np.random.Generator, outputs: int, inputs: int,
                         density: float, chunk_cols: int = 2048) -> CSC:
    """(outputs x inputs) CSC with each entry nonzero with probability `density`."""
    rows_parts, cols_parts = [], []
    for c0 in range(0, inputs, chunk_cols):
        c1 = min(inputs, c0 + chunk_cols)
        cols, rows = np.nonzero(rng.random((c1 - c0, outputs), dtype=np.float32) < density)
        rows_parts.append(rows.astype(np.int32))
        cols_parts.append(cols + c0)
    rows, cols = np.concatenate(rows_parts), np.concatenate(cols_parts)
    per_row = max(1.0, density * inputs)
    values = rng.normal(0.0, 1.0 / np.sqrt(per_row), size=len(rows)).astype(np.float32)
    counts = np.bincount(cols, minlength=inputs)
    ptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    return CSC((outputs, inputs), values, rows, ptr)


def random_activations(rng: np.random.Generator, size: int, density: float) -> np.ndarray:
    """Non-negative vector with round(density * size) nonzeros in (0, 1]."""
    x = np.zeros(size, dtype=np.float32)
    nonzero = rng.choice(size, size=int(round(density * size)), replace=False)
    x[nonzero] = 1.0 - rng.random(len(nonzero), dtype=np.float32)
    return x


def _generate(name: str, seed: int) -> dict[str, np.ndarray]:
    spec = EIE_LAYERS[name]
    rng = _rng(name, seed)
    weights = random_sparse_matrix(rng, spec.outputs, spec.inputs, spec.weight_density)
    x = random_activations(rng, spec.inputs, spec.activation_density)
    return {"values": weights.values, "indices": weights.indices, "ptr": weights.ptr,
            "activations": x}


def benchmark_layer(name: str, seed: int) -> Layer:
    """The seeded layer; generated once, then read from the disk cache."""
    spec = EIE_LAYERS[name]
    key = content_key(source_key(sys.modules[__name__]), name, seed, astuple(spec))
    arrays = cached("eie-layers", key, lambda: _generate(name, seed))
    weights = CSC((spec.outputs, spec.inputs), arrays["values"], arrays["indices"],
                  arrays["ptr"])
    return Layer(name, weights, arrays["activations"], relu=True)


WORKLOAD_NAMES: tuple[str, ...] = (*EIE_CHAINS, *EIE_LAYERS)


def benchmark_workload(name: str, seed: int) -> Workload:
    """A single benchmark layer by name, or a chain (`alexnet`, `vgg`)."""
    if name not in WORKLOAD_NAMES:
        raise WorkloadError(f"unknown workload {name!r}; choose one of {', '.join(WORKLOAD_NAMES)}"
                            " (python sim.py --list shows them)")
    if name in EIE_CHAINS:
        return Workload(name, tuple(benchmark_layer(n, seed) for n in EIE_CHAINS[name]),
                        chained=True)
    return Workload(name, (benchmark_layer(name, seed),))
