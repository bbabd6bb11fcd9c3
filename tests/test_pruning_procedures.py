import numpy as np
import pytest

from sparsesim.workloads.mnist import Mnist, Split, load_mnist
from sparsesim.workloads.nn.network import lenet5, lenet300
from sparsesim.workloads.nn.training import TrainConfig
from sparsesim.workloads.pruning.iterative import iterative_prune, schedule
from sparsesim.workloads.pruning.methods import prune_masks
from sparsesim.workloads.pruning.pattern import pattern_prune
from sparsesim.workloads.pruning.sensitivity import sensitivity_scan


@pytest.fixture(scope="module")
def small() -> Mnist:
    data = load_mnist()
    return Mnist(Split(data.train.images[:500], data.train.labels[:500]),
                 Split(data.test.images[:200], data.test.labels[:200]))


def test_schedule_shrinks_kept_fraction_geometrically():
    steps = schedule(0.92, 4)
    kept = 1 - np.array(steps)
    assert steps[-1] == pytest.approx(0.92) and np.allclose(kept[1:] / kept[:-1], kept[0])


def test_iterative_pruning_masks_are_nested_and_respected_after_finetuning(small):
    net = lenet300(seed=0)
    seen = []

    def pruner(weights, sparsity):
        masks = prune_masks("magnitude", weights, sparsity)
        seen.append({k: v.copy() for k, v in masks.items()})
        return masks

    masks, history = iterative_prune(net, small, pruner, 0.9, 3, TrainConfig(epochs=1))
    assert [h.sparsity for h in history] == pytest.approx(schedule(0.9, 3))
    for name, w in net.weights.items():
        assert not np.any(w[~masks[name]])  # pruned weights stayed zero through fine-tuning
        assert np.all(masks[name] <= seen[0][name])  # never revived
        assert history[-1].layer_sparsity[name] == pytest.approx(0.9, abs=1e-3)


def test_pattern_method_on_lenet5_patterns_convs_and_magnitude_prunes_fc():
    net = lenet5(seed=0)
    masks = prune_masks("pattern", net.weights, 0.75)
    for name in ("conv1", "conv2"):
        expected = pattern_prune(net.weights[name]).mask
        assert np.array_equal(masks[name], expected)
        assert np.all(masks[name].reshape(-1, 9).sum(axis=1) == 4)
    assert masks["fc1"].mean() == pytest.approx(0.25)


def test_sensitivity_scan_prunes_one_layer_at_a_time_and_leaves_network_intact(small):
    net = lenet300(seed=0)
    before = {k: v.copy() for k, v in net.weights.items()}
    points = sensitivity_scan(net, small.test, sparsities=(0.0, 0.99))
    assert [(p.layer, p.sparsity) for p in points] == [
        ("fc1", 0.0), ("fc1", 0.99), ("fc2", 0.0), ("fc2", 0.99), ("fc3", 0.0), ("fc3", 0.99)]
    assert all(np.array_equal(before[k], net.weights[k]) for k in before)
    dense = net.accuracy(small.test.images, small.test.labels)
    assert all(p.accuracy == dense for p in points if p.sparsity == 0.0)
