"""Hardware-aware pruning: latency oracle, NetAdapt, baselines and the CLI (EIE, 64 PEs)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from sparsesim.accelerators.eie import model as eie
from sparsesim.accelerators.stc import model as stc
from sparsesim.cli import main as sim
from sparsesim.cli.hw_latency import EIELatency, STCLatency
from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.mnist import load_mnist
from sparsesim.workloads.nn.network import build_model
from sparsesim.workloads.nn.training import TrainConfig, train
from sparsesim.workloads.pruning import hw_baselines
from sparsesim.workloads.pruning.amc import AMCConfig, amc
from sparsesim.workloads.pruning.amc_budget import LatencyBudget
from sparsesim.workloads.pruning.budget import check_budget, finetune
from sparsesim.workloads.pruning.channel import keep_rows, remove_neurons
from sparsesim.workloads.pruning.ddpg import DDPG, MLP, DDPGConfig
from sparsesim.workloads.pruning.latency_oracle import LatencyOracle
from sparsesim.workloads.pruning.magnitude import magnitude_mask
from sparsesim.workloads.pruning.netadapt import NetAdaptConfig, netadapt
from sparsesim.workloads.pruning.seed_stats import mean_ci95
from sparsesim.workloads.pruning.validation import carve_validation

CONFIG = eie.EIEConfig(num_pes=64)
RELU = (True, True, False)
SHORT = TrainConfig(epochs=0, learning_rate=0.005)
LONG = TrainConfig(epochs=1, learning_rate=0.005)


@pytest.fixture(scope="module")
def setup():
    mnist = load_mnist()
    data = carve_validation(mnist.train, mnist.test, seed=0)
    dense = build_model("lenet300", seed=0)
    train(dense, data.train.images, data.train.labels, TrainConfig(epochs=1))
    return dense, data


def oracle_for(dense, data, **kwargs):
    return LatencyOracle(EIELatency(CONFIG, RELU), dense, data.train.images[:2],
                         sparsities=(0.0, 0.5, 0.8, 0.9, 0.99), neuron_points=4, **kwargs)


def test_oracle_tables_agree_with_direct_simulation_at_stored_points(setup):
    dense, data = setup
    oracle = oracle_for(dense, data)
    direct = EIELatency(CONFIG, RELU)  # its own cache: every point simulated afresh
    probe = data.train.images[:2]
    for index, name in enumerate(oracle.names):
        table = oracle.table(index, "fine")
        w = dense.weights[name]
        x = probe
        for layer in dense.layers[:index]:
            x, _ = layer.forward(x, dense.weights[layer.name])
        for sparsity, seconds in zip(table.points, table.seconds):
            assert seconds == direct(index, w * magnitude_mask(w, sparsity), x)
    table = oracle.table(0, "neuron")
    for kept, seconds in zip(table.points, table.seconds):
        weights = dict(dense.weights)
        weights.update(remove_neurons(dense.weights, oracle.names, 0,
                                      keep_rows(dense.weights["fc1"], int(kept))))
        hidden, _ = dense.layers[0].forward(probe, weights["fc1"])
        assert seconds == direct(0, weights["fc1"], probe) + direct(1, weights["fc2"], hidden)
    assert direct.simulations > 0


def test_latency_falls_as_fc1_is_pruned_but_fc3_stays_at_its_floor(setup):
    dense, data = setup
    oracle = oracle_for(dense, data)
    fc1, fc3 = oracle.table(0, "fine").seconds, oracle.table(2, "fine").seconds
    assert all(a >= b for a, b in zip(fc1, fc1[1:])) and fc1[-1] < fc1[0] / 2
    assert len(set(fc3)) == 1  # 10 rows on 64 PEs: one cycle per input, however sparse


def test_budget_below_floor_names_the_floor_in_us(setup):
    dense, data = setup
    oracle = oracle_for(dense, data)
    floor = oracle.seconds(oracle.floor_weights(neurons=True))
    with pytest.raises(ConfigError, match=rf"below the floor {floor * 1e6:.4f} µs"):
        check_budget(oracle, floor * 0.9, neurons=True)
    assert check_budget(oracle, floor, neurons=True) == floor


def run_netadapt(setup, seed=0):
    dense, data = setup
    oracle = oracle_for(dense, data)
    budget = 0.6 * oracle.seconds(dense.weights)
    return oracle, budget, netadapt(dense, oracle, data, NetAdaptConfig(
        budget, step_fraction=0.1, short_finetune=SHORT, long_finetune=LONG, seed=seed))


def test_netadapt_meets_the_budget_by_real_simulation(setup):
    dense, data = setup
    oracle, budget, result = run_netadapt(setup)
    fresh = LatencyOracle(EIELatency(CONFIG, RELU), dense, data.train.images[:2])
    assert result.pruned.seconds == fresh.seconds(result.pruned.network.weights) <= budget
    assert result.iterations and result.iterations[-1].latency_seconds <= budget
    for name, mask in result.pruned.masks.items():
        assert not np.any(result.pruned.network.weights[name][~mask])


def test_same_seed_same_search(setup):
    first, second = run_netadapt(setup)[2], run_netadapt(setup)[2]
    assert first.iterations == second.iterations
    for name, w in first.pruned.network.weights.items():
        assert np.array_equal(w, second.pruned.network.weights[name])


def test_masks_stay_fixed_during_finetuning(setup):
    dense, data = setup
    network = dense.copy()
    masks = {n: magnitude_mask(w, 0.8) for n, w in network.weights.items()}
    finetune(network, masks, data, TrainConfig(epochs=1, learning_rate=0.01), seed=3)
    for name, mask in masks.items():
        w = network.weights[name]
        assert not np.any(w[~mask]) and np.count_nonzero(w) == np.count_nonzero(mask)
        assert not np.array_equal(w[mask], (dense.weights[name] * mask)[mask])  # it trained


def test_uniform_baseline_meets_the_budget_with_one_sparsity(setup):
    dense, data = setup
    oracle = oracle_for(dense, data)
    budget = 0.6 * oracle.seconds(dense.weights)
    pruned = hw_baselines.uniform(dense, oracle, budget, data, LONG, seed=0)
    assert pruned.seconds == oracle.seconds(pruned.network.weights) <= budget
    assert max(pruned.sparsity().values()) - min(pruned.sparsity().values()) < 1e-3


QUICK = ["--epochs", "1", "--finetune-epochs", "1", "--probe-images", "2", "--quiet"]
NETADAPT_QUICK = [*QUICK, "--short-finetune-epochs", "0"]


def test_cli_budget_below_floor_exits_2_naming_the_floor(capsys):
    code = sim.main(["prune", "--model", "lenet300", "--method", "netadapt", "--accel", "eie",
                     "--pes", "64", "--latency-us", "0.01", *NETADAPT_QUICK])
    err = capsys.readouterr().err
    assert code == 2 and "below the floor" in err and "µs" in err and err.count("\n") == 1


def test_cli_netadapt_writes_the_documented_json(tmp_path, capsys):
    out, doc_path = tmp_path / "m.npz", tmp_path / "m.json"
    code = sim.main(["prune", "--model", "lenet300", "--method", "netadapt", "--accel", "eie",
                     "--pes", "64", "--latency-ratio", "0.6", "--step-fraction", "0.2",
                     "--out", str(out), "--json", str(doc_path), *NETADAPT_QUICK])
    assert code == 0 and out.exists()
    doc = json.loads(doc_path.read_text())["runs"][0]
    assert doc["latency_us"] <= doc["latency_budget_us"] == pytest.approx(
        0.6 * doc["dense_latency_us"])
    assert set(doc["sparsity"]) == {"fc1", "fc2", "fc3"} and 0 < doc["accuracy"] <= 1
    assert all({"layer", "latency_us", "accuracy"} <= set(it) for it in doc["iterations"])
    assert [b["method"] for b in doc["baselines"]] == ["uniform", "sensitivity"]
    assert all(b["latency_us"] <= doc["latency_budget_us"] for b in doc["baselines"])


def test_mlp_gradients_match_finite_differences():
    rng = np.random.default_rng(5)
    for sigmoid in (False, True):
        net = MLP((4, 6, 6, 1), rng, learning_rate=0.0, sigmoid=sigmoid)
        x = rng.normal(size=(3, 4))
        out, seen = net.forward(x)
        grads, d_input = net.backward(seen, np.ones_like(out))
        eps = 1e-6
        for param, grad in zip(net.parameters(), grads):
            flat, g = param.reshape(-1), grad.reshape(-1)
            for i in range(0, flat.size, max(1, flat.size // 5)):
                flat[i] += eps
                up = net(x).sum()
                flat[i] -= 2 * eps
                down = net(x).sum()
                flat[i] += eps
                assert g[i] == pytest.approx((up - down) / (2 * eps), rel=1e-4, abs=1e-7)
        x[0, 1] += eps
        up = net(x).sum()
        x[0, 1] -= 2 * eps
        assert d_input[0, 1] == pytest.approx((up - net(x).sum()) / (2 * eps), rel=1e-4,
                                              abs=1e-7)


def test_truncated_noise_stays_within_the_allowed_actions():
    agent = DDPG(7, DDPGConfig(hidden=8), np.random.default_rng(0))
    state = np.linspace(0, 1, 7)
    actions = [agent.act(state, sigma=0.5, low=0.3, high=0.6) for _ in range(200)]
    assert min(actions) >= 0.3 and max(actions) <= 0.6 and len(set(actions)) == 200
    assert agent.act(state, sigma=0.5, low=0.99, high=0.99) == 0.99  # no room: no endless draw


def run_amc(setup, seed=0):
    dense, data = setup
    oracle = oracle_for(dense, data)
    budget = 0.6 * oracle.seconds(dense.weights)
    return budget, amc(dense, data, AMCConfig(
        episodes=8, finetune=LONG, agent=DDPGConfig(hidden=16, batch_size=8), seed=seed),
        LatencyBudget(oracle, budget, "fine"))


def test_amc_meets_the_budget_and_a_seed_reproduces_it(setup):
    budget, first = run_amc(setup)
    _, second = run_amc(setup)
    assert first.pruned.seconds <= budget
    assert all(e.measured <= budget for e in first.best_episodes)
    assert first.episodes == second.episodes
    for name, w in first.pruned.network.weights.items():
        assert np.array_equal(w, second.pruned.network.weights[name])


def test_cli_amc_reports_its_episodes_and_the_budget(tmp_path):
    doc_path = tmp_path / "amc.json"
    code = sim.main(["prune", "--model", "lenet300", "--method", "amc", "--accel", "eie",
                     "--latency-ratio", "0.6", "--episodes", "3", "--no-baselines",
                     "--json", str(doc_path), *QUICK])
    doc = json.loads(doc_path.read_text())["runs"][0]
    assert code == 0 and doc["method"] == "amc"
    assert [b["method"] for b in doc["baselines"]] == ["random-search"]  # never skipped
    assert doc["latency_us"] <= doc["latency_budget_us"]
    assert all(b["latency_us"] <= doc["latency_budget_us"] for b in doc["baselines"])
    assert doc["iterations"] and all(it["budget_measured_us"] <= doc["latency_budget_us"]
                                     for it in doc["iterations"])


def test_other_prune_methods_still_reach_the_front_end(capsys):
    code = sim.main(["prune", "--model", "lenet300", "--method", "netadapt", "--latency-ratio",
                     "2", *NETADAPT_QUICK])
    assert code == 2 and "(0, 1]" in capsys.readouterr().err
    code = sim.main(["prune", "--method", "magnitude", "--procedure", "bogus", "--quiet"])
    assert code == 2 and "bogus" in capsys.readouterr().err


def test_tensor_core_latency_gains_from_two_four_and_fewer_neurons_only():
    """On the tensor core, fine-grained sparsity costs the dense kernel's time; 2:4 gets
    the sparse kernel; removing neurons shrinks M (here little: launch-bound)."""
    latency = STCLatency(stc.preset("a100"))
    rng = np.random.default_rng(0)
    w = rng.normal(size=(300, 784)).astype(np.float32)
    x = rng.random((16, 784))
    dense = latency(0, w, x)
    fine = w * (rng.random(w.shape) > 0.9)
    two_four = w.copy()
    two_four[:, 1::2] = 0
    fewer = w.copy()
    fewer[150:] = 0
    assert latency(0, fine, x) == dense
    assert latency(0, two_four, x) < dense
    assert latency(0, fewer, x) <= dense
    assert latency.simulations == 3  # fine-grained sparsity reused the dense GEMM


def test_cli_tensor_core_budget_below_its_launch_bound_floor(capsys):
    code = sim.main(["prune", "--method", "netadapt", "--accel", "stc", "--epochs", "1",
                     "--moves", "fine,neuron", "--latency-ratio", "0.5", "--no-baselines"])
    err = capsys.readouterr().err
    assert code == 2 and "below the floor" in err and len(err.strip().splitlines()) == 1


def test_pareto_figure_shows_the_mean_and_spread_over_seeds():
    from sparsesim.workloads.pruning.hw_plots import pareto_figure

    rows = [{"method": m, "latency_ratio": q, "latency_budget_us": q * 1.6,
             "latency_us": q * 1.5 + 0.01 * s, "accuracy": 0.9 + 0.01 * s, "seed": s}
            for m in ("uniform", "netadapt") for q in (0.4, 0.5) for s in range(3)]
    dense = [{"seed": s, "latency_us": 1.6, "accuracy": 0.94 + 0.001 * s} for s in range(3)]
    axis = pareto_figure(rows, dense, "t").axes[0]
    (container,) = [c for c in axis.containers if c.get_label() == "netadapt"]
    data_line, _, (_, y_bars) = container.lines
    assert list(data_line.get_ydata()) == pytest.approx([91.0, 91.0])
    heights = [segment[1][1] - segment[0][1] for segment in y_bars.get_segments()]
    half = mean_ci95([90.0, 91.0, 92.0]).half_width  # 95% Student-t, 3 seeds: 4.303 x 1 / sqrt 3
    assert half == pytest.approx(4.303 / np.sqrt(3))
    assert heights == pytest.approx([2 * half] * 2)
