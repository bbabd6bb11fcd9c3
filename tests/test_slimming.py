"""Network Slimming: Scale layers (gradients, folding), the L1 penalty on the factors
only, the global threshold, and `sparsesim prune --method slimming`."""

from __future__ import annotations

import json

import numpy as np
import pytest
from test_training import assert_gradients_match_finite_differences, tiny_conv_net

from sparsesim.cli import main as sim
from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.mnist import load_mnist
from sparsesim.workloads.nn.network import lenet5
from sparsesim.workloads.nn.training import TrainConfig, train
from sparsesim.workloads.pruning.slimming import (
    channel_counts,
    fold_scales,
    slimming_masks,
    with_scales,
)

X = np.random.default_rng(0).random((4, 784)).astype(np.float32)


def test_scale_layer_gradients_match_finite_differences():
    net = with_scales(tiny_conv_net(3), init=0.7)
    net.weights = {k: v.astype(np.float64) for k, v in net.weights.items()}
    net.weights["conv.scale"] = np.array([0.7, -0.4])
    assert_gradients_match_finite_differences(net)


def test_scales_of_one_change_nothing_and_any_scales_fold_exactly():
    plain = lenet5(0)
    scaled = with_scales(plain, init=1.0)
    assert np.array_equal(scaled.forward(X)[0], plain.forward(X)[0])
    rng = np.random.default_rng(2)
    for name, w in scaled.weights.items():
        if name.endswith(".scale"):
            scaled.weights[name] = rng.normal(size=w.shape).astype(np.float32)  # signs too
    folded = fold_scales(scaled)
    assert [la.name for la in folded.layers] == [la.name for la in plain.layers]
    np.testing.assert_allclose(folded.forward(X)[0], scaled.forward(X)[0], rtol=1e-5,
                               atol=1e-5)


def test_global_threshold_removes_the_smallest_factors_across_layers():
    net = with_scales(lenet5(0))
    net.weights["conv1.scale"][:] = np.linspace(0.01, 0.16, 16)  # all small
    net.weights["conv2.scale"][:] = 1.0
    net.weights["fc1.scale"][:] = np.linspace(0.2, 0.9, 128)
    masks = slimming_masks(net, 0.2)  # round(0.2 x 176) = 35 smallest: conv1's 16, fc1's 19
    assert int((~masks["conv1.scale"]).sum()) == 15  # its largest stays: never empty
    assert masks["conv2.scale"].all() and int((~masks["fc1.scale"]).sum()) == 19
    for name in ("conv1", "fc1"):
        net.weights[name] = net.weights[name] * masks[name]
    net.weights["conv2"] = net.weights["conv2"] * masks["conv2"]
    assert channel_counts(net) == {"conv1": 1, "conv2": 32, "fc1": 109}
    assert not masks["conv2"][:, ~masks["conv1.scale"]].any()  # next inputs removed too


def test_the_penalty_shrinks_the_factors_and_leaves_other_weights_alone():
    data = load_mnist().train
    runs = {}
    for lam in (0.0, 0.05):
        net = with_scales(lenet5(0))
        train(net, data.images[:256], data.labels[:256],
              TrainConfig(epochs=1, learning_rate=0.05, scale_l1=lam))
        runs[lam] = net
    factors = {lam: np.abs(np.concatenate([w for n, w in net.weights.items()
                                           if n.endswith(".scale")])).mean()
               for lam, net in runs.items()}
    assert factors[0.05] < factors[0.0]
    with pytest.raises(ConfigError, match="scale l1 must be >= 0"):
        TrainConfig(scale_l1=-1)


def test_cli_slimming_beside_l1_norm_at_the_same_ratio(tmp_path, capsys):
    out = tmp_path / "slim.json"
    code = sim.main(["prune", "--model", "lenet5", "--method", "slimming", "--quiet",
                     "--epochs", "1", "--finetune-epochs", "0", "--channel-ratio", "0.25",
                     "--json", str(out), "--out", str(tmp_path / "m.npz")])
    assert code == 0
    doc = json.loads(out.read_text())
    slim, base = doc["results"]
    assert (slim["method"], base["method"]) == ("slimming", "l1-norm")
    assert doc["slimming_lambda"] == 1e-4 and doc["channel_ratio"] == 0.25
    removed = {r["method"]: sum(doc["channels_dense"].values()) - sum(r["channels"].values())
               for r in doc["results"]}
    assert removed == {"slimming": 44, "l1-norm": 4 + 8 + 32}  # 0.25 x 176 both ways
    assert "slimming" in capsys.readouterr().out


@pytest.mark.parametrize("flags, message", [
    (["--method", "slimming", "--sparsity", "0.5"], "give --channel-ratio"),
    (["--method", "slimming", "--procedure", "lottery"], "--procedure prune"),
    (["--method", "magnitude", "--channel-ratio", "0.5"], "--method slimming"),
])
def test_slimming_refuses_options_it_cannot_honour(flags, message, capsys):
    assert sim.main(["prune", "--quiet", *flags]) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1

