import dataclasses
import json
import math

import pytest
from conftest import custom_table, load_document

from sparsesim.accelerators.eie.area import area as eie_area
from sparsesim.accelerators.eie.area import pe_area_um2
from sparsesim.accelerators.eie.config import EIE_PAPER
from sparsesim.accelerators.registry import DESIGNS
from sparsesim.cli.main import main
from sparsesim.simulator.area import AreaTableError, load_area_table


def test_every_modelled_design_breakdown_sums_to_its_area():
    for design in DESIGNS.values():
        if design.area is None:
            continue
        block = design.area(design.default_config, "45nm")
        assert block["area_mm2"] > 0
        assert math.isclose(sum(block["area_breakdown_mm2"].values()), block["area_mm2"])
        assert block["not_modelled"]


def test_eie_chip_is_num_pes_times_the_pe():
    table = load_area_table("45nm")
    block = eie_area(EIE_PAPER)
    per_pe = sum(pe_area_um2(EIE_PAPER, table).values())
    assert math.isclose(block["per_pe_area_um2"], per_pe)
    assert math.isclose(block["area_mm2"], EIE_PAPER.num_pes * per_pe / 1e6)
    deeper = eie_area(dataclasses.replace(EIE_PAPER, queue_depth_entries=16))
    queue = block["area_breakdown_mm2"]["activation_queue"]
    assert math.isclose(deeper["area_breakdown_mm2"]["activation_queue"], 2 * queue)


def test_table_points_are_exact_and_sizes_between_follow_the_power_law():
    table = load_area_table("45nm")
    assert table.unit_um2("int_mult_um2", 8) == 282.0
    assert table.unit_um2("int_mult_um2", 32) == 3495.0
    exponent = math.log(3495 / 282) / math.log(4)
    assert math.isclose(table.unit_um2("int_mult_um2", 16), 282 * 2 ** exponent)
    assert math.isclose(table.mult_um2(8, 32), table.unit_um2("int_mult_um2", 16))
    small, large = table.sram_um2(1024), table.sram_um2(1024 * 1024)
    assert math.isclose(small, 8192 * 0.346 / 0.5)
    assert math.isclose(large, 8 * 1024 * 1024 * 0.346 / 0.7)


def test_a_table_of_your_own_replaces_the_areas(tmp_path):
    path = custom_table(tmp_path, "mine",
                        [("sram_bitcell_um2 = 0.346", "sram_bitcell_um2 = 0.692")])
    ours, theirs = eie_area(EIE_PAPER), eie_area(EIE_PAPER, path)
    assert math.isclose(theirs["area_breakdown_mm2"]["sram_spmat"],
                        2 * ours["area_breakdown_mm2"]["sram_spmat"])
    assert theirs["area_breakdown_mm2"]["arithmetic"] == ours["area_breakdown_mm2"]["arithmetic"]


@pytest.mark.parametrize("replace", [
    ("flip_flop_um2 = 4.522\n", ""),  # missing scalar
    ("16 = 1360.0", '16 = "big"'),  # non-numeric entry
    ("[fp_mult_um2]", "[fp_mult_unused]"),  # missing table
    ("8 = 282.0", "eight = 282.0"),  # key that is no size
])
def test_a_bad_area_table_is_refused_with_one_line(tmp_path, capsys, replace):
    path = custom_table(tmp_path, "bad", [replace])
    with pytest.raises(AreaTableError):
        load_area_table(path)
    assert main(["area", "--accel", "eie", "--tech", path]) == 2
    err = capsys.readouterr().err
    assert err.startswith("sparsesim: error:") and err.count("\n") == 1


def test_area_command_prints_without_simulating(capsys, tmp_path):
    out = tmp_path / "area.json"
    assert main(["area", "--accel", "eie", "--pes", "16", "--queue-depth", "4",
                 "--json", str(out)]) == 0
    text = capsys.readouterr().out
    assert "sram_spmat" in text and "per PE:" in text
    block = json.loads(out.read_text())
    expected = eie_area(dataclasses.replace(EIE_PAPER, num_pes=16, queue_depth_entries=4))
    assert math.isclose(block["area_mm2"], expected["area_mm2"])


def test_area_command_refuses_a_gpu_and_an_unknown_accelerator(capsys):
    assert main(["area", "--accel", "stc"]) == 2
    assert "GPU or mobile-CPU die" in capsys.readouterr().err
    assert main(["area", "--accel", "tpu"]) == 2


def test_run_document_carries_area_and_validates(tmp_path):
    path = tmp_path / "r.json"
    assert main(["--accel", "eie", "--workload", "alexnet-fc8", "--json", str(path)]) == 0
    document = load_document(path)
    block = document["layers"][0]["details"]["area"]
    assert math.isclose(sum(block["area_breakdown_mm2"].values()), block["area_mm2"])
    assert math.isclose(block["area_mm2"], eie_area(EIE_PAPER)["area_mm2"])


def test_pareto_front_keeps_only_undominated_points():
    from sparsesim.simulator.pareto import pareto_front

    points = [(1, 5), (2, 3), (2, 4), (3, 3), (4, 1), (5, 2)]
    assert pareto_front(points) == [(1, 5), (2, 3), (4, 1)]


def test_sweep_records_carry_area_and_plot_marks_the_front(tmp_path, capsys):
    out, png = tmp_path / "r.jsonl", tmp_path / "front.png"
    assert main(["sweep", "--accel", "eie", "--workload", "alexnet-fc8", "--grid", "pes=8,16",
                 "queue_depth=2,4", "--out", str(out), "--workers", "1"]) == 0
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 4
    for record in records:
        config = dataclasses.replace(EIE_PAPER, num_pes=record["grid"]["pes"],
                                     queue_depth_entries=record["grid"]["queue_depth"])
        assert math.isclose(record["area_mm2"], eie_area(config)["area_mm2"])
    assert main(["plot", str(out), "--x", "area_mm2", "--y", "cycles", "--series",
                 "queue_depth", "--pareto", "--out", str(png)]) == 0
    assert png.stat().st_size > 0
