"""Run numpy's OpenBLAS on one thread while training.

The layers here are small (at most 784 x 300); on a shared 2-core machine OpenBLAS's
spin-waiting worker threads made one LeNet-300-100 step 60x slower than a single thread
(90 ms against 1.4 ms, measured). One thread also fixes the summation order, so a seed
gives the same weights bit for bit. numpy has no public switch for this, so the
OpenBLAS library numpy ships is called through ctypes; if it is not found (another
BLAS), nothing changes.
"""

from __future__ import annotations

import ctypes
import glob
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

log = logging.getLogger(__name__)
_PREFIXES = ("scipy_openblas", "openblas")
_SUFFIXES = ("64_", "_64_", "")


def _openblas() -> tuple[ctypes.CDLL, str] | None:
    folder = os.path.join(os.path.dirname(np.__file__), os.pardir, "numpy.libs")
    for path in glob.glob(os.path.join(folder, "*openblas*")):
        library = ctypes.CDLL(path)
        for prefix in _PREFIXES:
            for suffix in _SUFFIXES:
                if hasattr(library, f"{prefix}_set_num_threads{suffix}"):
                    return library, f"{prefix}_%s_num_threads{suffix}"
    return None


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Within the block numpy's OpenBLAS uses one thread; the old count is restored."""
    found = _openblas()
    if found is None:
        log.info("numpy's OpenBLAS not found; BLAS thread count left as it is")
        yield
        return
    library, pattern = found
    before = int(getattr(library, pattern % "get")())
    getattr(library, pattern % "set")(1)
    try:
        yield
    finally:
        getattr(library, pattern % "set")(before)
