"""Local worker processes for a sweep that stop with it.

Ctrl-C and SIGTERM reach only the parent's handler (workers ignore SIGINT, so a
Ctrl-C in the terminal prints no worker tracebacks); the parent then terminates the
pool at once instead of waiting for runs in progress. A worker whose parent dies
(kill -9) notices within half a second and exits.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

PARENT_POLL_SECONDS = 0.5


def _start_worker(parent: int, initializer: Callable[..., None], initargs: tuple) -> None:
    """Worker initializer: ignore Ctrl-C (the parent handles it), die quietly on SIGTERM
    (the parent's terminate), exit when orphaned, keep fast engines to one thread (the
    pool runs a process per core), then run `initializer(*initargs)`."""
    from sparsesim.simulator.jit import single_threaded

    single_threaded()
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(PARENT_POLL_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, daemon=True).start()
    initializer(*initargs)


@contextmanager
def worker_pool(context: Any, workers: int, initializer: Callable[..., None],
                initargs: tuple) -> Iterator[Any]:
    """A multiprocessing pool of `workers` processes from `context`, terminated at once
    when the block ends (on an error or interrupt too, without waiting for runs)."""
    pool = context.Pool(workers, initializer=_start_worker,
                        initargs=(os.getpid(), initializer, initargs))
    try:
        yield pool
    finally:
        pool.terminate()
        pool.join()


@contextmanager
def interrupts(on_interrupt: Callable[[], None]) -> Iterator[None]:
    """Within the block, Ctrl-C and SIGTERM call `on_interrupt` at once (it prints the
    one line), then raise KeyboardInterrupt to stop the work and its workers."""
    def handler(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C adds no traceback
        on_interrupt()
        raise KeyboardInterrupt

    previous = {signum: signal.signal(signum, handler)
                for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
