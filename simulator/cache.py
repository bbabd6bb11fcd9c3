"""LRUCache: which blocks a shared cache (a GPU's L2) holds, and since when.

Blocks are named by any hashable key and have a size in bytes. A lookup that hits
moves the block to most recently used; `insert` evicts least recently used blocks
until the new one fits. Each block remembers the cycle its data arrives, so a second
requester of a block still in flight waits for the first fill instead of fetching again.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    hit_bytes: int = 0
    miss_bytes: int = 0
    evictions: int = 0


class LRUCache:
    """`capacity_bytes` of blocks, least recently used evicted first."""

    def __init__(self, name: str, capacity_bytes: int) -> None:
        if capacity_bytes < 1:
            raise ValueError(f"{name}: capacity_bytes must be >= 1, got {capacity_bytes}")
        self.name = name
        self.capacity_bytes = capacity_bytes
        self.used_bytes = 0
        # key -> (bytes, cycle the data is ready)
        self._blocks: OrderedDict[Hashable, tuple[int, int]] = OrderedDict()
        self.stats = CacheStats()

    def lookup(self, key: Hashable, nbytes: int) -> int | None:
        """The cycle the block's data is ready if it is held (a hit), else None (a miss)."""
        entry = self._blocks.get(key)
        if entry is None:
            self.stats.misses += 1
            self.stats.miss_bytes += nbytes
            return None
        self._blocks.move_to_end(key)
        self.stats.hits += 1
        self.stats.hit_bytes += nbytes
        return entry[1]

    def insert(self, key: Hashable, nbytes: int, ready_cycle: int) -> None:
        """Hold the block from now on; its data arrives at `ready_cycle`."""
        if nbytes > self.capacity_bytes:
            return  # larger than the whole cache: streamed through, never held
        while self.used_bytes + nbytes > self.capacity_bytes:
            _, (size, _) = self._blocks.popitem(last=False)
            self.used_bytes -= size
            self.stats.evictions += 1
        self._blocks[key] = (nbytes, ready_cycle)
        self.used_bytes += nbytes
