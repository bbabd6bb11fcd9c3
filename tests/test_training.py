
import numpy as np
import pytest

from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.mnist import load_mnist
from sparsesim.workloads.nn.layers import Conv2d, Dense, MaxPool2, Reshape
from sparsesim.workloads.nn.network import Network, he_init, lenet5
from sparsesim.workloads.nn.training import TrainConfig, softmax_cross_entropy, train


@pytest.fixture(scope="module")
def mnist():
    return load_mnist()


def tiny_conv_net(seed: int) -> Network:
    layers = [Reshape("image", (1, 6, 6)), Conv2d("conv", 1, 2, 3), MaxPool2("pool"),
              Reshape("flat", (8,)), Dense("fc", 8, 3, relu=False)]
    weights = {k: v.astype(np.float64) for k, v in he_init(layers, seed).items()}
    return Network("tiny", layers, weights)


def test_backward_matches_finite_differences():
    """Analytic weight gradients of conv, pool and dense agree with central differences."""
    assert_gradients_match_finite_differences(tiny_conv_net(3))


def assert_gradients_match_finite_differences(net: Network) -> None:
    """At the first and last entry of every weight array, on 4 random 6 x 6 images."""
    rng = np.random.default_rng(0)
    x, labels = rng.random((4, 36)), np.array([0, 1, 2, 1])
    logits, caches = net.forward(x)
    grads = net.backward(softmax_cross_entropy(logits, labels)[1], caches)
    for name, w in net.weights.items():
        for index in [(0,) * w.ndim, tuple(s - 1 for s in w.shape)]:
            saved = w[index]
            w[index] = saved + 1e-6
            up = softmax_cross_entropy(net.forward(x)[0], labels)[0]
            w[index] = saved - 1e-6
            down = softmax_cross_entropy(net.forward(x)[0], labels)[0]
            w[index] = saved
            assert grads[name][index] == pytest.approx((up - down) / 2e-6, rel=1e-4, abs=1e-8)


def test_same_seed_same_weights_bit_for_bit(mnist):
    runs = []
    for _ in range(2):
        net = lenet5(seed=1)
        train(net, mnist.train.images[:256], mnist.train.labels[:256],
              TrainConfig(epochs=1, seed=5))
        runs.append(net.weights)
    assert all(np.array_equal(runs[0][k], runs[1][k]) for k in runs[0])


def test_masked_weights_stay_zero_through_training(mnist):
    net = lenet5(seed=0)
    rng = np.random.default_rng(0)
    masks = {name: rng.random(w.shape) < 0.3 for name, w in net.weights.items()}
    train(net, mnist.train.images[:256], mnist.train.labels[:256],
          TrainConfig(epochs=1, l1=1e-4, l2=1e-4), masks=masks)
    for name, mask in masks.items():
        assert not np.any(net.weights[name][~mask])
        assert np.count_nonzero(net.weights[name][mask]) > 0.99 * mask.sum()


def test_training_learns_real_digits(mnist):
    from sparsesim.workloads.nn.network import lenet300

    net = lenet300(seed=0)
    before = net.accuracy(mnist.test.images, mnist.test.labels)
    train(net, mnist.train.images, mnist.train.labels, TrainConfig(epochs=2))
    assert before < 0.3 and net.accuracy(mnist.test.images, mnist.test.labels) > 0.85


def test_bad_training_config_is_a_config_error():
    with pytest.raises(ConfigError, match="learning rate must be > 0"):
        TrainConfig(learning_rate=0)
