"""Field checks shared by every design's frozen Config (called from `__post_init__`).

Each check raises ConfigError naming the config, the field, the allowed range and the
value given, so a bad grid value or flag ends in one line instead of a traceback.
Numbers must be real (not bool, not a string), finite and, when non-zero, normal
(a subnormal such as 1e-320 would turn a clock into infinite seconds).
"""

from __future__ import annotations

import math
import sys
from typing import Any

from sparsesim.simulator.errors import ConfigError


def check_whole(owner: str, config: Any, names: tuple[str, ...], low: int = 1,
                high: int | None = None) -> None:
    """Each named field is an int in [low, high] (high None: no upper bound)."""
    for name in names:
        value = getattr(config, name)
        if (not isinstance(value, int) or isinstance(value, bool) or value < low
                or (high is not None and value > high)):
            limit = f"in {low}..{high}" if high is not None else f">= {low}"
            raise ConfigError(f"{owner} config: {name} must be a whole number {limit}, "
                              f"got {value!r}")


def check_real(owner: str, config: Any, names: tuple[str, ...], low: float = 0.0,
               high: float = math.inf, low_open: bool = True) -> None:
    """Each named field is a finite, normal number in (low, high] ([low, high] when
    `low_open` is False)."""
    for name in names:
        value = getattr(config, name)
        ok = (isinstance(value, (int, float)) and not isinstance(value, bool)
              and math.isfinite(value) and (value == 0 or abs(value) >= sys.float_info.min)
              and (value > low if low_open else value >= low) and value <= high)
        if not ok:
            bound = "(" if low_open else "["
            upper = f"{high:g}]" if math.isfinite(high) else "inf)"
            raise ConfigError(f"{owner} config: {name} must be a finite number in "
                              f"{bound}{low:g}, {upper}, got {value!r}")


def check_flag(owner: str, config: Any, names: tuple[str, ...]) -> None:
    """Each named field is a bool (True or False, not 1 or "yes")."""
    for name in names:
        value = getattr(config, name)
        if not isinstance(value, bool):
            raise ConfigError(f"{owner} config: {name} must be true or false, got {value!r}")


# Bounds no design here comes near; they keep a typo (an extra zero) from starting a run
# that needs gigabytes. Not published: our choice.
MIN_CLOCK_MHZ = 1e-3  # MHz (1 kHz)
MAX_CLOCK_MHZ = 1e5  # MHz (100 GHz)
MAX_PES = 4096  # PEs of one array (EIE's scaling study goes to 256)
MAX_QUEUE_DEPTH = 65536  # entries of one activation FIFO
MAX_LATENCY_CYCLES = 10**6  # cycles of one fixed latency (memory, pipeline fill)
