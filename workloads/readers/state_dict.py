"""PyTorch-style state dicts (flat name -> array maps, from .npz or .safetensors) to a Model.

Keys are `<layer>.<part>`: `weight` (2-D: fully connected), `bias`, or the pair
`weight_orig` + `weight_mask` that torch.nn.utils.prune leaves (the mask is applied);
LSTM layers are nn.LSTM's `weight_ih_l<k>`, `weight_hh_l<k>`, `bias_ih_l<k>`,
`bias_hh_l<k>` (layer k) or nn.LSTMCell's `weight_ih`, `weight_hh`, `bias_ih`, `bias_hh`.
Top-level `input` (or `frames`, for an LSTM) is a stored input. Layers run in the order
of a metadata list `layers` (names, or {"name", "activation"} objects), else in the
order the names first appear. State dicts carry no activation functions: unless the
metadata says, every layer but the last applies ReLU and the last none (stated in the
run's notes). Any other key is refused with one line.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from sparsesim.simulator.errors import FormatError
from sparsesim.workloads.lstm import LSTMLayer
from sparsesim.workloads.readers.network import Dense, Model, ModelLayer

INPUT_KEYS = ("input", "frames")
DENSE_PARTS = ("weight", "bias", "weight_orig", "weight_mask", "bias_orig", "bias_mask")
LSTM_PART = re.compile(r"(weight_ih|weight_hh|bias_ih|bias_hh)(_l(\d+))?$")
DEFAULT_ACTIVATIONS = "relu after every layer but the last (a state dict names no activations)"


def _masked(arrays: dict[str, np.ndarray], prefix: str, part: str, path: str):
    """`part` of the layer, or part_orig x part_mask (checked to be 0/1 and aligned)."""
    if f"{prefix}.{part}" in arrays:
        return arrays[f"{prefix}.{part}"].astype(np.float64)
    orig, mask = arrays.get(f"{prefix}.{part}_orig"), arrays.get(f"{prefix}.{part}_mask")
    if orig is None and mask is None:
        return None
    if orig is None or mask is None or orig.shape != mask.shape:
        raise FormatError(f"{path}: {prefix}.{part}_orig and {prefix}.{part}_mask must come "
                          "together with the same shape (torch.nn.utils.prune's pair)")
    if not np.all((mask == 0) | (mask == 1)):
        raise FormatError(f"{path}: {prefix}.{part}_mask must hold only 0 and 1")
    return np.where(mask != 0, orig.astype(np.float64), 0.0)


def _groups(arrays: dict[str, np.ndarray], path: str) -> dict[str, dict[str, str]]:
    """Layer prefix -> {part: key}, in order of first appearance."""
    groups: dict[str, dict[str, str]] = {}
    for key in arrays:
        if key in INPUT_KEYS:
            continue
        prefix, _, part = key.rpartition(".")
        if not prefix or not (part in DENSE_PARTS or LSTM_PART.match(part)):
            raise FormatError(f"{path}: tensor {key!r} is not a layer's weight, bias, "
                              "weight_orig/weight_mask or LSTM weight; sparsesim reads "
                              "fully connected and LSTM layers (remove it or export ONNX)")
        groups.setdefault(prefix, {})[part] = key
    if not groups:
        raise FormatError(f"{path}: no layer weights found; expect keys like fc1.weight")
    return groups


def _lstm_layers(prefix: str, parts: dict[str, str], arrays: dict[str, np.ndarray],
                 path: str) -> list[LSTMLayer]:
    stacks: dict[str, dict[str, np.ndarray]] = {}
    for part, key in parts.items():
        match = LSTM_PART.match(part)
        if match is None:
            raise FormatError(f"{path}: {key} mixes LSTM and fully connected parts in {prefix}")
        stacks.setdefault(match.group(3) or "", {})[match.group(1)] = arrays[key].astype(
            np.float64)
    layers = []
    for level, found in sorted(stacks.items(), key=lambda item: int(item[0] or 0)):
        if "weight_ih" not in found or "weight_hh" not in found:
            raise FormatError(f"{path}: LSTM {prefix} layer {level or 0} needs weight_ih and "
                              "weight_hh")
        rows = found["weight_ih"].shape[0]
        bias = found.get("bias_ih", np.zeros(rows)) + found.get("bias_hh", np.zeros(rows))
        name = f"{prefix}.l{level}" if level else prefix
        layers.append(LSTMLayer(name, found["weight_ih"], found["weight_hh"], bias))
    return layers


def _entries(metadata: dict[str, Any], groups: dict[str, dict[str, str]],
             path: str) -> tuple[list[dict[str, Any]], bool]:
    """Ordered [{"name", "activation"?}] and whether the metadata gave the order."""
    listed = metadata.get("layers")
    if listed is None:
        return [{"name": name} for name in groups], False
    entries = [{"name": e} if isinstance(e, str) else e for e in listed]
    if not all(isinstance(e, dict) and e.get("name") in groups for e in entries):
        raise FormatError(f"{path}: metadata 'layers' must list layer names among "
                          f"{', '.join(groups)}")
    missing = set(groups) - {e["name"] for e in entries}
    if missing:
        raise FormatError(f"{path}: metadata 'layers' leaves out {', '.join(sorted(missing))}; "
                          "list every layer (nothing is dropped silently)")
    return entries, True


def from_state_dict(arrays: dict[str, np.ndarray], metadata: dict[str, Any], name: str,
                    source: str, path: str) -> Model:
    """The Model a state dict describes (see the module docstring for the rules)."""
    groups = _groups(arrays, path)
    entries, listed = _entries(metadata, groups, path)
    layers: list[ModelLayer] = []
    notes = []
    for i, entry in enumerate(entries):
        prefix, parts = entry["name"], groups[entry["name"]]
        if not set(parts) <= set(DENSE_PARTS):
            layers.extend(_lstm_layers(prefix, parts, arrays, path))
            continue
        weight = _masked(arrays, prefix, "weight", path)
        if weight is None or weight.ndim != 2:
            shape = None if weight is None else weight.shape
            raise FormatError(f"{path}: layer {prefix} needs a 2-D weight (outputs x inputs), "
                              f"got {shape}; convolutions need stride and padding, so export "
                              "them as ONNX")
        bias = _masked(arrays, prefix, "bias", path)
        if bias is not None and bias.shape != weight.shape[:1]:
            raise FormatError(f"{path}: {prefix}.bias has shape {bias.shape}, expected "
                              f"({weight.shape[0]},)")
        default = "none" if i == len(entries) - 1 else "relu"
        activation = entry.get("activation") or default
        if "activation" not in entry and DEFAULT_ACTIVATIONS not in notes:
            notes.append(DEFAULT_ACTIVATIONS)
        layers.append(Dense(prefix, weight, bias, activation))
    if not listed:
        notes.append("layer order: as the names appear in the file")
    stored = next((arrays[k] for k in INPUT_KEYS if k in arrays), None)
    return Model(name, tuple(layers), source, input=stored, notes=tuple(notes))
