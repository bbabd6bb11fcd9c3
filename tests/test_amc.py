"""AMC as published: the 11-feature state, channel actions through LeNet-5's flatten, the
two rewards, MACs budgets, the random-search baseline and the --seeds report."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from sparsesim.cli import main as sim
from sparsesim.workloads.mnist import Split, load_mnist
from sparsesim.workloads.nn.layers import Conv2d, Dense, MaxPool2, Reshape
from sparsesim.workloads.nn.network import Network, build_model
from sparsesim.workloads.nn.training import TrainConfig, train
from sparsesim.workloads.pruning.amc import AMCConfig, amc, masks_for, state, static_states
from sparsesim.workloads.pruning.amc_budget import MacsBudget, predicted_macs
from sparsesim.workloads.pruning.ddpg import DDPGConfig
from sparsesim.workloads.pruning.layer_geometry import geometry, nonzero_macs
from sparsesim.workloads.pruning.seed_stats import mean_ci95
from sparsesim.workloads.pruning.validation import SearchData, carve_validation

TINY = dict(finetune=TrainConfig(epochs=0), agent=DDPGConfig(hidden=8, batch_size=4))


@pytest.fixture(scope="module")
def lenet5():
    mnist = load_mnist()
    full = carve_validation(mnist.train, mnist.test, seed=0)
    data = SearchData(*(Split(s.images[:n], s.labels[:n]) for s, n in
                        ((full.train, 1000), (full.validation, 100), (full.test, 100))))
    dense = build_model("lenet5", seed=0)
    train(dense, data.train.images, data.train.labels, TrainConfig(epochs=1))
    return dense, data


def test_geometry_is_the_papers_layer_description():
    conv1, conv2, fc1, fc2 = geometry(build_model("lenet5"))
    assert (conv1.n, conv1.c, conv1.h, conv1.w, conv1.stride, conv1.k) == (16, 1, 28, 28, 1, 3)
    assert conv1.macs == 16 * 1 * 9 * 26 * 26 and conv2.macs == 32 * 16 * 9 * 11 * 11
    assert (fc1.n, fc1.c, fc1.h, fc1.stride, fc1.k, fc1.macs) == (128, 800, 1, 0, 1, 102400)
    assert fc2.macs == 1280


def test_state_has_11_features_in_0_1_with_reduced_rest_and_previous_action():
    shapes = geometry(build_model("lenet5"))
    static = static_states(shapes)
    assert static.shape == (4, 8) and static.min() == 0 and static.max() == 1
    assert list(static[:, 0]) == pytest.approx([0, 1 / 3, 2 / 3, 1])  # layer index
    total = sum(g.macs for g in shapes)
    first = state(static, shapes, "fine", 0, [])
    assert len(first) == 11 and first[8] == 0.0 and first[10] == 0.0
    assert first[9] == pytest.approx((total - shapes[0].macs) / total)  # rest
    later = state(static, shapes, "fine", 2, [0.5, 0.25])
    reduced = (0.5 * shapes[0].macs + 0.25 * shapes[1].macs) / total
    assert later[8] == pytest.approx(reduced) and later[10] == 0.25
    assert np.all((later >= 0) & (later <= 1))


def test_channel_masks_equal_a_physically_smaller_lenet5(lenet5):
    """Removing conv2's channels must remove fc1's matching flattened columns: the masked
    network computes exactly what the network with those channels cut out computes."""
    dense, data = lenet5
    shapes = geometry(dense)
    masks = masks_for(dense, shapes, "channel", [0.25, 0.5, 0.75])
    pruned = {n: w * masks[n] for n, w in dense.weights.items()}
    kept1 = masks["conv1"].reshape(16, -1).all(axis=1)
    kept2 = masks["conv2"].reshape(32, -1).any(axis=1)
    kept3 = masks["fc1"].any(axis=1)
    assert (kept1.sum(), kept2.sum(), kept3.sum()) == (12, 16, 32)
    k1, k2, k3 = int(kept1.sum()), int(kept2.sum()), int(kept3.sum())
    cols = np.repeat(kept2, 25)
    small = Network("small", [
        Reshape("image", (1, 28, 28)), Conv2d("conv1", 1, k1, 3), MaxPool2("pool1"),
        Conv2d("conv2", k1, k2, 3), MaxPool2("pool2"), Reshape("flatten", (k2 * 25,)),
        Dense("fc1", k2 * 25, k3), Dense("fc2", k3, 10, relu=False)],
        {"conv1": dense.weights["conv1"][kept1],
         "conv2": dense.weights["conv2"][kept2][:, kept1],
         "fc1": pruned["fc1"][kept3][:, cols], "fc2": pruned["fc2"][:, kept3]})
    images = data.test.images[:50]
    masked = dense.copy()
    masked.weights = pruned
    assert np.allclose(masked.forward(images)[0], small.forward(images)[0], atol=1e-4)
    assert nonzero_macs(shapes, pruned) == predicted_macs(shapes, np.array([0.25, 0.5, 0.75]),
                                                          "channel")


def test_flops_error_reward_is_minus_error_times_ln_macs(lenet5):
    dense, data = lenet5
    result = amc(dense, data, AMCConfig("flops-error", "channel", episodes=4, **TINY))
    for e in result.episodes:
        assert e.reward == pytest.approx(-(1 - e.accuracy) * math.log(e.macs))
        assert math.isnan(e.measured)
    best = max(result.episodes, key=lambda e: e.reward)
    assert result.best_episodes[-1] == best
    assert nonzero_macs(geometry(dense), result.pruned.network.weights) == best.macs


def test_macs_budget_holds_and_random_search_is_the_agents_warmup(lenet5):
    dense, data = lenet5
    shapes = geometry(dense)
    limit = 0.5 * sum(g.macs for g in shapes)
    config = AMCConfig("constrained", "channel", episodes=6, warmup_fraction=0.5, seed=3, **TINY)
    agent = amc(dense, data, config, MacsBudget(shapes, limit, "channel"))
    rival = amc(dense, data, AMCConfig(**{**config.__dict__, "learn": False}),
                MacsBudget(shapes, limit, "channel"))
    assert agent.pruned.method == "amc" and rival.pruned.method == "random-search"
    assert agent.episodes[:3] == rival.episodes[:3]  # same seed, same random warm-up
    assert agent.episodes[3:] != rival.episodes[3:]
    for result in (agent, rival):
        assert nonzero_macs(shapes, result.pruned.network.weights) <= limit
        assert all(e.measured == e.macs <= limit for e in result.best_episodes)


def test_a_budget_that_no_episode_meets_is_refused_in_one_line(lenet5):
    from sparsesim.simulator.errors import ConfigError

    dense, data = lenet5
    with pytest.raises(ConfigError, match="no episode met the budget"):
        amc(dense, data, AMCConfig("constrained", "fine", episodes=2, **TINY),
            MacsBudget(geometry(dense), 10.0, "fine"))
    with pytest.raises(ConfigError, match="takes no budget"):
        amc(dense, data, AMCConfig("flops-error", episodes=2, **TINY),
            MacsBudget(geometry(dense), 10.0, "fine"))


QUICK = ["--epochs", "1", "--finetune-epochs", "0", "--probe-images", "2", "--quiet",
         "--episodes", "3"]


def test_cli_seeds_report_means_and_intervals_over_the_runs(tmp_path, capsys):
    path = tmp_path / "amc.json"
    code = sim.main(["prune", "--model", "lenet300", "--method", "amc", "--reward",
                     "flops-error", "--seeds", "2", "--seed", "4", "--json", str(path), *QUICK])
    out = capsys.readouterr().out
    doc = json.loads(path.read_text())
    assert code == 0 and doc["seeds"] == [4, 5] and [r["seed"] for r in doc["runs"]] == [4, 5]
    accuracy = [r["accuracy"] * 100 for r in doc["runs"]]
    expected = mean_ci95(accuracy)
    got = doc["summary"]["amc"]["test_accuracy"]
    assert got["mean_pct"] == pytest.approx(expected.mean)
    assert got["ci95_half_width_pct"] == pytest.approx(expected.half_width) and got["seeds"] == 2
    rival = [r["baselines"][0]["accuracy"] * 100 for r in doc["runs"]]
    paired = doc["agent_vs_random_search"]["test_accuracy"]
    assert paired["mean_points"] == pytest.approx(np.mean(accuracy) - np.mean(rival))
    assert "random-search" in out and "mean ± 95% half width" in out and "paired by seed" in out


def test_cli_lenet5_channel_amc_runs_without_latency_and_says_so(capsys):
    code = sim.main(["prune", "--model", "lenet5", "--method", "amc", "--reward", "constrained",
                     "--flops-ratio", "0.5", "--granularity", "channel", *QUICK])
    out = capsys.readouterr().out
    assert code == 0 and "latency not simulated" in out and "random-search" in out
    assert "budget 379,296 MACs per image" in out
