"""Work cached on disk by content hash: generated layers and compiled encodings.

Each entry is one .npz of plain arrays (read with allow_pickle=False), written to a
temporary file and renamed, so a killed run never leaves half an entry. The folder is
$SPARSESIM_CACHE_DIR, else $XDG_CACHE_HOME/sparsesim, else ~/.cache/sparsesim;
SPARSESIM_CACHE_DIR=off turns the cache off. A folder that cannot be written costs one
CacheWarning per process and the run goes on without the cache; an unreadable entry is
computed again and replaced.

The folder is kept under $SPARSESIM_CACHE_MAX_MB (default 1024 MiB): after each new entry
the least recently used entries are deleted until it is under 80% of that. Reading an
entry marks it used (its modification time). Only files the cache writes (a 40-hex-digit
name ending .npz, one folder down) are ever counted or deleted, never links.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re
import warnings
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sparsesim.simulator.atomic_file import write_atomically
from sparsesim.simulator.errors import ConfigError

ENV = "SPARSESIM_CACHE_DIR"
OFF = "off"
MAX_ENV = "SPARSESIM_CACHE_MAX_MB"
DEFAULT_MAX_MB = 1024  # our choice: a few full sweeps of the nine paper layers
KEEP_FRACTION = 0.8  # eviction goes down to this share of the limit, so it runs rarely
ENTRY_NAME = re.compile(r"[0-9a-f]{40}\.npz")
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


def max_bytes() -> int:
    """The cache's size limit, bytes, from $SPARSESIM_CACHE_MAX_MB (a whole number >= 1)."""
    text = os.environ.get(MAX_ENV, str(DEFAULT_MAX_MB))
    if not (text.isascii() and text.isdigit() and 1 <= int(text) <= 2**40):
        raise ConfigError(f"{MAX_ENV} must be a whole number of MiB >= 1, got {text!r}; "
                          f"unset it for the default {DEFAULT_MAX_MB}")
    return int(text) * 2**20


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
    limit = max_bytes()  # a bad limit is refused before any work
    path = folder / kind / f"{key}.npz"
    stored = _load(path)
    if stored is not None:
        _mark_used(path)
        return stored
    arrays = compute()
    if _store(path, arrays):
        evict(folder, limit, keep=path)
    return arrays


def _entries(folder: Path) -> list[tuple[os.stat_result, Path]]:
    """(stat, path) of every entry file the cache wrote below `folder`."""
    found = []
    with os.scandir(folder) as kinds:
        for kind in kinds:
            if not kind.is_dir(follow_symlinks=False):
                continue
            with os.scandir(kind.path) as files:
                found += [(f.stat(follow_symlinks=False), Path(f.path)) for f in files
                          if ENTRY_NAME.fullmatch(f.name) and f.is_file(follow_symlinks=False)]
    return found


def evict(folder: Path, limit_bytes: int, keep: Path | None = None) -> int:
    """Delete least recently used entries, never `keep`, until the cache is under
    KEEP_FRACTION of `limit_bytes` (nothing when it is within the limit); returns bytes
    freed."""
    try:
        entries = _entries(folder)
    except OSError:
        return 0
    total = sum(stat.st_size for stat, _ in entries)
    if total <= limit_bytes:
        return 0
    freed = 0
    for stat, path in sorted(entries, key=lambda e: e[0].st_mtime_ns):
        if total - freed <= KEEP_FRACTION * limit_bytes:
            break
        if path == keep:
            continue
        try:
            path.unlink()
        except OSError:
            continue  # removed by another process, or not ours to remove
        freed += stat.st_size
    return freed


def _mark_used(path: Path) -> None:
    try:
        os.utime(path)
    except OSError:
        pass  # a read-only cache still serves reads; it is then evicted by write time


def _load(path: Path) -> Arrays | None:
    try:
        with np.load(path, allow_pickle=False) as data:
            return {name: data[name] for name in data.files}
    except FileNotFoundError:
        return None
    except (OSError, ValueError, EOFError, zipfile.BadZipFile):
        return None  # damaged entry: computed again and replaced


def _store(path: Path, arrays: Arrays) -> bool:
    """Write one entry; False when the folder cannot be written (warned once)."""
    root = path.parent.parent
    if root in _unwritable:
        return False
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, lambda handle: np.savez(handle, **arrays))
        return True
    except OSError as exc:
        _unwritable.add(root)
        warnings.warn(f"cache folder {root} is not writable ({exc.strerror or exc}); running "
                      f"without a cache (set {ENV} to a writable folder, or to {OFF})",
                      CacheWarning, stacklevel=3)
        return False
