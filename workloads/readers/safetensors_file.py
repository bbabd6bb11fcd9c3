"""Bounded reading of .safetensors files through the safetensors package's numpy API.

The header (8-byte little-endian length, then JSON) is checked first: its length, each
tensor's dtype, shape and byte range against the file (see `bounds`); only then does
`safetensors.safe_open(..., framework="numpy")` read the tensors.
"""

from __future__ import annotations

import json
import os
import struct
from typing import Any

import numpy as np

from sparsesim.simulator.errors import FormatError
from sparsesim.workloads.readers.bounds import check_declared

ITEMSIZE = {"BOOL": 1, "U8": 1, "I8": 1, "U16": 2, "I16": 2, "F16": 2, "U32": 4, "I32": 4,
            "F32": 4, "U64": 8, "I64": 8, "F64": 8}  # what numpy holds; BF16/F8 it cannot
MAX_HEADER_BYTES = 100 * 2**20  # the safetensors format's own header limit (100 MB)


def looks_like_safetensors(head: bytes) -> bool:
    """True if the first bytes are a header length followed by a JSON object."""
    return len(head) >= 9 and head[8:9] == b"{"


def read_header(path: str) -> dict[str, Any]:
    """The checked header: tensor name -> {dtype, shape, data_offsets}, plus __metadata__."""
    size = os.path.getsize(path)
    with open(path, "rb") as handle:
        (length,) = struct.unpack("<Q", handle.read(8))
        if length > min(MAX_HEADER_BYTES, size - 8):
            raise FormatError(f"{path}: safetensors header declares {length} bytes, more than "
                              "the file holds or the format allows; the file is corrupt")
        try:
            header = json.loads(handle.read(length))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise FormatError(f"{path}: safetensors header is not JSON ({exc})") from None
    if not isinstance(header, dict):
        raise FormatError(f"{path}: safetensors header must be a JSON object")
    data_bytes = size - 8 - length
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        dtype = entry.get("dtype") if isinstance(entry, dict) else None
        if dtype not in ITEMSIZE:
            raise FormatError(f"{path}: tensor {name} has dtype {dtype}, which numpy cannot "
                              "hold; save it as F32 (tensor.float()) and retry")
        start, end = entry.get("data_offsets", (0, -1))
        declared = check_declared(path, name, entry.get("shape", []), ITEMSIZE[dtype],
                                  max(0, data_bytes - start))
        if end - start != declared or end > data_bytes:
            raise FormatError(f"{path}: tensor {name} occupies bytes {start}..{end} but its "
                              f"shape needs {declared}; the file is corrupt")
    return header


def read_safetensors(path: str) -> tuple[dict[str, np.ndarray], dict[str, str]]:
    """(tensors by name, the file's string metadata) after the header checks."""
    header = read_header(path)
    from safetensors import SafetensorError, safe_open

    try:
        with safe_open(path, framework="numpy") as handle:
            tensors = {name: handle.get_tensor(name) for name in header
                       if name != "__metadata__"}
    except (SafetensorError, OSError) as exc:
        raise FormatError(f"{path}: unreadable safetensors file ({exc})") from None
    return tensors, dict(header.get("__metadata__") or {})
