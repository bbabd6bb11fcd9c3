"""What a sparse kernel model hands to the run: its CTAs' work in grid order, how
many fit on an SM, and its whole-chip event counts (the energy is made from these)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class KernelCounts:
    """Events of one kernel, whole chip. Bytes are bytes."""

    fma_lanes: int  # CUDA-core FMAs executed (fp32, active lanes)
    tensor_macs: int  # tensor-core MACs executed (padding of blocks and MMA shapes included)
    warp_instructions: int
    lsu_lane_ops: int  # lanes of memory instructions
    l1_bytes: int  # L1 / shared-memory bytes read and written (one SRAM on A100/V100)
    l2_read_bytes: int
    hbm_read_bytes: int  # the encoded A and B once, from HBM
    c_bytes: int  # C written (to L2 and HBM)
    register_file_bytes: int  # read + written
    index_bytes: int  # column indices / block pointers read from L2

    def to_dict(self) -> dict[str, int]:
        return {k: int(v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class KernelWork:
    cta_work: np.ndarray  # int64 SM-cycles per CTA (sm_model), grid order
    cta_useful_macs: np.ndarray  # multiply-accumulates on A's nonzeros, per CTA
    cta_executed_macs: np.ndarray  # lanes / MMA slots the CTA's math instructions occupy
    slots_per_sm: int
    counts: KernelCounts
    limiter_share: dict[str, float]  # fraction of CTAs each resource limits
    a_bytes: int  # the sparse operand as this kernel stores it
    details: dict[str, Any] = field(default_factory=dict)


def useful_share(work: KernelWork) -> np.ndarray:
    """Per CTA, the fraction of its math on A's nonzeros (the rest runs on zeros: padding
    slots, zeros inside stored blocks, instruction-shape padding, idle lanes)."""
    executed = np.maximum(work.cta_executed_macs, 1)
    return np.minimum(1.0, work.cta_useful_macs / executed)


def limiter_shares(limiter: np.ndarray, weights: np.ndarray, names: tuple[str, ...]
                   ) -> dict[str, float]:
    """Fraction of CTA cycles whose CTA is limited by each resource."""
    total = float(weights.sum()) or 1.0
    return {name: float(weights[limiter == i].sum()) / total for i, name in enumerate(names)
            if np.any(limiter == i)}
