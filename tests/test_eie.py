import dataclasses

import numpy as np
import pytest
from conftest import layer_from_dense, random_layer
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsesim.accelerators.eie import model as eie
from sparsesim.accelerators.eie.lnzd import broadcast_order
from sparsesim.simulator.errors import ConfigError, WorkloadError
from sparsesim.workloads.layer import Workload

TINY = eie.EIEConfig(num_pes=1, queue_depth_entries=1)


def test_tiny_layer_exact_cycles_with_registered_flags():
    """1 PE, depth 1, columns of 3, 0 and 1 entries, all activations nonzero (rows of
    one activation all end in a nonzero: no row-change cycles).

    LNZD: 1 level, so column 0 is pushed at cycle 1 and popped at 2 (busy 2-4). Column 1
    is ready at 2 but the slot popped at 2 reads full until 3: pushed at 3, popped at 5.
    Column 2 is ready at 4, waits for that pop and one more cycle: pushed at 6, popped at
    7, done in cycle 8; the 4-stage pipeline drains 3 more cycles: 11 cycles in all.
    """
    weights = [[1.0, 0, 0], [2.0, 0, 0], [3.0, 0, 5.0]]
    result = eie.run(eie.compile(layer_from_dense(weights, [1, 2, 3]), TINY))
    assert result.cycles == 11
    assert result.pe_busy_cycles == [5]
    assert result.pe_starved_cycles == [2]
    assert result.details["broadcast"] == {"transfers": 3, "stall_cycles": 3,
                                           "row_change_cycles": 0}
    assert result.output_ok and result.max_abs_error == 0.0


def test_tiny_layer_exact_cycles_with_same_cycle_flags():
    """The earlier timing, kept as an option: depth 1, same layer.

    Column 0 is pushed at 1 and taken at once (busy 1-3). Column 1 is pushed at 2; cycle
    3 the queue is full (1 stall). Cycle 4 the PE pops column 1 (empty: 1 cycle) and the
    bus pushes column 2, done in cycle 5. Last issue ends at 6, plus 3 drain: 9 cycles.
    """
    weights = [[1.0, 0, 0], [2.0, 0, 0], [3.0, 0, 5.0]]
    config = dataclasses.replace(TINY, queue_flag_timing="same_cycle")
    result = eie.run(eie.compile(layer_from_dense(weights, [1, 2, 3]), config))
    assert result.cycles == 9
    assert result.pe_busy_cycles == [5]
    assert result.pe_stalled_cycles == [0]
    assert result.pe_starved_cycles == [0]
    assert result.details["broadcast"] == {"transfers": 3, "stall_cycles": 1,
                                           "row_change_cycles": 0}
    assert result.macs_useful == 4
    assert result.output_ok and result.max_abs_error == 0.0


def test_lnzd_spends_a_cycle_on_row_changes_not_ending_in_a_nonzero():
    """Rows of 2: [1, 0] [0, 0] [2, 3] [0, 4]. Leaving row 0 (its last slot is zero)
    and crossing the all-zero row 1 cost a cycle each; row 2 ends in a nonzero, so row
    3 is loaded in the same cycle as 3 is sent."""
    x = np.array([1.0, 0, 0, 0, 2, 3, 0, 4])
    columns, gaps = broadcast_order(x, 2, 1)
    assert columns.tolist() == [0, 4, 5, 7] and gaps.tolist() == [0, 2, 0, 0]
    assert broadcast_order(x, 2, 3)[1].tolist() == [0, 6, 0, 0]
    assert broadcast_order(np.array([0.0, 0, 0, 5]), 2, 1)[1].tolist() == [1]
    layer = layer_from_dense(np.ones((2, 8)), x)
    for engine in eie.ENGINES:
        timed = eie.run(eie.compile(layer, eie.EIEConfig(num_pes=2)), engine=engine)
        free = eie.run(eie.compile(layer, eie.EIEConfig(num_pes=2, lnzd_row_change_cycles=0)),
                       engine=engine)
        assert timed.details["broadcast"]["row_change_cycles"] == 2
        assert timed.cycles == free.cycles + 2


def test_timing_options_are_checked():
    with pytest.raises(ConfigError, match="queue_flag_timing must be one of registered"):
        eie.EIEConfig(queue_flag_timing="fast")
    with pytest.raises(ConfigError, match="lnzd_row_change_cycles must be a whole number"):
        eie.EIEConfig(lnzd_row_change_cycles=-1)


