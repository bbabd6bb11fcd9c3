"""Networks to GEMMs: the lowering rules against direct numpy computations, the built-in
networks against their published multiply-accumulate counts, GEMM lists, and whole
networks on the tensor core (per layer and end to end, bias in the epilogue)."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import load_document

from sparsesim.accelerators.stc import functional
from sparsesim.accelerators.stc import model as stc
from sparsesim.cli.main import main
from sparsesim.simulator.errors import FormatError, WorkloadError
from sparsesim.workloads.gemm import MatrixOperands, prune_two_of_four
from sparsesim.workloads.gemm_list import read_gemm_list
from sparsesim.workloads.lowering import ConvSpec, attention, conv
from sparsesim.workloads.networks import network
from sparsesim.workloads.numeric import numeric_type


def direct_conv(x, w, stride, pad, groups):
    """Plain loops over output pixels: (B, C, H, W) * (O, C/g, kh, kw) -> (B, O, Ho, Wo)."""
    b, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    ho, wo = (h + 2 * pad - kh) // stride + 1, (wd + 2 * pad - kw) // stride + 1
    out = np.zeros((b, o, ho, wo))
    per = o // groups
    for oc in range(o):
        g = oc // per
        for i in range(ho):
            for j in range(wo):
                patch = xp[:, g * cg:(g + 1) * cg, i * stride:i * stride + kh,
                           j * stride:j * stride + kw]
                out[:, oc, i, j] = np.tensordot(patch, w[oc], axes=3)
    return out


@pytest.mark.parametrize("groups, stride, pad", [(1, 1, 1), (1, 2, 0), (2, 2, 1), (4, 1, 1)])
def test_implicit_gemm_shape_computes_the_convolution(groups, stride, pad):
    rng = np.random.default_rng(0)
    batch, c_in, c_out, h, k = 2, 4, 8, 7, 3
    x, w = rng.normal(size=(batch, c_in, h, h)), rng.normal(size=(c_out, c_in // groups, k, k))
    gemm, (ho, wo) = conv("c", ConvSpec(c_in, c_out, (k, k), (stride, stride), (pad, pad),
                                        groups), batch, h, h)
    expected = direct_conv(x, w, stride, pad, groups)
    assert (ho, wo) == expected.shape[2:] and gemm.batched == groups and gemm.count == 1
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    per_in, per_out = c_in // groups, c_out // groups
    for g in range(groups):  # A (M x K) = this group's filters; B (K x N) = im2col patches
        a = w[g * per_out:(g + 1) * per_out].reshape(per_out, -1)
        cols = np.stack([xp[n, g * per_in:(g + 1) * per_in, i * stride:i * stride + k,
                            j * stride:j * stride + k].ravel()
                         for n in range(batch) for i in range(ho) for j in range(wo)], axis=1)
        assert a.shape == (gemm.shape.m, gemm.shape.k) and cols.shape == (gemm.shape.k,
                                                                         gemm.shape.n)
        got = (a @ cols).reshape(per_out, batch, ho, wo).transpose(1, 0, 2, 3)
        np.testing.assert_allclose(got, expected[:, g * per_out:(g + 1) * per_out], rtol=1e-12)


def test_attention_gemms_compute_scores_and_outputs_and_are_not_prunable():
    rng = np.random.default_rng(1)
    q, k, v = (rng.normal(size=(5, 4)) for _ in range(3))
    qk, pv = attention("a", 5, 5, heads=2, head_size=4, batch=3)
    assert (qk.shape.m, qk.shape.k, qk.shape.n) == (*q.shape, k.shape[0])
    assert (pv.shape.m, pv.shape.k, pv.shape.n) == (5, *v.shape)
    assert qk.batched == pv.batched == 6 and qk.count == pv.count == 1
    assert not qk.prunable and not pv.prunable
    assert qk.launch_shape.n == 6 * 5 and qk.macs == 6 * 5 * 5 * 4


@pytest.mark.parametrize("name, published, tolerance", [
    # torchvision's weights tables list GFLOPS (multiply-adds) 4.09 for resnet50 (v1.5) and
    # 0.30 for mobilenet_v2 (pytorch.org/vision/stable/models/generated/torchvision.models.
    # resnet50.html, ...mobilenet_v2.html); MobileNetV2's paper gives 300M multiply-adds
    # (Sandler et al. 2018); all at 224 x 224.
    ("resnet50", 4.09e9, 0.01), ("mobilenetv2", 300e6, 0.01)])
def test_cnn_multiply_adds_match_the_published_counts(name, published, tolerance):
    macs = sum(g.macs for g in network(name, batch=1).gemms)
    assert abs(macs / published - 1) < tolerance


def test_bert_and_llama_counts_follow_their_sizes():
    bert = network("bert-base", tokens=128, batch=2)
    linear = 12 * 256 * (4 * 768 * 768 + 2 * 768 * 3072)
    attn = 12 * 12 * 2 * 2 * 128 * 128 * 64
    assert sum(g.macs for g in bert.gemms) == linear + attn
    decode = network("llama2-7b-decode", tokens=100, batch=1)
    assert {g.shape.n for g in decode.gemms if g.prunable} == {1}
    with pytest.raises(WorkloadError, match="unknown network"):
        network("gpt-5")


def test_gemm_list_reads_counts_and_prunable_and_refuses_bad_rows(tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("name,M,N,K,count,prunable\nfc,64,8,128\nqk,32,32,16,4,0\n")
    fc, qk = read_gemm_list(path)
    assert (fc.shape.m, fc.shape.n, fc.shape.k, fc.count, fc.prunable) == (64, 8, 128, 1, True)
    assert qk.count == 4 and not qk.prunable
    path.write_text("fc,64,8\n")
    with pytest.raises(FormatError, match="row 1: expected name,M,N,K"):
        read_gemm_list(path)
    path.write_text("fc,64,0,8\n")
    with pytest.raises(FormatError, match="N must lie in 1"):
        read_gemm_list(path)


def test_stc_bias_is_added_in_the_epilogue_and_checked(monkeypatch):
    rng = np.random.default_rng(2)
    a = prune_two_of_four(rng.standard_normal((300, 64)).astype(np.float32))
    b = rng.standard_normal((64, 20)).astype(np.float32)
    bias = (10 * rng.standard_normal(300)).astype(np.float32)
    ops = MatrixOperands("l", a, b, numeric_type("fp16"), 0, bias)
    assert stc.run(stc.compile_operands(ops)).output_ok
    plain = functional._computed_block
    monkeypatch.setattr(functional, "_computed_block",
                        lambda *args, bias=None: plain(*args))  # an epilogue without the bias
    assert not stc.run(stc.compile_operands(ops)).output_ok


def run_cli(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_runs_a_gemm_list_per_layer_and_end_to_end(capsys, tmp_path):
    path = tmp_path / "g.csv"
    path.write_text("proj,256,64,256,3\nproj-again,256,64,256\nscores,64,64,32,4,0\n")
    code, out, _ = run_cli(capsys, "--accel", "stc", "--gemm-list", str(path), "--json",
                           str(tmp_path / "o.json"))
    doc = load_document(tmp_path / "o.json")["details"]
    assert code == 0 and "end to end" in out and "worth pruning" in out
    assert doc["network_totals"]["distinct_shapes"] == 2 and len(doc["network_layers"]) == 3
    proj, again, scores = doc["network_layers"]
    assert proj["dense_cycles"] == 3 * again["dense_cycles"]
    assert scores["pruned_cycles"] == scores["dense_cycles"] and not scores["worth_pruning"]
    total = doc["network_totals"]
    assert total["dense_cycles"] == sum(r["dense_cycles"] for r in doc["network_layers"])
    assert total["speedup"] == total["dense_cycles"] / total["pruned_cycles"]


def test_cli_lowers_an_onnx_cnn_on_the_tensor_core(capsys, tmp_path):
    onnx = pytest.importorskip("onnx")
    from onnx import TensorProto, helper, numpy_helper

    inits = [numpy_helper.from_array(np.ones((16, 3, 3, 3), np.float32), "w1"),
             numpy_helper.from_array(np.ones(16, np.float32), "b1"),
             numpy_helper.from_array(np.ones((10, 16 * 8 * 8), np.float32), "w2")]
    nodes = [helper.make_node("Conv", ["x", "w1", "b1"], ["c"], "conv1", pads=[1, 1, 1, 1],
                              strides=[2, 2]),
             helper.make_node("Relu", ["c"], ["r"], "relu1"),
             helper.make_node("Flatten", ["r"], ["f"], "flat"),
             helper.make_node("Gemm", ["f", "w2"], ["y"], "fc", transB=1)]
    graph = helper.make_graph(nodes, "cnn", [helper.make_tensor_value_info(
        "x", TensorProto.FLOAT, [1, 3, 16, 16])], [helper.make_tensor_value_info(
            "y", TensorProto.FLOAT, [1, 10])], inits)
    onnx.save(helper.make_model(graph), str(tmp_path / "cnn.onnx"))
    code, out, _ = run_cli(capsys, "--accel", "stc", "--model", str(tmp_path / "cnn.onnx"),
                           "--batch", "4", "--json", str(tmp_path / "o.json"))
    doc = load_document(tmp_path / "o.json")
    conv_row, fc_row = doc["details"]["network_layers"]
    assert code == 0 and (conv_row["m"], conv_row["n"], conv_row["k"]) == (16, 4 * 8 * 8, 27)
    assert (fc_row["m"], fc_row["n"], fc_row["k"]) == (10, 4, 1024)


def test_tokens_on_a_cnn_is_one_line(capsys):
    code, _, err = run_cli(capsys, "--accel", "stc", "--workload", "resnet50", "--tokens", "8")
    assert code == 2 and "--tokens applies to --workload only" in err
