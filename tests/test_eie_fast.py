"""The numba engine must reproduce the SimPy reference exactly: cycles, every per-PE and
per-queue statistic, memory counts and the output vector bit for bit."""

import dataclasses

import numpy as np
import pytest
from conftest import layer_from_dense, random_layer, run_without_jit
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsesim.accelerators.eie import model as eie
from sparsesim.accelerators.eie.config import EIE_SAME_CYCLE_FIFO
from sparsesim.simulator.queue import FLAG_TIMINGS
from sparsesim.workloads.eie_layers import EIE_LAYERS, benchmark_layer


def both(compiled):
    fast, ref = (eie.run(compiled, engine=e) for e in ("fast", "reference"))
    return fast, ref


def test_fast_engine_is_the_default():
    weights = [[1.0, 0, 0], [2.0, 0, 0], [3.0, 0, 5.0]]
    result = eie.run(eie.compile(layer_from_dense(weights, [1, 2, 3]), eie.EIEConfig(num_pes=1)))
    assert result.engine == "fast"
    assert result.details["compile_seconds"] >= 0.0


@settings(max_examples=60, deadline=None)
@given(outputs=st.integers(1, 90), inputs=st.integers(1, 40), weight_density=st.floats(0, 1),
       activation_density=st.floats(0, 1), num_pes=st.integers(1, 64),
       depth=st.integers(1, 32), banks=st.integers(1, 3), seed=st.integers(0, 2**31),
       flags=st.sampled_from(FLAG_TIMINGS), row_change=st.integers(0, 2))
def test_fast_matches_reference_on_random_layers(outputs, inputs, weight_density,
                                                 activation_density, num_pes, depth, banks,
                                                 seed, flags, row_change):
    layer = random_layer(np.random.default_rng(seed), outputs, inputs, weight_density,
                         activation_density)
    config = eie.EIEConfig(num_pes=num_pes, queue_depth_entries=depth, pointer_banks=banks,
                           queue_flag_timing=flags, lnzd_row_change_cycles=row_change)
    fast, ref = both(eie.compile(layer, config))
    assert fast.comparable() == ref.comparable()


@pytest.mark.parametrize("flags", FLAG_TIMINGS)
def test_fast_matches_reference_with_long_runs_and_padding(rng, flags):
    """Tall sparse columns on one PE: many padding entries, runs far beyond a queue."""
    layer = random_layer(rng, 3000, 30, 0.02, 1.0)
    config = eie.EIEConfig(num_pes=1, queue_depth_entries=1, queue_flag_timing=flags)
    fast, ref = both(eie.compile(layer, config))
    assert fast.details["padding_entries_processed"] > 0
    assert fast.comparable() == ref.comparable()


@pytest.mark.parametrize("name", sorted(EIE_LAYERS))
def test_fast_matches_reference_on_benchmark_layers_at_paper_config(name):
    fast, ref = both(eie.compile(benchmark_layer(name, seed=0), eie.EIE_PAPER))
    assert fast.output_ok and fast.comparable() == ref.comparable()


@pytest.mark.parametrize("name", ["alexnet-fc8", "neuraltalk-wd"])
@pytest.mark.parametrize("paper", [eie.EIE_PAPER, EIE_SAME_CYCLE_FIFO])
def test_fast_matches_reference_on_benchmark_layers_with_shallow_queues(name, paper):
    config = dataclasses.replace(paper, num_pes=16, queue_depth_entries=1)
    fast, ref = both(eie.compile(benchmark_layer(name, seed=1), config))
    assert fast.output_ok and fast.comparable() == ref.comparable()


def test_registered_flags_are_slower_at_shallow_queues():
    """Registered flags cost cycles where a queue runs full or empty; never fewer."""
    layer = benchmark_layer("alexnet-fc8", seed=0)
    cycles = {}
    for config in (eie.EIE_PAPER, EIE_SAME_CYCLE_FIFO):
        config = dataclasses.replace(config, queue_depth_entries=1)
        cycles[config.queue_flag_timing] = eie.run(eie.compile(layer, config)).cycles
    assert cycles["registered"] > 1.05 * cycles["same_cycle"]


def test_kernels_run_as_plain_python():
    """With the JIT off (NUMBA_DISABLE_JIT=1) the kernels are readable Python that
    still agrees with the SimPy model, on both timings."""
    run_without_jit("""
        import dataclasses, numpy as np
        from sparsesim.accelerators.eie import model as eie
        from sparsesim.accelerators.eie.config import EIE_SAME_CYCLE_FIFO
        from conftest import random_layer
        layer = random_layer(np.random.default_rng(5), 40, 30, 0.3, 0.6)
        for base in (eie.EIE_PAPER, EIE_SAME_CYCLE_FIFO):
            c = eie.compile(layer, dataclasses.replace(base, num_pes=4, queue_depth_entries=2))
            fast, ref = (eie.run(c, engine=e) for e in ("fast", "reference"))
            assert fast.output_ok and fast.comparable() == ref.comparable()
        import numba
        from sparsesim.accelerators.eie import fast
        assert not isinstance(fast.schedule, numba.core.dispatcher.Dispatcher)
        print("ok")
    """)


@pytest.mark.parametrize("threads", [1, 3, 64])
def test_splitting_the_pes_over_threads_gives_the_same_bits(rng, monkeypatch, threads):
    from sparsesim.simulator import jit

    compiled = eie.compile(random_layer(rng, 300, 200, 0.2, 0.5), eie.EIE_PAPER)
    monkeypatch.setattr(jit, "_threads", [1])
    one = eie.run(compiled)
    monkeypatch.setattr(jit, "_threads", [threads])
    assert jit.kernel_threads() == threads
    assert eie.run(compiled).comparable() == one.comparable()
    jit.single_threaded()
    assert jit.kernel_threads() == 1
