"""sparsesim's own model .npz (written by workloads.model_file.save_model) to a Model.

Version 1 holds `<layer>.weight` arrays; version 2 adds optional `<layer>.bias`. Both
read; a newer version is refused with one line.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np

from sparsesim.simulator.errors import FormatError, WorkloadError
from sparsesim.workloads.readers.network import Dense, Model

FORMAT = "sparsesim-model"
VERSION = 2  # 2: optional <layer>.bias arrays
ACTIVATIONS = ("relu", "none")
FIX = "re-save it with workloads.model_file.save_model"


def metadata_of(arrays: dict[str, np.ndarray], path: str) -> dict[str, Any]:
    """The checked `__metadata__` of an own-format archive."""
    if "__metadata__" not in arrays:
        raise FormatError(f"model file {path} has no __metadata__ entry; {FIX}")
    try:
        meta = json.loads(str(arrays["__metadata__"]))
    except json.JSONDecodeError as exc:
        raise FormatError(f"model file {path}: metadata is not valid JSON ({exc})") from None
    _check_metadata(path, meta)
    return meta


def _check_metadata(path: str, meta: Any) -> None:
    """Types of the metadata's format, version and layer list (names unique)."""
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise FormatError(f"model file {path}: metadata must be a JSON object with "
                          f'"format": "{FORMAT}"')
    version = meta.get("version", 1)
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise FormatError(f"model file {path}: metadata \"version\" must be a whole number "
                          f">= 1, got {version!r}; write the file with "
                          "sparsesim.workloads.model_file.save_model")
    if version > VERSION:
        raise FormatError(f"model file {path} is format version {version}; this sparsesim "
                          f"reads versions 1..{VERSION}: upgrade sparsesim")
    layers = meta.get("layers")
    if not isinstance(layers, list) or not layers:
        raise FormatError(f"model file {path}: metadata \"layers\" must be a non-empty list "
                          f"of {{\"name\": ..., \"activation\": ...}} objects, got {layers!r:.60}")
    names = []
    for entry in layers:
        named = isinstance(entry, dict) and isinstance(entry.get("name"), str) and entry["name"]
        if not named:
            raise FormatError(f"model file {path}: every entry of \"layers\" must be an object "
                              f"with a \"name\" string, got {entry!r:.60}")
        activation = entry.get("activation", "relu")
        if activation not in ACTIVATIONS:
            raise FormatError(f"model file {path}: layer {entry['name']} has activation "
                              f"{activation!r}; use one of {', '.join(ACTIVATIONS)}")
        names.append(entry["name"])
    if len(set(names)) != len(names):
        raise FormatError(f"model file {path}: metadata lists a layer name twice")
    if not isinstance(meta.get("name", ""), str):
        raise FormatError(f"model file {path}: metadata \"name\" must be a string")


def is_own_format(arrays: dict[str, np.ndarray]) -> bool:
    meta = arrays.get("__metadata__")
    return meta is not None and meta.dtype.kind == "U" and FORMAT in str(meta)


def from_own_arrays(arrays: dict[str, np.ndarray], path: str, name: str) -> Model:
    meta = metadata_of(arrays, path)
    for key, array in arrays.items():
        if key != "__metadata__" and (array.dtype.kind not in "fiu" or array.dtype.fields):
            raise FormatError(f"model file {path}: {key} holds {array.dtype} values; weights, "
                              "inputs and images must be real numbers (float or integer)")
    layers = []
    for entry in meta["layers"]:
        layer = entry.get("name") if isinstance(entry, dict) else None
        key = f"{layer}.weight"
        if key not in arrays:
            raise FormatError(f"model file {path}: layer {layer!r} has no array {key!r}")
        weight = arrays[key]
        if weight.ndim != 2:
            raise WorkloadError(f"model file {path}: {key} must be 2-D (outputs x inputs), "
                                f"got shape {weight.shape}")
        for part in (key, f"{layer}.bias"):
            if part in arrays and not np.all(np.isfinite(arrays[part])):
                raise WorkloadError(f"model file {path}: {part} contains NaN or infinity; "
                                    "fix the weights and re-save")
        activation = entry.get("activation", "relu")
        if activation not in ACTIVATIONS:
            raise FormatError(f"model file {path}: layer {layer} has activation {activation!r}; "
                              f"use one of {', '.join(ACTIVATIONS)}")
        bias = arrays.get(f"{layer}.bias")
        layers.append(Dense(str(layer), weight.astype(np.float64),
                            None if bias is None else bias.astype(np.float64), activation))
    return Model(str(meta.get("name") or name), tuple(layers), f"sparsesim model v"
                 f"{meta.get('version', 1)}", input=arrays.get("input"),
                 test_images=arrays.get("test_images"), test_labels=arrays.get("test_labels"))
