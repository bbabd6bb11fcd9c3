"""TorchSparse's dataflow choices and the GPU it runs on.

The GPU is one of the sparse-tensor-core presets (accelerators/stc/config.py: A100,
H100, with their cited SM counts, tensor rates, HBM and L2 bandwidth and launch
overhead), imported, not copied. TorchSparse: Tang et al., "TorchSparse: Efficient
Point Cloud Inference Engine", MLSys 2022, arXiv 2204.10319 ("TorchSparse" below).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sparsesim.accelerators.stc.config import PRESETS as GPU_PRESETS
from sparsesim.accelerators.stc.config import STCConfig
from sparsesim.simulator.errors import ConfigError

GROUPINGS = ("adaptive", "separate", "padded")


@dataclass(frozen=True)
class TorchSparseConfig:
    gpu: str = "a100"  # a GPU preset of accelerators/stc/config.py
    # How the 27 offsets' matmuls are batched (TorchSparse Sec. 4.1): "separate" = one
    # matmul per offset; "padded" = all offsets padded to the largest map, one batched
    # matmul; "adaptive" = offsets grouped by map size (rule in grouping.py)
    grouping: str = "adaptive"
    # adaptive: a group may hold at most this much padded (redundant) work per unit of
    # real work (TorchSparse's tolerance; its value is not given in what we read: our choice)
    epsilon: float = 0.5
    # adaptive: offsets whose map has at least this many rows run alone (TorchSparse's
    # workload threshold; value not published in what we read: our choice)
    mm_threshold_rows: int = 16384
    # locality-aware fused gather and scatter: one kernel each per layer, every input row
    # read once and every output row written once (TorchSparse Sec. 4.2)
    fused_gather_scatter: bool = True
    feature_bytes: int = 2  # fp16 features and weights (TorchSparse runs FP16)
    map_entry_bytes: int = 4  # one int32 row index per map entry per side; our encoding
    sector_bytes: int = 32  # GPU memory access granularity (CUDA guide: 32-byte sectors)
    key_bytes: int = 8  # one packed coordinate key (PointAcc's packing)
    hash_load_factor: float = 0.5  # GPU hash table fill; not published: our choice

    def __post_init__(self) -> None:
        if self.gpu not in GPU_PRESETS:
            raise ConfigError(f"torchsparse config: gpu must be one of "
                              f"{', '.join(GPU_PRESETS)}, got {self.gpu!r}")
        if self.grouping not in GROUPINGS:
            raise ConfigError(f"torchsparse config: grouping must be one of "
                              f"{', '.join(GROUPINGS)}, got {self.grouping!r}")
        if not self.epsilon >= 0:
            raise ConfigError(f"torchsparse config: epsilon must be >= 0, got {self.epsilon}")
        if not 0 < self.hash_load_factor <= 1:
            raise ConfigError("torchsparse config: hash_load_factor must be in (0, 1]")
        for name in ("mm_threshold_rows", "feature_bytes", "map_entry_bytes", "sector_bytes",
                     "key_bytes"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"torchsparse config: {name} must be a whole number >= 1, "
                                  f"got {value!r}")

    @property
    def gpu_config(self) -> STCConfig:
        return GPU_PRESETS[self.gpu]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


TORCHSPARSE_A100 = TorchSparseConfig()
PRESETS = {
    "a100": TORCHSPARSE_A100,
    "h100": TorchSparseConfig(gpu="h100"),
    "a100-separate": TorchSparseConfig(grouping="separate"),
    "a100-padded": TorchSparseConfig(grouping="padded"),
    "a100-unfused": TorchSparseConfig(fused_gather_scatter=False),
}
