"""The Pareto front of (cost, cost) points: what an architect trades off."""

from __future__ import annotations

from collections.abc import Iterable


def pareto_front(points: Iterable[tuple[float, float]]) -> list[tuple[float, float]]:
    """The points no other point beats or equals in both coordinates while beating it in
    one (lower is better in both), sorted by the first coordinate."""
    front: list[tuple[float, float]] = []
    for x, y in sorted(set(points)):
        if not front or y < front[-1][1]:
            front.append((x, y))
    return front
