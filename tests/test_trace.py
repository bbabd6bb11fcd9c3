"""--trace: Chrome trace-event JSON, validated for format, event counts and nesting."""

import json
from collections import defaultdict

import numpy as np
import pytest
from conftest import layer_from_dense
from test_cycle_accounting import TOY
from test_ese import SMALL, random_lstm
from test_pointacc import small_workload

from sparsesim.accelerators.eie import model as eie
from sparsesim.accelerators.eie.trace import trace_workload
from sparsesim.accelerators.ese import model as ese
from sparsesim.accelerators.ese.pruning import prune
from sparsesim.accelerators.ese.trace import trace_run
from sparsesim.accelerators.pointacc.trace import trace_run as pointacc_trace
from sparsesim.accelerators.stc import model as stc
from sparsesim.accelerators.stc.trace import trace_run as stc_trace
from sparsesim.cli.main import main
from sparsesim.cli.registry import ACCELERATORS
from sparsesim.simulator.trace import LayerActivity, chrome_trace, coalesce, painted, with_gaps
from sparsesim.workloads.gemm import GemmShape
from sparsesim.workloads.layer import Workload

PHASES = {"M", "X", "C", "i"}


def check_trace(doc: dict) -> dict[str, list[tuple[int, int, str]]]:
    """Validate the format and the nesting of every track; return each track's spans as
    (start cycle, end cycle, name), by track name."""
    json.loads(json.dumps(doc))  # plain JSON types only
    assert set(doc) == {"traceEvents", "displayTimeUnit", "otherData"}
    names = {e["tid"]: e["args"]["name"] for e in doc["traceEvents"]
             if e["ph"] == "M" and e["name"] == "thread_name"}
    spans = defaultdict(list)
    for event in doc["traceEvents"]:
        assert event["ph"] in PHASES and event["pid"] == 1
        if event["ph"] == "X":
            assert event["dur"] > 0 and event["ts"] >= 0 and event["tid"] in names
            start, cycles = event["args"]["start_cycle"], event["args"]["cycles"]
            assert event["ts"] == pytest.approx(start * 1e6 / doc["otherData"]["clock_hz"])
            spans[names[event["tid"]]].append((start, start + cycles, event["name"]))
        if event["ph"] == "C":
            assert all(isinstance(v, float) for v in event["args"].values())
    for track, track_spans in spans.items():
        open_spans: list[tuple] = []
        for start, end, _ in sorted(track_spans, key=lambda s: (s[0], -s[1])):
            while open_spans and open_spans[-1][1] <= start:
                open_spans.pop()
            assert not open_spans or end <= open_spans[-1][1], f"{track}: spans cross"
            open_spans.append((start, end))
    return spans


