"""TorchSparse: grouping rule, engines agree, outputs and maps checked every run (and the
check fails on a corrupted map), fusion and grouping effects, CLI document."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from sparsesim.accelerators.torchsparse import model
from sparsesim.accelerators.torchsparse.config import PRESETS, TorchSparseConfig
from sparsesim.accelerators.torchsparse.grouping import group_offsets
from sparsesim.cli.main import main
from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.point_clouds import load_cloud, subsample
from sparsesim.workloads.point_layers import point_workload


@pytest.fixture(scope="module")
def workload():
    cloud = load_cloud("kitten")
    cloud = dataclasses.replace(cloud, points=subsample(cloud.points, 3000, 0))
    return point_workload(cloud, 0.03, seed=0)


def test_grouping_rules():
    sizes = np.array([100, 50, 50, 45, 10, 0, 9])
    assert group_offsets(sizes, "separate", 0.5, 1000) == [[0], [1], [2], [3], [4], [6]]
    assert group_offsets(sizes, "padded", 0.5, 1000) == [[0, 1, 2, 3, 4, 6]]
    groups = group_offsets(sizes, "adaptive", 0.2, 1000)
    assert groups == [[0], [1, 2, 3], [4, 6]]
    for g in groups:
        real = sizes[g].sum()
        assert len(g) * sizes[g].max() <= 1.2 * real
    assert group_offsets(sizes, "adaptive", 10.0, 60) == [[0], [1, 2, 3, 4, 6]]


@pytest.mark.parametrize("preset", list(PRESETS))
def test_engines_agree_and_outputs_check(workload, preset):
    compiled = model.compile(workload, PRESETS[preset])
    ref, out = model.run(compiled, engine="reference", seed=0)
    fast, out_fast = model.run(compiled, engine="fast", seed=0)
    assert [r.comparable() for r in ref] == [r.comparable() for r in fast]
    assert all(r.output_ok and r.details["maps_ok"] for r in ref)
    assert np.array_equal(out, out_fast)


def test_corrupted_map_fails_the_check(workload):
    compiled = model.compile(workload, PRESETS["a100"])
    entries = compiled.layers[1].maps.entries
    entries[0, 0] = (entries[0, 0] + 1) % len(compiled.layers[1].in_coords)
    results, _ = model.run(compiled, engine="fast")
    assert results[0].output_ok and not results[1].output_ok


def test_fusion_cuts_traffic_and_grouping_cuts_launches(workload):
    runs = {name: model.run(model.compile(workload, PRESETS[name]), engine="fast")[0]
            for name in ("a100", "a100-unfused", "a100-separate", "a100-padded")}
    traffic = {n: sum(r.details["data_movement_cycles"] for r in rs) for n, rs in runs.items()}
    assert traffic["a100"] < traffic["a100-unfused"]
    launches = {n: sum(r.details["kernels_launched"] for r in rs) for n, rs in runs.items()}
    assert launches["a100-padded"] <= launches["a100"] < launches["a100-separate"]
    redundancy = {n: max(r.details["padding_redundancy"] for r in rs) for n, rs in runs.items()}
    assert redundancy["a100-separate"] == 0 < redundancy["a100"] <= redundancy["a100-padded"]


@pytest.mark.parametrize("fields", [{"grouping": "x"}, {"gpu": "v100"}, {"epsilon": -1.0},
                                    {"sector_bytes": 0}])
def test_impossible_configs_are_refused(fields):
    with pytest.raises(ConfigError):
        dataclasses.replace(TorchSparseConfig(), **fields)


def test_cli_json(tmp_path, capsys):
    out = tmp_path / "ts.json"
    code = main(["--accel", "torchsparse", "--cloud", "kitten", "--voxel", "0.05",
                 "--engine", "fast", "--json", str(out)])
    assert code == 0 and "ok" in capsys.readouterr().out
    doc = json.loads(out.read_text())
    assert doc["accel"] == "torchsparse" and doc["totals"]["output_ok"]
    assert {"mapping_share", "matmul_share", "data_movement_share"} <= set(
        doc["layers"][0]["details"])


@pytest.mark.parametrize("argv", [["--grouping", "padded", "--epsilon", "1"],
                                  ["--voxel", "0"], ["--epsilon", "-1"]])
def test_cli_bad_input_is_one_line(capsys, argv):
    assert main(["--accel", "torchsparse", "--cloud", "kitten", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
