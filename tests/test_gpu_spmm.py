import dataclasses
import json

import numpy as np
import pytest

from sparsesim.accelerators.gpu_spmm import model
from sparsesim.accelerators.gpu_spmm.config import PRESETS, preset
from sparsesim.accelerators.gpu_spmm.crossover import crossover_density
from sparsesim.accelerators.gpu_spmm.schedule import schedule_fast, schedule_reference
from sparsesim.cli.main import main
from sparsesim.simulator.errors import ConfigError, WorkloadError
from sparsesim.workloads.gemm import GemmShape
from sparsesim.workloads.pruning.power_law import power_law_row_lengths
from sparsesim.workloads.spmm import SpmmWorkload, parse_pattern, parse_spmm

A100 = PRESETS["a100"]


def _run(text, engine="fast", config=A100, kernels="all", corrupt=None):
    compiled = model.compile(parse_spmm(text, seed=3), config, kernels)
    if corrupt:
        compiled = dataclasses.replace(compiled, encodings=corrupt(dict(compiled.encodings)))
    return {r.details["kernel"]: r for r in model.run(compiled, engine=engine)}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_fast_scheduler_equals_the_simpy_reference(seed):
    rng = np.random.default_rng(seed)
    cycles = rng.integers(1, 30, size=700)  # many ties
    fast, ref = schedule_fast(cycles, 9, 3), schedule_reference(cycles, 9, 3)
    assert fast.makespan == ref.makespan
    assert np.array_equal(fast.cta_sm, ref.cta_sm)
    assert np.array_equal(fast.sm_finish, ref.sm_finish)


@pytest.mark.parametrize("text", ["160,96,200:unstructured:0.2", "128,80,96:block:16:0.4",
                                  "128,96,128:ell:16:0.5",
                                  "96,64,128:2:4:0.5", "200,72,150:powerlaw:0.1"])
def test_every_kernel_checks_its_whole_output_and_engines_agree(text):
    fast, ref = _run(text), _run(text, engine="reference")
    assert set(fast) >= {"dense", "csr-rowsplit", "sputnik", "blocked-ell", "bsr"}
    for name, result in fast.items():
        assert result.output_ok, name
        assert result.details["output_check"]["complete"]
        assert result.comparable() == ref[name].comparable()
    assert ("2:4" in fast) == text.startswith("96,64,128:2:4")


def _changed_value(encoding):
    """The encoding with one stored nonzero changed."""
    if isinstance(encoding, np.ndarray):
        changed = encoding.copy()
        changed[np.nonzero(changed)[0][0], np.nonzero(changed)[1][0]] += 1.0
        return changed
    inner = getattr(encoding, "csr", encoding)
    values = inner.values.copy()
    flat = values.reshape(-1)
    flat[np.flatnonzero(flat)[0]] += 1.0
    replaced = dataclasses.replace(inner, values=values)
    return dataclasses.replace(encoding, csr=replaced) if hasattr(encoding, "csr") else replaced


@pytest.mark.parametrize("kernel", ["dense", "2:4", "csr-rowsplit", "sputnik", "blocked-ell",
                                    "bsr"])
def test_one_changed_value_fails_that_kernels_check(kernel):
    def corrupt(encodings):
        encodings[kernel] = _changed_value(encodings[kernel])
        return encodings
    results = _run("96,64,128:2:4:0.5", kernels=kernel, corrupt=corrupt)
    assert not results[kernel].output_ok
    assert all(r.output_ok for name, r in results.items() if name != kernel)


def test_a_row_lost_from_sputniks_row_order_fails_the_check():
    def swap(encodings):
        m = encodings["sputnik"]
        order = m.row_order.copy()
        order[1] = order[0]  # slot 1 recomputes slot 0's row; its own row is never done
        encodings["sputnik"] = dataclasses.replace(m, row_order=order)
        return encodings
    assert not _run("96,64,128:unstructured:0.3", kernels="sputnik",
                    corrupt=swap)["sputnik"].output_ok


def test_sputnik_beats_csr_rowsplit_and_row_swizzle_is_why_on_power_law_rows():
    text = "512,256,512:powerlaw:0.1"
    swizzled = _run(text, kernels="csr-rowsplit,sputnik")
    plain = _run(text, config=preset("a100", sputnik_row_swizzle=False), kernels="sputnik")
    assert swizzled["sputnik"].cycles < swizzled["csr-rowsplit"].cycles
    assert swizzled["sputnik"].cycles < plain["sputnik"].cycles
    assert swizzled["sputnik"].details["plan"]["masked_prefix_elements"] > 0


