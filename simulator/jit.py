"""numba settings for every fast engine, in one place.

Kernels are cached on disk (a second process loads them instead of compiling) and
never use fastmath: it would reorder floating-point sums and break bit-for-bit
agreement with the SimPy reference. When numba could write its cache neither beside
the kernel's source (an install owned by another user) nor in the user's cache folder
(HOME not writable), kernels are compiled in memory instead, with one warning.
"""

from __future__ import annotations

import inspect
import os
import tempfile
import threading
import warnings
from collections.abc import Callable
from pathlib import Path

import numba
import numpy as np
from numba.misc.appdirs import user_cache_dir

JIT_OPTIONS = {"cache": True, "nogil": True, "fastmath": False}
_warned: list[str] = []  # the fallback warning is given once per process


def _writable(folder: Path) -> bool:
    """Whether a file can be created in `folder` (made if missing), as numba will try."""
    try:
        os.makedirs(folder, exist_ok=True)
        tempfile.TemporaryFile(dir=folder).close()
    except OSError:
        return False
    return True


def cache_usable(source_dir: Path, user_dir: Path) -> bool:
    """Whether numba can cache a kernel from `source_dir`: in its __pycache__, or in the
    user-wide cache folder `user_dir`, or in NUMBA_CACHE_DIR when that is set."""
    if numba.config.CACHE_DIR:
        return _writable(Path(numba.config.CACHE_DIR))
    return _writable(source_dir / "__pycache__") or _writable(user_dir)


def _cache_option(function) -> bool:
    source = Path(inspect.getfile(function))
    if not source.is_file():  # defined in a REPL or exec'd string: numba cannot cache it
        return False
    source_dir = source.resolve().parent
    if cache_usable(source_dir, Path(user_cache_dir(appname="numba"))):
        return True
    if not _warned:
        _warned.append(str(source_dir))
        where = (f"in NUMBA_CACHE_DIR {numba.config.CACHE_DIR}" if numba.config.CACHE_DIR
                 else f"beside {source_dir} nor in {user_cache_dir(appname='numba')}")
        warnings.warn(f"numba cannot write its cache {where}; compiling kernels in memory "
                      "(set NUMBA_CACHE_DIR to a writable folder to keep them)",
                      RuntimeWarning, stacklevel=3)
    return False


def jit(function=None, *, inline: bool = False):
    """Compile `function` in nopython mode with the project's settings. `inline=True`
    inlines a helper into its callers (saves reference counting on array arguments)."""
    def compile_(f):
        options = dict(JIT_OPTIONS, inline="always" if inline else "never",
                       cache=_cache_option(f))
        return numba.njit(**options)(f)

    if function is None:
        return compile_
    return compile_(function)


def needs_warm_up(kernel) -> bool:
    """True while `kernel` has no compiled signature yet (never with NUMBA_DISABLE_JIT=1,
    when kernels are plain Python functions)."""
    return not getattr(kernel, "signatures", True)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


_threads = [_cores()]  # threads a kernel split by PEs may use in this process


def kernel_threads() -> int:
    """Threads a fast engine may split one run's independent PEs over (the cores this
    process may use, or 1 after single_threaded())."""
    return _threads[0]


def single_threaded() -> None:
    """Keep fast engines to one thread in this process (a sweep worker: the pool already
    runs a process per core)."""
    _threads[0] = 1


def split_by_rows(kernel: Callable[..., tuple], rows: int, call: Callable[[int, int], tuple]
                  ) -> tuple:
    """`call(start, stop)` over kernel_threads() contiguous row ranges of `rows` rows, run
    on Python threads (the kernels release the GIL); each output array of the parts is
    joined along its first axis. Rows must share nothing, so the bits do not change.
    A thread is started per call and joined, so nothing outlives it across a fork."""
    threads = min(kernel_threads(), rows)
    if threads <= 1:
        return call(0, rows)
    bounds = [rows * k // threads for k in range(threads + 1)]
    parts: list[tuple | None] = [None] * threads

    def work(k: int) -> None:
        parts[k] = call(bounds[k], bounds[k + 1])

    helpers = [threading.Thread(target=work, args=(k,), name=f"{kernel.__name__}-{k}")
               for k in range(1, threads)]
    for helper in helpers:
        helper.start()
    work(0)
    for helper in helpers:
        helper.join()
    if any(part is None for part in parts):
        raise RuntimeError(f"a thread of {kernel.__name__} failed")
    return tuple(np.concatenate(arrays) for arrays in zip(*parts))
