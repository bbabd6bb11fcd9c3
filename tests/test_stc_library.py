import dataclasses

import pytest

from sparsesim.accelerators.stc import model as stc
from sparsesim.accelerators.stc.config import TileShape
from sparsesim.accelerators.stc.explain import explain
from sparsesim.accelerators.stc.functional import check_output
from sparsesim.accelerators.stc.library import estimate_cycles, select_kernel
from sparsesim.accelerators.stc.simulate import simulate_kernel
from sparsesim.cli import main as sim
from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.gemm import GemmShape
from sparsesim.workloads.numeric import numeric_type

FP16 = numeric_type("fp16")
# Eight SMs, 64x64 tiles on both sides; dense may split K in 4.
SPLIT = dataclasses.replace(
    stc.A100, name="split", num_sms=8, tiles=(TileShape(64, 64, 2, 2),),
    sparse_tiles=(TileShape(64, 64, 2, 2),), dense_split_k=(1, 4), launch_overhead_us=0.0)


def test_each_library_picks_the_fastest_estimate_from_its_own_menu():
    shape = GemmShape("skinny", 128, 128, 65536)
    dense = select_kernel(shape, FP16, sparse=False, config=stc.A100)
    sparse = select_kernel(shape, FP16, sparse=True, config=stc.A100)
    assert dense.plan.split_k > 1  # 4 output tiles on 108 SMs: the dense library splits K
    assert sparse.plan.split_k == 1  # the sparse menu has no split-K
    for selection, menu in ((dense, stc.A100.tiles), (sparse, stc.A100.sparse_tiles)):
        assert selection.plan.tile in menu
        assert selection.candidates[0].estimate_cycles == min(
            c.estimate_cycles for c in selection.candidates)
        assert estimate_cycles(selection.plan, stc.A100) == selection.candidates[0].estimate_cycles
    assert len(dense.candidates) > len(sparse.candidates)


def test_split_k_runs_every_slice_once_reduces_and_computes_c():
    result = stc.run(stc.compile(GemmShape("g", 128, 64, 4096), "fp16", SPLIT, seed=2))
    plan = result.details["kernels"]["dense"]["plan"]
    assert plan["split_k"] == 4 and result.details["kernels"]["dense"]["thread_blocks"] == 8
    assert result.details["breakdown"]["dense"]["split_k_reduction_cycles"] > 0
    assert result.details["breakdown"]["sparse"]["split_k_reduction_cycles"] == 0
    assert result.output_ok
    forced = dataclasses.replace(SPLIT, sparse_split_k=(4,))  # the sparse output through slices
    split_sparse = stc.run(stc.compile(GemmShape("g", 128, 64, 4096), "fp16", forced, seed=2))
    assert split_sparse.details["kernels"]["sparse"]["plan"]["split_k"] == 4
    assert split_sparse.output_ok


@pytest.mark.parametrize("corrupt", ["drop", "duplicate", "move"])
def test_a_lost_or_repeated_block_makes_output_wrong(corrupt):
    config = dataclasses.replace(SPLIT, sparse_split_k=(4,))
    compiled = stc.compile(GemmShape("g", 128, 128, 512), "fp16", config, seed=4)
    plan = compiled.plans["sparse"]
    counters = simulate_kernel(plan, config)
    schedule = list(counters.schedule)
    assert check_output(compiled.operands, plan, schedule).ok
    if corrupt == "drop":
        schedule.pop(5)
    elif corrupt == "duplicate":
        schedule.append(schedule[3])
    else:  # one block computed into the wrong tile
        tm, tn, k_slice = schedule[0]
        schedule[0] = (tm, tn + 1, k_slice)
    check = check_output(compiled.operands, plan, schedule)
    assert not check.ok
    assert check.max_abs_error > check.max_tolerance  # numpy's product disagrees


def test_pytorch_front_end_makes_batch_one_slower_and_explain_says_why():
    shape = GemmShape("w4096-b1", 4096, 1, 4096)
    library = stc.run(stc.compile(shape, "fp16", stc.A100), 2**22)
    pytorch = stc.run(stc.compile(shape, "fp16", stc.with_frontend(stc.A100, "pytorch-cslt")),
                      2**22)
    assert pytorch.details["dense_cycles"] == library.details["dense_cycles"]
    assert pytorch.details["speedup"] < 1 < library.details["speedup"]
    lines = explain(pytorch)
    assert lines[0].startswith("dense : 64x64 split-K 1")
    assert "sparse loses" in lines[2] and "host set-up per sparse call" in lines[2]
    with pytest.raises(ConfigError, match="unknown front end"):
        stc.with_frontend(stc.A100, "tensorflow")


def test_pytorch_cutlass_front_end_runs_its_one_fixed_kernel():
    shape = GemmShape("distilbert", 768, 768, 3072)
    config = stc.with_frontend(stc.A100, "pytorch-cutlass")
    result = stc.run(stc.compile(shape, "fp16", config), 2**20)
    sparse = result.details["kernels"]["sparse"]
    assert sparse["kernel"] == "128x128 split-K 1"
    assert len(sparse["candidates_estimate_cycles"]) == 1
    assert sparse["plan"]["k_tile"] == 64  # 64 values of K per step, as the CUTLASS kernel
    assert result.details["speedup"] < 1 and result.output_ok


def test_hopper_with_ampere_sparse_kernels_loses_where_native_ones_win():
    shape = GemmShape("g", 768, 4096, 4096)  # NVIDIA/cutlass#1335's shape
    native = stc.run(stc.compile(shape, "bf16", stc.H100), 2**20)
    recompiled = stc.run(stc.compile(shape, "bf16", stc.preset("h100-sm80sparse")), 2**20)
    assert native.details["speedup"] > 1 > recompiled.details["speedup"]


def test_cli_explain(capsys):
    assert sim.main(["--accel", "stc", "--gemm", "256,8,1024", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "dense_kernel" in out and "why   : sparse" in out


def test_bad_menus_are_refused():
    with pytest.raises(ConfigError, match="dense_split_k must list whole numbers >= 1"):
        dataclasses.replace(stc.A100, dense_split_k=(0,))
    with pytest.raises(ConfigError, match="give at least one tile in sparse_tiles"):
        dataclasses.replace(stc.A100, sparse_tiles=())
    with pytest.raises(ConfigError, match="sparse_host_us_per_call must be a finite number"):
        dataclasses.replace(stc.A100, sparse_host_us_per_call=-1.0)

