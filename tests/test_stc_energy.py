import dataclasses
import json

import pytest
from conftest import custom_table, load_document

from sparsesim.accelerators.stc import model as stc
from sparsesim.accelerators.stc.config import TileShape
from sparsesim.accelerators.stc.counts import AccessCounts, access_counts
from sparsesim.accelerators.stc.energy import COMPONENTS, energy_breakdown_pj, mac_pj, sram_bits
from sparsesim.accelerators.stc.simulate import simulate_kernel
from sparsesim.cli import main as sim
from sparsesim.simulator.energy import TECH_DIR, load_table
from sparsesim.workloads.gemm import GemmShape
from sparsesim.workloads.numeric import numeric_type

# Four SMs, one 64x64 tile split 2x2 over warps, no launch overhead.
SMALL = dataclasses.replace(stc.A100, name="small", num_sms=4, tiles=(TileShape(64, 64, 2, 2),),
                            sparse_tiles=(TileShape(64, 64, 2, 2),), dense_split_k=(1,),
                            launch_overhead_us=0.0)
# One SM, one 64x64 tile computed by one warp: the register-file counts worked out by hand.
ONE_WARP = dataclasses.replace(SMALL, name="one-warp", num_sms=1, tiles=(TileShape(64, 64, 1, 1),),
                               sparse_tiles=(TileShape(64, 64, 1, 1),))
INT_COUNTS = [f.name for f in dataclasses.fields(AccessCounts)
              if f.type in ("int", "float") and f.name != "mac_operand_bits"]


def run(shape=(128, 128, 256), dtype="fp16", config=SMALL, tech="45nm"):
    return stc.run(stc.compile(GemmShape("g", *shape), dtype, config, seed=3), tech=tech)


def kernel_counts(shape, dtype, config, mode):
    compiled = stc.compile(GemmShape("g", *shape), dtype, config, seed=3)
    plan = compiled.plans[mode]
    counters = simulate_kernel(plan, config)
    return access_counts(plan, counters, numeric_type(dtype), config), counters


@pytest.mark.parametrize("dtype", ["fp16", "int8"])
def test_breakdowns_sum_to_totals_and_power_is_energy_over_time(dtype):
    result = run(dtype=dtype)
    energy = result.details["energy"]
    for mode in ("dense", "sparse"):
        kernel = energy[mode]
        assert set(kernel["energy_breakdown_pj"]) == set(COMPONENTS)
        assert kernel["energy_pj"] == pytest.approx(sum(kernel["energy_breakdown_pj"].values()))
        seconds = result.details[f"{mode}_cycles"] / result.clock_hz
        assert kernel["power_w"] == pytest.approx(kernel["energy_pj"] * 1e-12 / seconds)
    assert result.energy_pj == energy["sparse"]["energy_pj"]
    assert result.energy_breakdown_pj == energy["sparse"]["energy_breakdown_pj"]
    assert result.power_w == pytest.approx(result.energy_pj * 1e-12 / result.seconds)
    assert energy["tech"] == "45nm" and "not scaled" in energy["note"]


