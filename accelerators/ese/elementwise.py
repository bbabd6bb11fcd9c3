"""ESE's element-wise unit arithmetic: sigmoid and tanh by lookup table, then the cell
update. The table holds the function at `lut_segments + 1` evenly spaced points on
[-lut_range, +lut_range] and interpolates linearly between them (saturating outside),
so the result is continuous in its input."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.accelerators.ese.config import ESEConfig
from sparsesim.workloads.lstm import sigmoid


@dataclass(frozen=True)
class CellOps:
    """Operations the unit performs for one LSTM cell of one step (see `step`)."""

    lookups: int  # sigmoid or tanh table lookups
    lut_reads: int  # table entries read (two per lookup: the segment's ends)
    multiplies: int  # interpolation (one per lookup) and the cell update's products
    adds: int  # interpolation (two per lookup), bias (one per gate), the cell sum


# sigmoid(i), sigmoid(f), sigmoid(o), tanh(g), tanh(c); f*c, sig(i)*tanh(g), sig(o)*tanh(c);
# four bias adds and the sum f*c + i*g.
OPS_PER_CELL = CellOps(lookups=5, lut_reads=10, multiplies=5 + 3, adds=2 * 5 + 4 + 1)


@dataclass(frozen=True)
class LookupTable:
    """A piecewise-linear table of one function on [-span, +span]."""

    values: np.ndarray  # float64, segments + 1 points
    span: float

    @classmethod
    def of(cls, function, segments: int, span: float) -> LookupTable:
        return cls(function(np.linspace(-span, span, segments + 1)), span)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        segments = len(self.values) - 1
        position = np.clip((np.asarray(x, dtype=np.float64) + self.span)
                           * (segments / (2.0 * self.span)), 0.0, float(segments))
        index = np.minimum(position.astype(np.int64), segments - 1)
        fraction = position - index
        low = self.values[index]
        return low + fraction * (self.values[index + 1] - low)


@dataclass(frozen=True)
class ElementwiseUnit:
    """The gate math of one LSTM step, as the hardware computes it."""

    sigmoid: LookupTable
    tanh: LookupTable

    @classmethod
    def of(cls, config: ESEConfig) -> ElementwiseUnit:
        return cls(LookupTable.of(sigmoid, config.lut_segments, config.lut_range),
                   LookupTable.of(np.tanh, config.lut_segments, config.lut_range))

    def step(self, gates: np.ndarray, cell: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(new cell state c_t, cell output m_t) from the 4H gate pre-activations."""
        size = len(cell)
        i, f, g, o = (gates[k * size:(k + 1) * size] for k in range(4))
        cell = self.sigmoid(f) * cell + self.sigmoid(i) * self.tanh(g)
        return cell, self.sigmoid(o) * self.tanh(cell)
