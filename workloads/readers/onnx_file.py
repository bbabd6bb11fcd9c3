"""ONNX models (needs the optional `onnx` package: pip install 'sparsesim[onnx]').

The graph must be a chain: each node takes the previous node's output and initializers.
Read ops: Gemm, MatMul (+ Add of an initializer: the bias), Conv, Relu, Flatten, LSTM
(forward, default activations; Squeeze after it passes through). Any other op, or an
initializer stored outside the file, is refused with one line naming the op and node.
Initializer shapes are checked (see `bounds`) before their data is converted.
"""

from __future__ import annotations

import os
from dataclasses import replace
from typing import Any

import numpy as np

from sparsesim.simulator.errors import FormatError
from sparsesim.workloads.lstm import LSTMLayer
from sparsesim.workloads.readers.bounds import check_declared
from sparsesim.workloads.readers.network import Conv, Dense, Model, ModelLayer

SUPPORTED = ("Gemm", "MatMul", "Add", "Conv", "Relu", "Flatten", "LSTM", "Squeeze")
ONNX_TO_TORCH_GATES = (0, 2, 3, 1)  # ONNX stores gates i, o, f, c; PyTorch i, f, g(c), o


class _Chain:
    """Walks the nodes, building layers from the tensor flowing along the chain."""

    def __init__(self, path: str, initializers: dict[str, np.ndarray], current: str) -> None:
        self.path, self.init, self.current = path, initializers, current
        self.layers: list[ModelLayer] = []

    def refuse(self, node, why: str) -> FormatError:
        return FormatError(f"{self.path}: node {node.name or '(unnamed)'} ({node.op_type}) "
                           f"{why}")

    def weight(self, node, name: str) -> np.ndarray:
        if name not in self.init:
            raise self.refuse(node, f"takes {name} which is not an initializer; sparsesim reads "
                              "constant weights")
        return self.init[name].astype(np.float64)

    def add(self, node, attrs: dict[str, Any]) -> None:
        op = node.op_type
        if op in ("Flatten", "Squeeze"):
            return
        if op == "Relu":
            last = self.layers[-1] if self.layers else None
            if not isinstance(last, Dense | Conv) or last.activation != "none":
                raise self.refuse(node, "follows no linear layer; sparsesim applies ReLU as "
                                  "a layer's activation")
            self.layers[-1] = replace(last, activation="relu")
            return
        if op == "Add":
            others = [i for i in node.input if i != self.current]
            last = self.layers[-1] if self.layers else None
            if len(others) != 1 or not isinstance(last, Dense | Conv) or last.bias is not None:
                raise self.refuse(node, "is not a bias added to a linear layer; sparsesim "
                                  "reads chains (no residual adds)")
            bias = self.weight(node, others[0]).reshape(-1)
            if bias.shape != last.weight.shape[:1]:
                raise self.refuse(node, f"adds shape {bias.shape}, not one value per output")
            self.layers[-1] = replace(last, bias=bias)
            return
        name = node.name or node.output[0]
        if op == "MatMul":
            self.layers.append(Dense(name, self.weight(node, node.input[1]).T))
        elif op == "Gemm":
            if attrs.get("transA", 0) or attrs.get("alpha", 1.0) != 1.0 or \
                    attrs.get("beta", 1.0) != 1.0:
                raise self.refuse(node, "uses transA, alpha or beta; export with defaults")
            w = self.weight(node, node.input[1])
            bias = self.weight(node, node.input[2]).reshape(-1) if len(node.input) > 2 else None
            self.layers.append(Dense(name, w if attrs.get("transB", 0) else w.T, bias))
        elif op == "Conv":
            self.layers.append(self.conv(node, attrs, name))
        elif op == "LSTM":
            self.layers.append(self.lstm(node, attrs, name))

    def conv(self, node, attrs: dict[str, Any], name: str) -> Conv:
        w = self.weight(node, node.input[1])
        pads = list(attrs.get("pads", [0] * 4))
        if w.ndim != 4 or pads[:2] != pads[2:] or any(d != 1 for d in attrs.get("dilations", [1]))\
                or attrs.get("auto_pad", b"NOTSET") not in (b"NOTSET", "NOTSET"):
            raise self.refuse(node, "is not a 2-D convolution with symmetric pads and no "
                              "dilation; sparsesim lowers only those")
        bias = self.weight(node, node.input[2]) if len(node.input) > 2 else None
        stride = tuple(attrs.get("strides", (1, 1)))
        return Conv(name, w, bias, "none", stride, tuple(pads[:2]), int(attrs.get("group", 1)))

    def lstm(self, node, attrs: dict[str, Any], name: str) -> LSTMLayer:
        if attrs.get("direction", b"forward") not in (b"forward", "forward") or \
                "activations" in attrs or len(node.input) > 4 and any(node.input[4:]):
            raise self.refuse(node, "is not a forward LSTM with default activations and no "
                              "sequence lengths or initial state")
        w, r = self.weight(node, node.input[1])[0], self.weight(node, node.input[2])[0]
        hidden = r.shape[1]
        order = np.concatenate([np.arange(g * hidden, (g + 1) * hidden)
                                for g in ONNX_TO_TORCH_GATES])
        bias = np.zeros(8 * hidden)
        if len(node.input) > 3 and node.input[3]:
            bias = self.weight(node, node.input[3])[0]
        return LSTMLayer(name, w[order], r[order], (bias[:4 * hidden] + bias[4 * hidden:])[order])