def test_blocked_ell_pads_to_the_longest_block_row_and_pays_for_it():
    w_skew = SpmmWorkload(GemmShape("g", 2048, 1024, 256), parse_pattern("block:32"), 0.3, 1)
    a = w_skew.a.copy()
    a[:32] = 1.0  # block row 0 fully dense: every other block row is padded to its 8 tiles
    w_skew.__dict__["a"] = a
    results = {r.details["kernel"]: r for r in model.run(model.compile(w_skew, A100))}
    assert results["blocked-ell"].details["plan"]["padding_slots"] > 0
    assert results["blocked-ell"].cycles > results["bsr"].cycles
    assert results["blocked-ell"].output_ok and results["bsr"].output_ok


def test_math_on_zeros_is_busy_but_not_useful():
    """Blocked-ELL's padding slots, the zeros of stored blocks and dense's zeros of A
    count as zero_weight; balanced blocks leave the block kernels none; every SM's
    categories still sum to the kernel's cycles."""
    padded = _run("512,256,512:block:32:0.4", kernels="blocked-ell,bsr")
    balanced = _run("512,256,512:ell:32:0.4", kernels="blocked-ell,bsr")
    scattered = _run("512,256,512:unstructured:0.4", kernels="bsr")
    for results in (padded, balanced, scattered):
        for r in results.values():
            assert np.all(np.sum(list(r.pe_cycles.values()), axis=0) == r.cycles)
            assert r.pe_utilization <= r.pe_issue_utilization
    zero = {k: sum(r.pe_cycles["zero_weight"]) for k, r in padded.items()}
    assert zero["blocked-ell"] > 0 and zero["bsr"] == 0
    assert padded["dense"].pe_utilization < padded["dense"].pe_issue_utilization
    assert sum(balanced["blocked-ell"].pe_cycles["zero_weight"]) == 0
    bsr = scattered["bsr"]  # unstructured A: stored 32 x 32 blocks are mostly zeros
    assert bsr.pe_utilization < 0.5 * bsr.pe_issue_utilization


def test_ell_pruning_keeps_the_same_blocks_in_every_block_row():
    w = parse_spmm("128,64,256:ell:16:0.25")
    ell = model.compile(w, A100, "blocked-ell").encodings["blocked-ell"]
    assert ell.padding_slots == 0 and ell.ell_cols == 4
    assert np.count_nonzero(w.a) == 128 * 256 // 4


def test_power_law_rows_are_skewed_and_keep_the_density():
    lengths = power_law_row_lengths(1000, 800, 0.1, 1.0, np.random.default_rng(0))
    assert abs(lengths.sum() / (1000 * 800) - 0.1) < 0.002
    assert lengths.max() == 800 and lengths.max() > 5 * lengths.mean()


def test_crossover_interpolates_and_says_none_when_never_won():
    assert crossover_density([0.5, 0.1], [0.5, 2.0]) == pytest.approx(
        np.exp(np.log(0.5) + np.log(0.5) / (np.log(0.5) - np.log(2.0)) * np.log(0.2)))
    assert crossover_density([0.5, 0.1], [0.5, 0.9]) is None
    assert crossover_density([0.5, 0.1], [1.5, 2.0]) == 0.5


def test_bad_input_is_refused_before_any_work():
    with pytest.raises(WorkloadError, match="--pattern"):
        parse_pattern("blocks")
    with pytest.raises(WorkloadError, match="0.5"):
        parse_spmm("64,64,64:2:4:0.3")
    with pytest.raises(WorkloadError, match="needs --pattern 2:4"):
        model.compile(parse_spmm("64,64,64:unstructured:0.3"), A100, "2:4")
    with pytest.raises(ConfigError, match="sputnik_tile_n"):
        preset("a100", sputnik_tile_n=12)
    with pytest.raises(WorkloadError, match="fp16, fp32"):
        SpmmWorkload(GemmShape("g", 64, 64, 64), parse_pattern("unstructured"), 0.3, 0, "int8")
    fp32 = SpmmWorkload(GemmShape("g", 64, 64, 64), parse_pattern("block:16"), 0.3, 0, "fp32")
    for kernel in ("dense", "bsr", "blocked-ell"):
        with pytest.raises(WorkloadError, match="fp16 operands"):
            model.compile(fp32, A100, kernel)


