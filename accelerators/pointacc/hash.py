"""Hash-table mapping unit: the baseline PointAcc's merge sort replaced (PointAcc
Sec. IV; the approach of GPU libraries such as TorchSparse), on the same budget.

An open-addressing table with linear probing, 2^b slots for at least
entries / hash_load_factor, split into `comparators` single-ported banks (slot s in
bank s mod comparators): up to `comparators` probes issue per cycle (the budget the
merge-sort unit spends on comparisons), but probes to one bank in the same issue
group take a cycle each (bank conflicts). Keys are inserted in parallel rounds: every
pending key probes its current slot; of several claiming one empty slot the lowest
index wins, the rest move on (a probe of a taken slot counts as a collision); a key
finding its own key already stored stops (duplicates collapse). A look-up probes
from its home slot until it finds its key or an empty slot. A pass (build, or one
kernel offset's look-ups) costs the issue groups' cycles + merger_latency_cycles.
"""

from __future__ import annotations

import numpy as np

from sparsesim.accelerators.pointacc.config import PointAccConfig
from sparsesim.accelerators.pointacc.keys import downsample_keys, pack_offset
from sparsesim.accelerators.pointacc.mergesort import ComparatorUnit
from sparsesim.simulator.engine import Engine

EMPTY = -1  # packed keys are >= 0, so -1 marks a free slot
GOLDEN = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing multiplier (Knuth, TAOCP 6.4)


def issue_cycles(slots: np.ndarray, banks: int) -> int:
    """Cycles to issue probes of `slots` in order, `banks` per group, a group taking
    as many cycles as the most probes it sends to one bank."""
    if len(slots) == 0:
        return 0
    group = np.arange(len(slots)) // banks
    counts = np.bincount(group * banks + slots % banks, minlength=(group[-1] + 1) * banks)
    return int(counts.reshape(-1, banks).max(axis=1).sum())


class HashTable:
    """Linear-probing table of packed keys with their row numbers; `banks` sets how
    probe cycles are counted."""

    def __init__(self, entries: int, load_factor: float, banks: int) -> None:
        self.banks = banks
        self.bits = max(1, int(np.ceil(np.log2(max(1.0, entries / load_factor)))))
        self.keys = np.full(1 << self.bits, EMPTY, dtype=np.int64)
        self.rows = np.full(1 << self.bits, -1, dtype=np.int64)

    def home(self, keys: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            mixed = keys.astype(np.uint64) * GOLDEN
        return (mixed >> np.uint64(64 - self.bits)).astype(np.int64)

    def insert(self, keys: np.ndarray) -> tuple[np.ndarray, int, int, int]:
        """Insert-if-absent; returns (index into `keys` of each stored key, in row
        order), probes, collisions, cycles."""
        stored = []
        pending = np.arange(len(keys))
        slot = self.home(keys)
        probes = collisions = cycles = count = 0
        mask = len(self.keys) - 1
        while len(pending):
            s = slot[pending]
            probes += len(pending)
            cycles += issue_cycles(s, self.banks)
            held = self.keys[s]
            same = held == keys[pending]
            free = held == EMPTY
            # of several keys claiming one free slot, the lowest index wins
            claim = pending[free]
            first = np.unique(s[free], return_index=True)[1]
            winners = claim[first]
            self.keys[slot[winners]] = keys[winners]
            self.rows[slot[winners]] = np.arange(count, count + len(winners))
            count += len(winners)
            stored.append(winners)
            won = np.zeros(len(keys), dtype=bool)
            won[winners] = True
            # a loser whose key the winner just stored is a duplicate: done
            after = self.keys[s]
            done = same | won[pending] | (after == keys[pending])
            collisions += int(np.count_nonzero(~done))
            pending = pending[~done]
            slot[pending] = (slot[pending] + 1) & mask
        order = np.concatenate(stored) if stored else np.zeros(0, dtype=np.int64)
        return order, probes, collisions, cycles

    def lookup(self, keys: np.ndarray) -> tuple[np.ndarray, int, int, int]:
        """Row of each key (-1 if absent), probes, collisions, cycles."""
        found = np.full(len(keys), -1, dtype=np.int64)
        pending = np.arange(len(keys))
        slot = self.home(keys)
        probes = collisions = cycles = 0
        mask = len(self.keys) - 1
        while len(pending):
            s = slot[pending]
            probes += len(pending)
            cycles += issue_cycles(s, self.banks)
            held = self.keys[s]
            hit = held == keys[pending]
            found[pending[hit]] = self.rows[s[hit]]
            moving = ~hit & (held != EMPTY)
            collisions += int(np.count_nonzero(moving))
            pending = pending[moving]
            slot[pending] = (slot[pending] + 1) & mask
        return found, probes, collisions, cycles


class HashMapper(ComparatorUnit):
    """The hash-table mapping unit; same generator interface as MergeSortMapper."""

    def __init__(self, engine: Engine, config: PointAccConfig, name: str = "mapper") -> None:
        super().__init__(engine, config, name)
        self.load_factor = config.hash_load_factor
        self.table: HashTable | None = None

    def _pass(self, probes: int, collisions: int, issue: int):
        self.stats.comparisons += probes
        self.stats.key_reads += probes  # every probe reads one slot
        self.stats.collisions += collisions
        self.stats.passes += 1
        return self._spend(issue + self.latency if probes else 0)

    def inputs(self, keys: np.ndarray):
        """Generator: the input keys need no preparation (no sort): zero cycles."""
        yield self.wait_cycles(0)
        keys = np.asarray(keys, dtype=np.int64)
        return keys, np.arange(len(keys))

    def outputs(self, in_keys: np.ndarray, stride: int):
        """Generator: build the table of output keys (the downsampled input keys at
        stride > 1; duplicates collapse); returns them in table-row order."""
        keys = downsample_keys(in_keys, stride)
        self.stats.key_reads += len(in_keys)  # the input keys, read to be downsampled
        self.table = HashTable(len(keys), self.load_factor, self.width)
        order, probes, collisions, issue = self.table.insert(keys)
        self.stats.hashes += len(keys)
        self.stats.key_writes += len(order)
        self.stats.table_slots = len(self.table.keys)
        yield self._pass(probes, collisions, issue)
        return keys[order]

    def kernel_map(self, in_keys: np.ndarray, in_index: np.ndarray, out_keys: np.ndarray,
                   offset: np.ndarray):
        """Generator: look every shifted input key up in the table that outputs()
        built; returns (input rows, output rows) of the hits."""
        shifted = in_keys - pack_offset(tuple(offset))
        rows, probes, collisions, issue = self.table.lookup(shifted)
        self.stats.hashes += len(shifted)
        self.stats.key_reads += len(in_keys)  # the input keys, read to be shifted
        hit = rows >= 0
        self.stats.map_entries += int(np.count_nonzero(hit))
        yield self._pass(probes, collisions, issue)
        return in_index[hit], rows[hit]
