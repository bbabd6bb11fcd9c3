"""Channel pruning as dense hardware sees it: channel masks propagated to the next
layer, compaction to smaller layers (same logits), lowering to smaller GEMMs, tensor-core
latency of convolutions, and NetAdapt with channel moves on LeNet-5."""

from __future__ import annotations

import numpy as np
import pytest

from sparsesim.accelerators.stc import model as stc
from sparsesim.cli import main as sim
from sparsesim.cli.hw_latency import STCLatency, layer_gemm
from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.mnist import load_mnist
from sparsesim.workloads.nn.compact import compact
from sparsesim.workloads.nn.gemms import network_gemms
from sparsesim.workloads.nn.network import build_model, lenet5
from sparsesim.workloads.nn.training import TrainConfig, train
from sparsesim.workloads.pruning.channel import remove_neurons, uniform_channel_masks
from sparsesim.workloads.pruning.latency_oracle import LatencyOracle
from sparsesim.workloads.pruning.netadapt import NetAdaptConfig, netadapt
from sparsesim.workloads.pruning.validation import carve_validation

IMAGES = np.random.default_rng(0).random((5, 784)).astype(np.float32)


def pruned(model: str, ratio: float):
    network = build_model(model, seed=1)
    names = [la.name for la in network.weighted_layers]
    masks = uniform_channel_masks(network.weights, names, ratio)
    for name, mask in masks.items():
        network.weights[name] = network.weights[name] * mask
    return network


@pytest.mark.parametrize("model", ["lenet5", "lenet300"])
def test_compacted_network_computes_the_same_logits_with_smaller_layers(model):
    network = pruned(model, 0.5)
    small = compact(network)
    np.testing.assert_allclose(small.forward(IMAGES)[0], network.forward(IMAGES)[0],
                               rtol=1e-5, atol=1e-5)
    sizes = {n: w.shape for n, w in small.weights.items()}
    if model == "lenet5":
        assert sizes == {"conv1": (8, 1, 3, 3), "conv2": (16, 8, 3, 3), "fc1": (64, 400),
                         "fc2": (10, 64)}
    else:
        assert sizes == {"fc1": (150, 784), "fc2": (50, 150), "fc3": (10, 50)}


def test_a_conv_channel_feeds_its_block_of_flattened_columns():
    """conv2's 32 channels of 5 x 5 flatten channel-major into fc1's 800 columns: removing
    channel 3 removes columns 75..99 and nothing else, and the logits stay the same."""
    network = build_model("lenet5", seed=1)
    rows = np.ones(32, dtype=bool)
    rows[3] = False
    masked = remove_neurons(network.weights, ["conv1", "conv2", "fc1", "fc2"], 1, rows)
    gone = np.flatnonzero(~masked["fc1"].any(axis=0))
    assert list(gone) == list(range(75, 100)) and not masked["conv2"][3].any()
    network.weights.update(masked)
    small = compact(network)
    assert small.weights["fc1"].shape == (128, 775)
    np.testing.assert_allclose(small.forward(IMAGES)[0], network.forward(IMAGES)[0],
                               rtol=1e-5, atol=1e-5)


def test_remove_neurons_refuses_inputs_that_do_not_split_into_channels():
    weights = {"a": np.ones((3, 4)), "b": np.ones((2, 7))}
    with pytest.raises(WorkloadError, match="not a multiple"):
        remove_neurons(weights, ["a", "b"], 0, np.ones(3, dtype=bool))


def test_lenet5_lowers_to_implicit_gemms_that_shrink_with_its_channels():
    shapes = [(g.shape.m, g.shape.n, g.shape.k) for g in network_gemms(
        build_model("lenet5"), 4)]
    assert shapes == [(16, 4 * 26 * 26, 9), (32, 4 * 11 * 11, 16 * 9), (128, 4, 800),
                      (10, 4, 128)]
    small = [(g.shape.m, g.shape.n, g.shape.k) for g in network_gemms(
        compact(pruned("lenet5", 0.75)), 4)]
    assert small == [(4, 4 * 26 * 26, 9), (8, 4 * 11 * 11, 4 * 9), (32, 4, 200), (10, 4, 32)]


