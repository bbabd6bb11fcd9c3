"""A one-line progress bar on stderr, for the command line (library code never prints)."""

from __future__ import annotations

import sys
from typing import TextIO


class ProgressBar:
    """Call with (step, total, loss); redraws `label [#####.....] step/total loss` each time
    the bar grows by one mark (at most `width` + 1 draws). On a stream that is not a
    terminal (a log file) only the finished bar is written."""

    def __init__(self, label: str, width: int = 30, stream: TextIO | None = None,
                 interactive: bool | None = None) -> None:
        self.label, self.width, self.drawn = label, width, -1
        self.stream = stream if stream is not None else sys.stderr
        self.interactive = self.stream.isatty() if interactive is None else interactive

    def __call__(self, step: int, total: int, loss: float) -> None:
        filled = self.width * step // max(total, 1)
        if (filled == self.drawn or not self.interactive) and step < total:
            return
        self.drawn = filled
        bar = "#" * filled + "." * (self.width - filled)
        end = "\n" if step >= total else ""
        self.stream.write(f"\r{self.label} [{bar}] {step}/{total} loss {loss:.4f}{end}")
        self.stream.flush()