def _initializers(graph, path: str) -> dict[str, np.ndarray]:
    import onnx
    from onnx import numpy_helper

    size = os.path.getsize(path)
    found = {}
    for tensor in graph.initializer:
        if tensor.data_location == onnx.TensorProto.EXTERNAL:
            raise FormatError(f"{path}: initializer {tensor.name} is stored in an external file; "
                              "save the model with all tensors inside (onnx.save(model, PATH, "
                              "save_as_external_data=False))")
        itemsize = np.dtype(onnx.helper.tensor_dtype_to_np_dtype(tensor.data_type)).itemsize
        check_declared(path, tensor.name, list(tensor.dims), itemsize, size)
        found[tensor.name] = numpy_helper.to_array(tensor)
    return found


def read_onnx(path: str, name: str) -> Model:
    try:
        import onnx
    except ImportError:
        raise FormatError(f"{path} looks like ONNX, which needs the onnx package: "
                          "pip install 'sparsesim[onnx]'") from None
    try:
        model = onnx.load(path, load_external_data=False)
    except Exception as exc:  # protobuf raises DecodeError and others
        raise FormatError(f"{path} is not a readable ONNX model ({type(exc).__name__}); "
                          "expected .npz, .safetensors or .onnx") from None
    graph = model.graph
    if not graph.node:
        raise FormatError(f"{path} is not a model sparsesim reads: no graph nodes")
    init = _initializers(graph, path)
    inputs = [i for i in graph.input if i.name not in init]
    chain = _Chain(path, init, inputs[0].name if inputs else "")
    for node in graph.node:
        if node.op_type not in SUPPORTED:
            raise chain.refuse(node, f"is not supported; sparsesim reads {', '.join(SUPPORTED)}")
        if chain.current not in node.input:
            raise chain.refuse(node, "does not take the previous node's output; sparsesim "
                               "reads chains of layers")
        try:
            chain.add(node, {a.name: onnx.helper.get_attribute_value(a)
                             for a in node.attribute})
        except (IndexError, ValueError, TypeError) as exc:
            raise chain.refuse(node, f"is malformed ({exc}); re-export the model") from None
        chain.current = node.output[0]
    dims = [d.dim_value for d in inputs[0].type.tensor_type.shape.dim] if inputs else []
    shape = tuple(dims[1:]) if len(dims) == 4 and all(dims[1:]) else None
    return Model(graph.name or name, tuple(chain.layers), "onnx", input_shape=shape)
