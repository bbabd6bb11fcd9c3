"""PointAcc mapping: keys, merge-sort and hash kernel maps, FPS, ball query, kNN, all
equal to the numpy references exactly; tiny cases with worked-out cycle counts."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsesim.accelerators.pointacc import model as pointacc
from sparsesim.accelerators.pointacc import references as ref
from sparsesim.accelerators.pointacc.config import POINTACC_DEFAULT, PointAccConfig
from sparsesim.accelerators.pointacc.distance import DistanceUnit
from sparsesim.accelerators.pointacc.hash import issue_cycles
from sparsesim.accelerators.pointacc.keys import kernel_offsets, pack, pack_offset, unpack
from sparsesim.accelerators.pointacc.mergesort import MergeSortMapper, merge_comparisons
from sparsesim.simulator.engine import Engine
from sparsesim.simulator.errors import ConfigError, WorkloadError
from sparsesim.workloads.point_clouds import CLOUD_NAMES, DEFAULT_VOXEL, load_cloud, voxelize

MAPPERS = ("mergesort", "hash")
coordinate_rows = st.lists(st.tuples(*[st.integers(-6, 6)] * 3), max_size=60)
OFFSETS = kernel_offsets(3)


def config(mapper: str, **changes) -> PointAccConfig:
    return dataclasses.replace(POINTACC_DEFAULT, mapper=mapper, **changes)


def run_generator(make, *args):
    """Run one generator of a unit on a fresh engine; returns (result, unit)."""
    engine = Engine()
    unit = make(engine)
    box = {}

    def process():
        box["result"] = yield from getattr(unit, args[0])(*args[1:])

    engine.process(process())
    engine.run(lambda: "result" in box)
    return box["result"], unit


@given(coordinate_rows)
def test_keys_roundtrip_and_sort_lexicographically(rows):
    coords = np.array(rows, dtype=np.int64).reshape(-1, 3)
    keys = pack(coords)
    assert np.array_equal(unpack(keys), coords)
    assert np.array_equal(np.argsort(keys, kind="stable"),
                          np.lexsort(coords.T[::-1]))
    for offset in ((1, -1, 0), (-1, -1, -1)):
        assert np.array_equal(unpack(keys + pack_offset(offset)), coords + offset)


def test_coordinate_too_large_for_a_key_is_a_clear_error():
    with pytest.raises(WorkloadError, match="does not fit a 21-bit key field"):
        pack(np.array([[1 << 19, 0, 0]]))


@settings(max_examples=40, deadline=None)
@given(coordinate_rows, st.sampled_from(MAPPERS), st.sampled_from((1, 2)),
       st.sampled_from((1, 3, 16)))
def test_kernel_maps_equal_numpy_reference(rows, mapper, stride, comparators):
    """Any cloud, duplicates included (voxelize collapses them), empty and one point."""
    coords = voxelize(np.array(rows, dtype=np.float64).reshape(-1, 3), 1.0).coords
    maps = pointacc.kernel_maps(coords, stride, config(mapper, comparators=comparators))
    expected_out = ref.output_coords(coords, stride)
    assert np.array_equal(np.unique(maps.out_coords, axis=0).reshape(-1, 3), expected_out)
    assert len(maps.out_coords) == len(expected_out)
    assert np.array_equal(ref.canonical(maps.entries),
                          ref.kernel_map(coords, expected_out, OFFSETS))


def test_empty_cloud_gives_an_empty_map_in_zero_cycles():
    for mapper in MAPPERS:
        maps = pointacc.kernel_maps(np.zeros((0, 3), dtype=np.int64), 1, config(mapper))
        assert maps.entries.shape == (0, 5) and maps.cycles == 0


def test_single_point_maps_only_to_itself_through_the_centre_offset():
    for mapper in MAPPERS:
        maps = pointacc.kernel_maps(np.array([[3, -2, 5]]), 1, config(mapper))
        assert maps.entries.tolist() == [[0, 3, -2, 5, 13]]  # offset 13 = (0, 0, 0)


def test_repeated_voxel_rows_are_refused():
    with pytest.raises(WorkloadError, match="voxel coordinates repeat"):
        pointacc.kernel_maps(np.array([[1, 1, 1], [1, 1, 1]]), 1)


@pytest.mark.parametrize("cloud", CLOUD_NAMES)
def test_kernel_maps_equal_reference_on_shipped_clouds(cloud):
    """At the CLI's default voxel sizes (bunny: 20,148 voxels)."""
    voxel = DEFAULT_VOXEL[cloud]
    coords = voxelize(load_cloud(cloud).points, voxel).coords
    for stride in (1, 2):
        expected = ref.kernel_map(coords, ref.output_coords(coords, stride), OFFSETS)
        for mapper in MAPPERS:
            maps = pointacc.kernel_maps(coords, stride, config(mapper))
            assert np.array_equal(ref.canonical(maps.entries), expected)


