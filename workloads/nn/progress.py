"""Training progress on stderr (tqdm), for the command line (library code never prints)."""

from __future__ import annotations

import sys
from typing import TextIO

from tqdm import tqdm


class ProgressBar:
    """Call with (step, total, loss) after each step; the bar shows steps done and the
    latest loss, and closes itself at the last step."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.bar: tqdm | None = None

    def __call__(self, step: int, total: int, loss: float) -> None:
        if self.bar is None:
            self.bar = tqdm(total=total, desc=self.label, file=self.stream, unit="step")
        self.bar.set_postfix(loss=f"{loss:.4f}", refresh=False)
        self.bar.update(step - self.bar.n)
        if step >= total:
            self.bar.close()
