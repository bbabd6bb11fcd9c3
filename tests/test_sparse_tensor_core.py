import dataclasses

import numpy as np
import pytest

from sparsesim.accelerators.stc import model as stc
from sparsesim.accelerators.stc.config import TileShape
from sparsesim.accelerators.stc.functional import sparse_matmul
from sparsesim.accelerators.stc.result import BREAKDOWN_KEYS
from sparsesim.accelerators.stc.smem import conflict_factor
from sparsesim.simulator.errors import ConfigError, FormatError, WorkloadError
from sparsesim.workloads.formats import NMCompressed
from sparsesim.workloads.gemm import GemmShape, MatrixOperands, parse_gemm, prune_two_of_four
from sparsesim.workloads.numeric import numeric_type, round_to_bf16
from sparsesim.workloads.transformer_gemms import transformer_gemms

# One SM, one 64x64 tile, 2 stages, links of 4096 B/cycle, L2 / HBM latency 10 / 20.
TINY = dataclasses.replace(
    stc.A100, name="tiny", num_sms=1, tiles=(TileShape(64, 64, 1, 1),),
    sparse_tiles=(TileShape(64, 64, 1, 1),), dense_split_k=(1,), pipeline_stages=2,
    l2_bytes_per_clk=4096.0, hbm_bytes_per_s=4096 * 1410e6, l2_latency_cycles=10,
    hbm_latency_cycles=20, launch_overhead_us=0.0)


def test_tiny_gemm_exact_cycles():
    """64x64x64 fp16: 2 K steps of 32. Dense step: math 64*64*32/1024 = 128, shared memory
    (4096 + 4096 B written, 4096 + 4096 B read) / 128 B = 128 -> 128. Copies of step 0: A
    through both links by cycle 1, B by 2, +20 HBM latency -> ready 22. Steps 22-150 and
    150-278 (step 1's copy, issued at 22, is ready at 44), epilogue 2*8192/128 = 128 ->
    406, store 8192 B through the links by 408, +20 -> 428.
    Sparse: A is 64*32*9/8 = 2304 B per step, math 64, shared memory 12800/128 = 100;
    ready 22, steps end 122 and 222, epilogue 350, store 372."""
    result = stc.run(stc.compile(GemmShape("tiny", 64, 64, 64), "fp16", TINY, seed=1))
    assert result.details["dense_cycles"] == 428
    assert result.details["sparse_cycles"] == result.cycles == 372
    dense = result.details["breakdown"]["dense"]
    assert dense == {"launch_cycles": 0.0, "math_cycles": 256.0, "shared_memory_cycles": 0.0,
                     "l2_hbm_wait_cycles": 22.0, "epilogue_cycles": 128.0,
                     "wave_tail_cycles": 22.0, "split_k_reduction_cycles": 0.0,
                     "host_wait_cycles": 0.0}
    sparse = result.details["breakdown"]["sparse"]
    assert sparse["math_cycles"] == 128 and sparse["shared_memory_cycles"] == 72
    assert result.output_ok


@pytest.mark.parametrize("dtype", ["fp16", "bf16", "int8"])
@pytest.mark.parametrize("shape", [(64, 64, 64), (200, 72, 130), (17, 300, 5), (1, 1, 1)])
def test_output_ok_and_every_sm_cycle_accounted(dtype, shape):
    result = stc.run(stc.compile(GemmShape("g", *shape), dtype, stc.A100, seed=7))
    assert result.output_ok
    if dtype == "int8":
        assert result.max_abs_error == 0.0
    for mode in ("dense", "sparse"):
        parts = result.details["breakdown"][mode]
        assert set(parts) == set(BREAKDOWN_KEYS)
        assert sum(parts.values()) == pytest.approx(result.details[f"{mode}_cycles"])
    for busy, stalled, starved in zip(result.pe_busy_cycles, result.pe_stalled_cycles,
                                      result.pe_starved_cycles):
        assert busy + stalled + starved == result.cycles


@pytest.mark.parametrize("config", [stc.A100, stc.H100], ids=["a100", "h100"])
@pytest.mark.parametrize("dtype", ["fp16", "int8"])
def test_speedup_bounded_by_sparse_rate_and_cycles_above_peak(config, dtype):
    for m, n, k in [(256, 256, 256), (2048, 1024, 4096), (4096, 128, 8192)]:
        result = stc.run(stc.compile(GemmShape("g", m, n, k), dtype, config), 2**22)
        peak = config.fma_per_clk_per_sm(dtype == "int8", sparse=False) * config.num_sms
        assert result.details["dense_cycles"] >= m * n * k / peak
        assert result.cycles >= m * n * k / (2 * peak)
        assert 0.5 < result.details["speedup"] <= config.sparse_rate_multiplier
        assert result.output_ok


def test_small_gemm_gains_little_large_gemm_gains_much():
    small = stc.run(stc.compile(GemmShape("s", 256, 256, 256), "fp16", stc.A100))
    large = stc.run(stc.compile(GemmShape("l", 4096, 4096, 4096), "fp16", stc.A100), 2**22)
    assert small.details["speedup"] < 1.1
    assert 1.5 < large.details["speedup"] < 2.0


