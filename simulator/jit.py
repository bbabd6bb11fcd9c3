"""numba settings for every fast engine, in one place.

Kernels are cached on disk (a second process loads them instead of compiling) and
never use fastmath: it would reorder floating-point sums and break bit-for-bit
agreement with the SimPy reference.
"""

from __future__ import annotations

import numba

JIT_OPTIONS = {"cache": True, "nogil": True, "fastmath": False}


def jit(function=None, *, inline: bool = False):
    """Compile `function` in nopython mode with the project's settings. `inline=True`
    inlines a helper into its callers (saves reference counting on array arguments)."""
    options = dict(JIT_OPTIONS, inline="always" if inline else "never")
    if function is None:
        return lambda f: numba.njit(**options)(f)
    return numba.njit(**options)(function)


def needs_warm_up(kernel) -> bool:
    """True while `kernel` has no compiled signature yet (never with NUMBA_DISABLE_JIT=1,
    when kernels are plain Python functions)."""
    return not getattr(kernel, "signatures", True)
