"""The built wheel installs one import name, sparsesim, with its data files."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_top_level_is_only_sparsesim(tmp_path):
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(tmp_path), str(ROOT)], check=True, capture_output=True)
    (wheel,) = tmp_path.glob("sparsesim-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        top_level = next(n for n in names if n.endswith("top_level.txt"))
        assert archive.read(top_level).decode().split() == ["sparsesim"]
    roots = {n.split("/")[0] for n in names if not n.split("/")[0].endswith(".dist-info")}
    assert roots == {"sparsesim"}
    for data in ("sparsesim/run_document.schema.json", "sparsesim/simulator/tech/45nm.toml",
                 "sparsesim/workloads/data/mnist/mnist_5k_split.npz",
                 "sparsesim/workloads/data/models/lenet300_pruned.npz"):
        assert data in names
