"""The GEMM kernel the GPU runs, worked out per thread-block tile and main-loop step.

A plan is one library kernel: a thread-block tile and a split-K factor from the library's
menu (`library.select_kernel` picks them), the K step of its MMA path, A's bytes (2:4: half
the values plus 2-bit metadata, from the format) and the tensor-core rate (sparse: the
sparse MMA path's rate, doubled).

Split-K: with split_k = S > 1 each output tile's K steps are cut into S slices run as
separate thread blocks; each writes an fp32 partial tile, and a second kernel (launch plus
memory traffic) sums the S partials and writes C.

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


PARTIAL_BYTES = 4  # split-K partial sums are fp32 / int32


def band_tile(tile: int, tiles_m: int, tiles_n: int, band: int) -> tuple[int, int]:
    """(tile row, tile column) of the `tile`-th output tile issued: bands of `band` tile
    columns (the last may be narrower), each walked row by row."""
    y, rest = divmod(tile, tiles_m * band)
    width = min(band, tiles_n - y * band)
    return rest // width, y * band + rest % width


@dataclass(frozen=True)
class KernelPlan:
    """Per-tile, per-step costs of one kernel (dense or sparse). Bytes are per tile."""

    sparse: bool
    tile: TileShape
    tiles_m: int
    tiles_n: int
    split_k: int  # K slices per output tile (1: no split-K)
    band: int  # tile columns per raster band (config.raster_band_tiles)
    k_tile: int  # K elements per main-loop step
    k_steps: int  # main-loop steps over the whole K
    k_steps_per_slice: int  # steps of every slice but possibly the last (which has the rest)
    a_bytes_per_step: int  # A copied from L2 per step (values, plus metadata if sparse)
    b_bytes_per_step: int
    smem_write_bytes_per_step: int
    smem_read_bytes_per_step: int
    smem_read_conflict_factor: float  # cycles per 128-byte phase (1.0 = conflict-free)
    smem_write_conflict_factor: float
    math_cycles_per_step: int
    smem_cycles_per_step: int
    epilogue_smem_cycles: int
    c_bytes_per_tile: int  # stored per thread block: C, or an fp32 partial under split-K
    reduction_read_bytes: int  # split-K reduction kernel: partials read (0 if S = 1)
    reduction_write_bytes: int  # split-K reduction kernel: C written (0 if S = 1)
    macs_per_step: int  # tensor-core multiply-accumulates per tile step (dense-K terms)

    @property
    def reduction_bytes(self) -> int:
        return self.reduction_read_bytes + self.reduction_write_bytes

    @property
    def tiles(self) -> int:
        """Thread blocks: output tiles x K slices."""
        return self.tiles_m * self.tiles_n * self.split_k

    def block(self, index: int) -> tuple[int, int, int]:
        """(tile row, tile column, K slice) of thread block `index`: the K slices of a tile
        together, tiles in bands of `band` tile columns, M walked inside a band."""
        tile, k_slice = divmod(index, self.split_k)
        return (*band_tile(tile, self.tiles_m, self.tiles_n, self.band), k_slice)

    def slice_steps(self, k_slice: int) -> range:
        """The main-loop steps (indices into the whole K) of one K slice."""
        start = k_slice * self.k_steps_per_slice
        return range(start, min(start + self.k_steps_per_slice, self.k_steps))

    @property
    def step_cycles(self) -> int:
        return max(self.math_cycles_per_step, self.smem_cycles_per_step)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["tile"] = self.tile.label()
        return out


def plan_kernel(shape: GemmShape, dtype: NumericType, sparse: bool, config: STCConfig,
                tile: TileShape, split_k: int = 1) -> KernelPlan:
    """The kernel with thread-block `tile` and `split_k` K slices (fewer if K has fewer
    steps: no slice is empty)."""
    k_bytes = config.k_step_bytes(sparse)
    k_tile = k_bytes * 8 // dtype.bits
    k_steps = math.ceil(shape.k / k_tile)
    per_slice = math.ceil(k_steps / split_k)
    split_k = math.ceil(k_steps / per_slice)
    a_bits_per_element = nm_bits_per_dense_element(dtype.bits) if sparse else dtype.bits
    a_bytes = math.ceil(tile.m * k_tile * a_bits_per_element / 8)
    b_bytes = k_tile * tile.n * dtype.bits // 8
    a_pitch = k_bytes // 2 if sparse else k_bytes  # A row in smem
    banks, width, swizzle = config.smem_banks, config.smem_bank_bytes, config.smem_swizzle
    read_a = conflict_factor(a_pitch, swizzle, banks, width, "read")
    read_b = conflict_factor(k_bytes, swizzle, banks, width, "read")
    write_a = conflict_factor(a_pitch, swizzle, banks, width, "write")
    write_b = conflict_factor(k_bytes, swizzle, banks, width, "write")
    reads_a, reads_b = a_bytes * tile.groups_n, b_bytes * tile.groups_m
    phase_cost = (reads_a * read_a + reads_b * read_b + a_bytes * write_a + b_bytes * write_b)
    macs = tile.m * tile.n * k_tile
    c_bytes = tile.m * tile.n * output_bits(dtype) // 8
    tiles_m, tiles_n = math.ceil(shape.m / tile.m), math.ceil(shape.n / tile.n)
    partial_bytes = tile.m * tile.n * PARTIAL_BYTES
    split = split_k > 1
    stored = partial_bytes if split else c_bytes
    return KernelPlan(
        sparse=sparse, tile=tile, tiles_m=tiles_m, tiles_n=tiles_n, split_k=split_k,
        band=config.raster_band_tiles,
        k_tile=k_tile, k_steps=k_steps, k_steps_per_slice=per_slice,
        a_bytes_per_step=a_bytes, b_bytes_per_step=b_bytes,
        smem_write_bytes_per_step=a_bytes + b_bytes,
        smem_read_bytes_per_step=reads_a + reads_b,
        smem_read_conflict_factor=(reads_a * read_a + reads_b * read_b) / (reads_a + reads_b),
        smem_write_conflict_factor=(a_bytes * write_a + b_bytes * write_b) / (a_bytes + b_bytes),
        math_cycles_per_step=math.ceil(macs / config.fma_per_clk_per_sm(dtype.is_integer, sparse)),
        smem_cycles_per_step=math.ceil(phase_cost / config.smem_bytes_per_clk),
        epilogue_smem_cycles=math.ceil(2 * stored / config.smem_bytes_per_clk),
        c_bytes_per_tile=stored,
        reduction_read_bytes=tiles_m * tiles_n * split_k * partial_bytes if split else 0,
        reduction_write_bytes=tiles_m * tiles_n * c_bytes if split else 0,
        macs_per_step=macs,
    )
