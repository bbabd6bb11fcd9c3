"""What one GEMM kernel moved and computed, whole chip: the counts energy is made from.

Every count is the kernel plan's per-step or per-tile figure times the steps and tiles the
SimPy model ran, or a cache / link counter of the model itself, so counting costs nothing
while the model runs. Tiles are whole: edge tiles run (and count) their padded parts.

- tensor-core MACs: multiply-accumulates executed at the operand width; the sparse kernel
  executes only the kept half (2 of every 4 along K), so half the dense kernel's;
- shared memory: operand tiles written by the L2 copies and read by every operand group
  (the plan's bytes), plus C staged through it once (written, read); `*_wavefronts` are
  the 128-byte access phases including bank-conflict replays (the model's conflict factor);
- register file, derived from the MMA operand traffic of PTX-shaped instructions
  (config.mma_m x mma_n x mma_k_bytes per dense instruction; a 2:4 instruction covers
  twice the K): every instruction reads its A fragment (kept values + metadata if sparse),
  its B fragment and its accumulator tile, and writes the accumulator tile back; fragment
  loads from shared memory write the register file (as many bytes as shared memory reads).
  With mma_operands_from_smem (H100 wgmma) A and B go straight from shared memory to the
  tensor cores and only the accumulators touch the register file. The epilogue reads the
  accumulators once;
- L2: reads are every operand copy; writes are the fills of L2 misses and the C stores;
- HBM: reads are the L2 misses, writes the C stores;
- split-K reduction kernel: partials read (L2, HBM) and C written (L2, HBM);
- metadata: 2:4 index bytes copied from L2 into shared memory (included in l2_read_bytes).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

from sparsesim.accelerators.stc.config import STCConfig
from sparsesim.accelerators.stc.kernel import KernelPlan
from sparsesim.accelerators.stc.simulate import KernelCounters
from sparsesim.workloads.formats.nm_compressed import nm_bits_per_dense_element
from sparsesim.workloads.numeric import NumericType

ACCUMULATOR_BYTES = 4  # fp32 (fp16/bf16 inputs) or int32 (int8 inputs) accumulators
WAVEFRONT_BYTES = 128  # one conflict-free shared-memory phase: 32 banks x 4 bytes
SPARSE_K_FACTOR = 2  # a 2:4 instruction covers 4/2 times the dense K (PTX ISA mma.sp)
METADATA_BITS_PER_KEPT_VALUE = 2  # 2-bit position of each kept value in its group of 4


@dataclass(frozen=True)
class AccessCounts:
    """One kernel's events, whole chip. Bytes are bytes; MACs are executed MACs."""

    tensor_core_macs: int
    mac_operand_bits: int  # operand width of those MACs (16 for fp16/bf16, 8 for int8)
    mac_dtype: str
    smem_read_bytes: int
    smem_write_bytes: int
    smem_read_wavefronts: float  # 128-byte phases including bank-conflict replays
    smem_write_wavefronts: float
    register_file_read_bytes: int
    register_file_write_bytes: int
    l2_read_bytes: int
    l2_write_bytes: int
    hbm_read_bytes: int
    hbm_write_bytes: int
    metadata_bytes: int  # 2:4 metadata copied L2 -> shared memory (0 for dense)

    def to_dict(self) -> dict:
        return asdict(self)


def _register_file_per_step(plan: KernelPlan, dtype: NumericType,
                            config: STCConfig) -> tuple[int, int]:
    """(read, write) register-file bytes of one tile's main-loop step."""
    tile = plan.tile
    slice_m, slice_n = tile.m // tile.groups_m, tile.n // tile.groups_n
    inst_m, inst_n = min(config.mma_m, slice_m), min(config.mma_n, slice_n)
    inst_k = config.mma_k_bytes * 8 // dtype.bits * (SPARSE_K_FACTOR if plan.sparse else 1)
    instructions = (tile.groups_m * tile.groups_n * math.ceil(slice_m / inst_m)
                    * math.ceil(slice_n / inst_n) * math.ceil(plan.k_tile / inst_k))
    accumulator = inst_m * inst_n * ACCUMULATOR_BYTES
    if config.mma_operands_from_smem:
        return instructions * accumulator, instructions * accumulator
    a_bits = nm_bits_per_dense_element(dtype.bits) if plan.sparse else dtype.bits
    operands = math.ceil(inst_m * inst_k * a_bits / 8) + inst_k * inst_n * dtype.bits // 8
    return (instructions * (operands + accumulator),
            instructions * accumulator + plan.smem_read_bytes_per_step)


def access_counts(plan: KernelPlan, counters: KernelCounters, dtype: NumericType,
                  config: STCConfig) -> AccessCounts:
    """The counts of one kernel run (`counters`) of `plan`."""
    tiles = int(counters.sm_tiles.sum())
    steps = counters.steps
    c_bytes = tiles * plan.c_bytes_per_tile
    rf_read, rf_write = _register_file_per_step(plan, dtype, config)
    accumulators_out = tiles * plan.tile.m * plan.tile.n * ACCUMULATOR_BYTES
    smem_main_read = steps * plan.smem_read_bytes_per_step
    smem_main_write = steps * plan.smem_write_bytes_per_step
    misses = counters.l2_cache.miss_bytes
    kept_per_step = plan.tile.m * plan.k_tile // 2 if plan.sparse else 0
    return AccessCounts(
        tensor_core_macs=steps * plan.macs_per_step // (SPARSE_K_FACTOR if plan.sparse else 1),
        mac_operand_bits=dtype.bits,
        mac_dtype=dtype.name,
        smem_read_bytes=smem_main_read + c_bytes,
        smem_write_bytes=smem_main_write + c_bytes,
        smem_read_wavefronts=(smem_main_read * plan.smem_read_conflict_factor
                              + c_bytes) / WAVEFRONT_BYTES,
        smem_write_wavefronts=(smem_main_write * plan.smem_write_conflict_factor
                               + c_bytes) / WAVEFRONT_BYTES,
        register_file_read_bytes=steps * rf_read + accumulators_out,
        register_file_write_bytes=steps * rf_write,
        l2_read_bytes=steps * (plan.a_bytes_per_step + plan.b_bytes_per_step)
        + plan.reduction_read_bytes,
        l2_write_bytes=misses + c_bytes + plan.reduction_write_bytes,
        hbm_read_bytes=misses + plan.reduction_read_bytes,
        hbm_write_bytes=c_bytes + plan.reduction_write_bytes,
        metadata_bytes=steps * math.ceil(kept_per_step * METADATA_BITS_PER_KEPT_VALUE / 8),
    )
