"""Every output path a command will write, checked before the run starts.

A path is refused (one line) when it is a folder, a FIFO, a device or a socket, when
its folder does not exist or is not writable, or when two flags name the same file.
A symlink is followed: its target is what gets written (see simulator/atomic_file.py).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from sparsesim.simulator.atomic_file import refuse_special
from sparsesim.simulator.errors import UserError


def check_output_path(flag: str, path: str) -> Path:
    """The file `path` will really write (symlinks followed), or UserError."""
    real = Path(os.path.realpath(path))
    if real.exists():
        refuse_special(f"{flag} {path}:", real)
    folder = real.parent
    if not folder.is_dir():
        raise UserError(f"{flag} {path}: folder {folder} does not exist; create it first")
    if not os.access(folder, os.W_OK):
        raise UserError(f"{flag} {path}: folder {folder} is not writable; choose another")
    return real


def check_outputs(outputs: Mapping[str, str | None]) -> None:
    """Check every given output (flag -> path; None: not asked for) and refuse two flags
    naming one file."""
    seen: dict[Path, str] = {}
    for flag, path in outputs.items():
        if path is None:
            continue
        real = check_output_path(flag, path)
        if real in seen:
            raise UserError(f"{seen[real]} and {flag} both name {path}; give each its own file")
        seen[real] = flag
