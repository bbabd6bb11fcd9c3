"""The block scheduler and the SMs' sharing of their CTAs.

Every SM holds up to `slots` CTAs. At launch the scheduler deals CTAs round-robin over
the SMs (CTA i to SM i mod SMs) until every slot is full; afterwards, whenever CTAs end
on an SM, the next CTAs in grid order take their slots at once. An SM shares itself
equally among its resident CTAs (processor sharing): a CTA of `work` SM-cycles (its
time with the whole SM, sm_model) alone finishes in `work` cycles, with k others
resident it progresses at 1/k per cycle. Events fall on whole cycles: an SM's next event
is the first whole cycle by which its least-advanced CTA has finished; all its CTAs
progress by (cycles elapsed) / k, kept exact as integers over a common denominator.

Two engines: `reference`, one SimPy process per SM (simulator.engine), and `fast`, the
same rule on a heap of SM events; SMs with events in the same cycle go in the order their
events were set (SimPy's rule). They agree bit for bit (tests check it).
"""

from __future__ import annotations

import heapq
import math
from dataclasses import dataclass

import numpy as np

from sparsesim.simulator.engine import Component, Engine

ENGINES = ("fast", "reference")


@dataclass(frozen=True)
class Schedule:
    """Where each CTA ran, and per-SM totals (cycles)."""

    makespan: int  # last CTA's end
    cta_sm: np.ndarray  # SM of each CTA
    cta_end: np.ndarray
    sm_busy: np.ndarray  # SM-cycles of work of the SM's CTAs
    sm_finish: np.ndarray  # cycle the SM's last CTA ended (0 if it got none)
    sm_ctas: np.ndarray

    @property
    def imbalance(self) -> float:
        """Largest SM finish over the mean finish (1.0 = perfectly even)."""
        mean = float(self.sm_finish.mean())
        return float(self.sm_finish.max()) / mean if mean > 0 else 1.0

    def per_sm(self, per_cta: np.ndarray) -> np.ndarray:
        """Sum of a per-CTA figure over each SM's CTAs."""
        return np.bincount(self.cta_sm, weights=per_cta, minlength=len(self.sm_busy))


class SharedSM:
    """One SM's resident CTAs under processor sharing, in exact integer arithmetic:
    virtual time advances by `scale / k` per cycle with k CTAs resident (scale is a
    multiple of every k up to slots), a CTA of work w admitted at virtual time V ends
    when virtual time reaches V + w x scale."""

    def __init__(self, slots: int) -> None:
        self.scale = math.lcm(*range(1, slots + 1))
        self.virtual = 0
        self.resident: list[tuple[int, int]] = []  # heap of (virtual end, cta)

    def admit(self, cta: int, work: int) -> None:
        heapq.heappush(self.resident, (self.virtual + work * self.scale, cta))

    def next_event(self) -> int:
        """Whole cycles until the least-advanced CTA ends (-1: none resident)."""
        if not self.resident:
            return -1
        left = self.resident[0][0] - self.virtual
        return -(-left * len(self.resident) // self.scale)

    def advance(self, cycles: int) -> list[int]:
        """Let `cycles` pass; the CTAs that ended."""
        self.virtual += cycles * self.scale // len(self.resident)
        ended = []
        while self.resident and self.resident[0][0] <= self.virtual:
            ended.append(heapq.heappop(self.resident)[1])
        return ended


class _Grid:
    """CTAs in grid order and what became of them."""

    def __init__(self, work: np.ndarray, sms: int, slots: int) -> None:
        self.work = [int(w) for w in work]
        self.next = 0
        self.cta_sm = np.zeros(len(work), dtype=np.int64)
        self.cta_end = np.zeros(len(work), dtype=np.int64)
        self.sms = [SharedSM(slots) for _ in range(sms)]
        self.slots = slots
        for _ in range(slots):  # launch: round-robin over the SMs
            for sm in range(sms):
                self.give(sm)

    def give(self, sm: int) -> None:
        if self.next < len(self.work):
            self.cta_sm[self.next] = sm
            self.sms[sm].admit(self.next, self.work[self.next])
            self.next += 1

    def step(self, sm: int, cycles: int, now: int) -> int:
        """SM `sm` after `cycles` more cycles, now `now`: record ends, refill; its next
        event in cycles (-1: idle for good)."""
        for cta in self.sms[sm].advance(cycles):
            self.cta_end[cta] = now
            self.give(sm)
        return self.sms[sm].next_event()

    def result(self) -> Schedule:
        sms = len(self.sms)
        finish = np.zeros(sms, dtype=np.int64)
        np.maximum.at(finish, self.cta_sm, self.cta_end)
        busy = np.bincount(self.cta_sm, weights=np.asarray(self.work, float), minlength=sms)
        return Schedule(int(self.cta_end.max(initial=0)), self.cta_sm, self.cta_end, busy,
                        finish, np.bincount(self.cta_sm, minlength=sms))


def schedule_fast(work: np.ndarray, sms: int, slots: int) -> Schedule:
    grid = _Grid(work, sms, slots)
    heap = [(grid.sms[sm].next_event(), sm, sm) for sm in range(sms)
            if grid.sms[sm].next_event() >= 0]
    heapq.heapify(heap)
    sequence = sms
    last = [0] * sms
    while heap:
        now, _, sm = heapq.heappop(heap)
        wait = grid.step(sm, now - last[sm], now)
        last[sm] = now
        if wait >= 0:
            heapq.heappush(heap, (now + wait, sequence, sm))
            sequence += 1
    return grid.result()


def schedule_reference(work: np.ndarray, sms: int, slots: int) -> Schedule:
    """SimPy: one process per SM, waiting for its next CTA end, then refilling."""
    grid = _Grid(work, sms, slots)
    engine = Engine(watchdog_cycles=max(1, int(np.sum(work)) + 1))

    def sm_process(unit: Component, sm: int):
        wait = grid.sms[sm].next_event()
        while wait >= 0:
            yield unit.wait_cycles(wait)
            wait = grid.step(sm, wait, engine.now)

    processes = [engine.process(sm_process(Component(engine, f"sm{sm}"), sm))
                 for sm in range(sms)]
    engine.run(lambda: all(p.triggered for p in processes))
    return grid.result()


def schedule(work: np.ndarray, sms: int, slots: int, engine: str) -> Schedule:
    return (schedule_reference if engine == "reference" else schedule_fast)(work, sms, slots)
