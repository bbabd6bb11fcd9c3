"""Bounded, pickle-free reading of .npz archives (numpy's savez and savez_compressed)
and of single .npy arrays.

Every member's .npy header is read first; object arrays (which numpy stores as pickles)
and shapes beyond `bounds` are refused before any array is allocated.
"""

from __future__ import annotations

import os
import zipfile
import zlib

import numpy as np

from sparsesim.simulator.errors import FormatError
from sparsesim.workloads.readers.bounds import DEFLATE_RATIO, check_declared

PICKLE_FIX = ("re-save the weights without pickles: as .safetensors (safetensors.torch."
              "save_file(model.state_dict(), PATH)) or numpy.savez of arrays")


def _header(handle, path: str, member: str) -> tuple[tuple[int, ...], np.dtype, bool]:
    try:
        version = np.lib.format.read_magic(handle)
        if version == (1, 0):
            shape, fortran, dtype = np.lib.format.read_array_header_1_0(handle)
        else:
            shape, fortran, dtype = np.lib.format.read_array_header_2_0(handle)
    except ValueError as exc:
        raise FormatError(f"{path}: member {member} is not a .npy array ({exc})") from None
    return shape, dtype, fortran



def _member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, path: str) -> np.ndarray:
    """One .npy member, its header checked before its data is read."""
    name = info.filename[:-4]
    ratio = 1 if info.compress_type == zipfile.ZIP_STORED else DEFLATE_RATIO
    with archive.open(info) as handle:
        shape, dtype, fortran = _header(handle, path, info.filename)
        if dtype.hasobject:
            raise FormatError(f"{path}: array {name} holds Python objects (a pickle); "
                              f"sparsesim never unpickles; {PICKLE_FIX}")
        expected = check_declared(path, name, shape, dtype.itemsize, info.compress_size * ratio)
        data = handle.read(expected + 1)
    if len(data) != expected:
        raise FormatError(f"{path}: array {name} declares {expected} bytes but holds "
                          f"{len(data)}; the file is truncated or corrupt")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C").copy()


def read_npz(path: str) -> dict[str, np.ndarray]:
    """All arrays of the archive, by name (without '.npy'), in archive order."""
    arrays: dict[str, np.ndarray] = {}
    try:
        with zipfile.ZipFile(path) as archive:
            for info in archive.infolist():
                if info.filename.endswith(".pkl"):
                    raise FormatError(f"{path} holds a pickle ({info.filename}: a PyTorch "
                                      ".pt/.pth checkpoint?); sparsesim never unpickles; "
                                      f"{PICKLE_FIX}")
                if not info.filename.endswith(".npy"):
                    raise FormatError(f"{path}: member {info.filename} is not a .npy array; "
                                      "an .npz holds only .npy arrays")
                arrays[info.filename[:-4]] = _member(archive, info, path)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError,
            NotImplementedError) as exc:  # NotImplementedError: an unknown zip version
        raise FormatError(f"{path} is not a readable .npz archive ({exc}); re-save it "
                          "with numpy.savez") from None
    return arrays


def read_npy(path: str) -> np.ndarray:
    """One numeric .npy array (e.g. an input vector), header checked before reading."""
    try:
        handle = open(path, "rb")
    except OSError as exc:
        raise FormatError(f"cannot open {path} ({exc.strerror}); check the path") from None
    with handle:
        shape, dtype, fortran = _header(handle, path, "array")
        if dtype.hasobject or dtype.kind not in "biuf":
            raise FormatError(f"{path}: holds {dtype} values; give a numeric array "
                              "(numpy.save(PATH, x.astype(numpy.float32)))")
        check_declared(path, "array", shape, dtype.itemsize, os.path.getsize(path))
        data = handle.read()
    if len(data) != int(np.prod(shape)) * dtype.itemsize:
        raise FormatError(f"{path}: the array is truncated")
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C").copy()
