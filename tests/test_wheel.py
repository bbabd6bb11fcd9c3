"""The built wheel installs one import name, sparsesim, with its data files."""

from __future__ import annotations

import os
import site
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _wheel(folder: Path) -> Path:
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                    str(folder), str(ROOT)], check=True, capture_output=True)
    (wheel,) = folder.glob("sparsesim-*.whl")
    return wheel


def test_wheel_top_level_is_only_sparsesim(tmp_path):
    wheel = _wheel(tmp_path)
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


def test_sim_py_runs_the_installed_package_not_the_checkouts_folder(tmp_path):
    """A regular (not editable) install: the checkout's partial sparsesim/ folder, first
    on the path as sim.py's folder, must not shadow it. -S keeps the editable install of
    the test environment out (its finder is set up by a .pth file)."""
    installed = tmp_path / "installed"
    with zipfile.ZipFile(_wheel(tmp_path)) as archive:
        archive.extractall(installed)
    path = os.pathsep.join([str(installed), *site.getsitepackages()])
    run = subprocess.run([sys.executable, "-S", str(ROOT / "sim.py"), "--list"],
                         capture_output=True, text=True, cwd=ROOT,
                         env={**os.environ, "PYTHONPATH": path})
    assert run.returncode == 0, run.stderr
    assert "eie" in run.stdout
