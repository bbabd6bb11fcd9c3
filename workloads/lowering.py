"""Lowering a network to the GEMMs a tensor core runs: C (M x N) = A (M x K) @ B (K x N).

- Linear layer, `tokens` inputs: M = output features, K = input features, N = tokens.
- Convolution as implicit GEMM: M = C_out / groups, K = C_in / groups x kh x kw,
  N = batch x H_out x W_out, once per group (a depthwise convolution is C GEMMs with M = 1).
- Attention per head and sequence: scores S = Q K^T with M = query tokens, K = head
  size, N = key tokens; output O = P V with M = query tokens, K = key tokens, N = head
  size. Both multiply activations by activations, so 2:4 weight pruning does not apply
  to them (`prunable` False): they run dense in the pruned network too.
- LSTM layer, T steps: per step the gate GEMM M = 4H, K = inputs + H, N = batch.
`batched` independent GEMMs of one shape (a convolution's groups, attention's heads x
sequences) run as one batched kernel launch; `count` is how many times that launch runs
one after another (repeated blocks, layers, LSTM steps).
"""

from __future__ import annotations

from dataclasses import dataclass

from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.gemm import GemmShape
from sparsesim.workloads.lstm import LSTMLayer
from sparsesim.workloads.readers.network import Conv, Dense, Model


@dataclass(frozen=True)
class NetworkGemm:
    """One GEMM shape of a network: `batched` of them per kernel launch, the launch run
    `count` times; `prunable`: A is a weight matrix."""

    shape: GemmShape
    count: int = 1
    prunable: bool = True
    batched: int = 1

    def __post_init__(self) -> None:
        for name in ("count", "batched"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise WorkloadError(f"GEMM {self.shape.name}: {name} must be a whole number "
                                    f">= 1, got {value!r}")

    @property
    def launch_shape(self) -> GemmShape:
        """The kernel one launch runs: the batched GEMMs side by side along N (the same
        tiles and B traffic; A, one small matrix per GEMM, is counted once)."""
        s = self.shape
        return GemmShape(s.name, s.m, s.n * self.batched, s.k)

    @property
    def macs(self) -> int:
        """Dense multiply-accumulates of all GEMMs of all launches."""
        return self.shape.macs * self.batched * self.count


def linear(name: str, out_features: int, in_features: int, tokens: int,
           count: int = 1) -> NetworkGemm:
    return NetworkGemm(GemmShape(name, out_features, tokens, in_features), count)


def conv_output_size(size: int, kernel: int, stride: int, padding: int) -> int:
    """Output pixels along one axis: floor((size + 2 padding - kernel) / stride) + 1."""
    out = (size + 2 * padding - kernel) // stride + 1
    if out < 1:
        raise WorkloadError(f"convolution with kernel {kernel}, stride {stride}, padding "
                            f"{padding} leaves no output from an input of {size} pixels")
    return out


@dataclass(frozen=True)
class ConvSpec:
    """A 2-D convolution's sizes (square kernels and strides need not be square)."""

    c_in: int
    c_out: int
    kernel: tuple[int, int]
    stride: tuple[int, int] = (1, 1)
    padding: tuple[int, int] = (0, 0)
    groups: int = 1


def conv(name: str, spec: ConvSpec, batch: int, height: int, width: int,
         count: int = 1) -> tuple[NetworkGemm, tuple[int, int]]:
    """The implicit GEMM of one convolution and its output (H_out, W_out)."""
    if spec.c_in % spec.groups or spec.c_out % spec.groups:
        raise WorkloadError(f"convolution {name}: {spec.groups} groups do not divide "
                            f"{spec.c_in} input and {spec.c_out} output channels")
    h_out = conv_output_size(height, spec.kernel[0], spec.stride[0], spec.padding[0])
    w_out = conv_output_size(width, spec.kernel[1], spec.stride[1], spec.padding[1])
    shape = GemmShape(name, spec.c_out // spec.groups, batch * h_out * w_out,
                      spec.c_in // spec.groups * spec.kernel[0] * spec.kernel[1])
    return NetworkGemm(shape, count, batched=spec.groups), (h_out, w_out)


def attention(name: str, query_tokens: int, key_tokens: int, heads: int, head_size: int,
              batch: int, count: int = 1) -> list[NetworkGemm]:
    """QK^T and PV of one attention layer, batched over heads and sequences (not
    prunable)."""
    per_launch = heads * batch
    return [NetworkGemm(GemmShape(f"{name}-qk", query_tokens, key_tokens, head_size), count,
                        prunable=False, batched=per_launch),
            NetworkGemm(GemmShape(f"{name}-pv", query_tokens, head_size, key_tokens), count,
                        prunable=False, batched=per_launch)]


def lstm(layer: LSTMLayer, steps: int, batch: int) -> NetworkGemm:
    """The gate GEMM [W_ih | W_hh] of one LSTM layer, once per step (projection: none)."""
    if layer.w_proj is not None:
        raise WorkloadError(f"LSTM {layer.name}: projections are not lowered yet; run it on "
                            "--accel ese")
    return NetworkGemm(GemmShape(f"{layer.name}-gates", 4 * layer.hidden, batch,
                                 layer.inputs + layer.outputs), steps)


def lower_model(model: Model, batch: int, steps: int = 1) -> list[NetworkGemm]:
    """GEMMs of an imported model on `batch` inputs (LSTMs: `steps` time steps).
    Convolutions need the model's input image size (ONNX files with a fixed input shape
    carry it)."""
    gemms: list[NetworkGemm] = []
    size = model.input_shape[1:] if model.input_shape else None
    for layer in model.layers:
        if isinstance(layer, Dense):
            out, inp = layer.weight.shape
            gemms.append(linear(layer.name, out, inp, batch))
        elif isinstance(layer, Conv):
            if size is None:
                raise WorkloadError(f"model {model.name}: convolution {layer.name} needs the "
                                    "input's height and width; export the model with a fixed "
                                    "input shape")
            c_out, c_in, kh, kw = layer.weight.shape
            spec = ConvSpec(c_in * layer.groups, c_out, (kh, kw), layer.stride, layer.padding,
                            layer.groups)
            gemm, size = conv(layer.name, spec, batch, *size)
            gemms.append(gemm)
        else:
            gemms.append(lstm(layer, steps, batch))
    return gemms
