"""load_model(path): read any model file sparsesim knows, chosen by its content.

.npz archives (sparsesim's own format, scipy.sparse.save_npz, or a state dict),
.safetensors state dicts and ONNX models all become one `Model`. Pickles (including
PyTorch .pt/.pth checkpoints) are refused without being opened by pickle.
"""

from __future__ import annotations

import json
import os
import re

from sparsesim.simulator.errors import FormatError
from sparsesim.workloads.readers.network import Model
from sparsesim.workloads.readers.npz_archive import PICKLE_FIX, read_npz
from sparsesim.workloads.readers.onnx_file import read_onnx
from sparsesim.workloads.readers.safetensors_file import looks_like_safetensors, read_safetensors
from sparsesim.workloads.readers.scipy_npz import from_scipy_arrays, is_scipy_npz
from sparsesim.workloads.readers.sparsesim_npz import from_own_arrays, is_own_format
from sparsesim.workloads.readers.state_dict import from_state_dict

ZIP_MAGIC = b"PK\x03\x04"
NPY_MAGIC = b"\x93NUMPY"


def _is_pickle(head: bytes) -> bool:
    """Pickle protocol 2+ starts with PROTO (0x80) and the protocol number."""
    return len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5


def _natural(key: str) -> list:
    """Sort key: fc2 before fc10, layers.2 before layers.10."""
    return [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", key)]


def _metadata(text: str | None, path: str) -> dict:
    if not text:
        return {}
    try:
        meta = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FormatError(f"{path}: metadata is not valid JSON ({exc})") from None
    if not isinstance(meta, dict):
        raise FormatError(f"{path}: metadata must be a JSON object")
    return meta


def check_model_path(path: str) -> None:
    """A model file must exist and be a regular file (not a folder, FIFO or device)."""
    if not os.path.exists(path):
        raise FormatError(f"model file {path} not found; check the path")
    if not os.path.isfile(path):
        raise FormatError(f"model file {path} is not a regular file; give a model file")


def load_model(path: str | os.PathLike) -> Model:
    """Read the model in `path` (bounded; never unpickles)."""
    path = os.fspath(path)
    check_model_path(path)
    name = os.path.splitext(os.path.basename(path))[0]
    with open(path, "rb") as handle:
        head = handle.read(16)
    if head.startswith(ZIP_MAGIC):
        arrays = read_npz(path)
        if is_own_format(arrays):
            return from_own_arrays(arrays, path, name)
        if is_scipy_npz(arrays):
            return from_scipy_arrays(arrays, path, name)
        meta = arrays.pop("__metadata__", None)
        return from_state_dict(arrays, _metadata(None if meta is None else str(meta), path),
                               name, "npz state dict", path)
    if _is_pickle(head):
        raise FormatError(f"{path} is a pickle; sparsesim never unpickles; {PICKLE_FIX}")
    if head.startswith(NPY_MAGIC):
        raise FormatError(f"{path} is a single .npy array, not a model; save named weights: "
                          "numpy.savez(PATH, **{'fc1.weight': w1, 'fc1.bias': b1, ...})")
    if looks_like_safetensors(head):
        tensors, meta = read_safetensors(path)
        ordered = dict(sorted(tensors.items(), key=lambda item: _natural(item[0])))
        return from_state_dict(ordered, _metadata(meta.get("sparsesim"), path), name,
                               "safetensors state dict", path)
    if path.endswith(".npz"):
        raise FormatError(f"model file {path} is not a readable .npz (not a zip archive); "
                          "re-save it with numpy.savez or workloads.model_file.save_model")
    return read_onnx(path, name)
