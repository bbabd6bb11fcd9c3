"""The one progress display of the command line and the benchmarks: a tqdm bar on
stderr, off with --quiet and whenever stderr is not a terminal (logs and pipes stay
clean). Library code never prints; it reports through a callback (workloads' Progress)."""

from __future__ import annotations

import sys
from collections.abc import Iterable, Iterator
from typing import TextIO, TypeVar

from tqdm import tqdm

T = TypeVar("T")


def _off(quiet: bool, stream: TextIO) -> bool:
    return quiet or not stream.isatty()


class ProgressBar:
    """A `Progress` callback: call with (done, total or None, latest figures) after each
    unit of work. The bar appears at the first call, shows the figures, and closes once
    done reaches total (or on `close`)."""

    def __init__(self, label: str, quiet: bool = False, unit: str = "step",
                 stream: TextIO | None = None) -> None:
        self.label, self.unit = label, unit
        self.stream = stream if stream is not None else sys.stderr
        self.disabled = _off(quiet, self.stream)
        self.bar: tqdm | None = None

    def __call__(self, done: int, total: int | None, figures: dict[str, float]) -> None:
        if self.bar is None:
            self.bar = tqdm(total=total, desc=self.label, file=self.stream, unit=self.unit,
                            disable=self.disabled)
        self.bar.set_postfix({k: f"{v:.4g}" for k, v in figures.items()}, refresh=False)
        self.bar.update(done - self.bar.n)
        if total is not None and done >= total:
            self.close()

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


def progress(items: Iterable[T], label: str, *, quiet: bool = False, total: int | None = None,
             unit: str = "item") -> Iterator[T]:
    """`items`, one by one, with a bar counting them (erased when done)."""
    yield from tqdm(items, desc=label, total=total, unit=unit, file=sys.stderr,
                    disable=_off(quiet, sys.stderr), leave=False)
