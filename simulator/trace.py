"""Chrome trace-event JSON (opens in Perfetto's UI and chrome://tracing) from per-layer
activity: spans on named tracks (one per PE, SM or unit) and counters.

Layers run one after another, so layer i starts where layer i - 1 ended; a "layers"
track holds one span per layer. Times are microseconds of simulated time (cycles /
clock); every span also carries its start cycle and length in cycles. A long run is
cut at `max_events` timed events, earliest first, and the cut is stated in the trace.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any

import numpy as np

DEFAULT_MAX_EVENTS = 500_000  # Perfetto's UI stays responsive well beyond this
Span = tuple[int, int, str]  # (start cycle, end cycle, name); cycles start .. end - 1
Point = tuple[int, dict[str, float]]  # (cycle, value of each series from that cycle on)


@dataclass
class LayerActivity:
    """What the hardware did during one layer, in cycles from the layer's start."""

    name: str
    cycles: int
    tracks: dict[str, list[Span]] = field(default_factory=dict)  # spans may nest
    counters: dict[str, list[Point]] = field(default_factory=dict)


def coalesce(spans: Iterable[Span]) -> list[Span]:
    """Sorted, disjoint spans with each run of touching equal-named spans merged."""
    out: list[Span] = []
    for start, end, name in sorted(spans):
        if out and out[-1][2] == name and out[-1][1] == start:
            out[-1] = (out[-1][0], end, name)
        else:
            out.append((start, end, name))
    return out


def issue_spans(start: int, labels: Sequence[str]) -> list[Span]:
    """Spans of a PE issuing one entry per cycle from cycle `start`, each cycle named by
    its entry's label (touching equal labels merged); one empty_slice cycle for none."""
    if not len(labels):
        return [(start, start + 1, "empty_slice")]
    out: list[Span] = []
    for label, run in groupby(labels):
        length = len(list(run))
        out.append((start, start + length, label))
        start += length
    return out


def issue_track(activity: Sequence[Span], columns: Sequence[Sequence[str]],
                name: str) -> list[Span]:
    """A PE's spans from its activity log: its k-th busy interval issued the k-th column
    it was sent, one entry per cycle (`columns[k]` holds the entries' labels); its
    stalled intervals are kept. Sorted and coalesced."""
    busy = [a for a in activity if a[2] == "busy"]
    if len(busy) != len(columns):
        raise RuntimeError(f"trace: {name} issued {len(busy)} columns, the bus sent "
                           f"{len(columns)}")
    spans = [a for a in activity if a[2] == "stalled"]
    for (start, _, _), labels in zip(busy, columns):
        spans += issue_spans(start, labels)
    return coalesce(spans)


def occupancy_counters(queues: Sequence[Any], bus_activity: Sequence[Span],
                       cycles: int) -> dict[str, list[Point]]:
    """Counters of a PE array: its queues' max and mean occupancy (entries) and whether
    its broadcast stalled (0/1), each cycle of 0 .. cycles - 1. `queues` are
    ActivationQueues; `bus_activity` the broadcasts' logs."""
    occupancy = np.stack([q.occupancy_per_cycle(cycles) for q in queues])
    stalled = np.zeros(cycles)
    for start, end, kind in bus_activity:
        if kind == "stalled":
            stalled[start:end] = 1
    return {"queue occupancy (entries)": counter_points(
                {"max": occupancy.max(axis=0), "mean": occupancy.mean(axis=0)}),
            "broadcast stalled (0/1)": counter_points({"stalled": stalled})}


def painted(cycles: int, layers: Sequence[Sequence[Span]], background: str) -> list[Span]:
    """One track from possibly overlapping spans: `layers` are painted in order over a
    `background` of cycles 0 .. cycles - 1 (a later layer covers an earlier one), then
    run-length encoded."""
    names = [background]
    canvas = np.zeros(cycles, dtype=np.int32)
    for spans in layers:
        for start, end, name in spans:
            if name not in names:
                names.append(name)
            canvas[start:end] = names.index(name)
    edges = np.flatnonzero(np.diff(canvas)) + 1
    starts = np.concatenate([[0], edges]).astype(int)
    ends = np.concatenate([edges, [cycles]]).astype(int)
    return [(int(a), int(b), names[canvas[a]]) for a, b in zip(starts, ends) if b > a]


