"""Sparse tensor core GPU parameters: NVIDIA A100 and H100 presets.

Sources: "README" is /work/shared/reference/README.md (NVIDIA A100 whitepaper 2020 and
H100 figures); "A100 WP" is the NVIDIA A100 Tensor Core GPU Architecture whitepaper
(2020) and "H100 WP" the NVIDIA H100 Tensor Core GPU Architecture whitepaper (2022) for
figures that README does not list; "CUDA guide" is the CUDA C++ Programming Guide
(shared memory banks); "PTX ISA" is NVIDIA's PTX ISA manual (MMA instruction shapes);
"CUTLASS gen" is CUTLASS's python/cutlass_library/generator.py (GenerateSM80_TensorOp_16816
and GenerateSM80_SparseTensorOp_16832: the public Ampere dense and sparse tile menus; cuBLAS's
and cuSPARSELt's own menus are not published, so ours are subsets of CUTLASS's).
"not published: our choice" marks values no public source gives; each is a field so a
sweep can vary it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from typing import Any

from sparsesim.simulator.errors import ConfigError
from sparsesim.simulator.validate import (
    MAX_CLOCK_MHZ,
    MAX_LATENCY_CYCLES,
    MAX_PES,
    MIN_CLOCK_MHZ,
    check_flag,
    check_real,
    check_whole,
)

MAX_TILE_EDGE = 4096  # elements of a thread-block tile edge; not published: our bound


@dataclass(frozen=True)
class TileShape:
    """A thread-block tile of C, m x n elements, computed by groups_m x groups_n operand
    groups (warps on A100, warpgroups on H100); each group reads its own slice of A
    (m / groups_m rows) and of B (n / groups_n columns) from shared memory every step."""

    m: int
    n: int
    groups_m: int
    groups_n: int

    def __post_init__(self) -> None:
        check_whole("tile", self, ("m", "n", "groups_m", "groups_n"), high=MAX_TILE_EDGE)
        if self.m % self.groups_m or self.n % self.groups_n:
            raise ConfigError(f"tile {self.m}x{self.n}: groups {self.groups_m}x{self.groups_n} "
                              "must divide it evenly")

    def label(self) -> str:
        return f"{self.m}x{self.n}"


@dataclass(frozen=True)
class STCConfig:
    """One GPU. Rates are per clock of `clock_mhz`; sizes in bytes."""

    name: str
    num_sms: int
    fp16_fma_per_clk_per_tc: int  # dense FP16/BF16 multiply-accumulates per clock per TC
    clock_mhz: float
    hbm_bytes_per_s: float
    l2_bytes: int
    l2_bytes_per_clk: float  # L2 read bandwidth, whole chip
    smem_bytes_per_sm: int  # most shared memory one thread block may use
    k_tile_bytes: int  # bytes of K per main-loop step, per operand row (dense kernels)
    tiles: tuple[TileShape, ...]  # the dense library's menu of thread-block tiles
    sparse_tiles: tuple[TileShape, ...]  # the sparse library's menu of thread-block tiles
    dense_split_k: tuple[int, ...] = (1, 2, 4, 8, 16)  # K slices the dense library may use
    # (cuBLAS picks split-K for small M x N, large K; its factors are not published: our choice)
    sparse_split_k: tuple[int, ...] = (1,)  # PyTorch calls cuSPARSELt with split_k=1 (the
    # default of torch._cslt_sparse_mm: alg_id=0, split_k=1, in native_functions.yaml)
    sparse_k_tile_bytes: int | None = None  # sparse kernels' K step (None: k_tile_bytes)
    sparse_fp16_fma_per_clk_per_tc: int | None = None  # dense-K rate of the sparse MMA path
    # before the 2:4 doubling (None: fp16_fma_per_clk_per_tc, the dense rate)
    dense_host_us_per_call: float = 0.0  # host time per dense call (0: cuBLAS launch only)
    sparse_host_us_per_call: float = 0.0  # host time per sparse call; 0: the plan is made once
    # and reused, as the cuSPARSELt docs intend (plan init, then many cusparseLtMatmul calls)
    tensor_cores_per_sm: int = 4  # README (A100 and H100: 4 per SM)
    int8_rate_multiplier: int = 2  # README: INT8 624 TOPS vs FP16 312 TFLOPS dense
    sparse_rate_multiplier: int = 2  # README: 2:4 runs the math at twice the dense rate
    smem_banks: int = 32  # CUDA guide: 32 banks
    smem_bank_bytes: int = 4  # CUDA guide: successive 32-bit words in successive banks
    smem_swizzle: bool = True  # XOR-swizzled tiles (CUTLASS practice); not published: our choice
    pipeline_stages: int = 4  # software pipeline depth (smem buffers); not published: our choice
    raster_band_tiles: int = 8  # blocks are issued in bands this many tile columns wide,
    # walking M inside a band (CUTLASS gen: SwizzlingFunctor.Identity8, its default; 1 =
    # plain raster along M)
    l2_latency_cycles: int = 200  # L2 hit latency; not published: our choice (microbenchmark order)
    hbm_latency_cycles: int = 500  # DRAM latency; not published: our choice (microbenchmark order)
    launch_overhead_us: float = 2.0  # kernel launch + block dispatch; not published: our choice
    # Energy-only fields (they change no cycle count):
    mma_m: int = 16  # PTX ISA: mma.sync m16n8k16 (fp16/bf16), m16n8k32 (int8): 16 rows of A
    mma_n: int = 8  # PTX ISA: same instructions, 8 columns of B
    mma_k_bytes: int = 32  # PTX ISA: K of 16 fp16 / 32 int8 = 32 bytes per dense instruction
    mma_operands_from_smem: bool = False  # A100: mma.sync reads A and B from registers (PTX ISA)
    register_file_bytes_per_sm: int = 256 * 2**10  # A100 WP: 256 KB register file per SM
    register_file_banks_per_sm: int = 4  # A100 WP: 4 SM partitions, 64 KB register file each
    l2_array_bytes: int = 2**20  # SRAM array one L2 access reaches; not published: our choice
    # (the table's largest SRAM, 1 MiB: a 40 MB L2 is built of many arrays, an access reads one)

    def __post_init__(self) -> None:
        owner = str(self.name)
        check_whole(owner, self, ("num_sms",), high=MAX_PES)
        check_whole(owner, self, ("fp16_fma_per_clk_per_tc", "smem_bytes_per_sm", "k_tile_bytes",
                                  "tensor_cores_per_sm", "int8_rate_multiplier",
                                  "sparse_rate_multiplier", "smem_banks", "smem_bank_bytes",
                                  "pipeline_stages", "raster_band_tiles", "mma_m", "mma_n",
                                  "mma_k_bytes",
                                  "register_file_bytes_per_sm", "register_file_banks_per_sm",
                                  "l2_bytes", "l2_array_bytes"))
        check_whole(owner, self, ("l2_latency_cycles", "hbm_latency_cycles"), low=0,
                    high=MAX_LATENCY_CYCLES)
        check_real(owner, self, ("clock_mhz",), MIN_CLOCK_MHZ, MAX_CLOCK_MHZ, low_open=False)
        check_real(owner, self, ("hbm_bytes_per_s", "l2_bytes_per_clk"))
        check_real(owner, self, ("launch_overhead_us", "dense_host_us_per_call",
                                  "sparse_host_us_per_call"), 0.0, 1e6, low_open=False)
        check_flag(owner, self, ("smem_swizzle", "mma_operands_from_smem"))
        if self.pipeline_stages < 2:
            raise ConfigError(f"{self.name} config: pipeline_stages must be >= 2 (one buffer "
                              f"loading while one computes), got {self.pipeline_stages}")
        for name in ("sparse_k_tile_bytes", "sparse_fp16_fma_per_clk_per_tc"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ConfigError(f"{self.name} config: {name} must be None or a whole "
                                  f"number >= 1, got {value!r}")
        for name, value in (("k_tile_bytes", self.k_tile_bytes),
                            ("sparse_k_tile_bytes", self.sparse_k_step_bytes)):
            if value % 32:
                raise ConfigError(f"{self.name} config: {name} must be a multiple of 32 "
                                  f"(16-byte copies of the halved 2:4 rows), got {value}")
        for name in ("dense_split_k", "sparse_split_k"):
            factors = getattr(self, name)
            if not factors or any(not isinstance(f, int) or f < 1 for f in factors):
                raise ConfigError(f"{self.name} config: {name} must list whole numbers >= 1, "
                                  f"got {factors!r}")
        for menu, k_bytes in (("tiles", self.k_tile_bytes),
                              ("sparse_tiles", self.sparse_k_step_bytes)):
            if not getattr(self, menu):
                raise ConfigError(f"{self.name} config: give at least one tile in {menu}")
            for tile in getattr(self, menu):
                need = self.pipeline_stages * (tile.m + tile.n) * k_bytes
                if need > self.smem_bytes_per_sm:
                    raise ConfigError(
                        f"{self.name} config: {menu} tile {tile.label()} with "
                        f"{self.pipeline_stages} stages needs {need} bytes of shared memory, "
                        f"more than {self.smem_bytes_per_sm}; use fewer stages, a smaller tile "
                        "or a smaller K step")

    @property
    def clock_hz(self) -> float:
        return self.clock_mhz * 1e6

    @property
    def hbm_bytes_per_clk(self) -> float:
        return self.hbm_bytes_per_s / self.clock_hz

    @property
    def smem_bytes_per_clk(self) -> int:
        """Shared-memory bandwidth of one SM: one word per bank per clock."""
        return self.smem_banks * self.smem_bank_bytes

    @property
    def sparse_k_step_bytes(self) -> int:
        """Bytes of dense K per main-loop step of the sparse kernels."""
        return self.sparse_k_tile_bytes or self.k_tile_bytes

    def k_step_bytes(self, sparse: bool) -> int:
        return self.sparse_k_step_bytes if sparse else self.k_tile_bytes

    def host_cycles(self, sparse: bool) -> int:
        """Host time of one library call, in GPU clock cycles."""
        us = self.sparse_host_us_per_call if sparse else self.dense_host_us_per_call
        return round(us * self.clock_mhz)

    @property
    def launch_overhead_cycles(self) -> int:
        return round(self.launch_overhead_us * self.clock_mhz)

    def fma_per_clk_per_sm(self, integer: bool, sparse: bool) -> int:
        """Tensor-core multiply-accumulates per clock per SM, counted in dense-K terms
        (a sparse step covers twice the K of a dense one in the same time)."""
        base = self.fp16_fma_per_clk_per_tc
        if sparse and self.sparse_fp16_fma_per_clk_per_tc is not None:
            base = self.sparse_fp16_fma_per_clk_per_tc
        rate = self.tensor_cores_per_sm * base * (self.int8_rate_multiplier if integer else 1)
        return rate * (self.sparse_rate_multiplier if sparse else 1)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["tiles"] = [asdict(t) for t in self.tiles]
        out["sparse_tiles"] = [asdict(t) for t in self.sparse_tiles]
        return out


A100 = STCConfig(
    name="a100",
    num_sms=108,  # README: 108 SMs
    fp16_fma_per_clk_per_tc=256,  # README: 256 FP16 FMA per clock per tensor core
    clock_mhz=1410.0,  # README: boost clock 1410 MHz
    hbm_bytes_per_s=1.555e12,  # README: HBM2e ~1.55 TB/s (40 GB part; A100 WP: 1555 GB/s)
    l2_bytes=40 * 2**20,  # README: L2 40 MB
    l2_bytes_per_clk=5120.0,  # A100 WP: L2 read bandwidth 5120 B/clk (not in README)
    smem_bytes_per_sm=164 * 2**10,  # README: 164 KB shared memory per SM max
    k_tile_bytes=64,  # K step: 32 fp16 / 64 int8 (CUTLASS gen: SM80 dense K 32); our choice
    tiles=(  # CUTLASS gen SM80 16816 threadblock shapes and warp counts (a subset)
        TileShape(256, 128, 4, 2), TileShape(128, 256, 2, 4), TileShape(128, 128, 2, 2),
        TileShape(128, 64, 2, 2), TileShape(64, 128, 2, 2), TileShape(64, 64, 2, 2),
    ),
    sparse_tiles=(  # CUTLASS gen SM80 sparse 16832 threadblock shapes (a subset; no N < 64)
        TileShape(128, 256, 2, 4), TileShape(128, 128, 2, 2), TileShape(128, 64, 2, 2),
        TileShape(64, 64, 2, 2),
    ),
)

H100 = STCConfig(
    name="h100",
    num_sms=132,  # README: H100 SXM 132 SMs
    fp16_fma_per_clk_per_tc=512,  # README: per-SM dense tensor rate twice A100's per clock
    clock_mhz=1830.0,  # README: boost ~1.83-1.98 GHz; 1830 gives README's ~989 dense TFLOPS
    hbm_bytes_per_s=3.35e12,  # README: HBM3 ~3.35 TB/s
    l2_bytes=50 * 2**20,  # README: L2 50 MB
    l2_bytes_per_clk=5120.0 * 132 / 108,  # not published: our choice, A100's per-SM share x 132
    smem_bytes_per_sm=228 * 2**10,  # README: up to 228 KB shared memory per SM
    k_tile_bytes=128,  # K step: 64 fp16 / 128 int8 (Hopper wgmma); not published: our choice
    tiles=(  # warpgroups as groups; not published: our choice
        TileShape(128, 256, 1, 2), TileShape(128, 128, 2, 1),
        TileShape(64, 128, 1, 1), TileShape(64, 64, 1, 1),
    ),
    sparse_tiles=(  # wgmma.sp kernels (CUTLASS 3.x example 62_hopper_sparse_gemm, cuSPARSELt
        # >= 0.6); their menu is not published: our choice, the dense menu without 64x128
        TileShape(128, 256, 1, 2), TileShape(128, 128, 2, 1), TileShape(64, 64, 1, 1),
    ),
    mma_m=64,  # PTX ISA: wgmma m64nNk16 (fp16/bf16), m64nNk32 (int8)
    mma_n=128,  # PTX ISA: wgmma N up to 256; 128 fits every tile slice here (our choice)
    mma_k_bytes=32,  # PTX ISA: K of 16 fp16 / 32 int8
    mma_operands_from_smem=True,  # PTX ISA: wgmma reads B (and here A) from shared memory
    register_file_bytes_per_sm=256 * 2**10,  # H100 WP: 256 KB register file per SM
    register_file_banks_per_sm=4,  # H100 WP: 4 SM partitions
)

# H100 running Ampere sparse kernels recompiled for Hopper: what NVIDIA's CUTLASS maintainers
# said the sparse GEMMs were in early 2024 (NVIDIA/cutlass#1335), before Hopper-native sparse
# kernels: mma.sp.sync at the Ampere per-clock rate, Ampere tiles, K step and warps.
H100_SM80_SPARSE = replace(
    H100, name="h100-sm80sparse",
    sparse_tiles=A100.sparse_tiles,  # CUTLASS gen SM80 sparse tiles, as on A100
    sparse_k_tile_bytes=A100.k_tile_bytes,  # the Ampere kernels' K step
    sparse_fp16_fma_per_clk_per_tc=A100.fp16_fma_per_clk_per_tc,  # mma.sp.sync issues at
    # the Ampere per-SM rate; wgmma is needed for Hopper's doubled rate. Not published: our
    # choice (the instruction's Hopper throughput has no NVIDIA figure)
)

PRESETS: dict[str, STCConfig] = {"a100": A100, "h100": H100, "h100-sm80sparse": H100_SM80_SPARSE}


# How the GEMMs are called. "library": the plan is made once and reused (cuSPARSELt's
# intended use, the CUTLASS profiler, cuBLAS). "pytorch-cslt": PyTorch's
# torch._cslt_sparse_mm before its descriptor cache (pytorch/pytorch#177866, 2026) set up
# and tore down the cuSPARSELt descriptors and plan on every call; Nsight showed about
# 0.460 ms between kernel launches (H100). "pytorch-cutlass": PyTorch's CUTLASS 2:4 linear
# (aten/src/ATen/native/sparse/cuda/SparseSemiStructuredLinear.cu; SM80 only) launches one
# fixed fp16/bf16 kernel: threadblock 128x128x64 (K of 64 values = 128 bytes), 2x2 warps of
# 64x64, split_k_slices = 1. Dense calls go to cuBLAS with neither cost.
FRONTENDS: dict[str, dict[str, Any]] = {
    "library": {},
    "pytorch-cslt": {"sparse_host_us_per_call": 460.0},  # pytorch/pytorch#177866
    "pytorch-cutlass": {"sparse_tiles": (TileShape(128, 128, 2, 2),), "sparse_split_k": (1,),
                        "sparse_k_tile_bytes": 128},  # SparseSemiStructuredLinear.cu
}


def preset(name: str, **overrides: Any) -> STCConfig:
    """A preset by name, with fields replaced (e.g. launch_overhead_us=0)."""
    if name not in PRESETS:
        raise ConfigError(f"unknown preset {name!r}; choose one of {', '.join(PRESETS)}")
    return replace(PRESETS[name], **overrides)


def with_frontend(config: STCConfig, frontend: str) -> STCConfig:
    """`config` called through front end `frontend` (a FRONTENDS name)."""
    if frontend not in FRONTENDS:
        raise ConfigError(f"unknown front end {frontend!r}; choose one of {', '.join(FRONTENDS)}")
    return replace(config, **FRONTENDS[frontend])