def test_one_tile_more_than_sms_adds_a_wave_with_idle_sms():
    two_sms = dataclasses.replace(TINY, num_sms=2)
    full = stc.run(stc.compile(GemmShape("w", 128, 64, 512), "fp16", two_sms), 2**20)
    extra = stc.run(stc.compile(GemmShape("w", 192, 64, 512), "fp16", two_sms), 2**20)
    assert full.details["kernels"]["dense"]["waves"] == 1
    assert extra.details["kernels"]["dense"]["waves"] == 2
    main_loop = 16 * 128  # 16 K steps of 128 cycles
    assert extra.details["dense_cycles"] >= full.details["dense_cycles"] + main_loop
    assert max(extra.pe_starved_cycles) >= main_loop // 2


def test_unswizzled_layout_has_bank_conflicts_and_is_not_faster():
    assert conflict_factor(64, False, 32, 4, "read") == 4.0
    assert conflict_factor(64, True, 32, 4, "read") == 1.0
    shape = GemmShape("g", 1024, 1024, 1024)
    plain = dataclasses.replace(stc.A100, smem_swizzle=False)
    base, conflicted = (stc.run(stc.compile(shape, "fp16", c), 2**20) for c in (stc.A100, plain))
    assert conflicted.details["kernels"]["sparse"]["plan"]["smem_read_conflict_factor"] > 1
    assert conflicted.details["dense_cycles"] > base.details["dense_cycles"]


def test_same_seed_same_result():
    def run():
        out = stc.run(stc.compile(GemmShape("g", 300, 200, 100), "bf16", stc.H100, 5)).to_dict()
        out.pop("wall_seconds")
        return out
    assert run() == run()


def test_sparse_matmul_uses_positions():
    rng = np.random.default_rng(0)
    a = prune_two_of_four(rng.standard_normal((8, 12)).astype(np.float32))
    b = rng.standard_normal((12, 5)).astype(np.float32)
    enc = NMCompressed.from_dense(a)
    int8 = numeric_type("int8")
    assert np.allclose(sparse_matmul(enc, b, int8), a.astype(np.float64) @ b)
    shuffled = dataclasses.replace(enc, positions=enc.positions[::-1].copy())
    assert not np.allclose(sparse_matmul(shuffled, b, int8), a.astype(np.float64) @ b)


def test_prune_two_of_four_keeps_largest_magnitudes():
    kept = prune_two_of_four(np.array([[1.0, -4.0, 3.0, 2.0, 5.0, 5.0, 5.0]]))
    assert kept.tolist() == [[0.0, -4.0, 3.0, 0.0, 5.0, 5.0, 0.0]]


def test_bf16_rounding_is_to_nearest_even():
    x = np.array([1.0 + 2**-8, 1.0 + 3 * 2**-8, 1.0 + 2**-9], dtype=np.float32)
    assert round_to_bf16(x).tolist() == [1.0, 1.0 + 2**-6, 1.0]


def test_bad_inputs_raise_user_errors():
    with pytest.raises(WorkloadError, match="M,N,K as three whole numbers"):
        parse_gemm("4096,4096")
    with pytest.raises(WorkloadError, match="K must be a whole number >= 1"):
        parse_gemm("4,4,0")
    with pytest.raises(ConfigError, match="unknown data type 'fp8'"):
        stc.compile(GemmShape("g", 4, 4, 4), "fp8")
    with pytest.raises(ConfigError, match="needs .* bytes of shared memory"):
        dataclasses.replace(stc.A100, pipeline_stages=8)
    with pytest.raises(ConfigError, match="unknown preset"):
        stc.preset("v100")
    with pytest.raises(WorkloadError, match="unknown transformer"):
        transformer_gemms("gpt-9", 128)


def test_bert_base_shapes():
    shapes = transformer_gemms("bert-base", 512)
    assert [(s.m, s.n, s.k) for s in shapes] == [(2304, 512, 768), (768, 512, 768),
                                                  (3072, 512, 768), (768, 512, 3072)]


def test_given_two_four_layer_runs_and_violation_names_the_group():
    rng = np.random.default_rng(3)
    weights = prune_two_of_four(rng.standard_normal((40, 24)).astype(np.float32))
    inputs = rng.random((24, 9)).astype(np.float32)
    fp16 = numeric_type("fp16")
    result = stc.run(stc.compile_operands(MatrixOperands("fc", weights, inputs, fp16)))
    assert result.output_ok and result.details["gemm_m_n_k"] == [40, 9, 24]
    weights[5, 8:12] = 1.0
    with pytest.raises(FormatError, match=r"row 5, group 2 \(columns 8\.\.11\) has 4 nonzeros"):
        MatrixOperands("fc", weights, inputs, fp16)
    with pytest.raises(WorkloadError, match="do not multiply"):
        MatrixOperands("fc", weights, inputs.T, fp16)


def test_outputs_in_fp16s_subnormal_range_pass_the_check():
    """Real activations and small weights give products below fp16's normal range (6.1e-5),
    where rounding is to a fixed step of 2^-24, not relative: the check allows half that
    step (before, a purely relative bound refused correct outputs of a real LeNet-5 layer)."""
    from sparsesim.workloads.gemm import MatrixOperands
    from sparsesim.workloads.numeric import numeric_type

    rng = np.random.default_rng(0)
    a = np.zeros((64, 64), dtype=np.float32)
    a[:, 0::4] = rng.uniform(1e-4, 3e-4, (64, 16))
    b = np.zeros((64, 64), dtype=np.float32)
    b[0] = rng.uniform(1e-4, 5e-3, 64)  # each output one product, 1e-8..1.5e-6: subnormal
    result = stc.run(stc.compile_operands(MatrixOperands("tiny", a, b, numeric_type("fp16"))))
    assert result.output_ok and 0 < result.max_abs_error <= 2.0 ** -25
