"""The public API: sparsesim.accelerators(), config(), run() -> Run."""

from __future__ import annotations

import json
from importlib import resources

import jsonschema
import numpy as np
import pytest
import scipy.sparse

import sparsesim
from sparsesim.simulator.errors import ConfigError, UserError
from sparsesim.workloads.eie_layers import benchmark_layer
from sparsesim.workloads.weight_sharing import share_weights

SCHEMA = json.loads((resources.files("sparsesim") / "run_document.schema.json").read_text())


def test_accelerators_lists_every_design():
    assert sparsesim.accelerators()[:4] == ["eie", "ese", "stc", "pointacc"]


def test_config_replaces_fields_and_stays_frozen():
    config = sparsesim.config("eie", num_pes=32, clock_mhz=1000)
    assert config.num_pes == 32 and config.clock_mhz == 1000.0
    with pytest.raises(AttributeError):
        config.num_pes = 8


@pytest.mark.parametrize("fields, message", [
    ({"num_pe": 32}, "has no field 'num_pe'"),
    ({"num_pes": 3.5}, "takes a int"),
    ({"num_pes": True}, "takes a int"),
    ({"clock_mhz": float("nan")}, "takes a float"),
    ({"clock_mhz": "fast"}, "takes a float"),
])
def test_config_refuses_unknown_fields_and_wrong_kinds(fields, message):
    with pytest.raises(ConfigError, match=message):
        sparsesim.config("eie", **fields)


def test_unknown_accelerator_preset_engine_and_seed_are_user_errors():
    for call in (lambda: sparsesim.config("tpu"), lambda: sparsesim.config("stc", "v100"),
                 lambda: sparsesim.run("eie", engine="turbo"),
                 lambda: sparsesim.run("eie", seed=-1),
                 lambda: sparsesim.run("eie", workload="resnet"),
                 lambda: sparsesim.run("eie", config=sparsesim.config("ese"))):
        with pytest.raises(UserError):
            call()


def test_alexnet_fc8_outputs_equal_numpy_relu_of_shared_weights():
    run = sparsesim.run("eie", workload="alexnet-fc8")
    layer = benchmark_layer("alexnet-fc8", 0)
    shared = share_weights(layer.weights.values, entries=16)
    w_shared = layer.weights.with_values(shared.values()).to_dense().astype(np.float64)
    expected = np.maximum(w_shared @ layer.activations.astype(np.float64), 0.0)
    assert run.output_ok and run.outputs.shape == expected.shape
    np.testing.assert_allclose(run.outputs, expected, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("kind", ["numpy", "scipy"])
def test_a_users_matrix_runs_in_three_lines(kind):
    rng = np.random.default_rng(4)
    dense = np.where(rng.random((30, 50)) < 0.2, rng.normal(size=(30, 50)), 0.0)
    matrix = scipy.sparse.csr_matrix(dense) if kind == "scipy" else dense
    run = sparsesim.run("eie", model=matrix, config=sparsesim.config("eie", num_pes=4))
    assert run.output_ok and run.outputs.shape == (30,) and run.totals["cycles"] > 0


def test_run_document_validates_and_saves(tmp_path):
    run = sparsesim.run("stc", workload="128,64,256")
    document = run.to_dict()
    jsonschema.validate(document, SCHEMA)
    assert document["accel"] == "stc" and document["totals"]["output_ok"] is True
    path = tmp_path / "run.json"
    run.save_json(path)
    assert json.loads(path.read_text()) == json.loads(json.dumps(document))
