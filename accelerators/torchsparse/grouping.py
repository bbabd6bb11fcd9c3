"""Which kernel offsets share one batched matmul (TorchSparse Sec. 4.1).

A batched matmul pads every member to the group's largest map: more regular work, some
of it wasted. "adaptive" is our reading of TorchSparse's rule: offsets in order of map
size, largest first; an offset with at least `threshold` rows runs alone; otherwise it
joins the open group if the group's padded work stays within (1 + epsilon) times its
real work, else it opens a new group.
"""

from __future__ import annotations

import numpy as np


def group_offsets(sizes: np.ndarray, grouping: str, epsilon: float,
                  threshold: int) -> list[list[int]]:
    """Groups of offset numbers (offsets with an empty map are left out)."""
    order = [int(i) for i in np.argsort(-np.asarray(sizes), kind="stable") if sizes[i] > 0]
    if grouping == "separate":
        return [[i] for i in order]
    if grouping == "padded":
        return [order] if order else []
    groups: list[list[int]] = []
    open_group: list[int] = []
    for i in order:
        if sizes[i] >= threshold:
            groups.append([i])
            continue
        candidate = open_group + [i]
        real = sum(int(sizes[j]) for j in candidate)
        padded = len(candidate) * max(int(sizes[j]) for j in candidate)
        if open_group and padded > (1 + epsilon) * real:
            groups.append(open_group)
            candidate = [i]
        open_group = candidate
    if open_group:
        groups.append(open_group)
    return groups
