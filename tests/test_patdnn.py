"""PatDNN: FKW round trip and size, the execution model's engines, output checks that
can fail, reorder and LRE effects, config and CLI errors."""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import sparsesim
from sparsesim.accelerators.patdnn import model
from sparsesim.accelerators.patdnn.config import PRESETS, PatDNNConfig
from sparsesim.cli.main import main
from sparsesim.simulator.errors import ConfigError, FormatError, WorkloadError
from sparsesim.workloads.conv_layers import ConvLayer, ConvWorkload, pruned_layer
from sparsesim.workloads.formats.fkw import FKW, csr_nbytes
from sparsesim.workloads.model_file import save_model
from sparsesim.workloads.pruning.pattern import pattern_prune


@settings(max_examples=40, deadline=None)
@given(filters=st.integers(1, 8), channels=st.integers(1, 6), patterns=st.integers(1, 8),
       connectivity=st.floats(0.0, 0.9), reorder=st.booleans(), seed=st.integers(0, 2**16))
def test_fkw_round_trips_pattern_pruned_weights(filters, channels, patterns, connectivity,
                                                reorder, seed):
    w = np.random.default_rng(seed).standard_normal((filters, channels, 3, 3))
    pruning = pattern_prune(w, patterns, connectivity)
    pruned = (w * pruning.mask).astype(np.float32)
    for fkw in (FKW.from_dense(pruned, pruning.patterns, pruning.assigned, reorder),
                FKW.from_dense(pruned, reorder_filters=reorder)):
        assert np.array_equal(fkw.to_dense(), pruned)
        assert sorted(fkw.reorder) == list(range(filters))


def test_fkw_arrays_follow_the_paper_layout():
    w = np.zeros((2, 3, 3, 3), np.float32)
    w[0, 0].flat[[0, 1, 3, 4]] = 1  # pattern A at channel 0
    w[0, 2].flat[[1, 4, 5, 7]] = 2  # pattern B at channel 2
    w[1, 1].flat[[0, 1, 3, 4]] = 3  # filter 1: one kernel (fewer kernels: stored last)
    fkw = FKW.from_dense(w)
    assert fkw.reorder.tolist() == [0, 1]
    assert fkw.offset.tolist() == [0, 2, 3]
    assert fkw.index.tolist()[:2] in ([0, 2], [2, 0]) and fkw.index[2] == 1
    assert fkw.stride[0, -1] == 2 and fkw.stride[1, -1] == 1
    assert len(fkw.weight) == 12
    assert np.array_equal(fkw.to_dense(), w)


def test_fkw_is_smaller_than_csr_on_a_vgg_sized_layer():
    w = np.random.default_rng(0).standard_normal((64, 64, 3, 3))
    pruned = w * pattern_prune(w, 8, 0.5).mask
    fkw = FKW.from_dense(pruned)
    assert fkw.nbytes < csr_nbytes(pruned.reshape(64, -1))


def test_fkw_refuses_kernels_outside_their_pattern():
    w = np.ones((1, 1, 3, 3), np.float32)
    with pytest.raises(FormatError):
        FKW.from_dense(w, patterns=np.eye(1, 9, 4, dtype=bool))


def small_workload(seed: int = 3, connectivity: float = 0.5) -> ConvWorkload:
    rng = np.random.default_rng(seed)
    layers = (pruned_layer("a", rng.standard_normal((12, 8, 3, 3)), rng.random((8, 9, 10)),
                           1, 4, connectivity),
              pruned_layer("b", rng.standard_normal((5, 3, 3, 3)), rng.random((3, 6, 7)),
                           0, 8, connectivity))
    return ConvWorkload("small", layers)


@pytest.mark.parametrize("preset", list(PRESETS))
def test_engines_agree_and_outputs_check(preset):
    compiled = model.compile(small_workload(), PRESETS[preset])
    ref, out = model.run(compiled, engine="reference", seed=0)
    fast, out_fast = model.run(compiled, engine="fast", seed=0)
    assert [r.comparable() for r in ref] == [r.comparable() for r in fast]
    assert all(r.output_ok for r in ref)
    assert np.array_equal(out, out_fast)


@pytest.mark.parametrize("preset", ["dense-im2col", "csr", "snapdragon855"])
def test_corrupted_encoding_fails_the_output_check(preset):
    compiled = model.compile(small_workload(), PRESETS[preset])
    encoding = compiled.layers[0].encoding
    values = {"dense-im2col": encoding, "csr": getattr(encoding, "values", None),
              "snapdragon855": getattr(encoding, "weight", None)}[preset]
    values.reshape(-1)[np.flatnonzero(values.reshape(-1))[0]] += 1.0
    results, _ = model.run(compiled, engine="fast")
    assert not results[0].output_ok and results[1].output_ok


