"""The GEMM kernel the GPU runs, worked out per thread-block tile and main-loop step.

Dense and sparse kernels are the same kernel: same tile, same K step, same pipeline.
Only the A operand's bytes (2:4: half the values plus 2-bit metadata, from the format)
and the tensor-core rate (doubled in sparse mode) differ.

One main-loop step of one tile (K step of `k_tile` elements):
  - copies A (tile.m x k_tile) and B (k_tile x tile.n) from L2/HBM into shared memory;
  - each operand group reads its A and B slices from shared memory into registers;
  - the tensor cores run tile.m x tile.n x k_tile multiply-accumulates.
The SM's tensor cores and its shared memory work side by side (fragments for the next
MMA load while the current one runs), so a step takes the larger of the two times.
The epilogue stages the C tile through shared memory (written once, read once) and
stores it to global memory.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from sparsesim.accelerators.stc.config import STCConfig, TileShape
from sparsesim.accelerators.stc.smem import conflict_factor
from sparsesim.workloads.formats.nm_compressed import nm_bits_per_dense_element
from sparsesim.workloads.gemm import GemmShape
from sparsesim.workloads.numeric import NumericType


def output_bits(dtype: NumericType) -> int:
    """C element width: int8 GEMMs write exact int32 sums; fp16/bf16 write their own type
    (accumulated in fp32 first)."""
    return 32 if dtype.is_integer else dtype.bits


def choose_tile(shape: GemmShape, config: STCConfig) -> TileShape:
    """The largest candidate tile that still gives every SM a tile; else the smallest.
    Dense and sparse use the same tile."""
    for tile in config.tiles:
        if math.ceil(shape.m / tile.m) * math.ceil(shape.n / tile.n) >= config.num_sms:
            return tile
    return config.tiles[-1]


@dataclass(frozen=True)
class KernelPlan:
    """Per-tile, per-step costs of one kernel (dense or sparse). Bytes are per tile."""

    sparse: bool
    tile: TileShape
    tiles_m: int
    tiles_n: int
    k_tile: int  # K elements per main-loop step
    k_steps: int
    a_bytes_per_step: int  # A copied from L2 per step (values, plus metadata if sparse)
    b_bytes_per_step: int
    smem_write_bytes_per_step: int
    smem_read_bytes_per_step: int
    smem_read_conflict_factor: float  # cycles per 128-byte phase (1.0 = conflict-free)
    smem_write_conflict_factor: float
    math_cycles_per_step: int
    smem_cycles_per_step: int
    epilogue_smem_cycles: int
    c_bytes_per_tile: int
    macs_per_step: int  # tensor-core multiply-accumulates per tile step (dense-K terms)

    @property
    def tiles(self) -> int:
        return self.tiles_m * self.tiles_n

    @property
    def step_cycles(self) -> int:
        return max(self.math_cycles_per_step, self.smem_cycles_per_step)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["tile"] = self.tile.label()
        return out


def plan_kernel(shape: GemmShape, dtype: NumericType, sparse: bool,
                config: STCConfig) -> KernelPlan:
    tile = choose_tile(shape, config)
    k_tile = config.k_tile_bytes * 8 // dtype.bits
    k_steps = math.ceil(shape.k / k_tile)
    a_bits_per_element = nm_bits_per_dense_element(dtype.bits) if sparse else dtype.bits
    a_bytes = math.ceil(tile.m * k_tile * a_bits_per_element / 8)
    b_bytes = k_tile * tile.n * dtype.bits // 8
    a_pitch = config.k_tile_bytes // 2 if sparse else config.k_tile_bytes  # A row in smem
    banks, width, swizzle = config.smem_banks, config.smem_bank_bytes, config.smem_swizzle
    read_a = conflict_factor(a_pitch, swizzle, banks, width, "read")
    read_b = conflict_factor(config.k_tile_bytes, swizzle, banks, width, "read")
    write_a = conflict_factor(a_pitch, swizzle, banks, width, "write")
    write_b = conflict_factor(config.k_tile_bytes, swizzle, banks, width, "write")
    reads_a, reads_b = a_bytes * tile.groups_n, b_bytes * tile.groups_m
    phase_cost = (reads_a * read_a + reads_b * read_b + a_bytes * write_a + b_bytes * write_b)
    macs = tile.m * tile.n * k_tile
    c_bytes = tile.m * tile.n * output_bits(dtype) // 8
    return KernelPlan(
        sparse=sparse, tile=tile,
        tiles_m=math.ceil(shape.m / tile.m), tiles_n=math.ceil(shape.n / tile.n),
        k_tile=k_tile, k_steps=k_steps,
        a_bytes_per_step=a_bytes, b_bytes_per_step=b_bytes,
        smem_write_bytes_per_step=a_bytes + b_bytes,
        smem_read_bytes_per_step=reads_a + reads_b,
        smem_read_conflict_factor=(reads_a * read_a + reads_b * read_b) / (reads_a + reads_b),
        smem_write_conflict_factor=(a_bytes * write_a + b_bytes * write_b) / (a_bytes + b_bytes),
        math_cycles_per_step=math.ceil(macs / config.fma_per_clk_per_sm(dtype.is_integer, sparse)),
        smem_cycles_per_step=math.ceil(phase_cost / config.smem_bytes_per_clk),
        epilogue_smem_cycles=math.ceil(2 * c_bytes / config.smem_bytes_per_clk),
        c_bytes_per_tile=c_bytes,
        macs_per_step=macs,
    )
