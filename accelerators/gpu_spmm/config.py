"""The GPU (an stc GPU config: SMs, tensor cores, L2, HBM, shared memory) plus what the
sparse kernels need beyond it: the CUDA cores and load/store units, and each kernel's
tiling.

Sources: "A100 WP" / "V100 WP" are NVIDIA's A100 (2020) and Volta V100 (2017)
architecture whitepapers; "Gale" is Gale et al., "Sparse GPU Kernels for Deep
Learning", SC 2020 (Sputnik); "cuSPARSE" is NVIDIA's cuSPARSE documentation. "not
published: our choice" marks values no public source gives.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from sparsesim.accelerators.stc.config import A100, H100, STCConfig, TileShape
from sparsesim.simulator.errors import ConfigError

V100 = STCConfig(
    name="v100",
    num_sms=80,  # V100 WP: 80 SMs (Tesla V100 SXM2)
    fp16_fma_per_clk_per_tc=64,  # V100 WP: each tensor core 64 FMA per clock
    tensor_cores_per_sm=8,  # V100 WP: 8 tensor cores per SM
    clock_mhz=1530.0,  # V100 WP: boost clock 1530 MHz
    hbm_bytes_per_s=900e9,  # V100 WP: HBM2 900 GB/s
    l2_bytes=6 * 2**20,  # V100 WP: 6 MB L2
    l2_bytes_per_clk=2048.0,  # not published by NVIDIA: our choice (~3.1 TB/s at 1530 MHz)
    smem_bytes_per_sm=96 * 2**10,  # V100 WP: up to 96 KB shared memory per SM
    k_tile_bytes=64,  # as A100; not published: our choice
    tiles=(TileShape(128, 128, 2, 2), TileShape(64, 128, 2, 2), TileShape(64, 64, 2, 2)),
    sparse_tiles=(TileShape(128, 128, 2, 2),),  # unused: V100 has no 2:4 kernel (below)
    sparse_rate_multiplier=1,  # V100 WP: no sparse tensor cores (the 2:4 kernel is refused)
    register_file_bytes_per_sm=256 * 2**10,  # V100 WP: 256 KB register file per SM
)


@dataclass(frozen=True)
class SpmmConfig:
    """One GPU and the sparse kernels' parameters. Rates per clock of gpu.clock_mhz."""

    name: str
    gpu: STCConfig
    cuda_fma_per_clk_per_sm: int = 64  # A100 WP / V100 WP: 64 FP32 cores per SM
    warp_schedulers_per_sm: int = 4  # A100 WP / V100 WP: 4 partitions, 1 warp-instruction/clk each
    lsu_lanes_per_sm: int = 32  # A100 WP / V100 WP: 8 LD/ST units per partition
    warp_size: int = 32  # CUDA guide
    max_warps_per_sm: int = 64  # A100 WP / V100 WP: 64 resident warps per SM
    sector_bytes: int = 32  # L1/L2 access granularity (CUDA guide: 32-byte sectors)
    vector_bytes: int = 16  # widest load per thread, 128 bits (Gale: vector memory instructions)
    cvt_per_fma: int = 1  # fp16 -> fp32 conversions per CUDA-core FMA; not published: our choice
    csr_rows_per_cta: int = 4  # csr-rowsplit: one warp per row, 4 warps per CTA; our choice
    csr_tile_n: int = 32  # csr-rowsplit: a warp covers 32 columns, one per thread; our choice
    sputnik_tile_n: int = 64  # Gale's code (sputnik/spmm/cuda_spmm.cu.cc): 64 columns when
    # N is a multiple of 64, fp16 (32 half2) and fp32 alike
    sputnik_subwarp: int = 8  # same source: kBlockWidth 8 threads per row of C
    sputnik_warps_per_cta: int = 1  # same source: kBlockItemsY 4 rows x 8 threads, one warp
    sputnik_block_k: int = 32  # Gale: row staged in shared memory this many nonzeros at a time
    sputnik_row_swizzle: bool = True  # Gale: rows sorted by length, dealt out in that order
    block_tile_n: int = 128  # blocked-ell / bsr: columns of C per CTA; not published: our choice
    block_warps_per_cta: int = 4  # bsr / blocked-ell: 2 x 2 warps per CTA; our choice
    block_side: int = 32  # bsr / blocked-ell tile side when the pattern has none; our choice
    index_bytes: int = 4  # int32 column indices and pointers (cuSPARSE)

    def __post_init__(self) -> None:
        for name in ("cuda_fma_per_clk_per_sm", "warp_schedulers_per_sm", "lsu_lanes_per_sm",
                     "warp_size", "max_warps_per_sm", "sector_bytes", "vector_bytes",
                     "csr_rows_per_cta", "csr_tile_n", "sputnik_tile_n", "sputnik_subwarp",
                     "sputnik_warps_per_cta", "sputnik_block_k",
                     "block_tile_n", "block_warps_per_cta", "block_side", "index_bytes"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"{self.name} config: {name} must be a whole number >= 1, "
                                  f"got {value!r}")
        if self.cvt_per_fma < 0:
            raise ConfigError(f"{self.name} config: cvt_per_fma must be >= 0")
        if self.warp_size % self.sputnik_subwarp or (
                self.sputnik_tile_n * 2) % (self.sputnik_subwarp * self.vector_bytes):
            raise ConfigError(f"{self.name} config: sputnik_subwarp must divide the warp "
                              f"({self.warp_size} threads) and sputnik_tile_n must give each "
                              f"of its threads whole {self.vector_bytes}-byte vectors of fp16; "
                              f"got subwarp {self.sputnik_subwarp}, tile {self.sputnik_tile_n}")
        if self.csr_rows_per_cta > self.max_warps_per_sm or (
                self.sputnik_warps_per_cta > self.max_warps_per_sm):
            raise ConfigError(f"{self.name} config: a CTA cannot have more warps than an SM "
                              f"holds ({self.max_warps_per_sm})")

    @property
    def clock_hz(self) -> float:
        return self.gpu.clock_hz

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["gpu"] = self.gpu.to_dict()
        return out


PRESETS: dict[str, SpmmConfig] = {
    "a100": SpmmConfig("a100", A100),
    "h100": SpmmConfig("h100", H100, cuda_fma_per_clk_per_sm=128,  # H100 WP: 128 FP32/SM
                       max_warps_per_sm=64),
    "v100": SpmmConfig("v100", V100),
}


def preset(name: str, **overrides: Any) -> SpmmConfig:
    if name not in PRESETS:
        raise ConfigError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return replace(PRESETS[name], **overrides)
