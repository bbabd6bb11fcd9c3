import dataclasses

import numpy as np
import pytest
from conftest import custom_table, random_layer

from sparsesim.accelerators.eie import model as eie
from sparsesim.accelerators.eie.energy import energy_breakdown_pj
from sparsesim.accelerators.eie.fast import simulate_fast
from sparsesim.simulator.energy import load_table
from sparsesim.simulator.errors import ConfigError


@pytest.fixture
def compiled(rng):
    return eie.compile(random_layer(rng, 128, 96, 0.2, 0.5), eie.EIEConfig(num_pes=8))


def test_breakdown_sums_to_total_and_power_is_energy_over_time(compiled):
    result = eie.run(compiled)
    assert result.energy_pj == pytest.approx(sum(result.energy_breakdown_pj.values()))
    assert result.power_w == pytest.approx(result.energy_pj * 1e-12 / result.seconds)
    assert result.energy_breakdown_pj["sram_spmat"] > 0 and result.energy_breakdown_pj["dram"] == 0


def test_energy_is_linear_in_the_counts(compiled):
    counters, _ = simulate_fast(compiled)
    table = load_table("45nm")
    base = energy_breakdown_pj(compiled, counters, 1e-6, table)
    doubled = dataclasses.replace(counters, pe_entries=2 * counters.pe_entries,
                                  spmat_reads=2 * counters.spmat_reads,
                                  pointer_reads=2 * counters.pointer_reads,
                                  queue_pushes=2 * counters.queue_pushes,
                                  queue_pops=2 * counters.queue_pops)
    twice = energy_breakdown_pj(compiled, doubled, 1e-6, table)
    for key in ("arithmetic", "sram_spmat", "sram_pointer", "register_file_codebook",
                "register_file_accumulators", "queues"):
        assert twice[key] == pytest.approx(2 * base[key])
    assert twice["sram_activation"] == base["sram_activation"]  # fixed by the layer's shape


def test_idle_components_cost_only_leakage(rng, tmp_path):
    leaky = custom_table(tmp_path, "leaky", [("sram_leakage_pw_per_bit = 0.0",
                                              "sram_leakage_pw_per_bit = 1.0")])
    layer = random_layer(rng, 64, 32, 0.3, 0.0)  # all-zero input: no broadcast, no MAC
    config = eie.EIEConfig(num_pes=4)
    result = eie.run(eie.compile(layer, config), tech=leaky)
    parts = result.energy_breakdown_pj
    for key in ("arithmetic", "sram_spmat", "sram_pointer", "queues", "register_file_codebook",
                "register_file_accumulators", "dram"):
        assert parts[key] == 0.0
    sram_bits = 4 * 8 * (128 * 1024 + 64 * 1024 + 2048)
    assert parts["leakage"] == pytest.approx(sram_bits * 1.0 * result.seconds)


def test_another_table_changes_the_figures(compiled, tmp_path):
    costly = custom_table(tmp_path, "costly", [("8 = 10.0", "8 = 20.0"), ("32 = 20.0", "32 = 40.0"),
                                               ("1024 = 100.0", "1024 = 200.0")])
    base, other = eie.run(compiled), eie.run(compiled, tech=costly)
    assert other.energy_breakdown_pj["sram_spmat"] == pytest.approx(
        2 * base.energy_breakdown_pj["sram_spmat"])
    assert other.energy_breakdown_pj["arithmetic"] == base.energy_breakdown_pj["arithmetic"]
    assert other.cycles == base.cycles


def test_interpolation_is_exact_at_table_points_and_a_power_law_between():
    table = load_table("45nm")
    assert table.interpolate("sram_read_64bit_pj", 32) == pytest.approx(20.0)
    assert table.interpolate("sram_read_64bit_pj", 16) == pytest.approx(10 * np.sqrt(2))
    assert table.interpolate("int_mult_pj", 16) == pytest.approx(0.2 * np.sqrt(3.1 / 0.2))


def test_unknown_table_is_a_config_error():
    with pytest.raises(ConfigError, match="unknown technology table 'nope'"):
        load_table("nope")
