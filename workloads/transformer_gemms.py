"""Linear layers of transformer encoders as GEMMs (weights pruned 2:4).

A linear layer y = W x over T tokens is C (out x T) = W (out x in) @ X (in x T):
M = output features, K = input features, N = tokens. Sizes: BERT-base hidden 768,
feed-forward 3072; BERT-large hidden 1024, feed-forward 4096 (Devlin et al., "BERT",
NAACL 2019, Sec. 3). Query, key and value projections are one fused 3 x hidden GEMM.
"""

from __future__ import annotations

from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.gemm import GemmShape

MODELS: dict[str, tuple[int, int]] = {  # name -> (hidden, feed-forward); Devlin et al. 2019
    "bert-base": (768, 3072),
    "bert-large": (1024, 4096),
}
DEFAULT_TOKENS = (128, 512, 2048, 8192)  # tokens per GEMM (batch x sequence length)


def transformer_gemms(model: str, tokens: int) -> list[GemmShape]:
    """The four distinct linear layers of one encoder block at `tokens` tokens."""
    if model not in MODELS:
        raise WorkloadError(f"unknown transformer {model!r}; choose one of {', '.join(MODELS)}")
    if tokens < 1:
        raise WorkloadError(f"tokens must be >= 1, got {tokens}")
    hidden, ffn = MODELS[model]
    layers = (("qkv", 3 * hidden, hidden), ("attn-out", hidden, hidden),
              ("ffn-in", ffn, hidden), ("ffn-out", hidden, ffn))
    return [GemmShape(f"{model}-{name}-t{tokens}", out, tokens, inp)
            for name, out, inp in layers]