def test_single_pointer_bank_stalls_one_cycle_per_column():
    """With one pointer bank, start and end pointers conflict: +1 stall per column."""
    weights = [[1.0, 0, 0], [2.0, 0, 0], [3.0, 0, 5.0]]
    config = dataclasses.replace(TINY, pointer_banks=1, queue_depth_entries=4)
    result = eie.run(eie.compile(layer_from_dense(weights, [1, 2, 3]), config))
    assert result.pe_stalled_cycles == [3]
    assert result.memory_stats["pointer_sram"]["bank_conflicts"] == 3
    # LNZD, the registered empty flag (first push seen a cycle late), stalls, busy, drain
    assert result.cycles == 1 + 1 + 3 + 5 + 3


def test_output_matches_numpy_with_relu_and_without(rng):
    layer = random_layer(rng, 50, 40, 0.3, 0.6)
    for relu in (True, False):
        layer = dataclasses.replace(layer, relu=relu)
        result = eie.run(eie.compile(layer, eie.EIEConfig(num_pes=4)))
        assert result.output_ok


def test_same_seed_same_result(rng):
    layer = random_layer(rng, 64, 64, 0.2, 0.5)
    a, b = (eie.run(eie.compile(layer, eie.EIEConfig(num_pes=8)), seed=3) for _ in range(2))
    assert a.comparable() == b.comparable()


def test_all_zero_input_costs_only_pipeline(rng):
    layer = random_layer(rng, 16, 16, 0.5, 0.0)
    result = eie.run(eie.compile(layer, eie.EIEConfig(num_pes=4)))
    assert result.cycles == result.details["pipeline_cycles"]
    assert result.output_ok and result.macs_useful == 0


def test_deeper_queues_never_slow_eie_down(rng):
    layer = random_layer(rng, 256, 128, 0.1, 0.5)
    cycles = [eie.run(eie.compile(layer, eie.EIEConfig(num_pes=16, queue_depth_entries=d))).cycles
              for d in (1, 2, 4, 8, 32)]
    assert cycles == sorted(cycles, reverse=True)
    assert cycles[0] > cycles[-1]


def test_chain_feeds_each_output_to_the_next_layer(rng):
    first = random_layer(rng, 32, 20, 0.4, 1.0, name="a")
    second = random_layer(rng, 8, 32, 0.4, 1.0, name="b")
    results = eie.run_workload(Workload("ab", (first, second), chained=True),
                               eie.EIEConfig(num_pes=4))
    assert [r.output_ok for r in results] == [True, True]
    assert results[1].details["activation_density"] < 1.0  # ReLU zeros came through


def test_chain_rejects_shape_mismatch(rng):
    with pytest.raises(WorkloadError, match="shape mismatch"):
        Workload("bad", (random_layer(rng, 10, 5, 0.5, 1), random_layer(rng, 4, 9, 0.5, 1)),
                 chained=True)


@pytest.mark.parametrize("field", ["num_pes", "queue_depth_entries", "pointer_banks"])
def test_config_rejects_zero(field):
    with pytest.raises(ConfigError, match=f"{field} must be"):
        eie.EIEConfig(**{field: 0})


@settings(max_examples=40, deadline=None)
@given(outputs=st.integers(1, 80), inputs=st.integers(1, 40), weight_density=st.floats(0, 1),
       activation_density=st.floats(0, 1), num_pes=st.integers(1, 64),
       depth=st.integers(1, 32), seed=st.integers(0, 2**31))
def test_random_layers_are_correct_and_accounted(outputs, inputs, weight_density,
                                                 activation_density, num_pes, depth, seed):
    layer = random_layer(np.random.default_rng(seed), outputs, inputs, weight_density,
                         activation_density)
    result = eie.run(eie.compile(layer, eie.EIEConfig(num_pes=num_pes,
                                                      queue_depth_entries=depth)))
    assert result.output_ok
    busiest = max(result.details["pe_entries"])
    assert result.cycles >= busiest + result.details["pipeline_cycles"]
    for busy, stalled, starved in zip(result.pe_busy_cycles, result.pe_stalled_cycles,
                                      result.pe_starved_cycles):
        assert busy + stalled + starved + result.details["pipeline_cycles"] == result.cycles
        assert starved >= 0
    assert result.queue_stats["max_occupancy_entries"] <= depth
    assert sum(result.queue_stats["occupancy_histogram_queue_cycles"]) == num_pes * result.cycles
