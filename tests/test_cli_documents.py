"""`sparsesim --accel NAME --json` writes the one run document for every design."""

from __future__ import annotations

import pytest
from conftest import load_document

from sparsesim.cli import main as sim
from sparsesim.cli.registry import ACCELERATORS

SMALL_RUNS = {  # quick flags per design
    "eie": ["--workload", "alexnet-fc8", "--pes", "16"],
    "ese": ["--frames", "2", "--pes", "8"],
    "stc": ["--gemm", "256,256,256"],
    "pointacc": ["--cloud", "kitten", "--voxel", "0.08"],
    "gpu-spmm": ["--gemm", "128,64,128"],
    "patdnn": ["--workload", "lenet5", "--engine", "fast"],
    "torchsparse": ["--cloud", "kitten", "--voxel", "0.08", "--engine", "fast"],
}


def test_every_accelerator_has_a_small_run():
    assert set(SMALL_RUNS) >= set(ACCELERATORS)


@pytest.mark.parametrize("name", sorted(ACCELERATORS))
def test_json_validates_against_the_schema(name, tmp_path, capsys):
    path = tmp_path / f"{name}.json"
    assert sim.main(["--accel", name, *SMALL_RUNS[name], "--json", str(path)]) == 0
    document = load_document(path)
    assert document["accel"] == name and document["totals"]["output_ok"] is True
    assert document["totals"]["cycles"] == sum(r["cycles"] for r in document["layers"])
