"""Atomic file output: write beside the target, then rename over it."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

from sparsesim.simulator.errors import UserError


def write_atomically(path: str | os.PathLike, write: Callable[[IO[bytes]], None]) -> None:
    """Call `write(file)` on a temporary file beside the target, then rename it over the
    target, so an interrupted run never leaves half a file behind. A symlink is followed
    (its target is replaced, the link stays); an existing target keeps its permissions;
    a folder, FIFO or device is refused, never replaced."""
    target = Path(os.path.realpath(path))
    folder = target.parent
    if not folder.is_dir():
        raise UserError(f"cannot write {path}: folder {folder} does not exist; create it first")
    mode = 0o666 & ~_umask()  # what open() would give a new file
    if target.exists():
        refuse_special(f"cannot write {path}:", target)
        mode = stat.S_IMODE(os.stat(target).st_mode)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "wb") as handle:
            write(handle)
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def refuse_special(label: str, real: Path) -> None:
    """UserError when the existing `real` path is a folder, FIFO, device or socket."""
    mode = os.stat(real).st_mode
    if stat.S_ISDIR(mode):
        raise UserError(f"{label} it is a folder; give a file name")
    if not stat.S_ISREG(mode):
        raise UserError(f"{label} it is not a regular file (a FIFO, device or socket); give "
                        "the path of a file")


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
