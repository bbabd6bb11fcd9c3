"""Bring your own model: every reader round-trips a pruned MLP with biases, EIE runs it,
and its outputs equal an independent numpy forward pass; bad files give one line."""

from __future__ import annotations

import json
import struct

import numpy as np
import pytest
from conftest import load_document

import sparsesim
from sparsesim.accelerators.eie import model as eie
from sparsesim.cli.main import main
from sparsesim.simulator.errors import FormatError, WorkloadError
from sparsesim.workloads.formats import CSC, CSR
from sparsesim.workloads.model_file import save_model
from sparsesim.workloads.readers import Dense, load_model, model_from_scipy

# Weights and biases drawn from 12 float16-exact values: EIE's 16-entry codebook holds
# them exactly, so its output must equal numpy's forward pass of the model itself.
VALUES = np.array([-1.0, -0.5, -0.25, -0.125, -0.0625, -0.03125,
                   0.03125, 0.0625, 0.125, 0.25, 0.5, 1.0])
SIZES = ((256, 784), (10, 256))  # the MLP 784-256-10


def mlp(seed: int = 0, density: float = 0.2):
    """[(name, weight, bias)] with 80% of each weight matrix pruned, and an input."""
    rng = np.random.default_rng(seed)
    layers = []
    for i, (out, inp) in enumerate(SIZES, start=1):
        w = rng.choice(VALUES, (out, inp)) * (rng.random((out, inp)) < density)
        layers.append((f"fc{i}", w.astype(np.float32), rng.choice(VALUES, out).astype(np.float32)))
    return layers, rng.random(SIZES[0][1]).astype(np.float32)


def numpy_forward(layers, x) -> np.ndarray:
    """Independent float64 forward pass, ReLU after every layer but the last. Between
    layers the activations are rounded to float32, the type a layer's input vector has
    in the simulator (otherwise the two differ by float32 rounding, ~1e-7 relative)."""
    y = np.asarray(x, dtype=np.float64)
    for i, (_, w, b) in enumerate(layers):
        y = w.astype(np.float64) @ y.astype(np.float32).astype(np.float64) + b
        y = np.maximum(y, 0.0) if i < len(layers) - 1 else y
    return y


def write_safetensors(path, layers):
    from safetensors.numpy import save_file

    tensors = {}
    for name, w, b in layers:
        tensors[f"{name}.weight"], tensors[f"{name}.bias"] = w, b
    save_file(tensors, str(path))


