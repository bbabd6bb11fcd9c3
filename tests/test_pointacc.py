"""PointAcc layers end to end: outputs against the dense numpy reference, the checks
can fail, exact unit timings, determinism, the CLI."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from conftest import load_document
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsesim.accelerators.pointacc import model as pointacc
from sparsesim.accelerators.pointacc import references as ref
from sparsesim.accelerators.pointacc.check import check_conv
from sparsesim.accelerators.pointacc.config import POINTACC_DEFAULT
from sparsesim.accelerators.pointacc.conv import simulate_conv
from sparsesim.accelerators.pointacc.keys import kernel_offsets
from sparsesim.cli import main as sim
from sparsesim.simulator.dram import DRAMChannel
from sparsesim.simulator.engine import Engine
from sparsesim.simulator.errors import WorkloadError
from sparsesim.simulator.systolic import SystolicArray
from sparsesim.workloads.point_clouds import PointCloud, load_cloud, subsample, voxelize
from sparsesim.workloads.point_layers import point_workload

ISSUE_KEYS = {"mapping_cycles", "matmul_cycles", "memory_cycles", "map_entries", "output_ok"}


def small_workload(mapper: str = "mergesort", **config_changes):
    workload = point_workload(load_cloud("kitten"), 0.05, seed=3, samples=64)
    config = dataclasses.replace(POINTACC_DEFAULT, mapper=mapper, **config_changes)
    return workload, pointacc.compile(workload, config)


@pytest.mark.parametrize("mapper", ["mergesort", "hash"])
def test_every_layer_output_ok_against_the_dense_reference(mapper):
    workload, compiled = small_workload(mapper)
    results = pointacc.run(compiled, seed=3)
    assert [r.details["layer"] for r in results] == ["conv1", "conv2", "down", "sa"]
    for r in results:
        assert r.output_ok and r.details["maps_ok"], r.details["layer"]
        assert r.details["reference"] in ("dense_grid", "numpy_grouping")
        assert r.cycles >= max(r.details["mapping_cycles"], r.details["matmul_cycles"],
                               r.details["memory_cycles"])
        assert min(r.pe_starved_cycles) >= 0  # busy + waiting never exceed the layer
    assert results[2].details["output_points"] < results[1].details["output_points"]


def test_both_mappers_give_the_same_maps_and_outputs_but_different_mapping_cycles():
    merge = pointacc.run(small_workload("mergesort")[1])
    hashed = pointacc.run(small_workload("hash")[1])
    for a, b in zip(merge[:3], hashed[:3]):
        assert a.details["map_entries"] == b.details["map_entries"]
        assert a.details["matmul_cycles"] == b.details["matmul_cycles"]
        assert a.details["mapping_cycles"] != b.details["mapping_cycles"]
        assert b.details["hash_collisions"] > 0 == a.details["hash_collisions"]


def test_a_wrong_map_or_output_is_caught():
    workload, _ = small_workload()
    layer = workload.convs[0]
    run = simulate_conv(POINTACC_DEFAULT, workload.coords, workload.features, layer)
    assert check_conv(run, workload.coords, workload.features, layer).output_ok
    dropped = dataclasses.replace(run, maps={"kernel_map": run.maps["kernel_map"][1:]})
    assert not check_conv(dropped, workload.coords, workload.features, layer).maps_ok
    nudged = dataclasses.replace(run, output=run.output + 1e-3)
    check = check_conv(nudged, workload.coords, workload.features, layer)
    assert not check.output_ok and check.max_abs_error == pytest.approx(1e-3)


def test_sparse_conv_reference_methods_agree(monkeypatch):
    """The dense-grid reference and the kernel-map reference give the same output."""
    coords = voxelize(load_cloud("kitten").points, 0.1).coords
    rng = np.random.default_rng(0)
    x = rng.normal(size=(len(coords), 3))
    w = rng.normal(size=(27, 3, 5))
    offsets = kernel_offsets(3)
    for stride in (1, 2):
        dense = ref.sparse_conv(coords, x, w, offsets, stride)
        with monkeypatch.context() as patch:
            patch.setattr(ref, "DENSE_GRID_LIMIT_CELLS", 0)
            sparse = ref.sparse_conv(coords, x, w, offsets, stride)
        assert (dense[2], sparse[2]) == ("dense_grid", "kernel_map")
        assert np.array_equal(dense[0], sparse[0])
        assert np.allclose(dense[1], sparse[1], rtol=0, atol=1e-12)


def test_features_that_overflow_the_buffer_are_gathered_from_dram():
    fits = pointacc.run(small_workload()[1])[0]
    spills = pointacc.run(small_workload(feature_buffer_bytes=64)[1])[0]
    assert fits.memory_stats["feature_buffer"]["input_features_resident"]
    assert not spills.memory_stats["feature_buffer"]["input_features_resident"]
    assert spills.memory_stats["dram"]["bytes_read"] > fits.memory_stats["dram"]["bytes_read"]
    assert spills.output_ok


def test_systolic_array_and_dram_timings_are_exact():
    """(10 x 20) @ (20 x 5) on 8 x 4: 3 x 2 tiles of 10 + 8 + 4 - 1 = 21 cycles = 126.
    100 bytes at 32 B/cycle: 4 cycles."""
    array = SystolicArray(Engine(), "a", 8, 4)
    array.matmul(10, 20, 5)
    array.matmul(0, 20, 5)
    assert array.stats.busy_cycles == 126 and array.stats.macs == 1000
    engine = Engine()
    dram = DRAMChannel(engine, "d", 32)

    def move():
        yield from dram.transfer(read_bytes=60, write_bytes=40)

    engine.process(move())
    engine.env.run()
    assert dram.stats.busy_cycles == 4 and engine.now == 4


def test_empty_cloud_and_bad_voxel_are_clear_errors():
    empty = PointCloud("none", np.zeros((0, 3), dtype=np.float32), {})
    with pytest.raises(WorkloadError, match="has no points"):
        point_workload(empty, 0.1)
    with pytest.raises(WorkloadError, match="voxel size must be a number > 0"):
        voxelize(np.zeros((2, 3)), 0.0)
    with pytest.raises(WorkloadError, match="too small for this cloud"):
        voxelize(load_cloud("vlp16").points, 1e-6)


def test_single_point_and_duplicate_points_run():
    one = PointCloud("one", np.array([[0.5, 0.5, 0.5]], dtype=np.float32), {})
    twice = PointCloud("twice", np.array([[0.5, 0.5, 0.5]] * 2 + [[0.7, 0.5, 0.5]],
                                         dtype=np.float32), {})
    for cloud, voxels in ((one, 1), (twice, 2)):
        workload = point_workload(cloud, 0.1, samples=8, radius_voxels=1, neighbours=2)
        assert len(workload.coords) == voxels
        results = pointacc.run(pointacc.compile(workload))
        assert all(r.output_ok for r in results)


def test_subsample_is_seeded_and_keeps_order():
    points = load_cloud("kitten").points
    a, b = subsample(points, 100, seed=1), subsample(points, 100, seed=1)
    assert np.array_equal(a, b) and len(a) == 100
    with pytest.raises(WorkloadError, match="point count must be >= 1"):
        subsample(points, 0, seed=1)


def run_cli(capsys, *argv):
    code = sim.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_prints_table_and_writes_json_and_plot(capsys, tmp_path):
    out_json, png = tmp_path / "p.json", tmp_path / "p.png"
    code, out, _ = run_cli(capsys, "--accel", "pointacc", "--cloud", "kitten", "--voxel",
                           "0.05", "--mapper", "hash", "--comparators", "8", "--json",
                           str(out_json), "--plot", str(png))
    assert code == 0 and "mapper hash" in out and "WRONG" not in out
    assert "mapping_cyc" in out and "sa " in out
    doc = load_document(out_json)
    assert doc["config"]["mapper"] == "hash" and doc["config"]["comparators"] == 8
    assert [s["layer"] for s in doc["details"]["summary"]] == ["conv1", "conv2", "down", "sa"]
    for summary in doc["details"]["summary"]:
        assert ISSUE_KEYS <= set(summary) and summary["output_ok"] is True
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_cli_same_seed_same_json(capsys, tmp_path):
    docs = []
    for name in ("a.json", "b.json"):
        run_cli(capsys, "--accel", "pointacc", "--cloud", "vlp16", "--points", "2000",
                "--voxel", "0.5", "--json", str(tmp_path / name))
        doc = load_document(tmp_path / name)
        for layer in doc["layers"]:
            layer.pop("wall_seconds")
        doc["totals"].pop("wall_seconds")
        docs.append(doc)
    assert docs[0] == docs[1] and docs[0]["details"]["points"] == 2000


@pytest.mark.parametrize("argv, message", [
    (["--cloud", "dragon"], "argument --cloud: invalid choice: 'dragon'"),
    (["--voxel", "0"], "--voxel: must be > 0"),
    (["--mapper", "tree"], "argument --mapper: invalid choice: 'tree'"),
    (["--voxel", "1e-7"], "too small for this cloud"),
])
def test_cli_bad_input_one_line_exit_2(capsys, argv, message):
    code, _, err = run_cli(capsys, "--accel", "pointacc", *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_scaling_benchmark_writes_json_with_checked_maps(tmp_path, capsys):
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "benchmarks" / "pointacc_scaling.py"
    spec = importlib.util.spec_from_file_location("pointacc_scaling", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    assert bench.point_counts(5210) == [1000, 2000, 4000, 5210]
    out = tmp_path / "s.json"
    assert bench.main(["--clouds", "kitten", "--json", str(out)]) == 0
    rows = json.loads(out.read_text())["rows"]
    assert [r["points"] for r in rows if r["stride"] == 1] == [1000, 2000, 4000, 5210]
    assert all(r["mergesort_maps_ok"] and r["hash_maps_ok"] for r in rows)


@pytest.mark.parametrize("cloud", ["bunny", "kitten", "vlp16"])
def test_fps_and_ball_query_equal_reference_on_shipped_clouds(cloud):
    """The set abstraction at the CLI's default voxel size: FPS indices, neighbour
    lists and output all equal numpy."""
    from sparsesim.accelerators.pointacc.check import check_set_abstraction
    from sparsesim.accelerators.pointacc.sa import simulate_set_abstraction
    from sparsesim.workloads.point_clouds import DEFAULT_VOXEL

    workload = point_workload(load_cloud(cloud), DEFAULT_VOXEL[cloud], seed=0)
    sa = workload.set_abstraction
    run = simulate_set_abstraction(POINTACC_DEFAULT, workload.coords, workload.features, sa)
    check = check_set_abstraction(run, workload.coords, workload.features, sa)
    assert check.maps_ok and check.output_ok
    assert len(set(run.maps["fps"].tolist())) == sa.samples  # distinct voxels


@settings(max_examples=15, deadline=None)
@given(st.lists(st.tuples(*[st.floats(-1, 1, allow_nan=False)] * 3), min_size=1, max_size=40),
       st.sampled_from(["mergesort", "hash"]), st.sampled_from([64, 1 << 20]))
def test_random_clouds_run_ok_end_to_end(rows, mapper, buffer_bytes):
    """Random float clouds (repeats likely after voxelization), both mappers, features
    on chip or gathered from DRAM: every map and output equals numpy."""
    cloud = PointCloud("random", np.array(rows, dtype=np.float32), {})
    workload = point_workload(cloud, 0.25, samples=8, radius_voxels=2, neighbours=4)
    config = dataclasses.replace(POINTACC_DEFAULT, mapper=mapper,
                                 feature_buffer_bytes=buffer_bytes)
    results = pointacc.run(pointacc.compile(workload, config))
    assert all(r.output_ok and r.details["maps_ok"] for r in results)
