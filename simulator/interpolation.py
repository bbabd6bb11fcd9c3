"""The power-law rule every technology table uses for sizes it does not list."""

from __future__ import annotations

import math
from collections.abc import Sequence


def power_law(points: Sequence[tuple[float, float]], size: float) -> float:
    """The value at `size` through sorted (size, value) `points`: piecewise straight lines
    in log-log space, extrapolated with the nearest segment's exponent; one point is a
    constant."""
    if len(points) == 1:
        return points[0][1]
    index = next((i for i in range(1, len(points)) if size <= points[i][0]), len(points) - 1)
    (x0, y0), (x1, y1) = points[index - 1], points[index]
    exponent = math.log(y1 / y0) / math.log(x1 / x0)
    return y0 * (size / x0) ** exponent