def unbalanced_layer() -> ConvLayer:
    """Filter f keeps f + 1 kernels, all of pattern 0: contiguous chunks are unbalanced."""
    patterns = pattern_prune(np.ones((1, 1, 3, 3)), 1).patterns
    w = np.zeros((16, 16, 3, 3), np.float32)
    for f in range(16):
        w[f, :f + 1] = np.where(patterns[0].reshape(3, 3), 1.0 + f, 0.0)
    return ConvLayer("unbalanced", w, np.ones((16, 8, 8), np.float32), 1)


def test_reorder_reduces_imbalance_and_lre_reduces_loads():
    workload = ConvWorkload("u", (unbalanced_layer(),))
    runs = {name: model.run(model.compile(workload, PRESETS[name]), engine="fast")[0][0]
            for name in ("pattern", "pattern+reorder", "snapdragon855")}
    assert (runs["pattern+reorder"].details["thread_imbalance"]
            < runs["pattern"].details["thread_imbalance"])
    assert runs["pattern+reorder"].cycles < runs["pattern"].cycles
    assert (runs["snapdragon855"].details["input_loads"]
            < runs["pattern+reorder"].details["input_loads"])
    assert all(r.output_ok for r in runs.values())


@pytest.mark.parametrize("fields", [{"lre": True, "reorder": False},
                                    {"scheme": "dense"}, {"threads": 0}, {"scheme": "x"}])
def test_impossible_configs_are_refused(fields):
    with pytest.raises(ConfigError):
        dataclasses.replace(PatDNNConfig(), **fields)


def lenet5_file(path) -> str:
    rng = np.random.default_rng(0)
    weights = {}
    for name, shape in (("conv1", (16, 1, 3, 3)), ("conv2", (32, 16, 3, 3))):
        w = rng.standard_normal(shape)
        weights[name] = (w * pattern_prune(w, 8, 0.5).mask).astype(np.float32)
    weights["fc1"] = rng.standard_normal((128, 800)).astype(np.float32)
    weights["fc2"] = rng.standard_normal((10, 128)).astype(np.float32)
    save_model(path, weights, {}, {"name": "lenet5-test", "network": "lenet5"})
    return str(path)


def test_api_runs_a_lenet5_model_file(tmp_path):
    run = sparsesim.run("patdnn", model=lenet5_file(tmp_path / "l.npz"), engine="fast")
    assert run.output_ok and len(run.layers) == 2
    assert run.layers[1].details["output_shape"] == [32, 11, 11]


def test_api_refuses_other_model_files(tmp_path):
    path = tmp_path / "fc.npz"
    save_model(path, {"fc": np.ones((2, 3), np.float32)}, {}, {"network": "lenet300"})
    with pytest.raises(WorkloadError):
        sparsesim.run("patdnn", model=str(path))


def test_cli_ablation_json(tmp_path, capsys):
    out = tmp_path / "run.json"
    code = main(["--accel", "patdnn", "--model", lenet5_file(tmp_path / "l.npz"),
                 "--ablation", "--engine", "fast", "--json", str(out)])
    text = capsys.readouterr().out
    assert code == 0 and "pattern+reorder+lre" in text
    doc = json.loads(out.read_text())
    assert doc["accel"] == "patdnn" and doc["totals"]["output_ok"]
    assert set(doc["details"]["ablation"]) == set(PRESETS)


@pytest.mark.parametrize("argv", [["--preset", "csr", "--filter-block", "2"],
                                  ["--mispredict-cycles", "-1"],
                                  ["--model", "/no/such/file.npz"],
                                  ["--tech", "nope"]])
def test_cli_bad_input_is_one_line(capsys, argv):
    assert main(["--accel", "patdnn", *argv]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_sweep_over_presets_and_fields(tmp_path, capsys):
    out = tmp_path / "s.jsonl"
    assert main(["sweep", "--accel", "patdnn", "--workload", "lenet5", "--engine", "fast",
                 "--grid", "preset=pattern,snapdragon855", "threads=2", "--out",
                 str(out)]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 2 and all(r["output_ok"] for r in records)
    assert {r["config"]["lre"] for r in records} == {False, True}
    assert main(["sweep", "--accel", "patdnn", "--grid", "preset=nope", "--out",
                 str(tmp_path / "t.jsonl")]) == 2


def test_engines_agree_on_the_real_mnist_workload():
    from sparsesim.accelerators.patdnn.design import named_workload

    compiled = model.compile(named_workload("lenet5", 2), PRESETS["snapdragon855"])
    ref = model.run(compiled, engine="reference", seed=2)[0]
    fast = model.run(compiled, engine="fast", seed=2)[0]
    assert [r.comparable() for r in ref] == [r.comparable() for r in fast]
    assert all(r.output_ok for r in ref)
