"""The tensor core's fast engine against the SimPy reference: every counter, bit for bit."""

import dataclasses
import os
import subprocess
import sys

import numpy as np
import pytest

from sparsesim.accelerators.stc import model as stc
from sparsesim.accelerators.stc.config import TileShape
from sparsesim.accelerators.stc.fast import simulate_fast
from sparsesim.accelerators.stc.kernel import plan_kernel
from sparsesim.accelerators.stc.simulate import simulate_kernel
from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.gemm import GemmShape, MatrixOperands, prune_two_of_four
from sparsesim.workloads.numeric import numeric_type

# Small L2 (evictions), few SMs (several waves), split-K on both sides.
CRAMPED = dataclasses.replace(
    stc.A100, name="cramped", num_sms=6, l2_bytes=96 * 2**10, dense_split_k=(1, 3),
    sparse_split_k=(1, 2), tiles=(TileShape(64, 64, 2, 2), TileShape(128, 64, 2, 2)),
    sparse_tiles=(TileShape(64, 64, 2, 2),), launch_overhead_us=0.0)


def assert_same_counters(plan, config):
    reference, fast = simulate_kernel(plan, config), simulate_fast(plan, config)
    for field in dataclasses.fields(reference):
        ours, theirs = getattr(fast, field.name), getattr(reference, field.name)
        if isinstance(theirs, np.ndarray):
            assert np.array_equal(ours, theirs), field.name
        else:
            assert ours == theirs, field.name


GRID = [(m, n, k) for m in (1, 100, 384) for n in (1, 72, 300) for k in (8, 200, 1500)]


@pytest.mark.parametrize("config", [CRAMPED, stc.A100, stc.H100], ids=lambda c: c.name)
@pytest.mark.parametrize("dtype", ["fp16", "int8"])
def test_fast_equals_reference_on_a_grid_of_shapes(config, dtype):
    kind = numeric_type(dtype)
    for m, n, k in GRID:
        compiled = stc.compile(GemmShape("g", m, n, k), dtype, config)
        for plan in compiled.plans.values():
            assert_same_counters(plan, config)
    rng = np.random.default_rng(11)  # random tiles and split-K the menus would not pick
    for _ in range(10):
        m, n, k = (int(v) for v in rng.integers(1, 600, size=3))
        tile = TileShape(int(rng.choice([64, 128])), int(rng.choice([64, 128])), 2, 2)
        plan = plan_kernel(GemmShape("r", m, n, k), kind, bool(rng.integers(2)), CRAMPED, tile,
                           int(rng.integers(1, 5)))
        assert_same_counters(plan, CRAMPED)


def test_both_engines_give_the_same_result_on_a_real_layer():
    rng = np.random.default_rng(5)
    weights = prune_two_of_four(rng.standard_normal((300, 784)).astype(np.float32))
    images = rng.random((784, 100)).astype(np.float32)
    operands = MatrixOperands("fc1", weights, images, numeric_type("fp16"))
    results = [stc.run(stc.compile_operands(operands, CRAMPED), engine=e).to_dict()
               for e in ("fast", "reference")]
    for result in results:
        result.pop("wall_seconds")
    assert results[0].pop("engine") == "fast" and results[1].pop("engine") == "reference"
    assert results[0] == results[1] and results[0]["output_ok"]


def test_kernel_runs_as_plain_python_with_the_jit_off():
    code = ("from sparsesim.accelerators.stc import model as stc;"
            "from sparsesim.workloads.gemm import GemmShape;"
            "r = [stc.run(stc.compile(GemmShape('g', 130, 70, 300)), engine=e) "
            "for e in ('fast', 'reference')];"
            "assert r[0].cycles == r[1].cycles and r[0].output_ok, r")
    env = dict(os.environ, NUMBA_DISABLE_JIT="1")
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=600)


def test_unknown_engine_is_refused():
    with pytest.raises(ConfigError, match="unknown engine 'gpu'"):
        stc.run(stc.compile(GemmShape("g", 8, 8, 8)), engine="gpu")
