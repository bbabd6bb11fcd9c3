import dataclasses

import numpy as np
import pytest
from conftest import custom_table, load_document
from test_ese import SMALL, random_lstm

from sparsesim.accelerators.ese import model as ese
from sparsesim.accelerators.ese.energy import ddr_bytes_per_step, energy_breakdown_pj
from sparsesim.accelerators.ese.fast import simulate_fast
from sparsesim.accelerators.ese.pruning import prune
from sparsesim.cli import main as sim
from sparsesim.simulator.energy import load_table

DYNAMIC = ("arithmetic_mac", "sram_spmat_buffer", "sram_pointer_buffer", "sram_activation_buffer",
           "register_file_accumulators", "queues", "elementwise_lut", "elementwise_arithmetic",
           "dram")


@pytest.fixture
def layer():
    model = prune(random_lstm(5, hidden=8, inputs=5, steps=3, layers=1), "balanced", 0.6, 4)
    return ese.compile(model, SMALL)


def leaky(tmp_path, pw_per_bit: str = "1.0") -> str:
    return custom_table(tmp_path, "leaky", [("sram_leakage_pw_per_bit = 0.0",
                                             f"sram_leakage_pw_per_bit = {pw_per_bit}")])


def test_breakdown_sums_to_total_and_dram_is_the_weight_stream(layer):
    (result,) = ese.run(layer).layers
    parts = result.energy_breakdown_pj
    assert result.energy_pj == pytest.approx(sum(parts.values()))
    assert result.power_w == pytest.approx(result.energy_pj * 1e-12 / result.seconds)
    compiled = layer.layers[0]
    streamed = 3 * ddr_bytes_per_step(compiled)
    assert result.memory_stats["ddr3"]["bytes_read"] == streamed
    assert parts["dram"] == pytest.approx(streamed / 8 * (1300 + 2600) / 2)
    assert all(parts[key] > 0 for key in DYNAMIC)


def test_counts_are_complete_and_both_engines_agree(layer):
    ref, fast = (ese.run(layer, engine=e).layers[0] for e in ese.ENGINES)
    assert ref.energy_breakdown_pj == fast.energy_breakdown_pj
    ops = ref.details["elementwise_ops"]
    assert ops["cells"] == 3 * 8 and ops["lookups"] == 5 * 3 * 8
    assert ref.details["macs_by_width"] == {"12x16_bit": sum(ref.details["pe_entries"])}


def test_energy_is_linear_in_the_counts(layer):
    compiled = layer.layers[0]
    counters, _ = simulate_fast(compiled, layer.frames, 1)
    table = load_table("45nm")
    base = energy_breakdown_pj(compiled, counters, 3, 1e-6, table)
    doubled = dataclasses.replace(
        counters, pe_entries=2 * counters.pe_entries, spmat_reads=2 * counters.spmat_reads,
        pointer_reads=2 * counters.pointer_reads, queue_pushes=2 * counters.queue_pushes,
        queue_pops=2 * counters.queue_pops, broadcast_transfers=2 * counters.broadcast_transfers,
        elementwise_cells=2 * counters.elementwise_cells)
    twice = energy_breakdown_pj(compiled, doubled, 6, 1e-6, table)
    for key in DYNAMIC:
        assert twice[key] == pytest.approx(2 * base[key])


def test_idle_components_cost_only_leakage(layer, tmp_path):
    """No step run, nothing counted: every class is zero but leakage, which is
    bits x 1 pW/bit x seconds. Bits for 4 PEs, H = 8: per PE 4096 + 1024 bytes of
    buffers, 2 x 8 rows of 32-bit accumulators, 8 x 32-bit queue entries; 4096-byte
    activation buffer; two 2049-entry 16-bit lookup tables."""
    compiled = layer.layers[0]
    counters, _ = simulate_fast(compiled, layer.frames, 1)
    idle = dataclasses.replace(
        counters, pe_entries=0 * counters.pe_entries, spmat_reads=0 * counters.spmat_reads,
        pointer_reads=0 * counters.pointer_reads, queue_pushes=0 * counters.queue_pushes,
        queue_pops=0 * counters.queue_pops, broadcast_transfers=0, elementwise_cells=0)
    parts = energy_breakdown_pj(compiled, idle, 0, 2e-6, load_table(leaky(tmp_path)))
    assert all(parts[key] == 0.0 for key in DYNAMIC)
    bits = 4 * ((4096 + 1024 + 2 * 8 * 4) * 8 + 8 * 32) + 4096 * 8 + 2 * 2049 * 16
    assert parts["leakage"] == pytest.approx(bits * 1.0 * 2e-6)