def test_the_latency_callback_sees_the_same_gemm_in_masked_and_compacted_convs():
    network = pruned("lenet5", 0.5)
    small = compact(network)
    x = np.zeros((3, 16, 13, 13), dtype=np.float32)
    gemm, kept = layer_gemm("conv2", network.weights["conv2"], x)
    (lowered,) = [g for g in network_gemms(small, 3) if g.shape.name == "conv2"]
    assert (gemm.shape.m, gemm.shape.n, gemm.shape.k) == (
        lowered.shape.m, lowered.shape.n, lowered.shape.k) == (16, 363, 72)
    assert kept.shape == (16, 72)


@pytest.fixture(scope="module")
def lenet5_setup():
    mnist = load_mnist()
    data = carve_validation(mnist.train, mnist.test, seed=0)
    dense = build_model("lenet5", seed=0)
    train(dense, data.train.images[:500], data.train.labels[:500], TrainConfig(epochs=1))
    return dense, data


def test_netadapt_with_channel_moves_meets_a_tensor_core_budget_on_lenet5(lenet5_setup):
    dense, data = lenet5_setup
    oracle = LatencyOracle(STCLatency(stc.preset("a100")), dense, data.train.images[:4],
                           neuron_points=6)
    start = oracle.seconds(dense.weights)
    budget = 0.9 * start
    result = netadapt(dense, oracle, data, NetAdaptConfig(
        budget, step_fraction=0.05, short_finetune=TrainConfig(epochs=0, learning_rate=0.005),
        long_finetune=TrainConfig(epochs=0, learning_rate=0.005), moves=("neuron",)))
    assert result.pruned.seconds <= budget < start
    assert {it.move for it in result.iterations} == {"neuron"}
    small = compact(result.pruned.network)
    assert sum(w.size for w in small.weights.values()) < sum(
        w.size for w in dense.weights.values())
    fresh = LatencyOracle(STCLatency(stc.preset("a100")), small, data.train.images[:4])
    assert fresh.seconds(small.weights) == pytest.approx(result.pruned.seconds, rel=1e-12)


def test_cli_refuses_lenet5_on_eie_in_one_line(capsys):
    code = sim.main(["prune", "--model", "lenet5", "--method", "netadapt", "--accel", "eie"])
    err = capsys.readouterr().err
    assert code == 2 and "--accel stc" in err and len(err.strip().splitlines()) == 1


def test_channel_figure_draws_latency_with_and_without_launch_and_accuracy():
    from sparsesim.workloads.pruning.channel_plots import channel_figure

    summary = [{"model": "lenet5", "method": m, "weights_kept_fraction": f, "t_us": 10 * f,
                "t_no_launch_us": 5 * f, "mean_accuracy_pct": 90.0,
                "ci95_half_width_accuracy_pct": 1}
               for m, f in (("dense", 1.0), ("channel", 0.5), ("channel", 0.25))]
    fig = channel_figure(summary, [("t_us", 8, True), ("t_no_launch_us", 8, False)], "a100")
    top = fig.axes[0]
    lines = {line.get_label(): list(line.get_ydata()) for line in top.get_lines()}
    assert lines["channel"] == [5.0, 2.5] and lines["channel, no launch overhead"] == [2.5, 1.25]
    assert "batch 8" in top.get_title()


def test_a_compacted_lenet5_has_the_layout_of_lenet5_at_its_widths():
    small = compact(pruned("lenet5", 0.5))
    built = lenet5(widths=(8, 16, 64))
    assert built.layers == small.layers
    assert {n: w.shape for n, w in built.weights.items()} == {
        n: w.shape for n, w in small.weights.items()}


def test_floor_figure_stacks_each_layers_share_and_marks_the_budget():
    from sparsesim.workloads.pruning.channel_plots import floor_figure

    floors = [{"preset": "a100", "batch": 1, "floor_latency_ratio": 0.75,
               "dense_layer_us": {"conv1": 1.0, "fc1": 3.0},
               "floor_layer_us": {"conv1": 1.0, "fc1": 2.0}}]
    ax = floor_figure(floors, "a100").axes[0]
    heights = sorted(round(p.get_height(), 3) for p in ax.patches)
    assert heights == [0.25, 0.25, 0.5, 0.75] and ax.texts[0].get_text() == "0.75"
