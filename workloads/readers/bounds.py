"""Limits every reader checks on a declared tensor before allocating it.

A tensor may hold at most MAX_ELEMENTS elements, and its declared bytes must fit in
what the file can hold (a stored array's bytes; a deflated one's at most DEFLATE_RATIO
times its compressed size; a sparse matrix expanded to dense float64 at most
MAX_DENSE_BYTES). Otherwise the reader refuses with one line, before any
allocation, so a hostile or corrupt header cannot exhaust memory.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from sparsesim.simulator.errors import FormatError

MAX_ELEMENTS = 2**31  # elements in one tensor: our choice (8 GiB of float32)
MAX_DENSE_BYTES = 2**31  # a sparse matrix expanded to dense float64: our choice (2 GiB)
DEFLATE_RATIO = 1032  # deflate's largest expansion ratio (zlib technical details)


def check_declared(path: str, name: str, shape: Sequence[int], itemsize: int,
                   available_bytes: int) -> int:
    """Bytes the tensor `name` declares, after checking them against the limits."""
    if any(not isinstance(d, int) or d < 0 for d in shape):
        raise FormatError(f"{path}: tensor {name} declares shape {tuple(shape)}; dimensions "
                          "must be whole numbers >= 0 (the file is corrupt)")
    elements = math.prod(shape)
    if elements > MAX_ELEMENTS:
        raise FormatError(f"{path}: tensor {name} declares shape {tuple(shape)} "
                          f"({elements} elements), over the {MAX_ELEMENTS} limit; "
                          "split the tensor or check the file is not corrupt")
    size = elements * itemsize
    if size > available_bytes:
        raise FormatError(f"{path}: tensor {name} declares {size} bytes but the file can hold "
                          f"at most {available_bytes}; the file is truncated or corrupt")
    return size
