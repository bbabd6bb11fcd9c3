"""SpMM workloads: C (M x N) = A (M x K, pruned to a pattern) @ B (K x N, dense).

A is a seeded normal matrix pruned to one pattern at one density (fraction of entries
kept): `unstructured` (magnitude, whole matrix), `block:B` (B x B blocks of largest
norm, ranked over the whole matrix), `ell:B` (the same, the same number of blocks in
every block row: what Blocked-ELL stores without padding), `2:4` (2 largest of every 4
along K; density 0.5), `powerlaw` (random positions, power-law row lengths). Values are
rounded to the data type (fp16).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np

from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.gemm import GemmShape, parse_gemm, prune_two_of_four
from sparsesim.workloads.numeric import FP32, NumericType, numeric_type
from sparsesim.workloads.pruning.block import block_mask, row_balanced_block_mask
from sparsesim.workloads.pruning.magnitude import magnitude_mask
from sparsesim.workloads.pruning.power_law import power_law_mask

PATTERN_HELP = "unstructured, block:B (e.g. block:32), ell:B, 2:4 or powerlaw"
SPMM_DTYPES = ("fp16", "fp32")  # fp32: the CUDA-core kernels only (kernels.why_not)
POWER_LAW_EXPONENT = 1.0  # row-length skew of `powerlaw` (Zipf's 1.0); our choice


@dataclass(frozen=True)
class Pattern:
    """A sparsity pattern: kind is unstructured, block, ell, 2:4 or powerlaw; `block` is
    the block side for kinds block and ell (0 otherwise)."""

    kind: str
    block: int = 0

    def label(self) -> str:
        return f"{self.kind}:{self.block}" if self.block else self.kind


def parse_pattern(text: str) -> Pattern:
    """'unstructured' | 'block:B' | 'ell:B' | '2:4' | 'powerlaw' -> Pattern."""
    if text in ("unstructured", "2:4", "powerlaw"):
        return Pattern(text)
    kind, _, side = text.partition(":")
    if kind in ("block", "ell") and side.isdigit() and int(side) >= 1:
        return Pattern(kind, int(side))
    raise WorkloadError(f"--pattern takes {PATTERN_HELP}; got {text!r}")


@dataclass(frozen=True)
class SpmmWorkload:
    """One SpMM; its operands are made from `seed` when first asked for."""

    shape: GemmShape
    pattern: Pattern
    density: float  # fraction of A's entries kept
    seed: int = 0
    dtype_name: str = "fp16"  # operands A, B and C: fp16, or fp32 (CUDA-core kernels only)

    def __post_init__(self) -> None:
        if not 0.0 < self.density <= 1.0:
            raise WorkloadError(f"--density is the fraction of A kept, in (0, 1]; "
                                f"got {self.density}")
        if self.dtype_name not in SPMM_DTYPES:
            raise WorkloadError(f"an SpMM's operands are one of {', '.join(SPMM_DTYPES)}; "
                                f"got {self.dtype_name!r}")
        if self.pattern.kind == "2:4" and self.density != 0.5:
            raise WorkloadError(f"pattern 2:4 keeps exactly half of A: use --density 0.5, "
                                f"not {self.density}")

    @property
    def name(self) -> str:
        return f"{self.shape.name}/{self.pattern.label()}@{self.density:g}"

    @property
    def dtype(self) -> NumericType:
        return FP32 if self.dtype_name == "fp32" else numeric_type(self.dtype_name)

    @property
    def value_bytes(self) -> int:
        """Bytes of one value of A, B and C."""
        return self.dtype.bits // 8

    @cached_property
    def a(self) -> np.ndarray:
        """A (M x K) after pruning, float32 holding dtype values."""
        rng = np.random.default_rng([self.seed, 1])
        m, k = self.shape.m, self.shape.k
        dense = self.dtype.round(rng.standard_normal((m, k), dtype=np.float32))
        kind, sparsity = self.pattern.kind, 1.0 - self.density
        if kind == "unstructured":
            mask = magnitude_mask(dense, sparsity)
        elif kind == "block":
            mask = block_mask(dense, sparsity, (self.pattern.block, self.pattern.block))
        elif kind == "ell":
            mask = row_balanced_block_mask(dense, sparsity,
                                           (self.pattern.block, self.pattern.block))
        elif kind == "powerlaw":
            mask = power_law_mask(dense.shape, self.density, POWER_LAW_EXPONENT, rng)
        else:
            return prune_two_of_four(dense)
        return np.where(mask, dense, np.float32(0))

    @cached_property
    def b(self) -> np.ndarray:
        """B (K x N), float32 holding dtype values."""
        rng = np.random.default_rng([self.seed, 2])
        return self.dtype.round(rng.standard_normal((self.shape.k, self.shape.n),
                                                    dtype=np.float32))


def parse_spmm(text: str, seed: int = 0) -> SpmmWorkload:
    """'M,N,K:PATTERN:DENSITY' (e.g. '512,512,512:block:32:0.25') -> SpmmWorkload."""
    gemm, _, rest = text.partition(":")
    pattern, _, density = rest.rpartition(":")
    try:
        value = float(density)
    except ValueError:
        raise WorkloadError(f"an SpMM workload is M,N,K:PATTERN:DENSITY (PATTERN "
                            f"{PATTERN_HELP}); got {text!r}") from None
    return SpmmWorkload(parse_gemm(gemm), parse_pattern(pattern), value, seed)