def with_gaps(spans: Sequence[Span], start: int, end: int, name: str) -> list[Span]:
    """Disjoint `spans` with every cycle of start .. end - 1 they leave uncovered added
    as a `name` span."""
    out: list[Span] = []
    cursor = start
    for span in sorted(spans):
        if span[0] > cursor:
            out.append((cursor, span[0], name))
        out.append(span)
        cursor = max(cursor, span[1])
    if end > cursor:
        out.append((cursor, end, name))
    return out


def counter_points(series: dict[str, np.ndarray]) -> list[Point]:
    """Counter points where any series (one value per cycle, equal lengths) changes."""
    stacked = np.vstack(list(series.values()))
    changed = np.flatnonzero(np.any(np.diff(stacked, axis=1, prepend=np.nan), axis=0))
    return [(int(c), {k: round(float(v[c]), 6) for k, v in series.items()}) for c in changed]


def chrome_trace(title: str, layers: Sequence[LayerActivity], clock_hz: float,
                 max_events: int = DEFAULT_MAX_EVENTS,
                 other: dict[str, Any] | None = None) -> dict[str, Any]:
    """The trace document (Chrome JSON object format) of `layers` run in sequence."""
    if max_events < 1:
        raise ValueError(f"max_events must be >= 1, got {max_events}")

    def micros(cycle: int) -> float:
        return round(cycle * 1e6 / clock_hz, 6)

    tids: dict[str, int] = {"layers": 0}
    timed: list[tuple[int, int, dict[str, Any]]] = []  # (cycle, order, event)
    offset = 0
    for layer in layers:
        spans = {"layers": [(0, layer.cycles, layer.name)], **layer.tracks}
        for track, track_spans in spans.items():
            tid = tids.setdefault(track, len(tids))
            for start, end, name in track_spans:
                timed.append((offset + start, len(timed), {
                    "name": name, "cat": track.split()[0], "ph": "X", "pid": 1, "tid": tid,
                    "ts": micros(offset + start), "dur": micros(end - start),
                    "args": {"start_cycle": offset + start, "cycles": end - start}}))
        for counter, points in layer.counters.items():
            for cycle, values in points:
                timed.append((offset + cycle, len(timed), {
                    "name": counter, "ph": "C", "pid": 1, "ts": micros(offset + cycle),
                    "args": values}))
        offset += layer.cycles
    timed.sort(key=lambda item: item[:2])  # by start; a parent span precedes its children
    notes = {"time_unit": "microseconds of simulated time; args give cycles",
             "clock_hz": clock_hz, "cycles": offset}
    if len(timed) > max_events:
        cut = timed[max_events][0]
        notes["truncated"] = (f"{len(timed)} events, cut to the first {max_events}: nothing "
                              f"from cycle {cut} on (of {offset})")
        timed = timed[:max_events]
        timed.append((cut, 0, {"name": f"trace cut at cycle {cut}", "ph": "i", "s": "g",
                               "pid": 1, "tid": 0, "ts": micros(cut)}))
    meta: list[dict[str, Any]] = [{"name": "process_name", "ph": "M", "pid": 1,
                                   "args": {"name": title}}]
    for track, tid in tids.items():
        meta.append({"name": "thread_name", "ph": "M", "pid": 1, "tid": tid,
                     "args": {"name": track}})
        meta.append({"name": "thread_sort_index", "ph": "M", "pid": 1, "tid": tid,
                     "args": {"sort_index": tid}})
    return {"traceEvents": meta + [event for _, _, event in timed], "displayTimeUnit": "ns",
            "otherData": {**notes, **(other or {})}}