@pytest.mark.parametrize("dtype", ["fp16", "bf16", "int8"])
def test_sparse_executes_half_the_macs_and_its_arithmetic_energy_halves(dtype):
    dense, _ = kernel_counts((128, 192, 256), dtype, SMALL, "dense")
    sparse, _ = kernel_counts((128, 192, 256), dtype, SMALL, "sparse")
    assert dense.tensor_core_macs == 128 * 192 * 256  # the shape fills whole tiles
    assert 2 * sparse.tensor_core_macs == dense.tensor_core_macs
    assert dense.metadata_bytes == 0
    # 2 bits per kept value of A, copied once per tile column of C (192 / 64 = 3)
    assert sparse.metadata_bytes == 3 * (128 * 256 // 2 * 2 // 8)
    result = run((128, 192, 256), dtype)
    parts = {m: result.details["energy"][m]["energy_breakdown_pj"] for m in ("dense", "sparse")}
    assert 2 * parts["sparse"]["arithmetic"] == pytest.approx(parts["dense"]["arithmetic"])


def test_mac_energy_rule():
    table = load_table("45nm")
    assert mac_pj(table, 16, integer=False) == pytest.approx(1.1 + 0.9)  # fp16 mult + fp32 add
    assert mac_pj(table, 8, integer=True) == pytest.approx(0.2 + 0.1)  # int8 mult + int32 add


def test_register_file_counts_from_mma_operand_traffic():
    """64x64x64 fp16, one warp, K step 32. Dense: m16n8k16 instructions, 4 x 8 x 2 = 64 per
    step, each reading A 512 + B 256 + accumulators 512 bytes and writing 512; fragment
    loads write what shared memory reads (4096 + 4096). Two steps, then the epilogue reads
    64 x 64 x 4 accumulator bytes. Sparse: m16n8k32 instructions, 4 x 8 x 1 = 32 per step,
    reading A 16 x 32 x 9 / 8 = 576 + B 512 + 512, writing 512; fragments 2304 + 4096."""
    dense, _ = kernel_counts((64, 64, 64), "fp16", ONE_WARP, "dense")
    assert dense.register_file_read_bytes == 2 * 64 * 1280 + 16384
    assert dense.register_file_write_bytes == 2 * (64 * 512 + 8192)
    sparse, _ = kernel_counts((64, 64, 64), "fp16", ONE_WARP, "sparse")
    assert sparse.register_file_read_bytes == 2 * 32 * 1600 + 16384
    assert sparse.register_file_write_bytes == 2 * (32 * 512 + 6400)
    from_smem = dataclasses.replace(ONE_WARP, mma_operands_from_smem=True)
    wgmma, _ = kernel_counts((64, 64, 64), "fp16", from_smem, "dense")
    assert wgmma.register_file_read_bytes == 2 * 64 * 512 + 16384  # accumulators only
    assert wgmma.register_file_write_bytes == 2 * 64 * 512


@pytest.mark.parametrize("mode", ["dense", "sparse"])
def test_memory_counts_agree_with_the_models_links(mode):
    counts, counters = kernel_counts((256, 192, 320), "int8", SMALL, mode)
    assert counts.hbm_read_bytes + counts.hbm_write_bytes == counters.hbm_pipe.bytes
    assert counts.l2_read_bytes + counts.hbm_write_bytes == counters.l2_pipe.bytes
    assert counts.l2_write_bytes == counts.hbm_read_bytes + counts.hbm_write_bytes
    assert counts.hbm_write_bytes == 256 * 192 * 4  # int32 C, the shape fills whole tiles
    assert counts.smem_read_wavefronts >= counts.smem_read_bytes / 128


def test_energy_is_linear_in_the_counts():
    counts, _ = kernel_counts((128, 128, 256), "fp16", SMALL, "sparse")
    table = load_table("45nm")
    doubled = dataclasses.replace(counts, **{name: 2 * getattr(counts, name)
                                             for name in INT_COUNTS})
    base = energy_breakdown_pj(counts, SMALL, 1e-6, table)
    twice = energy_breakdown_pj(doubled, SMALL, 1e-6, table)
    for key in COMPONENTS[:-1]:
        assert base[key] > 0 and twice[key] == pytest.approx(2 * base[key])
    assert twice["leakage"] == base["leakage"]


def test_idle_components_cost_only_leakage(tmp_path):
    leaky = load_table(custom_table(tmp_path, "leaky", [("sram_leakage_pw_per_bit = 0.0",
                                                         "sram_leakage_pw_per_bit = 1.0")]))
    counts, _ = kernel_counts((64, 64, 64), "fp16", SMALL, "dense")
    idle = dataclasses.replace(counts, **{name: 0 for name in INT_COUNTS})
    parts = energy_breakdown_pj(idle, SMALL, 2e-6, leaky)
    assert all(parts[key] == 0.0 for key in COMPONENTS[:-1])
    bits = 8 * (4 * (256 * 1024 + 164 * 1024) + 40 * 2**20)
    assert sram_bits(SMALL) == bits and parts["leakage"] == pytest.approx(bits * 1.0 * 2e-6)


def test_another_table_changes_the_figures(tmp_path):
    costly = custom_table(tmp_path, "costly", [('name = "45nm"', 'name = "costly"'),
                                               ("16 = 1.1", "16 = 2.2"), ("32 = 0.9", "32 = 1.8"),
                                               ("8 = 10.0", "8 = 20.0"), ("32 = 20.0", "32 = 40.0"),
                                               ("1024 = 100.0", "1024 = 200.0")])
    base, other = run(), run(tech=costly)
    for key in ("arithmetic", "register_file", "shared_memory", "l2"):
        assert other.energy_breakdown_pj[key] == pytest.approx(2 * base.energy_breakdown_pj[key])
    assert other.energy_breakdown_pj["hbm"] == base.energy_breakdown_pj["hbm"]
    assert other.cycles == base.cycles and other.details["energy"]["tech"] == "costly"


def test_cli_prints_energy_and_power_and_takes_a_table_file(capsys, tmp_path):
    costly = custom_table(tmp_path, "costly", [("16 = 1.1", "16 = 11.0")])
    out_json = tmp_path / "stc.json"
    code = sim.main(["--accel", "stc", "--gemm", "128,64,256", "--tech", costly,
                     "--json", str(out_json)])
    out = capsys.readouterr().out
    assert code == 0 and "energy_uJ" in out and "power_W" in out and "not scaled" in out
    doc = load_document(out_json)
    (gemm,) = doc["layers"]
    assert doc["tech"] == costly
    assert doc["details"]["energy"]["sparse"]["energy_pj"] == gemm["energy_pj"]
    assert sum(gemm["energy_breakdown_pj"].values()) == pytest.approx(gemm["energy_pj"])
    assert sim.main(["--accel", "stc", "--gemm", "64,64,64", "--tech", "nope"]) == 2
    assert "unknown technology table 'nope'" in capsys.readouterr().err


def test_energy_benchmark_writes_rows_and_plot(tmp_path, monkeypatch):
    import importlib.util

    path = TECH_DIR.parents[1] / "benchmarks" / "stc_energy.py"
    monkeypatch.syspath_prepend(str(path.parent))
    spec = importlib.util.spec_from_file_location("stc_energy_benchmark", path)
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    monkeypatch.setattr(bench, "SQUARE_SIZES", (128,))
    monkeypatch.setattr(bench, "BERT_TOKENS", (16,))
    monkeypatch.setattr(bench, "CUSPARSELT_MN", 128)
    monkeypatch.setattr(bench, "CUSPARSELT_K", (256,))
    out_json, png = tmp_path / "e.json", tmp_path / "e.png"
    assert bench.main(["--json", str(out_json), "--png", str(png)]) == 0
    rows = json.loads(out_json.read_text())["rows"]
    assert len(rows) == 1 + 4 + 1 and all(r["output_ok"] for r in rows)
    for r in rows:
        assert r["sparse"]["energy_uj"] < r["dense"]["energy_uj"]
        assert r["sparse_over_dense_energy"] == pytest.approx(
            r["sparse"]["energy_uj"] / r["dense"]["energy_uj"])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
