"""EIE as a registered design: built-in workloads, your own matrices, compile and run."""

from __future__ import annotations

from typing import Any

import numpy as np

from sparsesim.accelerators.eie import model as eie
from sparsesim.accelerators.eie.area import area
from sparsesim.accelerators.eie.config import EIE_SAME_CYCLE_FIFO
from sparsesim.accelerators.protocol import Design, paired_run
from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.eie_layers import WORKLOAD_NAMES, benchmark_workload
from sparsesim.workloads.formats import CSC
from sparsesim.workloads.layer import Layer, Workload
from sparsesim.workloads.model_file import load_model
from sparsesim.workloads.readers import Model
from sparsesim.workloads.shipped_models import SHIPPED_MODELS


def named_workload(name: str, seed: int, config: Any = None) -> Workload:
    """A benchmark layer or chain, or a model shipped with the package, by name."""
    if name in SHIPPED_MODELS:
        return load_model(SHIPPED_MODELS[name], seed=seed)
    return benchmark_workload(name, seed)


def matrix_workload(matrix: Any, seed: int, config: Any = None) -> Workload:
    """A workload from an in-memory model: a Workload as it is, or one weight matrix
    (numpy 2-D array or scipy.sparse, outputs x inputs) as a linear layer y = W x with a
    seeded non-negative input in [0, 1), or a model read by workloads.readers (its FC
    layers, biases kept; anything else refused with one line)."""
    if isinstance(matrix, Workload):
        return matrix
    if isinstance(matrix, Model):
        return matrix.to_workload(seed)
    if hasattr(matrix, "tocsc"):  # scipy.sparse, without importing scipy
        matrix = matrix.toarray()
    if not (hasattr(matrix, "__array__") or isinstance(matrix, list | tuple)):
        raise WorkloadError(f"eie runs a weight matrix (outputs x inputs, numbers), a Workload "
                            f"or a model from sparsesim.load_model; got {type(matrix).__name__}")
    dense = np.asarray(matrix)
    if dense.ndim != 2 or dense.dtype.kind not in "fiu":
        raise WorkloadError(f"eie runs a weight matrix (outputs x inputs, numbers); got an "
                            f"array of shape {dense.shape} and type {dense.dtype}")
    x = np.random.default_rng(seed).random(dense.shape[1], dtype=np.float32)
    layer = Layer("matrix", CSC.from_dense(dense.astype(np.float32)), x, relu=False)
    return Workload("matrix", (layer,))


def plots(results):
    from sparsesim.simulator.plots import pe_activity_figure

    return pe_activity_figure(results)


DESIGN = Design(
    name="eie",
    description="EIE (Han et al., ISCA 2016): compressed sparse FC layers on a PE array",
    config_type=eie.EIEConfig,
    presets={"paper": eie.EIE_PAPER, "same-cycle-fifo": EIE_SAME_CYCLE_FIFO},
    engines=eie.ENGINES,
    workloads=("alexnet", *(n for n in WORKLOAD_NAMES if n != "alexnet"), *SHIPPED_MODELS),
    workload=named_workload,
    compile=eie.compile_workload,
    run=paired_run(eie.run_compiled),
    from_model=matrix_workload,
    plots=plots,
    area=area,
)