def test_fp32_operands_run_the_cuda_core_kernels_with_twice_the_bytes():
    """The paper's data type: no dense baseline (the tensor-core GEMM takes fp16), every
    output checked to fp32 accuracy, B and C twice the bytes of fp16; sputnik slows (it
    moves B through L1 and L2), csr-rowsplit (bound by load/store lanes) does not."""
    shape, pattern = GemmShape("g", 256, 128, 256), parse_pattern("unstructured")
    runs = {}
    for dtype in ("fp16", "fp32"):
        w = SpmmWorkload(shape, pattern, 0.2, 1, dtype)
        runs[dtype] = {r.details["kernel"]: r for r in model.run(model.compile(w, A100))}
    assert set(runs["fp32"]) == {"csr-rowsplit", "sputnik"}
    for name, r in runs["fp32"].items():
        half = runs["fp16"][name]
        assert r.output_ok and r.details["speedup_over_dense"] is None
        assert r.max_abs_error < half.max_abs_error
        assert r.memory_stats["hbm_bytes"] > 1.5 * half.memory_stats["hbm_bytes"]
    assert runs["fp32"]["sputnik"].cycles > runs["fp16"]["sputnik"].cycles


def test_cli_prints_every_kernel_and_writes_a_valid_document(tmp_path, capsys):
    from importlib import resources

    import jsonschema
    path = tmp_path / "run.json"
    code = main(["--accel", "gpu-spmm", "--gemm", "128,64,128", "--densities", "0.5,0.1",
                 "--json", str(path)])
    out = capsys.readouterr().out
    assert code == 0
    for kernel in ("dense", "csr-rowsplit", "sputnik", "blocked-ell", "bsr"):
        assert kernel in out
    assert "crossover" in out
    document = json.loads(path.read_text())
    schema = json.loads((resources.files("sparsesim") / "run_document.schema.json").read_text())
    jsonschema.validate(document, schema)
    assert set(document["details"]["crossover_density"]) >= {"sputnik", "csr-rowsplit"}


def test_cli_runs_fp32_without_a_dense_baseline(capsys):
    assert main(["--accel", "gpu-spmm", "--gemm", "64,96,128", "--dtype", "fp32",
                 "--densities", "0.5,0.1"]) == 0
    out = capsys.readouterr().out
    assert "fp32 operands" in out and "dense " not in out and "crossover" not in out
    assert "csr-rowsplit" in out and "sputnik" in out and "WRONG" not in out


@pytest.mark.parametrize("argv, message", [
    (["--pattern", "diag"], "--pattern takes"),
    (["--kernel", "cusparse"], "unknown kernel"),
    (["--pattern", "unstructured", "--kernel", "2:4"], "needs --pattern 2:4"),
    (["--densities", "0.5,x"], "--densities"),
    (["--dtype", "fp32", "--kernel", "bsr"], "fp16 operands"),
    (["--dtype", "fp32", "--plot", "x.png"], "drop --plot"),
])
def test_cli_bad_input_is_one_line_and_exit_2(argv, message, capsys):
    assert main(["--accel", "gpu-spmm", "--gemm", "64,64,64", *argv]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err


def test_resident_ctas_share_an_sm_and_memory_instructions_take_whole_wavefronts():
    from sparsesim.accelerators.gpu_spmm.rows import grouped_rows, resident_groups
    from sparsesim.accelerators.gpu_spmm.sm_model import l1_wavefronts

    group = resident_groups(10, 3, 2)  # CTA i shares an SM with i + 3 (2 slots)
    assert group.tolist() == [0, 1, 2, 0, 1, 2, 3, 4, 5, 3]
    rows = np.arange(20).reshape(10, 2)
    assert grouped_rows(rows, group)[0].tolist() == [0, 1, 6, 7]
    assert grouped_rows(rows, group)[4].tolist() == [14, 15, -1, -1]
    width = A100.gpu.smem_bytes_per_clk
    assert l1_wavefronts(np.array([1, width, width + 1]), A100).tolist() == [
        width, width, 2 * width]