def write_masked_state_dict(path, layers, seed=1):
    """torch.nn.utils.prune's layout: weight_orig holds values where the mask is 0 too."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for name, w, b in layers:
        mask = (w != 0).astype(np.float32)
        arrays[f"{name}.weight_orig"] = np.where(mask, w, rng.choice(VALUES, w.shape)).astype(
            np.float32)
        arrays[f"{name}.weight_mask"] = mask
        arrays[f"{name}.bias"] = b
    np.savez(path, **arrays)


def write_onnx(path, layers, extra_op: str | None = None):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    nodes, inits, current = [], [], "x"
    for i, (name, w, b) in enumerate(layers):
        inits += [numpy_helper.from_array(w, f"{name}.w"), numpy_helper.from_array(b, f"{name}.b")]
        if i == 0:  # MatMul + Add, the other export style
            inits[-2] = numpy_helper.from_array(np.ascontiguousarray(w.T), f"{name}.w")
            nodes += [helper.make_node("MatMul", [current, f"{name}.w"], [f"{name}.mm"], name),
                      helper.make_node("Add", [f"{name}.mm", f"{name}.b"], [f"{name}.y"],
                                       f"{name}_add")]
        else:
            nodes.append(helper.make_node("Gemm", [current, f"{name}.w", f"{name}.b"],
                                          [f"{name}.y"], name, transB=1))
        current = f"{name}.y"
        if i < len(layers) - 1:
            nodes.append(helper.make_node("Relu", [current], [f"{name}.r"], f"{name}_relu"))
            current = f"{name}.r"
    if extra_op:
        nodes.append(helper.make_node(extra_op, [current], ["z"], "odd_node"))
        current = "z"
    graph = helper.make_graph(nodes, "mlp", [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, [1, SIZES[0][1]])], [helper.make_tensor_value_info(
            current, TensorProto.FLOAT, [1, SIZES[-1][0]])], inits)
    onnx.save(helper.make_model(graph), str(path))


WRITERS = {"safetensors": write_safetensors, "state-dict-npz": write_masked_state_dict,
           "onnx": write_onnx}


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_each_format_round_trips_and_eie_matches_numpy_with_biases(tmp_path, kind):
    layers, x = mlp()
    path = tmp_path / f"mlp.{ {'state-dict-npz': 'npz'}.get(kind, kind)}"
    WRITERS[kind](path, layers)
    model = load_model(path)
    assert [layer.name for layer in model.layers][-1].startswith("fc2")
    for layer, (_, w, b) in zip(model.layers, layers):
        assert isinstance(layer, Dense)
        np.testing.assert_array_equal(layer.weight, w)
        np.testing.assert_array_equal(layer.bias, b)
    run = sparsesim.run("eie", model=str(path), config=sparsesim.config("eie", num_pes=16),
                        inputs=x)
    expected = numpy_forward(layers, x)
    assert run.output_ok
    np.testing.assert_allclose(run.outputs, expected, rtol=1e-9, atol=1e-9 * np.abs(expected).max())


def test_bias_costs_its_broadcast_column_and_the_check_sees_it(tmp_path):
    layers, x = mlp(density=0.5)
    name, w, b = layers[1]
    x2 = np.maximum(layers[0][1] @ x + layers[0][2], 0)
    with_bias = Dense(name, w.astype(np.float64), b.astype(np.float64), "none")
    from sparsesim.workloads.readers.network import Model

    def cycles(layer):
        wl = Model("m", (layer,), "test").to_workload(inputs=x2)
        return eie.run_workload(wl, eie.EIEConfig(num_pes=4), engine="reference")[0]

    biased, plain = cycles(with_bias), cycles(Dense(name, with_bias.weight, None, "none"))
    # one more broadcast; every PE holding a bias row spends at least one more cycle
    assert biased.details["broadcast"]["transfers"] == plain.details["broadcast"]["transfers"] + 1
    assert biased.cycles > plain.cycles and biased.output_ok
    # the check's reference is W x + b; a reference without the bias fails the check
    compiled = eie.compile(Model("m", (with_bias,), "t").to_workload(inputs=x2).layers[0])
    expected = w.astype(np.float64) @ x2.astype(np.float32) + b
    np.testing.assert_allclose(compiled.reference_output(), expected, rtol=1e-9)
    import dataclasses
    bias_column = compiled.codes.coordinates()[1] == w.shape[1]
    no_bias = compiled.codes.with_values(np.where(bias_column, 0, compiled.codes.values))
    assert not eie.run(dataclasses.replace(compiled, codes=no_bias)).output_ok


def test_both_engines_agree_on_a_biased_layer():
    layers, x = mlp(seed=3)
    wl = load_model_from(layers).to_workload(inputs=x)
    fast = eie.run_workload(wl, eie.EIEConfig(num_pes=8), engine="fast")
    ref = eie.run_workload(wl, eie.EIEConfig(num_pes=8), engine="reference")
    assert [r.comparable() for r in fast] == [r.comparable() for r in ref]


def load_model_from(layers):
    from sparsesim.workloads.readers.network import Model

    return Model("m", tuple(Dense(n, w.astype(np.float64), b.astype(np.float64),
                                  "relu" if i == 0 else "none")
                            for i, (n, w, b) in enumerate(layers)), "test")


def test_own_format_version_2_keeps_biases_and_version_1_still_reads(tmp_path):
    layers, x = mlp()
    path = tmp_path / "own.npz"
    save_model(path, {n: w for n, w, _ in layers}, {"fc1": "relu", "fc2": "none"},
               input_vector=x, biases={n: b for n, _, b in layers})
    model = load_model(path)
    assert model.source == "sparsesim model v2"
    np.testing.assert_array_equal(model.layers[1].bias, layers[1][2])
    run = sparsesim.run("eie", model=model, config=sparsesim.config("eie", num_pes=8))
    np.testing.assert_allclose(run.outputs, numpy_forward(layers, x), rtol=1e-9)
    old = load_model(__import__("sparsesim.workloads.shipped_models", fromlist=["x"])
                     .SHIPPED_MODELS["lenet300-pruned"])
    assert old.source == "sparsesim model v1" and all(la.bias is None for la in old.layers)


def test_scipy_matrices_in_and_out(tmp_path):
    scipy_sparse = pytest.importorskip("scipy.sparse")
    rng = np.random.default_rng(0)
    dense = rng.choice(VALUES, (30, 40)) * (rng.random((30, 40)) < 0.3)
    for cls in (CSR, CSC):
        ours = cls.from_dense(dense)
        np.testing.assert_array_equal(ours.to_scipy().toarray(), dense)
        back = cls.from_scipy(scipy_sparse.coo_matrix(dense))
        np.testing.assert_array_equal(back.to_dense(), dense)
        assert back.nnz == ours.nnz
    path = tmp_path / "m.npz"
    scipy_sparse.save_npz(path, scipy_sparse.csr_matrix(dense))
    for model in (load_model(path), model_from_scipy(scipy_sparse.csc_array(dense))):
        np.testing.assert_array_equal(model.layers[0].weight, dense)
        x = rng.random(40).astype(np.float32)
        run = sparsesim.run("eie", model=model, config=sparsesim.config("eie", num_pes=4),
                            inputs=x)
        np.testing.assert_allclose(run.outputs, dense @ x.astype(np.float64), rtol=1e-9)


def test_metadata_list_orders_layers_and_names_activations(tmp_path):
    layers, x = mlp()
    from safetensors.numpy import save_file

    tensors = {f"{n}.{p}": a for n, w, b in layers for p, a in (("weight", w), ("bias", b))}
    meta = {"sparsesim": json.dumps({"layers": [{"name": "fc1", "activation": "none"},
                                                {"name": "fc2", "activation": "relu"}]})}
    save_file(tensors, str(tmp_path / "m.safetensors"), metadata=meta)
    model = load_model(tmp_path / "m.safetensors")
    assert [la.activation for la in model.layers] == ["none", "relu"] and not model.notes


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("kind", sorted(WRITERS))
def test_cli_runs_each_format_with_an_input_file(capsys, tmp_path, kind):
    layers, x = mlp()
    np.save(tmp_path / "x.npy", x)
    path = tmp_path / f"mlp.{ {'state-dict-npz': 'npz'}.get(kind, kind)}"
    WRITERS[kind](path, layers)
    code, out, _ = run_cli(capsys, "--accel", "eie", "--model", str(path), "--input",
                           str(tmp_path / "x.npy"), "--pes", "8", "--json",
                           str(tmp_path / "o.json"))
    doc = load_document(tmp_path / "o.json")
    assert code == 0 and doc["totals"]["output_ok"] and "input: file" in out
    assert doc["details"]["input"] == f"file {tmp_path / 'x.npy'}"
    assert [layer["details"]["shape_out_in"] for layer in doc["layers"]] == [[256, 785],
                                                                             [10, 257]]
    code, out, _ = run_cli(capsys, "--accel", "eie", "--model", str(path), "--pes", "8")
    assert code == 0 and "seeded (seed 0)" in out


def _pickle(path):
    import pickle

    path.write_bytes(pickle.dumps({"fc1.weight": [[1.0]]}, protocol=4))


def _torch_zip(path):
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("archive/data.pkl", b"\x80\x02}q\x00.")


def _huge_npz(path):
    """A stored .npy whose header declares 2^40 float32 values in a tiny file."""
    import zipfile

    header = np.lib.format.header_data_from_array_1_0(np.zeros(1, np.float32))
    header["shape"] = (2**20, 2**20)
    import io

    buffer = io.BytesIO()
    np.lib.format.write_array_header_1_0(buffer, header)
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("fc1.weight.npy", buffer.getvalue() + b"\0" * 64)


def _huge_safetensors(path):
    header = json.dumps({"fc1.weight": {"dtype": "F32", "shape": [2**20, 2**20],
                                        "data_offsets": [0, 2**42]}}).encode()
    path.write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 16)


def _object_npz(path):
    np.savez(path, **{"fc1.weight": np.array([object()], dtype=object)})


def _unsupported_onnx(path):
    layers, _ = mlp()
    write_onnx(path, layers, extra_op="Softmax")


def _conv_onnx(path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    w = numpy_helper.from_array(np.ones((4, 3, 3, 3), np.float32), "w")
    node = helper.make_node("Conv", ["x", "w"], ["y"], "conv1", pads=[1, 1, 1, 1])
    graph = helper.make_graph([node], "c", [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, [1, 3, 8, 8])], [helper.make_tensor_value_info(
            "y", TensorProto.FLOAT, [1, 4, 8, 8])], [w])
    onnx.save(helper.make_model(graph), str(path))


def _bias_beyond_codebook(path):
    save_model(path, {"fc1": np.ones((2, 3))}, {"fc1": "none"}, biases={"fc1": [1e6, 0.0]})


BAD_FILES = [
    ("a.pkl", _pickle, "is a pickle; sparsesim never unpickles"),
    ("m.pt", _torch_zip, "holds a pickle (archive/data.pkl"),
    ("h.npz", _huge_npz, "over the 2147483648 limit"),
    ("h.safetensors", _huge_safetensors, "over the 2147483648 limit"),
    ("o.npz", _object_npz, "holds Python objects (a pickle)"),
    ("u.onnx", _unsupported_onnx, "node odd_node (Softmax) is not supported"),
    ("c.onnx", _conv_onnx, "conv1 is a convolution; EIE runs FC/LSTM layers (use --accel stc"),
    ("b.npz", _bias_beyond_codebook, "a bias exceeds 65504, beyond EIE's 16-bit codebook"),
]


@pytest.mark.parametrize("name, write, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_bad_model_files_exit_2_with_one_line(capsys, tmp_path, name, write, message):
    path = tmp_path / name
    write(path)
    code, out, err = run_cli(capsys, "--accel", "eie", "--model", str(path), "--pes", "4")
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err


@pytest.mark.parametrize("name, write", [("h.safetensors", _huge_safetensors),
                                         ("h.npz", _huge_npz)])
def test_huge_declared_shape_is_refused_before_allocating(tmp_path, name, write):
    import tracemalloc

    write(tmp_path / name)
    tracemalloc.start()
    with pytest.raises(FormatError, match="limit"):
        load_model(tmp_path / name)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 4 * 2**20


def test_declared_bytes_beyond_the_file_are_refused(tmp_path):
    header = json.dumps({"fc1.weight": {"dtype": "F32", "shape": [1000, 1000],
                                        "data_offsets": [0, 4_000_000]}}).encode()
    path = tmp_path / "t.safetensors"
    path.write_bytes(struct.pack("<Q", len(header)) + header + b"\0" * 16)
    with pytest.raises(FormatError, match="file can hold at most"):
        load_model(path)


def test_input_of_the_wrong_size_is_one_line(capsys, tmp_path):
    layers, _ = mlp()
    write_safetensors(tmp_path / "m.safetensors", layers)
    np.save(tmp_path / "x.npy", np.ones(5, np.float32))
    code, _, err = run_cli(capsys, "--accel", "eie", "--model", str(tmp_path / "m.safetensors"),
                           "--input", str(tmp_path / "x.npy"))
    assert code == 2 and "takes 784 inputs" in err and len(err.strip().splitlines()) == 1


def test_unsupported_activation_is_refused():
    layers, x = mlp()
    model = load_model_from(layers)
    import dataclasses

    odd = dataclasses.replace(model, layers=(dataclasses.replace(model.layers[0],
                                                                 activation="sigmoid"),
                                             model.layers[1]))
    with pytest.raises(WorkloadError, match="activation 'sigmoid'; EIE applies only relu"):
        odd.to_workload(inputs=x)


def test_silero_vad_lstm_ships_and_runs_on_ese(capsys, tmp_path):
    from sparsesim.workloads.lstm_models import lstm_workload

    model = lstm_workload("silero-vad")
    assert model.layers[0].hidden == 128 and model.frames.shape == (10, 128)
    code, out, _ = run_cli(capsys, "--accel", "ese", "--workload", "silero-vad", "--sparsity", "0",
                           "--pes", "8")
    assert code == 0 and "WRONG" not in out and "ok" in out
    frames = np.random.default_rng(0).standard_normal((3, 128)).astype(np.float32)
    np.save(tmp_path / "f.npy", frames)
    path = "workloads/data/silero_vad/silero_vad_lstm.safetensors"
    import pathlib

    path = str(pathlib.Path(__file__).resolve().parents[1] / path)
    code, out, _ = run_cli(capsys, "--accel", "ese", "--model", path, "--input",
                           str(tmp_path / "f.npy"), "--pes", "8", "--json",
                           str(tmp_path / "e.json"))
    doc = load_document(tmp_path / "e.json")
    assert code == 0 and doc["details"]["frames"] == 3
    assert doc["details"]["input"].startswith("file ")
    run = sparsesim.run("ese", model=path, inputs=frames, config=sparsesim.config(
        "ese", pes_per_channel=8))
    assert run.output_ok and run.outputs.shape == (3, 128)


def test_onnx_lstm_reorders_gates_like_pytorch(tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    rng = np.random.default_rng(5)
    hidden, inputs = 4, 3
    w, r, b = (rng.normal(size=s).astype(np.float32) for s in
               ((1, 4 * hidden, inputs), (1, 4 * hidden, hidden), (1, 8 * hidden)))
    node = helper.make_node("LSTM", ["x", "W", "R", "B"], ["y"], "lstm", hidden_size=hidden)
    graph = helper.make_graph([node], "l", [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, [5, 1, inputs])], [helper.make_tensor_value_info(
            "y", TensorProto.FLOAT, [5, 1, 1, hidden])],
        [numpy_helper.from_array(a, n) for a, n in ((w, "W"), (r, "R"), (b, "B"))])
    onnx.save(helper.make_model(graph), str(tmp_path / "l.onnx"))
    frames = rng.normal(size=(5, inputs))
    ours = load_model(tmp_path / "l.onnx").to_lstm(frames).forward()[-1]
    from onnx.reference import ReferenceEvaluator

    theirs = ReferenceEvaluator(str(tmp_path / "l.onnx")).run(
        None, {"x": frames[:, None, :].astype(np.float32)})[0]
    np.testing.assert_allclose(ours, theirs[:, 0, 0, :], rtol=1e-4, atol=1e-5)


def _valid_files(tmp_path):
    layers, x = mlp(density=0.05)
    small = [(n, w[:8, :16] if i == 0 else w[:4, :8], b[:8] if i == 0 else b[:4])
             for i, (n, w, b) in enumerate(layers)]
    write_safetensors(tmp_path / "m.safetensors", small)
    write_masked_state_dict(tmp_path / "m.npz", small)
    save_model(tmp_path / "own.npz", {n: w for n, w, _ in small}, {}, biases={n: b for n, _, b
                                                                              in small})
    names = ["m.safetensors", "m.npz", "own.npz"]
    try:
        write_onnx(tmp_path / "m.onnx", [(n, w[:8, :784], b) for n, w, b in layers])
        names.append("m.onnx")
    except pytest.skip.Exception:
        pass
    return [(tmp_path / name).read_bytes() for name in names]


@pytest.mark.parametrize("which", [0, 1, 2, 3])
def test_corrupted_files_give_a_user_error_never_a_crash(tmp_path, which):
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from sparsesim.simulator.errors import UserError

    files = _valid_files(tmp_path)
    if which >= len(files):
        pytest.skip("onnx is not installed")
    data = files[which]
    path = tmp_path / "fuzz.bin"

    @settings(max_examples=60, deadline=None, derandomize=True)
    @given(st.integers(0, len(data) - 1), st.integers(0, 255), st.booleans())
    def check(position, value, truncate):
        path.write_bytes(data[:position] if truncate else
                         data[:position] + bytes([value]) + data[position + 1:])
        try:
            load_model(path)
        except UserError as exc:
            assert "\n" not in str(exc)

    check()
