"""Per-PE cycle accounting: busy split into useful / padding / empty slice (and, on ESE,
zero activation); with stalled, starved and pipeline the categories sum to `cycles`."""

import dataclasses

import numpy as np
import pytest
from conftest import layer_from_dense, random_layer
from test_ese import SMALL, random_lstm

from sparsesim.accelerators.eie import model as eie
from sparsesim.accelerators.eie.counters import build_result
from sparsesim.accelerators.eie.reference import simulate_reference
from sparsesim.accelerators.ese import model as ese
from sparsesim.accelerators.ese.pruning import prune
from sparsesim.simulator.result import CYCLE_CATEGORIES, pe_array_fields
from sparsesim.workloads.model_file import load_model
from sparsesim.workloads.shipped_models import SHIPPED_MODELS

# 8x8 on 4 PEs (PE p holds rows p and p + 4): 5 / 4 / 3 / 2 nonzeros per PE.
TOY = np.zeros((8, 8))
for row, cols in {0: (0, 1, 2), 4: (3, 4), 1: (0, 1), 5: (5, 6), 2: (2,), 6: (6, 7),
                  3: (3,), 7: (7,)}.items():
    TOY[row, list(cols)] = row + 1.0


def assert_sums_to_cycles(result) -> None:
    assert set(result.pe_cycles) <= set(CYCLE_CATEGORIES)
    totals = np.sum([result.pe_cycles[k] for k in result.pe_cycles], axis=0)
    assert totals.tolist() == [result.cycles] * len(result.pe_busy_cycles)


@pytest.mark.parametrize("engine", eie.ENGINES)
def test_toy_matrix_shows_the_imbalance_issue_counts_hide(engine):
    """Every PE issues 8 cycles (one per column), but only 5 / 4 / 3 / 2 are useful."""
    config = eie.EIEConfig(num_pes=4)
    result = eie.run(eie.compile(layer_from_dense(TOY, np.arange(1, 9)), config), engine=engine)
    assert result.output_ok
    assert result.pe_busy_cycles == [8, 8, 8, 8]
    assert result.pe_cycles["useful"] == [5, 4, 3, 2]
    assert result.pe_cycles["padding"] == [0, 0, 0, 0]
    assert result.pe_cycles["empty_slice"] == [3, 4, 5, 6]
    assert result.pe_cycles["pipeline"] == [config.lnzd_levels + config.pipeline_stages - 1] * 4
    assert_sums_to_cycles(result)
    assert result.pe_utilization == pytest.approx(14 / (4 * result.cycles))
    assert result.pe_issue_utilization == pytest.approx(32 / (4 * result.cycles))


def test_zero_activation_columns_cost_nothing_and_are_not_counted():
    x = np.arange(1, 9, dtype=float)
    x[[5, 6, 7]] = 0.0  # the columns PE 2 and 3 mostly hold
    result = eie.run(eie.compile(layer_from_dense(TOY, x), eie.EIEConfig(num_pes=4)))
    assert result.pe_cycles["useful"] == [5, 2, 1, 1]
    assert result.pe_cycles["empty_slice"] == [0, 3, 4, 4]
    assert_sums_to_cycles(result)


def test_padding_entries_are_their_own_category():
    """Rows 0 and 30 of one column on 1 PE: a 29-row gap needs one padding entry with
    4-bit relative indices (at most 15 zeros per entry)."""
    weights = np.zeros((40, 1))
    weights[[0, 30], 0] = [1.0, 2.0]
    config = eie.EIEConfig(num_pes=1)
    for engine in eie.ENGINES:
        result = eie.run(eie.compile(layer_from_dense(weights, [3.0]), config), engine=engine)
        assert result.pe_cycles["useful"] == [2]
        assert result.pe_cycles["padding"] == [1]
        assert result.pe_cycles["empty_slice"] == [0]
        assert_sums_to_cycles(result)


@pytest.mark.parametrize("engine", eie.ENGINES)
def test_random_layers_sum_to_cycles_on_both_engines(rng, engine):
    for pes, depth in ((3, 1), (8, 2), (16, 8)):
        layer = random_layer(rng, 70, 60, 0.15, 0.5)
        config = eie.EIEConfig(num_pes=pes, queue_depth_entries=depth, pointer_banks=1)
        result = eie.run(eie.compile(layer, config), engine=engine)
        assert_sums_to_cycles(result)
        assert sum(result.pe_cycles["useful"]) == result.macs_useful


def test_lenet300_fc3_utilization_is_at_most_ten_of_64_pes():
    """fc3 has 10 rows: only PEs 0-9 ever hold a weight (the issue's Done-when)."""
    results = eie.run_workload(load_model(SHIPPED_MODELS["lenet300-pruned"]), eie.EIE_PAPER)
    fc3 = results[-1]
    assert fc3.pe_utilization <= 10 / 64
    assert fc3.pe_issue_utilization > 0.8  # the old figure, kept under its own name
    assert not any(fc3.pe_cycles["useful"][10:])
    for result in results:
        assert_sums_to_cycles(result)


def test_engine_counts_that_disagree_with_the_encoding_are_refused(rng):
    compiled = eie.compile(random_layer(rng, 30, 30, 0.3, 0.7), eie.EIEConfig(num_pes=4))
    counters = simulate_reference(compiled)
    build_result(compiled, counters, engine="reference", seed=None, wall_seconds=0.0,
                 workload="w")
    broken = dataclasses.replace(counters, pe_entries=counters.pe_entries + 1)
    with pytest.raises(RuntimeError, match="entry counts"):
        build_result(compiled, broken, engine="reference", seed=None, wall_seconds=0.0,
                     workload="w")


def test_categories_that_do_not_add_up_are_refused():
    busy, stalled, starved = np.array([4, 4]), np.array([0, 1]), np.array([2, 1])
    pe_array_fields(busy, stalled, starved, 6)
    with pytest.raises(RuntimeError, match="sum to"):
        pe_array_fields(busy, stalled, starved, 7)
    with pytest.raises(RuntimeError, match="busy split"):
        pe_array_fields(busy, stalled, starved, 6,
                        busy_split={"useful": np.array([3, 4]), "padding": np.array([0, 1])})


@pytest.mark.parametrize("skip", [False, True])
@pytest.mark.parametrize("engine", ese.ENGINES)
def test_ese_categories_sum_to_cycles(engine, skip):
    config = dataclasses.replace(SMALL, skip_zero_activations=skip)
    model = prune(random_lstm(5, projection=6), "magnitude", 0.6, 4)
    run = ese.run(ese.compile(model, config), engine=engine)
    for result in run.layers:
        assert result.output_ok
        assert_sums_to_cycles(result)
        assert sum(result.pe_cycles["useful"]) == result.macs_useful
        if skip:
            assert not any(result.pe_cycles["zero_activation"])
        else:  # step 0 broadcasts h_{-1} = 0 over every recurrent column
            assert sum(result.pe_cycles["zero_activation"]) > 0
