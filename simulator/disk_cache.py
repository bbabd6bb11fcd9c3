"""Work cached on disk by content hash: generated layers and compiled encodings.

Each entry is one .npz of plain arrays (read with allow_pickle=False), written to a
temporary file and renamed, so a killed run never leaves half an entry. The folder is
$SPARSESIM_CACHE_DIR, else $XDG_CACHE_HOME/sparsesim, else ~/.cache/sparsesim;
SPARSESIM_CACHE_DIR=off turns the cache off. A folder that cannot be written costs one
CacheWarning per process and the run goes on without the cache; an unreadable entry is
computed again and replaced.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sparsesim.simulator.atomic_file import write_atomically

ENV = "SPARSESIM_CACHE_DIR"
OFF = "off"
Arrays = dict[str, np.ndarray]

_unwritable: set[Path] = set()  # folders already warned about in this process


class CacheWarning(UserWarning):
    """The cache folder cannot be used; results are computed without it."""


def cache_dir() -> Path | None:
    """The cache folder the environment names, or None when the cache is off."""
    chosen = os.environ.get(ENV)
    if chosen:
        return None if chosen == OFF else Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sparsesim"


def content_key(*parts: Any) -> str:
    """Hex digest of arrays (dtype, shape and bytes), numbers, strings and JSON-able
    mappings or sequences of them: equal content gives the same key."""
    digest = hashlib.sha256()  # hardware-accelerated on current x86 and ARM cores
    for part in parts:
        if isinstance(part, np.ndarray):
            array = np.ascontiguousarray(part)
            digest.update(f"array {array.dtype.str} {array.shape}".encode())
            digest.update(array.view(np.uint8).reshape(-1) if array.size else b"")
        else:
            digest.update(json.dumps(part, sort_keys=True, default=repr).encode())
        digest.update(b"\x00")
    return digest.hexdigest()[:40]


@functools.cache
def source_key(*modules: Any) -> str:
    """Digest of the given modules' source files (read once per process) and of numpy's
    version (its random streams and sorts): a cache key part that changes whenever the
    code that computes an entry changes."""
    return content_key(np.__version__,
                       *(Path(module.__file__).read_bytes().hex() for module in modules))


def cached(kind: str, key: str, compute: Callable[[], Arrays]) -> Arrays:
    """The arrays stored under `kind`/`key`, or `compute()` stored there first."""
    folder = cache_dir()
    if folder is None:
        return compute()
    path = folder / kind / f"{key}.npz"
    stored = _load(path)
    if stored is not None:
        return stored
    arrays = compute()
    _store(path, arrays)
    return arrays


def _load(path: Path) -> Arrays | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return None  # damaged entry: computed again and replaced


def _store(path: Path, arrays: Arrays) -> None:
    root = path.parent.parent
    if root in _unwritable:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, lambda handle: np.savez(handle, **arrays))
    except OSError as exc:
        _unwritable.add(root)
        warnings.warn(f"cache folder {root} is not writable ({exc.strerror or exc}); running "
                      f"without a cache (set {ENV} to a writable folder, or to {OFF})",
                      CacheWarning, stacklevel=3)