def totals(spans: list[tuple]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for start, end, name in spans:
        out[name] += end - start
    return dict(out)


def assert_pe_tracks_match(spans: dict, results) -> None:
    """Each layer's PE spans add up to its pe_cycles, PE by PE."""
    offset = 0
    for result in results:
        assert result.output_ok
        for pe in range(len(result.pe_busy_cycles)):
            inside = [s for s in spans[f"PE {pe}"] if offset <= s[0] < offset + result.cycles]
            assert totals(inside) == {k: v[pe] for k, v in result.pe_cycles.items() if v[pe]}
        offset += result.cycles


def test_eie_trace_per_pe_spans_match_the_cycle_accounting(rng):
    layers = (layer_from_dense(TOY, np.arange(1, 9), name="toy"),
              layer_from_dense(rng.normal(size=(6, 8)) * (rng.random((6, 8)) < 0.4),
                               np.arange(8) % 3, name="second"))
    config = eie.EIEConfig(num_pes=4, queue_depth_entries=2)
    results, activity = trace_workload(Workload("w", layers, chained=True), config)
    doc = chrome_trace("eie", activity, config.clock_hz)
    spans = check_trace(doc)
    assert [s[2] for s in spans["layers"]] == ["toy", "second"]
    assert {r.engine for r in results} == {"reference"}
    assert_pe_tracks_match(spans, results)
    counters = {e["name"] for e in doc["traceEvents"] if e["ph"] == "C"}
    assert counters == {"queue occupancy (entries)", "broadcast stalled (0/1)"}
    # the toy layer's PE 3 issues useful, empty, empty, ... and coalesces the empties
    toy = [s for s in spans["PE 3"] if s[0] < results[0].cycles]
    assert all(a[2] != b[2] for a, b in zip(toy, toy[1:]))


def test_ese_trace_per_pe_spans_match_the_cycle_accounting():
    model = prune(random_lstm(5, projection=6), "magnitude", 0.6, 4)
    run, activity = trace_run(ese.compile(model, SMALL))
    spans = check_trace(chrome_trace("ese", activity, SMALL.clock_hz))
    assert_pe_tracks_match(spans, run.layers)
    gate_math = totals(spans["element-wise unit"])["gate math"]
    assert gate_math == sum(r.details["elementwise_busy_cycles"] for r in run.layers)


@pytest.mark.parametrize("mapper", ["mergesort", "hash"])
def test_pointacc_trace_has_three_units_matching_the_counts(mapper):
    _, compiled = small_workload(mapper)
    results, activity = pointacc_trace(compiled)
    spans = check_trace(chrome_trace("pointacc", activity, compiled.config.clock_hz))
    assert set(spans) == {"layers", "mapping unit", "memory unit", "matrix unit"}
    assert len(spans["layers"]) == len(results)
    found = {track: totals(track_spans) for track, track_spans in spans.items()}
    assert found["mapping unit"]["mapping"] == sum(r.pe_busy_cycles[0] for r in results)
    assert found["mapping unit"]["waiting"] == sum(r.pe_stalled_cycles[0] for r in results)
    assert found["matrix unit"]["matmul"] == sum(r.pe_busy_cycles[1] for r in results)
    assert found["matrix unit"]["waiting"] == sum(r.pe_stalled_cycles[1] for r in results)
    assert found["memory unit"]["transfer"] == sum(r.details["memory_cycles"] for r in results)


def test_stc_trace_nests_steps_in_tiles_and_matches_the_sm_accounting():
    config = stc.preset("a100")
    result, activity = stc_trace(stc.compile(GemmShape("g", 512, 256, 256), "fp16", config))
    spans = check_trace(chrome_trace("stc", [activity], config.clock_hz))
    sms = [t for t in spans if t.startswith("SM ")]
    assert len(sms) == config.num_sms
    tiles = 0
    for sm in sms:
        found = totals(spans[sm])
        index = int(sm.split()[1])
        assert found["launch"] + found.get("idle", 0) == result.pe_starved_cycles[index]
        work = sum(v for k, v in found.items() if k in ("memory wait", "main-loop step",
                                                          "epilogue"))
        assert work == result.pe_busy_cycles[index] + result.pe_stalled_cycles[index]
        tile_spans = [s for s in spans[sm] if s[2].startswith("tile ")]
        assert sum(b - a for a, b, _ in tile_spans) == work  # every step sits in a tile
        tiles += len(tile_spans)
    plan = result.details["kernels"]["sparse"]["plan"]
    assert tiles == plan["tiles_m"] * plan["tiles_n"]


def test_painting_lets_later_layers_cover_earlier_ones():
    assert painted(6, [[(0, 4, "waiting")], [(1, 2, "busy")]], "idle") == [
        (0, 1, "waiting"), (1, 2, "busy"), (2, 4, "waiting"), (4, 6, "idle")]


def test_a_long_trace_is_cut_with_a_note():
    activity = [LayerActivity("l", 100, {"PE 0": [(c, c + 1, "useful") for c in range(0, 100, 2)]})]
    doc = chrome_trace("x", activity, 1e9, max_events=10)
    timed = [e for e in doc["traceEvents"] if e["ph"] != "M"]
    assert len(timed) == 11 and timed[-1]["ph"] == "i"
    assert "cut to the first 10" in doc["otherData"]["truncated"]
    check_trace(doc)
    assert "truncated" not in chrome_trace("x", activity, 1e9)["otherData"]


def test_the_checker_rejects_crossing_spans():
    activity = [LayerActivity("l", 10, {"PE 0": [(0, 5, "a"), (3, 8, "b")]})]
    with pytest.raises(AssertionError, match="cross"):
        check_trace(chrome_trace("x", activity, 1e9))


def test_coalesce_and_gaps():
    assert coalesce([(2, 3, "a"), (0, 2, "a"), (3, 4, "b")]) == [(0, 3, "a"), (3, 4, "b")]
    assert with_gaps([(2, 3, "a")], 0, 5, "idle") == [(0, 2, "idle"), (2, 3, "a"), (3, 5, "idle")]


CLI_RUNS = {  # accel -> (arguments, tracks expected besides "layers")
    "eie": (["--workload", "lenet300-pruned", "--images", "3"], 64),
    "ese": (["--frames", "2", "--pes", "8"], 8 + 1),
    "pointacc": (["--points", "400"], 3),
    "stc": (["--gemm", "512,256,256"], 108),
}


@pytest.mark.parametrize("accel", sorted(CLI_RUNS))
def test_cli_writes_a_valid_trace_for_every_design(tmp_path, capsys, accel):
    path = tmp_path / "t.json"
    arguments, tracks = CLI_RUNS[accel]
    assert main(["--accel", accel, *arguments, "--trace", str(path)]) == 0
    assert "from the reference engine" in capsys.readouterr().out
    doc = json.loads(path.read_text())
    spans = check_trace(doc)
    assert len(spans) == 1 + tracks and doc["otherData"]["accel"] == accel


def test_trace_for_a_design_without_one_is_refused_before_the_run(tmp_path, capsys):
    traceable = {name for name, c in ACCELERATORS.items() if c.traceable}
    assert traceable == set(CLI_RUNS)
    other = sorted(set(ACCELERATORS) - traceable)
    for accel in other:
        assert main(["--accel", accel, "--trace", str(tmp_path / "t.json")]) == 2
        assert "--trace is not available" in capsys.readouterr().err
        assert not (tmp_path / "t.json").exists()
