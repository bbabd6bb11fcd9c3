"""A pruned model's fully connected layers as tensor-core GEMMs on its own test images.

Layer i becomes C_i = W_i @ X_i: A = W_i (outputs x inputs, 2:4 along the inputs), B = X_i
(inputs x images), so M = outputs, K = inputs and N = images. X_0 holds the model's test
images; each later X_i is the previous layer's output from the numpy forward pass on the
data-type-rounded weights (the tensor-core model checks every layer's own output). A
layer's bias is added to C in the kernel's epilogue (fp32, before rounding).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from sparsesim.simulator.errors import ConfigError, WorkloadError
from sparsesim.workloads.gemm import MatrixOperands
from sparsesim.workloads.model_file import load_metadata, load_model, load_test_set
from sparsesim.workloads.numeric import numeric_type
from sparsesim.workloads.shipped_models import MODELS_DIR

SHIPPED_GEMM_MODELS = {"lenet300-2of4": MODELS_DIR / "lenet300_2of4.npz"}


@dataclass(frozen=True)
class ModelGemms:
    operands: list[MatrixOperands]
    accuracy: float  # numpy forward in the data type, on the images used
    images: int
    metadata_accuracy: dict[str, float]  # what the model file says (dense, pruned)


def model_gemms(path: str | os.PathLike, dtype: str, images: int | None, seed: int) -> ModelGemms:
    if dtype == "int8":
        raise ConfigError("model files run in fp16 or bf16: int8 needs quantization scales, "
                          "which the model file does not carry; use --dtype fp16")
    kind = numeric_type(dtype)
    workload = load_model(path, seed=seed)
    test = load_test_set(path)
    if test is None:
        raise WorkloadError(f"model file {path} carries no test images; re-save it with them "
                            "(sparsesim prune does by default)")
    count = len(test.labels) if images is None else min(images, len(test.labels))
    x = kind.round(test.images[:count].T.astype(np.float32))  # inputs x images
    operands = []
    for layer in workload.layers:
        weight = kind.round(layer.weights.to_dense().astype(np.float32))
        operands.append(MatrixOperands(layer.name, weight, x, kind, seed, layer.bias))
        x = weight.astype(np.float64) @ x.astype(np.float64)
        if layer.bias is not None:  # added in the kernel's epilogue
            x += layer.bias.astype(np.float64)[:, None]
        x = kind.round((np.maximum(x, 0.0) if layer.relu else x).astype(np.float32))
    accuracy = float(np.mean(np.argmax(x, axis=0) == test.labels[:count]))
    pruning = load_metadata(path).get("pruning", {})
    meta = {k: float(pruning[k]) for k in ("dense_accuracy", "pruned_accuracy") if k in pruning}
    return ModelGemms(operands, accuracy, count, meta)
