import json

import numpy as np
import pytest
from conftest import load_document

from sparsesim.cli import main as sim
from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.model_file import load_model, load_test_set, save_model
from sparsesim.workloads.shipped_models import SHIPPED_MODELS

QUICK = ["--epochs", "1", "--finetune-epochs", "1", "--quiet"]


def run_main(capsys, *argv):
    code = sim.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def pruned(tmp_path_factory):
    folder = tmp_path_factory.mktemp("prune")
    code = sim.main(["prune", "--model", "lenet300", "--method", "magnitude", "--sparsity",
                     "0.9", "--iterations", "2", "--share-weights", "16", "--test-images", "30",
                     "--out", str(folder / "m.npz"), "--json", str(folder / "m.json"), *QUICK])
    assert code == 0
    return folder / "m.npz", json.loads((folder / "m.json").read_text())


def test_prune_json_reports_accuracy_and_sparsity_per_layer(pruned):
    path, doc = pruned
    assert set(doc["sparsity"]) == {"fc1", "fc2", "fc3"}
    assert all(s == pytest.approx(0.9, abs=1e-3) for s in doc["sparsity"].values())
    assert 0.8 < doc["dense_accuracy"] <= 1 and 0.5 < doc["pruned_accuracy"] <= 1
    assert len(doc["steps"]) == 2 and doc["finetune_learning_rate"] == pytest.approx(0.005)


def test_pruned_model_file_keeps_masks_codebooks_and_test_images(pruned):
    path, doc = pruned
    workload = load_model(path)
    for layer in workload.layers:
        dense = layer.weights.to_dense()
        sparsity = 1 - np.count_nonzero(dense) / dense.size
        assert sparsity == pytest.approx(doc["sparsity"][layer.name])
        assert len(np.unique(dense[dense != 0])) <= 15
        assert set(np.unique(dense[dense != 0])) <= set(doc["codebooks"][layer.name][1:])
    test = load_test_set(path)
    assert test.images.shape == (30, 784) and np.array_equal(test.labels[:10], np.arange(10))


def test_eie_classifies_the_models_test_images_like_numpy(capsys, pruned, tmp_path):
    path, _ = pruned
    out_json = tmp_path / "eie.json"
    code, out, _ = run_main(capsys, "--accel", "eie", "--model", str(path), "--pes", "8",
                            "--images", "20", "--json", str(out_json))
    found = load_document(out_json)["details"]["classification"]
    assert code == 0 and "classified 20 real test images" in out
    assert found["images"] == 20 and found["predictions_agree"] == 20
    assert found["accuracy_simulated"] == found["accuracy_numpy"]
    assert found["classification_output_ok"] is True


def test_shipped_pruned_lenet300_is_about_8_percent_4_bit_and_classifies(capsys, tmp_path):
    path = SHIPPED_MODELS["lenet300-pruned"]
    workload = load_model(path)
    kept = sum(layer.weights.nnz for layer in workload.layers)
    total = sum(np.prod(layer.weights.shape) for layer in workload.layers)
    assert kept / total <= 0.08 + 1e-9
    assert all(len(np.unique(layer.weights.values)) <= 15 for layer in workload.layers)
    out_json = tmp_path / "ship.json"
    code, out, _ = run_main(capsys, "--workload", "lenet300-pruned", "--images", "100",
                            "--json", str(out_json))
    doc = load_document(out_json)
    found = doc["details"]["classification"]
    assert code == 0 and doc["totals"]["output_ok"] and found["predictions_agree"] == 100
    assert found["accuracy_simulated"] == found["accuracy_numpy"] > 0.9


def test_sensitivity_and_lottery_write_json_and_png(capsys, tmp_path):
    for procedure, extra in (("sensitivity", []), ("lottery", ["--rounds", "1"])):
        png, js = tmp_path / f"{procedure}.png", tmp_path / f"{procedure}.json"
        code, out, _ = run_main(capsys, "prune", "--procedure", procedure, "--epochs", "2",
                                "--quiet", "--plot", str(png), "--json", str(js), *extra)
        assert code == 0 and png.read_bytes()[:4] == b"\x89PNG"
        doc = json.loads(js.read_text())
        if procedure == "sensitivity":
            layers = {p["layer"] for p in doc["points"]}
            assert layers == {"fc1", "fc2", "fc3"} and len(doc["points"]) == 24
        else:
            assert [r["sparsity"] for r in doc["rounds"]][0] == 0.0
            assert doc["rounds"][1]["sparsity"] == pytest.approx(0.5, abs=1e-3)


@pytest.mark.parametrize("argv, message", [
    (["--sparsity", "1.5"], "--sparsity: must be in [0, 1)"),
    (["--method", "nm", "--nm", "2-4"], "--nm: must be two whole numbers"),
    (["--method", "warp"], "invalid choice: 'warp'"),
    (["--plot", "x.png"], "--plot applies only with --procedure sensitivity or"),
    (["--out", "/no/such/folder/m.npz"], "does not exist"),
])
def test_bad_prune_input_gives_one_line_and_exit_2(capsys, argv, message):
    code, _, err = run_main(capsys, "prune", *QUICK, *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


def test_model_without_test_images_runs_on_eie_without_classification(capsys, tmp_path):
    path = tmp_path / "bare.npz"
    assert sim.main(["prune", *QUICK, "--test-images", "0", "--out", str(path)]) == 0
    assert load_test_set(path) is None
    code, out, _ = run_main(capsys, "--model", str(path), "--pes", "4")
    assert code == 0 and "classified" not in out and "WRONG" not in out


def test_test_images_must_fit_the_first_layer(tmp_path):
    path = tmp_path / "bad.npz"
    save_model(path, {"fc1": np.ones((3, 4))}, {}, test_images=np.ones((2, 5)),
               test_labels=np.zeros(2))
    with pytest.raises(WorkloadError, match=r"must be \(n, 4\) and \(n,\)"):
        load_test_set(path)


def test_documented_regeneration_prunes_to_8_percent_within_1_point(tmp_path):
    """The command in workloads/data/models/SOURCES, run afresh: <= 8% of weights kept,
    at most 1 point of test accuracy lost; the weights match the shipped file's pattern."""
    out, js = tmp_path / "m.npz", tmp_path / "m.json"
    code = sim.main(["prune", "--model", "lenet300", "--method", "global", "--sparsity", "0.92",
                     "--iterations", "8", "--finetune-epochs", "10", "--share-weights", "16",
                     "--name", "lenet300-pruned", "--out", str(out), "--json", str(js),
                     "--quiet"])
    doc = json.loads(js.read_text())
    assert code == 0 and doc["total_sparsity"] >= 0.92
    assert doc["dense_accuracy"] - doc["pruned_accuracy"] <= 0.01
    fresh, shipped = load_model(out), load_model(SHIPPED_MODELS["lenet300-pruned"])
    for a, b in zip(fresh.layers, shipped.layers):
        assert np.array_equal(a.weights.to_dense() != 0, b.weights.to_dense() != 0)
