"""GEMM workloads C = A @ B with A (M x K) pruned 2:4 along K and B (K x N) dense.

In a linear layer, A is the weight (M = output features, K = input features) and B
the activations (N = tokens). Operands are generated from a seed block by block
(A in panels of `BLOCK` rows, B in panels of `BLOCK` columns), so any part of a huge
GEMM can be materialised on its own and the same seed always gives the same matrices.
Values are normal (std 1) rounded to the data type; int8 values are normal x 32,
rounded and clipped. A is pruned to 2:4 by magnitude (largest 2 of every 4 along K).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.formats.nm_compressed import NMCompressed
from sparsesim.workloads.numeric import NumericType

BLOCK = 256  # rows of an A panel and columns of a B panel generated at once
INT8_SCALE = 32.0  # int8 operands: normal x 32, rounded and clipped to [-128, 127]


@dataclass(frozen=True)
class GemmShape:
    """C (M x N) = A (M x K) @ B (K x N); `name` labels it in tables."""

    name: str
    m: int
    n: int
    k: int

    def __post_init__(self) -> None:
        for axis in ("m", "n", "k"):
            value = getattr(self, axis)
            if not isinstance(value, int) or value < 1:
                raise WorkloadError(f"GEMM {self.name}: {axis.upper()} must be a whole number "
                                    f">= 1, got {value!r}")

    @property
    def macs(self) -> int:
        """Dense multiply-accumulates M x N x K."""
        return self.m * self.n * self.k


def parse_gemm(text: str) -> GemmShape:
    """'M,N,K' -> GemmShape, e.g. '4096,4096,4096'."""
    parts = text.split(",")
    try:
        m, n, k = (int(p) for p in parts)
    except ValueError:
        raise WorkloadError(f"--gemm takes M,N,K as three whole numbers, e.g. 4096,4096,4096; "
                            f"got {text!r}") from None
    return GemmShape(f"gemm-{m}x{n}x{k}", m, n, k)


def prune_two_of_four(dense: np.ndarray) -> np.ndarray:
    """Keep the 2 largest magnitudes of every 4 consecutive values along axis 1 (ties: the
    lower position); a last partial group keeps at most 2 as well."""
    rows, k = dense.shape
    groups = -(-k // 4)
    padded = np.zeros((rows, groups * 4), dtype=dense.dtype)
    padded[:, :k] = dense
    grouped = padded.reshape(rows, groups, 4)
    rank = np.argsort(np.argsort(-np.abs(grouped), axis=2, kind="stable"), axis=2)
    return np.where(rank < 2, grouped, 0).reshape(rows, groups * 4)[:, :k]


@dataclass(frozen=True)
class GemmOperands:
    """The seeded operands of one GEMM in one data type."""

    shape: GemmShape
    dtype: NumericType
    seed: int

    def _draw(self, rng: np.random.Generator, size: tuple[int, int]) -> np.ndarray:
        values = rng.standard_normal(size, dtype=np.float32)
        return self.dtype.round(values * INT8_SCALE if self.dtype.is_integer else values)

    def a_panel(self, index: int) -> np.ndarray:
        """Rows index*BLOCK .. of A (dense, already pruned 2:4), all K columns."""
        rows = min(BLOCK, self.shape.m - index * BLOCK)
        rng = np.random.default_rng([self.seed, 1, index])
        return prune_two_of_four(self._draw(rng, (rows, self.shape.k)))

    def b_panel(self, index: int) -> np.ndarray:
        """Columns index*BLOCK .. of B, all K rows."""
        cols = min(BLOCK, self.shape.n - index * BLOCK)
        rng = np.random.default_rng([self.seed, 2, index])
        return self._draw(rng, (self.shape.k, cols))

    @property
    def panels(self) -> tuple[int, int]:
        """(A row panels, B column panels)."""
        return -(-self.shape.m // BLOCK), -(-self.shape.n // BLOCK)

    def bias_panel(self, index: int) -> None:
        """Generated GEMMs have no bias."""
        return None


@dataclass(frozen=True)
class MatrixOperands:
    """Given operands (e.g. a layer pruned 2:4 by the pruning front end, and its inputs),
    served in the same panels as GemmOperands. Values are rounded to the data type; A is
    checked for 2:4 at once (FormatError names the first bad group). `seed` only picks
    which output blocks a large check samples. `bias` (M,), if given, is added to every
    column of C in the kernel's epilogue: C = A @ B + bias."""

    name: str
    a: np.ndarray  # (M, K), 2:4 along K
    b: np.ndarray  # (K, N)
    dtype: NumericType
    seed: int = 0
    bias: np.ndarray | None = None  # float32 (M,)

    def __post_init__(self) -> None:
        if self.a.ndim != 2 or self.b.ndim != 2 or self.a.shape[1] != self.b.shape[0]:
            raise WorkloadError(f"GEMM {self.name}: A {self.a.shape} and B {self.b.shape} do "
                                "not multiply; A must be M x K and B K x N")
        if not (np.all(np.isfinite(self.a)) and np.all(np.isfinite(self.b))):
            raise WorkloadError(f"GEMM {self.name}: operands contain NaN or infinity")
        object.__setattr__(self, "a", self.dtype.round(np.asarray(self.a, np.float32)))
        object.__setattr__(self, "b", self.dtype.round(np.asarray(self.b, np.float32)))
        if self.bias is not None:
            bias = np.asarray(self.bias, np.float32)
            if bias.shape != self.a.shape[:1] or not np.all(np.isfinite(bias)):
                raise WorkloadError(f"GEMM {self.name}: bias must be {self.a.shape[0]} finite "
                                    f"values, got shape {bias.shape}")
            object.__setattr__(self, "bias", bias)
        NMCompressed.from_dense(self.a)

    @property
    def shape(self) -> GemmShape:
        return GemmShape(self.name, self.a.shape[0], self.b.shape[1], self.a.shape[1])

    def a_panel(self, index: int) -> np.ndarray:
        return self.a[index * BLOCK:(index + 1) * BLOCK]

    def b_panel(self, index: int) -> np.ndarray:
        return self.b[:, index * BLOCK:(index + 1) * BLOCK]

    def bias_panel(self, index: int) -> np.ndarray | None:
        """The bias of A's row panel `index`, or None."""
        return None if self.bias is None else self.bias[index * BLOCK:(index + 1) * BLOCK]

    @property
    def panels(self) -> tuple[int, int]:
        return -(-self.a.shape[0] // BLOCK), -(-self.b.shape[1] // BLOCK)
