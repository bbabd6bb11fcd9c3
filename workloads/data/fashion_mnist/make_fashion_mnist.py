"""Development time only: rebuild fashion_mnist_10k_split.npz from Fashion-MNIST's IDX files
(Debian package dataset-fashion-mnist puts them in /usr/share/datasets/fashion-mnist).

    python workloads/data/fashion_mnist/make_fashion_mnist.py /usr/share/datasets/fashion-mnist
"""

from __future__ import annotations

import gzip
import sys
from pathlib import Path

import numpy as np

from sparsesim.simulator.atomic_file import write_atomically
from sparsesim.workloads.mnist import CLASSES, FASHION_PATH, PIXELS

TRAIN_PER_CLASS = 800  # the first 800 of each class in Fashion-MNIST's training file
TEST_PER_CLASS = 200  # the first 200 of each class in its test (t10k) file


def read_idx(path: Path) -> np.ndarray:
    """An IDX array (big-endian header: 0, 0, type 8 = uint8, dims, then the sizes)."""
    raw = gzip.decompress(path.read_bytes())
    if raw[:3] != b"\0\0\x08":
        raise SystemExit(f"{path}: not an unsigned-byte IDX file")
    dims = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def per_class(images: np.ndarray, labels: np.ndarray, count: int) -> dict[str, np.ndarray]:
    """The first `count` images of each class, interleaved by class (0..9, 0..9, ...)."""
    picks = [np.flatnonzero(labels == c)[:count] for c in range(CLASSES)]
    order = np.stack(picks, axis=1).reshape(-1)
    return {"images": images[order].reshape(len(order), PIXELS), "labels": labels[order]}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    folder = Path(argv[0])
    arrays = {}
    for split, stem, count in (("train", "train", TRAIN_PER_CLASS),
                               ("test", "t10k", TEST_PER_CLASS)):
        picked = per_class(read_idx(folder / f"{stem}-images-idx3-ubyte.gz"),
                           read_idx(folder / f"{stem}-labels-idx1-ubyte.gz"), count)
        arrays.update({f"{split}_{k}": v for k, v in picked.items()})
    write_atomically(FASHION_PATH, lambda handle: np.savez_compressed(handle, **arrays))
    print(f"wrote {FASHION_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
