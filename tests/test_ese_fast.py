"""The numba engine must reproduce the SimPy reference exactly: cycles, every per-PE and
queue statistic, the timeline and the hidden states bit for bit."""

import dataclasses

import numpy as np
import pytest
from conftest import run_without_jit
from test_ese import SMALL, random_lstm

from sparsesim.accelerators.ese import model as ese
from sparsesim.accelerators.ese.pruning import prune
from sparsesim.workloads.lstm_models import ese_lstm, speaker_lstm


def same(compiled) -> bool:
    fast, ref = (ese.run(compiled, engine=e) for e in ("fast", "reference"))
    assert np.array_equal(fast.hidden_states, ref.hidden_states)
    return [r.comparable() for r in fast.layers] == [r.comparable() for r in ref.layers]


def test_fast_engine_is_the_default():
    run = ese.run(ese.compile(random_lstm(0, layers=1), SMALL))
    assert run.layers[0].engine == "fast" and run.layers[0].details["compile_seconds"] >= 0.0


@pytest.mark.parametrize("seed", range(12))
def test_fast_matches_reference_on_random_lstms(seed):
    rng = np.random.default_rng(seed)
    config = dataclasses.replace(
        SMALL, pes_per_channel=int(rng.integers(1, 7)),
        queue_depth_entries=int(rng.integers(1, 5)), pointer_banks=int(rng.integers(1, 3)),
        pe_pipeline_stages=int(rng.integers(1, 5)), elementwise_lanes=int(rng.integers(1, 9)),
        skip_zero_activations=bool(seed % 2))
    model = random_lstm(seed, hidden=int(rng.integers(1, 10)), inputs=int(rng.integers(1, 7)),
                        projection=int(rng.integers(1, 6)) if seed % 3 else None,
                        steps=int(rng.integers(1, 5)))
    if seed % 2:  # zeros in the input, so skipping has something to skip
        model = dataclasses.replace(model, frames=np.where(model.frames > 0, model.frames, 0.0))
    scheme = ("balanced", "magnitude")[seed % 2]
    assert same(ese.compile(prune(model, scheme, float(rng.uniform(0, 0.95)),
                                  config.pes_per_channel), config))


@pytest.mark.parametrize("scheme", ["balanced", "magnitude"])
def test_fast_matches_reference_on_shipped_and_ese_sized_lstms(scheme):
    assert same(ese.compile(prune(speaker_lstm().with_frames(2), scheme, 0.9, 32)))
    assert same(ese.compile(prune(ese_lstm(0).with_frames(1), scheme, 0.9, 32)))


def test_kernels_run_as_plain_python():
    """With the JIT off (NUMBA_DISABLE_JIT=1) the kernels are readable Python that
    still agrees with the SimPy model."""
    run_without_jit("""
        import dataclasses, numpy as np
        from test_ese_fast import same
        from test_ese import SMALL, random_lstm
        from sparsesim.accelerators.ese import model as ese
        from sparsesim.accelerators.ese.pruning import prune
        config = dataclasses.replace(SMALL, pes_per_channel=3, queue_depth_entries=2)
        model = random_lstm(4, hidden=5, inputs=4, projection=3, steps=3)
        assert same(ese.compile(prune(model, "balanced", 0.5, 3), config))
        print("ok")
    """)
