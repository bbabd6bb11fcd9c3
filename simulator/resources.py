"""Limits on what one run may cost, checked from an estimate before it starts.

A run beyond a limit is refused with the estimate in the message; the CLI's `--force`
runs it anyway. Limits are not published anywhere: our choice, sized so a refused run
would have taken over a minute or over about 2 GiB on a laptop.
"""

from __future__ import annotations

from sparsesim.simulator.errors import ResourceError

MEMORY_LIMIT_BYTES = 2 * 2**30  # host memory one run may need
EVENT_LIMIT = 3_000_000  # simulated steps (SimPy process wake-ups) one run may need


def refuse_beyond(what: str, estimate: float, limit: float, unit: str, fix: str,
                  force: bool = False) -> None:
    """Raise ResourceError when `estimate` exceeds `limit` (unless `force`)."""
    if estimate > limit and not force:
        raise ResourceError(f"{what} needs about {estimate:,.0f} {unit}, beyond the limit of "
                            f"{limit:,.0f} {unit}; {fix}, or add --force to run it anyway")


def refuse_memory(what: str, estimate_bytes: float, fix: str, force: bool = False) -> None:
    """refuse_beyond for host memory, shown in MiB."""
    refuse_beyond(what, estimate_bytes / 2**20, MEMORY_LIMIT_BYTES / 2**20, "MiB of memory",
                  fix, force)
