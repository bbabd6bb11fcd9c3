"""Shared helpers: small seeded layers for the EIE tests, and a loader of the CLI's JSON
documents that validates each against the shipped schema."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import numpy as np
import pytest

from sparsesim.simulator.disk_cache import ENV
from sparsesim.simulator.energy import TECH_DIR
from sparsesim.workloads.formats import CSC
from sparsesim.workloads.layer import Layer


def random_layer(rng: np.random.Generator, outputs: int, inputs: int, weight_density: float,
                 activation_density: float, name: str = "random") -> Layer:
    mask = rng.random((outputs, inputs)) < weight_density
    weights = np.where(mask, rng.normal(size=(outputs, inputs)), 0.0).astype(np.float32)
    x = np.where(rng.random(inputs) < activation_density, rng.random(inputs), 0.0)
    return Layer(name, CSC.from_dense(weights), x.astype(np.float32))


def layer_from_dense(weights, activations, relu: bool = True, name: str = "tiny") -> Layer:
    return Layer(name, CSC.from_dense(np.asarray(weights, dtype=np.float32)),
                 np.asarray(activations, dtype=np.float32), relu)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def custom_table(tmp_path, name: str, replace=()) -> str:
    """A copy of the 45 nm table with text replacements, written to tmp_path; its path."""
    text = (TECH_DIR / "45nm.toml").read_text()
    for old, new in replace:
        assert old in text
        text = text.replace(old, new)
    path = tmp_path / f"{name}.toml"
    path.write_text(text)
    return str(path)


@pytest.fixture(autouse=True, scope="session")
def _private_cache_dir(tmp_path_factory):
    """Tests (and the commands they start) cache into a fresh folder, not the user's."""
    os.environ[ENV] = str(tmp_path_factory.mktemp("sparsesim-cache"))


SCHEMA = json.loads((resources.files("sparsesim") / "run_document.schema.json").read_text())


def load_document(path: str | Path) -> dict[str, Any]:
    """A run document written by --json, checked against the shipped JSON Schema."""
    document = json.loads(Path(path).read_text())
    jsonschema.validate(document, SCHEMA)
    return document


def run_without_jit(script: str) -> None:
    """Run `script` in a fresh interpreter with NUMBA_DISABLE_JIT=1 (kernels become plain
    Python), from tests/ so it can import conftest; it must exit 0 and print "ok"."""
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], env=env,
                          capture_output=True, text=True, timeout=900,
                          cwd=os.path.dirname(__file__))
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok")
