import dataclasses

import numpy as np
import pytest

from sparsesim.accelerators.ese import model as ese
from sparsesim.accelerators.ese.compile import quantize
from sparsesim.accelerators.ese.config import ESEConfig
from sparsesim.accelerators.ese.elementwise import LookupTable
from sparsesim.accelerators.ese.pruning import prune
from sparsesim.simulator.errors import ConfigError, WorkloadError
from sparsesim.workloads.lstm import LSTMLayer, LSTMModel, sigmoid
from sparsesim.workloads.lstm_models import speaker_lstm

SMALL = dataclasses.replace(ese.ESE_PAPER, pes_per_channel=4)


def random_lstm(seed: int, hidden: int = 8, inputs: int = 5, projection: int | None = None,
                layers: int = 2, steps: int = 3) -> LSTMModel:
    rng = np.random.default_rng(seed)
    built, width = [], inputs
    for k in range(layers):
        out = projection or hidden
        built.append(LSTMLayer(f"l{k}", rng.normal(size=(4 * hidden, width)),
                               rng.normal(size=(4 * hidden, out)), rng.normal(size=4 * hidden),
                               rng.normal(size=(out, hidden)) if projection else None))
        width = out
    return LSTMModel("random", tuple(built), rng.normal(size=(steps, inputs)))


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("scheme", ["balanced", "magnitude"])
def test_simulated_hidden_states_match_numpy(seed, scheme):
    model = prune(random_lstm(seed, projection=6 if seed % 2 else None), scheme, 0.7, 4)
    run = ese.run(ese.compile(model, SMALL))
    assert run.output_ok
    assert all(r.max_abs_error < 1e-12 for r in run.layers)


def test_skipping_zero_activations_keeps_output_and_saves_cycles():
    model = prune(random_lstm(7), "balanced", 0.5, 4)
    dense = ese.run(ese.compile(model, SMALL))
    skip = ese.run(ese.compile(model, dataclasses.replace(SMALL, skip_zero_activations=True)))
    assert skip.output_ok and np.array_equal(skip.hidden_states, dense.hidden_states)
    assert skip.cycles < dense.cycles  # h_{-1} = 0 is not broadcast


def test_balanced_pruning_gives_every_pe_the_same_nonzero_count():
    model = prune(random_lstm(3, hidden=16, inputs=12, projection=8), "balanced", 0.8, 4)
    for result in ese.run(ese.compile(model, SMALL)).layers:
        counts = result.details["pe_nonzeros"]
        assert len(set(counts)) == 1 and counts[0] > 0


@pytest.mark.parametrize("engine", ese.ENGINES)
def test_one_pe_one_cell_one_step_takes_17_cycles(engine):
    """1 PE, H = 1, one input, dense 4 x 2 gate matrix, one step:
    cycle 0: x_0 pushed and popped; the run of 4 entries issues in cycles 0-3;
    cycle 1: h_{-1} pushed; popped at 4, issues 4-7; the last PE is done at 8;
    pipeline drain 3 cycles (4 stages) -> 11; gate math 1 + 6 - 1 = 6 cycles -> 17."""
    layer = LSTMLayer("one", np.ones((4, 1)), np.ones((4, 1)), np.zeros(4))
    config = ESEConfig(pes_per_channel=1)
    compiled = ese.compile(LSTMModel("one", (layer,), np.ones((1, 1))), config)
    result = ese.run(compiled, engine=engine).layers[0]
    assert result.cycles == 17
    assert result.pe_busy_cycles == [8] and result.pe_starved_cycles == [9]
    assert result.details["elementwise_busy_cycles"] == 6
    assert result.output_ok


def test_per_pe_busy_stall_idle_add_up_to_cycles():
    result = ese.run(ese.compile(prune(random_lstm(5), "magnitude", 0.6, 4), SMALL)).layers[0]
    for busy, stalled, idle in zip(result.pe_busy_cycles, result.pe_stalled_cycles,
                                   result.pe_starved_cycles):
        assert busy + stalled + idle == result.cycles and idle >= 0


def test_same_seed_same_result():
    model = prune(random_lstm(11), "magnitude", 0.6, 4)
    first, second = (ese.run(ese.compile(model, SMALL), seed=1) for _ in range(2))
    assert [r.comparable() for r in first.layers] == [r.comparable() for r in second.layers]


def test_quantize_keeps_pruning_pattern_and_12_bit_range():
    matrix = np.array([[0.0, 1.0, -2.0], [1e-6, 0.0, 0.5]])
    q = quantize(matrix, 12)
    assert ((q.codes != 0) == (matrix != 0)).all()
    assert q.codes.tolist() == [[0, 1024, -2047], [1, 0, 512]]  # 2.0 / 2047 per step


def test_lookup_table_is_continuous_and_saturates():
    table = LookupTable.of(sigmoid, 2048, 8.0)
    x = np.linspace(-7.9, 7.9, 1001)
    assert np.max(np.abs(table(x) - sigmoid(x))) < 1e-5
    assert table(np.array([-100.0, 100.0])).tolist() == [sigmoid(-8.0), sigmoid(8.0)]


def test_shipped_speaker_lstm_balanced_beats_magnitude():
    model = speaker_lstm().with_frames(2)
    runs = {s: ese.run(ese.compile(prune(model, s, 0.9, 32))) for s in ("balanced", "magnitude")}
    assert all(run.output_ok for run in runs.values())
    util = {s: sum(sum(r.pe_busy_cycles) for r in run.layers) / (32 * run.cycles)
            for s, run in runs.items()}
    assert runs["balanced"].cycles < runs["magnitude"].cycles
    assert util["balanced"] > util["magnitude"]


def test_bad_config_and_workload_raise_one_line_errors():
    with pytest.raises(ConfigError, match="pes_per_channel must be a whole number in 1..4096"):
        ESEConfig(pes_per_channel=0)
    with pytest.raises(ConfigError, match="weight_bits must lie in 2..16, got 20"):
        ESEConfig(weight_bits=20)
    with pytest.raises(WorkloadError, match="first layer takes 5 inputs per frame"):
        LSTMModel("bad", random_lstm(0).layers, np.zeros((3, 4)))
    with pytest.raises(ConfigError, match="unknown pruning scheme 'random'"):
        prune(random_lstm(0), "random", 0.5, 4)
