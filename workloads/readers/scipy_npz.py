"""A single sparse matrix saved by scipy.sparse.save_npz, as a one-layer Model y = W x.

The archive's arrays (`format`, `shape`, `data`, `indices`, `indptr`; `row`, `col` for
COO) are read directly: scipy is not needed to read, only to build such files.
"""

from __future__ import annotations

import numpy as np

from sparsesim.simulator.errors import FormatError
from sparsesim.workloads.formats import CSC, CSR
from sparsesim.workloads.readers.bounds import MAX_DENSE_BYTES, check_declared
from sparsesim.workloads.readers.network import Dense, Model

SCIPY_KEYS = {"format", "shape", "data"}


def is_scipy_npz(arrays: dict[str, np.ndarray]) -> bool:
    return SCIPY_KEYS <= set(arrays)


def _matrix(arrays: dict[str, np.ndarray], path: str) -> np.ndarray:
    kind = arrays["format"].tobytes().decode("ascii", "replace").strip("\x00")
    shape = tuple(int(d) for d in arrays["shape"])
    check_declared(path, "shape", shape, 8, MAX_DENSE_BYTES)  # before expanding to dense
    data = arrays["data"]
    try:
        if kind in ("csr", "csc"):
            cls = CSR if kind == "csr" else CSC
            matrix = cls(shape, data, arrays["indices"].astype(np.int32),
                         arrays["indptr"].astype(np.int64))
            return matrix.to_dense()
        if kind == "coo":
            dense = np.zeros(shape, dtype=data.dtype)
            np.add.at(dense, (arrays["row"], arrays["col"]), data)
            return dense
    except (KeyError, IndexError, ValueError) as exc:
        raise FormatError(f"{path}: scipy.sparse {kind} matrix is inconsistent ({exc})") from None
    raise FormatError(f"{path}: scipy.sparse format {kind!r} is not read; save it as csr, csc "
                      "or coo (matrix.tocsr())")


def model_from_scipy(matrix, name: str = "matrix") -> Model:
    """A one-layer Model y = W x from a scipy.sparse matrix or array object."""
    weight = CSR.from_scipy(matrix)
    check_declared(name, "matrix", weight.shape, 8, MAX_DENSE_BYTES)
    return Model(name, (Dense(name, weight.to_dense().astype(np.float64)),), "scipy.sparse object",
                 notes=("one matrix: y = W x, no bias, no activation",))


def from_scipy_arrays(arrays: dict[str, np.ndarray], path: str, name: str) -> Model:
    dense = _matrix(arrays, path)
    if dense.ndim != 2:
        raise FormatError(f"{path}: scipy matrix must be 2-D, got shape {dense.shape}")
    return Model(name, (Dense(name, dense.astype(np.float64)),), "scipy.sparse .npz",
                 notes=("one matrix: y = W x, no bias, no activation",))
