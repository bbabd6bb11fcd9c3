import numpy as np
import pytest

from sparsesim.simulator.errors import FormatError
from sparsesim.workloads.mnist import build_split, load_dataset, load_mnist


def test_shipped_subset_has_fixed_balanced_split():
    data = load_mnist()
    assert data.train.images.shape == (4000, 784) and data.test.images.shape == (1000, 784)
    assert np.array_equal(np.bincount(data.train.labels), [400] * 10)
    assert np.array_equal(np.bincount(data.test.labels), [100] * 10)
    assert data.train.images.dtype == np.float32
    assert 0.0 <= data.train.images.min() and data.train.images.max() == 1.0


def test_build_split_takes_last_hundred_of_each_class_for_test():
    labels = np.repeat(np.arange(10), 500)
    table = np.zeros((5000, 785))
    table[:, 0] = np.tile(np.arange(500) // 2, 10)  # pixel 0 = half the position in the class
    table[:, -1] = labels
    arrays = build_split(table)
    assert np.array_equal(arrays["test_labels"][:20], np.tile(np.arange(10), 2))
    assert arrays["test_images"][:, 0].min() == 200 and arrays["train_images"][:, 0].max() == 199


def test_missing_file_is_a_format_error(tmp_path):
    with pytest.raises(FormatError, match="not found"):
        load_mnist(tmp_path / "none.npz")


def test_fashion_mnist_subset_is_real_balanced_and_interleaved():
    data = load_dataset("fashion-mnist")
    assert data.train.images.shape == (8000, 784) and data.test.images.shape == (2000, 784)
    assert list(np.bincount(data.train.labels)) == [800] * 10
    assert list(data.test.labels[:20]) == list(range(10)) * 2
    assert 0.0 <= data.train.images.min() and data.train.images.max() == 1.0
    assert len(np.unique(data.test.images, axis=0)) == 2000  # real, distinct images
    mnist = load_dataset("mnist")
    assert mnist.train.images.shape == (4000, 784)
    with pytest.raises(FormatError, match="unknown dataset"):
        load_dataset("cifar")
