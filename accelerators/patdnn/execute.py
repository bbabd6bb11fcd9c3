"""The layer's real output, computed from the design's own encoding (dense im2col
matrix, CSR or FKW), and its check against numpy's convolution of the dense weight."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from sparsesim.workloads.conv_layers import ConvLayer
from sparsesim.workloads.formats import CSR
from sparsesim.workloads.formats.fkw import FKW

Encoding = np.ndarray | CSR | FKW


def conv_output(layer: ConvLayer, encoding: Encoding) -> np.ndarray:
    """float32 (filters, Ho, Wo) from `encoding` and the layer's input."""
    f, ho, wo = layer.output_shape
    k = layer.kernel
    windows = sliding_window_view(layer.padded, (k, k), axis=(1, 2))  # C, Ho, Wo, k, k
    if isinstance(encoding, FKW):
        return _fkw_output(encoding, windows).reshape(f, ho, wo)
    cols = windows.transpose(0, 3, 4, 1, 2).reshape(-1, ho * wo)  # (C*k*k, Ho*Wo) im2col
    if isinstance(encoding, CSR):
        out = np.stack([encoding.values[a:b] @ cols[encoding.indices[a:b]]
                        for a, b in zip(encoding.ptr[:-1], encoding.ptr[1:])])
    else:
        out = encoding @ cols
    return out.astype(np.float32).reshape(f, ho, wo)


def _fkw_output(fkw: FKW, windows: np.ndarray) -> np.ndarray:
    """Walk FKW: per stored filter, per pattern group, per kept position, the group's
    weights times the shifted inputs of the group's channels."""
    c, ho, wo, k, _ = windows.shape
    out = np.zeros((fkw.shape[0], ho * wo), dtype=np.float32)
    start = np.concatenate([[0], np.cumsum(fkw.kernel_sizes())])
    positions = [np.flatnonzero(p) for p in fkw.patterns]
    for s, g in enumerate(fkw.reorder):
        for p, pos in enumerate(positions):
            first = fkw.offset[s] + fkw.stride[s, p]
            last = fkw.offset[s] + fkw.stride[s, p + 1]
            if first == last:
                continue
            channels = fkw.index[first:last]
            weights = fkw.weight[start[first]:start[last]].reshape(last - first, len(pos))
            for j, q in enumerate(pos):
                shifted = windows[channels, :, :, q // k, q % k].reshape(len(channels), -1)
                out[g] += weights[:, j] @ shifted
    return out


def check(layer: ConvLayer, output: np.ndarray) -> tuple[bool, float]:
    """(output matches numpy within float32 rounding, largest absolute error)."""
    reference = layer.reference_output
    error = float(np.max(np.abs(output - reference))) if output.size else 0.0
    tolerance = 1e-4 * (1.0 + float(np.max(np.abs(reference), initial=0.0)))
    return error <= tolerance, error