def test_another_table_changes_the_figures(layer, tmp_path):
    costly = custom_table(tmp_path, "costly", [("8 = 10.0", "8 = 20.0"), ("32 = 20.0", "32 = 40.0"),
                                               ("1024 = 100.0", "1024 = 200.0"),
                                               ("pj_low = 1300.0", "pj_low = 2600.0")])
    (base,), (other,) = (ese.run(layer, tech=t).layers for t in ("45nm", costly))
    a, b = base.energy_breakdown_pj, other.energy_breakdown_pj
    assert b["sram_spmat_buffer"] == pytest.approx(2 * a["sram_spmat_buffer"])
    assert b["dram"] == pytest.approx(a["dram"] * 5200 / 3900)
    assert b["arithmetic_mac"] == a["arithmetic_mac"] and other.cycles == base.cycles


def test_magnitude_pruning_takes_longer_so_leaks_more_energy(tmp_path):
    """Same sparsity, as many weights kept: the imbalanced scheme runs more cycles, so it
    leaks more, in proportion to its time, while the work (and so the dynamic energy) is
    about the same: the balanced run spends it in less time, at higher power."""
    model = random_lstm(11, hidden=32, inputs=16, steps=4, layers=1)
    table = leaky(tmp_path, "100.0")
    runs = {s: ese.run(ese.compile(prune(model, s, 0.8, 4), SMALL), tech=table).layers[0]
            for s in ("magnitude", "balanced")}
    mag, bal = runs["magnitude"], runs["balanced"]
    assert mag.cycles > bal.cycles
    assert mag.energy_breakdown_pj["leakage"] / bal.energy_breakdown_pj["leakage"] == (
        pytest.approx(mag.cycles / bal.cycles))
    dynamic = [r.energy_pj - r.energy_breakdown_pj["leakage"] for r in (mag, bal)]
    assert dynamic[0] == pytest.approx(dynamic[1], rel=1e-3)
    assert bal.power_w > mag.power_w


def test_cli_prints_energy_and_power_and_rejects_an_unknown_table(capsys, tmp_path):
    path = tmp_path / "ese.json"
    code = sim.main(["--accel", "ese", "--frames", "2", "--pes", "8", "--json", str(path)])
    out, _ = capsys.readouterr()
    assert code == 0 and "energy_uJ" in out and "power_mW" in out
    doc, totals = load_document(path), load_document(path)["totals"]
    assert doc["tech"] == "45nm" and totals["energy_pj"] == pytest.approx(
        sum(layer["energy_pj"] for layer in doc["layers"]))
    assert totals["power_w"] == pytest.approx(totals["energy_pj"] * 1e-12 / totals["seconds"])
    assert sim.main(["--accel", "ese", "--tech", "nope"]) == 2
    assert "unknown technology table 'nope'" in capsys.readouterr().err


def test_energy_figure_stacks_every_layer(layer):
    from sparsesim.simulator.energy_plots import energy_figure

    figure = energy_figure({"balanced": ese.run(layer).layers}, "test")
    left, right = figure.axes[:2]
    heights = sum(patch.get_height() for patch in left.patches)
    assert heights == pytest.approx(ese.run(layer).energy_pj * 1e-6)
    assert np.isclose(sum(p.get_height() for p in right.patches),
                      heights - ese.run(layer).layers[0].energy_breakdown_pj["dram"] * 1e-6)
