"""PointAcc's merge-sort mapping unit (PointAcc Sec. IV), cycle by cycle on the engine.

One merger of `comparators` comparators: each cycle it compares the heads of two
sorted key streams up to `comparators` times, each comparison emitting the smaller
key, or, on equal keys, one match (both streams advance). Comparisons stop when
either stream runs dry. A kernel-map merge costs ceil(comparisons / comparators) +
merger_latency_cycles cycles (what is left of the other stream can match nothing and
is skipped); a sort pass moves every key, so each merge in it costs
ceil(keys out / comparators) cycles, plus one merger_latency_cycles per pass. The
process advances one whole merge (or pass) per event with that exact cycle count, so
real clouds need few events.

- sort_unique: bottom-up merge sort; a `comparators`-wide sorting network first sorts
  blocks of that many keys, one block per cycle; equal keys merge into one.
- kernel map: the sorted input keys shifted by -offset (one addition on packed keys,
  which keeps them sorted) merge with the sorted output keys; each match is a map
  entry (input, output, offset).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.accelerators.pointacc.config import PointAccConfig
from sparsesim.accelerators.pointacc.keys import downsample_keys, pack_offset
from sparsesim.simulator.engine import Component, Engine


@dataclass
class MapperStats:
    """What a mapping unit counted (both mappers fill the same fields)."""

    cycles: int = 0  # cycles the unit was busy
    comparisons: int = 0  # merger comparisons (merge-sort) or hash-table probes (hash)
    collisions: int = 0  # hash probes that hit another key's slot (hash only)
    passes: int = 0  # merge passes (merge-sort) or table passes (hash)
    map_entries: int = 0
    key_reads: int = 0  # keys (hash: slots; distance unit: points) read from the key buffer
    key_writes: int = 0  # keys (hash: slots) written to the key buffer
    hashes: int = 0  # keys hashed (hash only)
    table_slots: int = 0  # slots of the hash table built (hash only)


def merge_comparisons(a: np.ndarray, b: np.ndarray) -> tuple[int, int]:
    """(comparisons, matches) of merging sorted unique streams a and b until one runs
    dry: every key of either stream up to the smaller last key takes one comparison,
    except that a match takes one comparison for two keys."""
    if len(a) == 0 or len(b) == 0:
        return 0, 0
    last = min(a[-1], b[-1])
    consumed = int(np.searchsorted(a, last, "right") + np.searchsorted(b, last, "right"))
    matches = len(np.intersect1d(a[a <= last], b[b <= last], assume_unique=True))
    return consumed - matches, matches


class ComparatorUnit(Component):
    """A mapping-unit block: `config.comparators` comparisons (or probes) per cycle and a
    pipeline latency; counts the cycles it spends in its MapperStats."""

    def __init__(self, engine: Engine, config: PointAccConfig, name: str) -> None:
        super().__init__(engine, name)
        self.width = config.comparators
        self.latency = config.merger_latency_cycles
        self.stats = MapperStats()

    def _spend(self, cycles: int):
        self.stats.cycles += cycles
        return self.wait_cycles(cycles, "busy")


class MergeSortMapper(ComparatorUnit):
    """The merge-sort mapping unit; its generators run inside an engine process."""

    def __init__(self, engine: Engine, config: PointAccConfig, name: str = "mapper") -> None:
        super().__init__(engine, config, name)

    def sort_unique(self, keys: np.ndarray):
        """Generator: sort keys, merging equal ones; returns (sorted unique keys, index
        into `keys` of each one's first occurrence)."""
        keys = np.asarray(keys, dtype=np.int64)
        if len(keys) == 0:
            return keys, np.zeros(0, dtype=np.int64)
        order = np.arange(len(keys))
        runs = []
        for start in range(0, len(keys), self.width):  # sorting network: a block a cycle
            block = order[start:start + self.width]
            block = block[np.argsort(keys[block], kind="stable")]
            runs.append(block[np.concatenate([[True], np.diff(keys[block]) != 0])])
        self.stats.key_reads += len(keys)
        self.stats.key_writes += sum(len(run) for run in runs)
        yield self._spend(len(runs) + self.latency)
        while len(runs) > 1:
            merged, cycles = [], self.latency
            for left, right in zip(runs[0::2], runs[1::2]):
                comparisons, _ = merge_comparisons(keys[left], keys[right])
                both = np.concatenate([left, right])
                both = both[np.argsort(keys[both], kind="stable")]  # left wins ties
                out = both[np.concatenate([[True], np.diff(keys[both]) != 0])]
                cycles += -(-(len(out)) // self.width)  # W keys leave the merger a cycle
                self.stats.comparisons += comparisons
                self.stats.key_reads += len(both)  # a sort pass moves every key
                self.stats.key_writes += len(out)
                merged.append(out)
            if len(runs) % 2:
                merged.append(runs[-1])
            runs = merged
            self.stats.passes += 1
            yield self._spend(cycles)
        return keys[runs[0]], runs[0]

    def inputs(self, keys: np.ndarray):
        """Generator: the input keys as the merger needs them: sorted; returns (sorted
        keys, input row of each)."""
        return (yield from self.sort_unique(keys))

    def outputs(self, sorted_in_keys: np.ndarray, stride: int):
        """Generator: sorted output keys of a convolution with `stride`: the inputs
        themselves at stride 1 (already sorted: no work), else their downsampled keys
        merge-sorted with duplicates merged."""
        if stride == 1:
            return sorted_in_keys
        keys, _ = yield from self.sort_unique(downsample_keys(sorted_in_keys, stride))
        return keys

    def kernel_map(self, in_keys: np.ndarray, in_index: np.ndarray, out_keys: np.ndarray,
                   offset: np.ndarray):
        """Generator: map entries of one kernel offset, from the sorted unique keys
        that inputs() and outputs() returned.

        Returns (input indices, output positions) of every input p and output o with
        p - offset == o, in output order."""
        shifted = in_keys - pack_offset(tuple(offset))
        comparisons, matches = merge_comparisons(shifted, out_keys)
        _, in_pos, out_pos = np.intersect1d(shifted, out_keys, assume_unique=True,
                                            return_indices=True)
        self.stats.comparisons += comparisons
        self.stats.key_reads += comparisons + matches  # keys consumed: a match takes two
        self.stats.map_entries += matches
        self.stats.passes += 1
        if comparisons:
            yield self._spend(-(-comparisons // self.width) + self.latency)
        return in_index[in_pos], out_pos
