"""Energy of a sparse kernel: its counts priced by the tensor-core GPU's energy rules
(accelerators/stc/energy.py, same technology table and per-event choices).

Mapping (our choices): CUDA-core FMAs are priced as MACs of 32-bit operands (fp16
operands converted to fp32, fp32 accumulation); tensor-core MACs as 16-bit ones; L1 /
shared-memory bytes at the shared-memory array's energy (one SRAM on A100 / V100);
register-file bytes per access; L2 reads are the copies, L2 writes the HBM fills and the
C stores; HBM reads the encoded A and B once, HBM writes C.
"""

from __future__ import annotations

from typing import Any

from sparsesim.accelerators.gpu_spmm.config import SpmmConfig
from sparsesim.accelerators.gpu_spmm.work import KernelCounts
from sparsesim.accelerators.stc.counts import WAVEFRONT_BYTES, AccessCounts
from sparsesim.accelerators.stc.energy import energy_breakdown_pj
from sparsesim.simulator.energy import TechTable, energy_fields

CUDA_CORE_OPERAND_BITS = 32
TENSOR_CORE_OPERAND_BITS = 16


def kernel_energy(counts: KernelCounts, config: SpmmConfig, seconds: float,
                  table: TechTable) -> dict[str, Any]:
    """Counts, energy breakdown (pJ), total (pJ) and power (W) of one kernel."""
    tensor = counts.tensor_macs > 0
    access = AccessCounts(
        tensor_core_macs=counts.tensor_macs if tensor else counts.fma_lanes,
        mac_operand_bits=TENSOR_CORE_OPERAND_BITS if tensor else CUDA_CORE_OPERAND_BITS,
        mac_dtype="fp16",  # floating point (the width is mac_operand_bits)
        smem_read_bytes=counts.l1_bytes, smem_write_bytes=0,
        smem_read_wavefronts=counts.l1_bytes / WAVEFRONT_BYTES, smem_write_wavefronts=0.0,
        register_file_read_bytes=counts.register_file_bytes, register_file_write_bytes=0,
        l2_read_bytes=counts.l2_read_bytes,
        l2_write_bytes=counts.hbm_read_bytes + counts.c_bytes,
        hbm_read_bytes=counts.hbm_read_bytes, hbm_write_bytes=counts.c_bytes,
        metadata_bytes=counts.index_bytes)
    parts = energy_breakdown_pj(access, config.gpu, seconds, table)
    return {"counts": counts.to_dict(), **energy_fields(parts, seconds)}
