"""Model files: one .npz holding named weight arrays and a JSON metadata string.

Keys: `<layer>.weight` (outputs x inputs, float32, pruned entries zero), optionally
`<layer>.bias` (outputs, float32; format version 2), optionally
`input` (a real input vector for the first layer), optionally `test_images` (images x
inputs of the first layer, float32) with `test_labels` (one class index per image, the
index of the last layer's largest output), and `__metadata__`, a JSON document:
    {"format": "sparsesim-model", "version": 2,
     "layers": [{"name": "fc1", "activation": "relu" | "none"}, ...], ...}
Layers run in the listed order, each feeding the next. Optional metadata written by the
pruning front end: "pruning" (method, sparsity per layer, accuracy before and after),
"codebooks" (per layer, when weights are shared), "network", "source". Version 1 files
(no biases) still read. Reading goes through workloads.readers (bounded, no pickles).
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

import numpy as np

from sparsesim.simulator.atomic_file import write_atomically
from sparsesim.simulator.errors import FormatError, WorkloadError
from sparsesim.workloads.layer import Workload
from sparsesim.workloads.readers.load import check_model_path
from sparsesim.workloads.readers.load import load_model as read_model
from sparsesim.workloads.readers.npz_archive import read_npz
from sparsesim.workloads.readers.sparsesim_npz import FORMAT, VERSION, metadata_of


def save_model(path: str | os.PathLike, weights: dict[str, np.ndarray],
               activations: dict[str, str], metadata: dict[str, Any] | None = None,
               input_vector: np.ndarray | None = None, test_images: np.ndarray | None = None,
               test_labels: np.ndarray | None = None,
               biases: dict[str, np.ndarray] | None = None) -> None:
    """Write a model file atomically; `weights` is ordered first layer to last; `biases`
    (optional, by layer name) are kept as `<layer>.bias`."""
    meta = dict(metadata or {})
    meta.update({"format": FORMAT, "version": VERSION,
                 "layers": [{"name": name, "activation": activations.get(name, "relu"),
                             "shape_out_in": list(np.shape(w))} for name, w in weights.items()]})
    arrays = {f"{name}.weight": np.asarray(w, dtype=np.float32) for name, w in weights.items()}
    for name, b in (biases or {}).items():
        if name not in weights:
            raise WorkloadError(f"save_model: bias for {name!r} but no such layer")
        arrays[f"{name}.bias"] = np.asarray(b, dtype=np.float32)
    if input_vector is not None:
        arrays["input"] = np.asarray(input_vector, dtype=np.float32)
    if (test_images is None) != (test_labels is None):
        raise WorkloadError("save_model: give test_images and test_labels together")
    if test_images is not None:
        arrays["test_images"] = np.asarray(test_images, dtype=np.float32)
        arrays["test_labels"] = np.asarray(test_labels, dtype=np.int64)
    arrays["__metadata__"] = np.array(json.dumps(meta))
    write_atomically(path, lambda handle: np.savez_compressed(handle, **arrays))


def _read(path: str) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The file's arrays and its checked metadata."""
    check_model_path(path)
    arrays = read_npz(path)
    return arrays, metadata_of(arrays, path)


def load_arrays(path: str | os.PathLike) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The model file's arrays by key (any shape: conv weights stay 4-D) and its checked
    metadata."""
    return _read(os.fspath(path))


def load_metadata(path: str | os.PathLike) -> dict[str, Any]:
    """The model file's checked metadata (layers, pruning, accuracies, ...)."""
    return _read(os.fspath(path))[1]


def load_model(path: str | os.PathLike, seed: int = 0) -> Workload:
    """Read and check a model file (any format workloads.readers reads) as a chained FC
    workload; without an `input` array the first layer gets a seeded random
    non-negative input in [0, 1)."""
    return read_model(path).to_workload(seed)


@dataclass(frozen=True)
class LabelledImages:
    """Real inputs carried by a model file, for classification on a simulator."""

    images: np.ndarray  # float32 (images, inputs of the first layer)
    labels: np.ndarray  # int64 (images,)


def load_test_set(path: str | os.PathLike) -> LabelledImages | None:
    """The model's `test_images` and `test_labels`, checked against its layers, or None."""
    workload = load_model(path)
    arrays, _ = _read(os.fspath(path))
    if "test_images" not in arrays and "test_labels" not in arrays:
        return None
    if "test_images" not in arrays or "test_labels" not in arrays:
        raise FormatError(f"model file {path}: test_images and test_labels must come together")
    images, labels = arrays["test_images"], arrays["test_labels"]
    inputs = workload.layers[0].weights.shape[1]
    classes = workload.layers[-1].weights.shape[0]
    if images.ndim != 2 or images.shape[1] != inputs or labels.shape != images.shape[:1]:
        raise WorkloadError(f"model file {path}: test_images {images.shape} and test_labels "
                            f"{labels.shape} must be (n, {inputs}) and (n,)")
    if not np.all(np.isfinite(images)):
        raise WorkloadError(f"model file {path}: test_images contain NaN or infinity")
    if labels.dtype.kind not in "iu":
        raise FormatError(f"model file {path}: test_labels must be whole numbers, got "
                          f"{labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= classes):
        raise WorkloadError(f"model file {path}: test_labels must be class indices "
                            f"0..{classes - 1}")
    return LabelledImages(images.astype(np.float32), labels.astype(np.int64))
