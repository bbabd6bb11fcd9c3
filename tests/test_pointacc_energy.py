import dataclasses
import json

import pytest
from conftest import custom_table
from test_pointacc import small_workload

from sparsesim.accelerators.pointacc import model as pointacc
from sparsesim.accelerators.pointacc.conv import simulate_conv
from sparsesim.accelerators.pointacc.energy import energy_breakdown_pj, key_buffer_bytes
from sparsesim.cli import main as sim
from sparsesim.simulator.energy import load_table
from sparsesim.simulator.engine import Engine
from sparsesim.simulator.systolic import SystolicArray

DYNAMIC = ("arithmetic_mapping", "arithmetic_matrix_mac", "sram_key_buffer", "sram_map_buffer",
           "sram_feature_buffer", "sram_output_buffer", "register_file_array_weights", "dram")
COUNTS = ("comparisons", "key_reads", "key_writes", "hashes", "map_entries", "macs",
          "feature_writes", "array_input_reads", "array_weight_loads", "array_psum_updates",
          "dram_bytes_read", "dram_bytes_written")


def conv_run(mapper: str):
    workload, compiled = small_workload(mapper)
    layer = workload.convs[0]
    return compiled.config, len(workload.coords), simulate_conv(
        compiled.config, workload.coords, workload.features, layer)


@pytest.mark.parametrize("mapper", pointacc.MAPPERS)
def test_breakdown_sums_to_total_and_dram_is_the_bytes_moved(mapper):
    _, compiled = small_workload(mapper)
    for r in pointacc.run(compiled, seed=3):
        parts = r.energy_breakdown_pj
        assert r.energy_pj == pytest.approx(sum(parts.values()))
        assert r.power_w == pytest.approx(r.energy_pj * 1e-12 / r.seconds)
        moved = r.memory_stats["dram"]["bytes_read"] + r.memory_stats["dram"]["bytes_written"]
        assert parts["dram"] == pytest.approx(moved / 8 * (1300 + 2600) / 2)
        assert parts["arithmetic_matrix_mac"] > 0 and parts["sram_key_buffer"] > 0


def test_systolic_array_counts_reads_loads_and_partial_sums_exactly():
    """(5 x 20) @ (20 x 40) on 16 x 16: 2 x 3 tiles; every input value streams once per
    column of tiles (3), every partial sum is updated once per row of tiles (2)."""
    array = SystolicArray(Engine(), "array", 16, 16)
    array.matmul(5, 20, 40)
    array.matmul(0, 20, 40)  # no rows: no work, nothing loaded
    assert (array.stats.weight_loads, array.stats.input_reads, array.stats.psum_updates) == (
        20 * 40, 5 * 20 * 3, 5 * 40 * 2)


def test_hash_mapper_hashes_every_key_once_per_pass():
    """Stride 1: the table is built from the n input keys, then each of the 27 kernel
    offsets looks all n up: 28 n keys hashed."""
    config, n, run = conv_run("hash")
    assert run.hashes == 28 * n and run.table_slots >= 2 * n
    assert conv_run("mergesort")[2].hashes == 0


def test_energy_is_linear_in_the_counts():
    """Same layer (so same key-buffer size), every count doubled: every class doubles,
    except that the n input keys are still loaded into the key buffer once."""
    config, n, run = conv_run("hash")
    table = load_table("45nm")
    base = energy_breakdown_pj(run, config, n, 1e-6, table)
    doubled = dataclasses.replace(run, **{name: 2 * getattr(run, name) for name in COUNTS})
    twice = energy_breakdown_pj(doubled, config, n, 1e-6, table)
    load = n * table.sram_access_pj(key_buffer_bytes(run, config, n), 64)
    assert twice["sram_key_buffer"] == pytest.approx(2 * base["sram_key_buffer"] - load)
    for key in set(DYNAMIC) - {"sram_key_buffer"}:
        assert twice[key] == pytest.approx(2 * base[key]), key


def test_idle_components_cost_only_leakage(tmp_path):
    leaky = custom_table(tmp_path, "leaky", [("sram_leakage_pw_per_bit = 0.0",
                                              "sram_leakage_pw_per_bit = 1.0")])
    config, n, run = conv_run("mergesort")
    idle = dataclasses.replace(run, **{name: 0 for name in COUNTS})  # and no input keys
    parts = energy_breakdown_pj(idle, config, 0, 3e-6, load_table(leaky))
    assert all(parts[key] == 0.0 for key in DYNAMIC)
    assert key_buffer_bytes(run, config, n) == (n + len(run.out_coords)) * 8  # in + out keys
    key_bytes = len(run.out_coords) * 8
    bits = 8 * (key_bytes + 32 * 1024 + 256 * 1024 + 128 * 1024 + 16 * 16 * 2)
    assert parts["leakage"] == pytest.approx(bits * 1.0 * 3e-6)


def test_another_table_changes_the_figures(tmp_path):
    costly = custom_table(tmp_path, "costly", [("8 = 0.03", "8 = 0.06"),
                                               ("32 = 0.1", "32 = 0.2")])
    _, compiled = small_workload("mergesort")
    base, other = (pointacc.run(compiled, seed=3, tech=t)[0] for t in ("45nm", costly))
    a, b = base.energy_breakdown_pj, other.energy_breakdown_pj
    assert b["arithmetic_mapping"] == pytest.approx(2 * a["arithmetic_mapping"])  # compares
    assert b["sram_key_buffer"] == a["sram_key_buffer"] and other.cycles == base.cycles


def test_hash_mapping_costs_more_energy_than_merge_sort():
    """Per sparse convolution the hash mapper hashes every key (a 64-bit multiply) and
    reads slots of a table twice the key count wide with row numbers, a bigger and so
    costlier SRAM than the merge-sort unit's two sorted key lists."""
    runs = {m: pointacc.run(small_workload(m)[1], seed=3) for m in pointacc.MAPPERS}
    for merge, hashed in zip(runs["mergesort"], runs["hash"]):
        if merge.details["kind"] != "sparse_conv":
            assert merge.energy_breakdown_pj == hashed.energy_breakdown_pj  # distance unit
            continue
        assert (hashed.memory_stats["key_buffer"]["capacity_bytes"]
                > merge.memory_stats["key_buffer"]["capacity_bytes"])
        mapping = [sum(r.energy_breakdown_pj[k] for k in ("arithmetic_mapping",
                                                           "sram_key_buffer"))
                   for r in (merge, hashed)]
        assert mapping[1] > mapping[0]
        assert merge.energy_breakdown_pj["arithmetic_matrix_mac"] == \
            hashed.energy_breakdown_pj["arithmetic_matrix_mac"]


def test_cli_prints_energy_and_power_and_rejects_an_unknown_table(capsys, tmp_path):
    path = tmp_path / "pointacc.json"
    code = sim.main(["--accel", "pointacc", "--cloud", "kitten", "--voxel", "0.05",
                     "--json", str(path)])
    out, _ = capsys.readouterr()
    assert code == 0 and "energy_uJ" in out and "power_mW" in out
    doc = json.loads(path.read_text())
    totals = doc["totals"]
    assert doc["tech"] == "45nm" and totals["energy_pj"] == pytest.approx(
        sum(layer["energy_pj"] for layer in doc["layers"]))
    assert totals["energy_pj"] == pytest.approx(sum(totals["energy_breakdown_pj"].values()))
    assert totals["power_w"] == pytest.approx(totals["energy_pj"] * 1e-12 / totals["seconds"])
    assert sim.main(["--accel", "pointacc", "--tech", "nope"]) == 2
    assert "unknown technology table 'nope'" in capsys.readouterr().err