def test_merge_comparisons_worked_example():
    """a = 1 3 5 9, b = 3 4 5 6: merging until b runs dry at 6 takes keys 1 3 5 of a
    and all 4 of b (7 keys), two of them matches (3, 5): 7 - 2 = 5 comparisons."""
    assert merge_comparisons(np.array([1, 3, 5, 9]), np.array([3, 4, 5, 6])) == (5, 2)
    assert merge_comparisons(np.array([1]), np.array([], dtype=np.int64)) == (0, 0)


def test_sort_cycles_worked_example():
    """10 keys, 4 comparators, latency 1: the network sorts blocks of 4, 4, 2 in 3
    cycles + 1 = 4; pass 1 merges (4+4) in 2 cycles + 1 = 3 while the odd run of 2
    stays where it is; pass 2 merges (8+2) in 3 cycles + 1 = 4. Total 11."""
    cfg = config("mergesort", comparators=4, merger_latency_cycles=1)
    keys = np.array([9, 2, 7, 4, 8, 1, 6, 3, 5, 0], dtype=np.int64)
    (ordered, index), unit = run_generator(lambda e: MergeSortMapper(e, cfg), "sort_unique",
                                           keys)
    assert ordered.tolist() == list(range(10)) and np.array_equal(keys[index], ordered)
    assert unit.stats.cycles == 11 and unit.stats.passes == 2


def test_hash_issue_cycles_count_bank_conflicts():
    """4 banks: slots 0 4 8 1 all but one land in bank 0 (3 cycles), then 2 3 (1)."""
    assert issue_cycles(np.array([0, 4, 8, 1, 2, 3]), 4) == 4
    assert issue_cycles(np.array([], dtype=np.int64), 4) == 0


def test_hash_mapper_counts_collisions_on_a_crowded_table():
    coords = voxelize(load_cloud("kitten").points, 0.05).coords
    crowded = pointacc.kernel_maps(coords, 1, config("hash", hash_load_factor=1.0))
    roomy = pointacc.kernel_maps(coords, 1, config("hash", hash_load_factor=0.25))
    assert crowded.collisions > roomy.collisions > 0
    assert np.array_equal(ref.canonical(crowded.entries), ref.canonical(roomy.entries))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(*[st.integers(-5, 5)] * 3), min_size=1, max_size=50),
       st.integers(1, 50), st.integers(1, 8), st.integers(1, 30), st.sampled_from((1, 4, 16)))
def test_fps_ball_query_knn_equal_numpy_reference(rows, samples, k, radius_sq, lanes):
    """Duplicated points included (FPS then picks equal points; ties to the lowest)."""
    points = np.array(rows, dtype=np.int64)
    samples = min(samples, len(points))
    cfg = config("mergesort", distance_lanes=lanes, comparators=lanes)

    def unit(engine):
        return DistanceUnit(engine, cfg)

    centres, _ = run_generator(unit, "farthest_point_sampling", points, samples)
    assert np.array_equal(centres, ref.farthest_point_sampling(points, samples))
    near, _ = run_generator(unit, "ball_query", points, points[centres], radius_sq, k)
    assert np.array_equal(near, ref.ball_query(points, points[centres], radius_sq, k))
    k_nn = min(k, len(points))
    nearest, _ = run_generator(unit, "knn", points, points[centres], k_nn)
    assert np.array_equal(nearest, ref.knn(points, points[centres], k_nn))


def test_fps_cycles_worked_example():
    """5 points, 2 lanes, latency 2: each of the 2 picks after point 0 scans
    ceil(5 / 2) = 3 chunks + 2 = 5 cycles; 10 in all."""
    points = np.array([[0, 0, 0], [1, 0, 0], [5, 0, 0], [2, 0, 0], [4, 0, 0]])
    cfg = config("mergesort", distance_lanes=2, merger_latency_cycles=2)
    centres, unit = run_generator(lambda e: DistanceUnit(e, cfg), "farthest_point_sampling",
                                  points, 3)
    assert centres.tolist() == [0, 2, 3] and unit.stats.cycles == 10


@pytest.mark.parametrize("call, message", [
    (("farthest_point_sampling", np.zeros((3, 3)), 4), "1 <= samples <= points"),
    (("farthest_point_sampling", np.zeros((0, 3)), 1), "1 <= samples <= points"),
    (("knn", np.zeros((2, 3)), np.zeros((1, 3)), 3), "1 <= k <= points"),
    (("ball_query", np.array([[0, 0, 0]]), np.array([[9, 9, 9]]), 4, 2), "no point within"),
])
def test_impossible_searches_are_clear_errors(call, message):
    with pytest.raises(WorkloadError, match=message):
        run_generator(lambda e: DistanceUnit(e, POINTACC_DEFAULT), *call)


@pytest.mark.parametrize("field, value, message", [
    ("mapper", "tree", "mapper must be one of mergesort, hash"),
    ("comparators", 0, "comparators must be a whole number in 1..4096"),
    ("hash_load_factor", 1.5, r"hash_load_factor must be a finite number in \(0, 1\]"),
    ("clock_mhz", 0.0, r"clock_mhz must be a finite number in \[0.001, 100000\]"),
])
def test_bad_config_is_refused(field, value, message):
    with pytest.raises(ConfigError, match=message):
        dataclasses.replace(POINTACC_DEFAULT, **{field: value})
