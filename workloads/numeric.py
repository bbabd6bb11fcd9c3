"""Number formats of GEMM operands: how many bits, and rounding to them in numpy.

bf16 has no numpy type: values are kept in float32 with the low 16 bits rounded away
(round to nearest even), which is exactly the set of bf16 values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sparsesim.simulator.errors import ConfigError


def round_to_bf16(x: np.ndarray) -> np.ndarray:
    """float32 array of the nearest bf16 values (round to nearest, ties to even)."""
    bits = np.ascontiguousarray(x, dtype=np.float32).view(np.uint32)
    rounded = bits + np.uint32(0x7FFF) + ((bits >> np.uint32(16)) & np.uint32(1))
    return (rounded & np.uint32(0xFFFF0000)).view(np.float32)


@dataclass(frozen=True)
class NumericType:
    """An operand format: `round` maps float values to the nearest representable ones
    (as float32, or float64 for integers); `unit_roundoff` is half an ulp at 1 (0 if exact);
    `subnormal_step` the spacing of the subnormal values, below which rounding is absolute,
    not relative (0 if exact)."""

    name: str
    bits: int
    round: Callable[[np.ndarray], np.ndarray]
    unit_roundoff: float
    is_integer: bool
    subnormal_step: float = 0.0


NUMERIC_TYPES: dict[str, NumericType] = {
    "fp16": NumericType("fp16", 16, lambda x: np.asarray(x, np.float16).astype(np.float32),
                        2.0 ** -11, False, 2.0 ** -24),  # IEEE binary16: 10-bit fraction
    "bf16": NumericType("bf16", 16, round_to_bf16, 2.0 ** -8, False, 2.0 ** -133),
    "int8": NumericType("int8", 8, lambda x: np.clip(np.rint(x), -128, 127).astype(np.float64),
                        0.0, True),
}


# fp32 operands of CUDA-core kernels (gpu-spmm's CSR kernels); not in NUMERIC_TYPES, the
# tensor-core models' menu, which has no fp32 path
FP32 = NumericType("fp32", 32, lambda x: np.asarray(x, np.float32), 2.0 ** -24, False,
                   2.0 ** -149)


def numeric_type(name: str) -> NumericType:
    """Look up a data type by name (fp16, bf16, int8)."""
    if name not in NUMERIC_TYPES:
        raise ConfigError(f"unknown data type {name!r}; choose one of "
                          f"{', '.join(NUMERIC_TYPES)}")
    return NUMERIC_TYPES[name]
