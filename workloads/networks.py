"""Built-in networks at their published shapes, lowered to GEMMs (see `lowering`).

- resnet50: He et al., "Deep Residual Learning", CVPR 2016, Table 1 (bottleneck
  stages of 3, 4, 6, 3 blocks, widths 64..512, 4x expansion), 224 x 224 input; the
  stride-2 convolution of each downsampling block is its 3x3 (torchvision's v1.5).
- mobilenetv2: Sandler et al., "MobileNetV2", CVPR 2018, Table 2 (expansion t, channels
  c, repeats n, stride s per row), 224 x 224 input, width multiplier 1.
- bert-base / bert-large: Devlin et al., "BERT", NAACL 2019, Sec. 3 (L = 12 / 24 layers,
  hidden 768 / 1024, 12 / 16 heads, feed-forward 4 x hidden); encoder only.
- llama2-7b-prefill / -decode: one decoder block of Llama 2 7B (Touvron et al., 2023;
  hidden 4096, 32 heads of 128, SwiGLU feed-forward 11008, from the released config).
  Prefill runs `tokens` prompt tokens per sequence; decode generates one token per
  sequence against a KV cache of `tokens` tokens.
Pooling, normalisation, activations, residual adds and softmax are not GEMMs and are
left out; attention is computed in full (a causal mask does not shrink the GEMMs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.lowering import ConvSpec, NetworkGemm, attention, conv, linear
from sparsesim.workloads.transformer_gemms import transformer_gemms

IMAGE_SIZE = 224  # pixels, both networks' published input
CLASSES = 1000  # ImageNet classes
RESNET50_STAGES = ((3, 64, 1), (4, 128, 2), (6, 256, 2), (3, 512, 2))  # blocks, width, stride
MOBILENETV2_ROWS = ((1, 16, 1, 1), (6, 24, 2, 2), (6, 32, 3, 2), (6, 64, 4, 2), (6, 96, 3, 1),
                    (6, 160, 3, 2), (6, 320, 1, 1))  # t, c, n, s (Sandler et al., Table 2)
BERT = {"bert-base": (12, 12), "bert-large": (24, 16)}  # layers, heads (Devlin et al.)
LLAMA2_7B = {"hidden": 4096, "heads": 32, "ffn": 11008}  # Touvron et al. 2023, config
DEFAULT_TOKENS = 512  # sequence length: BERT's pre-training maximum (Devlin et al.)


@dataclass(frozen=True)
class Network:
    name: str
    gemms: tuple[NetworkGemm, ...]
    description: str


class _Image:
    """Walks a CNN, tracking the feature map's channels and size."""

    def __init__(self, batch: int) -> None:
        self.batch, self.channels, self.size = batch, 3, (IMAGE_SIZE, IMAGE_SIZE)
        self.gemms: list[NetworkGemm] = []

    def conv(self, name: str, c_out: int, kernel: int, stride: int = 1, groups: int = 1,
             count: int = 1) -> None:
        """Add a convolution of the current map ('same' padding); it becomes the map."""
        spec = ConvSpec(self.channels, c_out, (kernel, kernel), (stride, stride),
                        (kernel // 2, kernel // 2), groups)
        gemm, self.size = conv(name, spec, self.batch, *self.size, count=count)
        self.channels = c_out
        self.gemms.append(gemm)

    def pool(self, stride: int) -> None:
        self.size = tuple(-(-s // stride) for s in self.size)


def _repeats(blocks: int, prefix: str) -> list[tuple[bool, int, str]]:
    """(first, count, label) of a stage: its first block, then its identical others once."""
    out = [(True, 1, f"{prefix}.0")]
    if blocks > 1:
        out.append((False, blocks - 1, f"{prefix}.1-{blocks - 1}"))
    return out


def resnet50(batch: int) -> Network:
    net = _Image(batch)
    net.conv("conv1", 64, 7, stride=2)
    net.pool(2)  # 3x3 max pool, stride 2
    for stage, (blocks, width, stride) in enumerate(RESNET50_STAGES, start=1):
        for first, count, label in _repeats(blocks, f"layer{stage}"):
            block_in = (net.channels, net.size)
            net.conv(f"{label}.conv1", width, 1, count=count)
            net.conv(f"{label}.conv2", width, 3, stride=stride if first else 1, count=count)
            net.conv(f"{label}.conv3", 4 * width, 1, count=count)
            if first:  # projection shortcut from the block's input
                block_out = net.size
                net.channels, net.size = block_in
                net.conv(f"{label}.downsample", 4 * width, 1, stride=stride)
                assert net.size == block_out
    net.gemms.append(linear("fc", CLASSES, net.channels, batch))
    return Network("resnet50", tuple(net.gemms), f"ResNet-50, {IMAGE_SIZE}x{IMAGE_SIZE}, "
                   f"batch {batch}")


def mobilenetv2(batch: int) -> Network:
    net = _Image(batch)
    net.conv("conv1", 32, 3, stride=2)
    for row, (t, c, n, s) in enumerate(MOBILENETV2_ROWS, start=1):
        for first, count, label in _repeats(n, f"block{row}"):
            hidden = net.channels * t
            if t != 1:
                net.conv(f"{label}.expand", hidden, 1, count=count)
            net.conv(f"{label}.depthwise", hidden, 3, stride=s if first else 1, groups=hidden,
                     count=count)
            net.conv(f"{label}.project", c, 1, count=count)
    net.conv("conv-last", 1280, 1)
    net.gemms.append(linear("classifier", CLASSES, 1280, batch))
    return Network("mobilenetv2", tuple(net.gemms), f"MobileNetV2, {IMAGE_SIZE}x{IMAGE_SIZE}, "
                   f"batch {batch}")


def bert(name: str, tokens: int, batch: int) -> Network:
    layers, heads = BERT[name]
    hidden = transformer_gemms(name, 1)[1].m
    gemms = [NetworkGemm(s, layers) for s in transformer_gemms(name, tokens * batch)]
    gemms += attention(f"{name}-attention", tokens, tokens, heads, hidden // heads, batch,
                       count=layers)
    return Network(name, tuple(gemms), f"{name}, {layers} layers, sequence {tokens}, "
                   f"batch {batch}")


def llama2_block(phase: str, tokens: int, batch: int) -> Network:
    hidden, heads, ffn = LLAMA2_7B["hidden"], LLAMA2_7B["heads"], LLAMA2_7B["ffn"]
    new = tokens * batch if phase == "prefill" else batch  # tokens computed this pass
    gemms = [linear(f"{p}_proj", hidden, hidden, new) for p in "qkvo"]
    gemms += [linear("gate_proj", ffn, hidden, new), linear("up_proj", ffn, hidden, new),
              linear("down_proj", hidden, ffn, new)]
    queries = tokens if phase == "prefill" else 1
    gemms += attention("attention", queries, tokens, heads, hidden // heads, batch)
    what = f"{tokens} prompt tokens" if phase == "prefill" else f"1 token, KV cache {tokens}"
    return Network(f"llama2-7b-{phase}", tuple(gemms),
                   f"Llama-2-7B decoder block, {phase}: {what}, batch {batch}")


BUILDERS: dict[str, Callable[[int, int], Network]] = {
    "resnet50": lambda tokens, batch: resnet50(batch),
    "mobilenetv2": lambda tokens, batch: mobilenetv2(batch),
    "bert-base": lambda tokens, batch: bert("bert-base", tokens, batch),
    "bert-large": lambda tokens, batch: bert("bert-large", tokens, batch),
    "llama2-7b-prefill": lambda tokens, batch: llama2_block("prefill", tokens, batch),
    "llama2-7b-decode": lambda tokens, batch: llama2_block("decode", tokens, batch),
}
USES_TOKENS = ("bert-base", "bert-large", "llama2-7b-prefill", "llama2-7b-decode")


def network(name: str, tokens: int = DEFAULT_TOKENS, batch: int = 1) -> Network:
    """A built-in network by name; `tokens` is the sequence length (or KV cache length)."""
    if name not in BUILDERS:
        raise WorkloadError(f"unknown network {name!r}; choose one of {', '.join(BUILDERS)}")
    if tokens < 1 or batch < 1:
        raise WorkloadError(f"tokens and batch must be >= 1, got {tokens} and {batch}")
    return BUILDERS[name](tokens, batch)
