"""The mobile CPU PatDNN runs on, and which of PatDNN's code optimizations are on.

Default: the Snapdragon 855 that PatDNN evaluates on (Niu et al., ASPLOS 2020, Sec. 7),
modelled as its four big Kryo 485 Gold cores (Cortex-A76 derived) at the performance
cluster's clock. Sources: Snapdragon 855 cores and clocks (notebookcheck.net, "Qualcomm
Snapdragon 855 SoC", 1 prime core up to 2.84 GHz + 3 up to 2.42 GHz A76, 4 A55);
Cortex-A76 back end (AnandTech, "Arm's Cortex-A76 CPU Unveiled", 2018: two 128-bit
ASIMD pipes, two load/store pipes, load and store throughput 2 per cycle; 13-stage
pipeline, which bounds the mispredict penalty).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sparsesim.simulator.errors import ConfigError

SCHEMES = ("pattern", "csr", "dense")  # FKW pattern code; CSR sparse; dense im2col + GEMM


@dataclass(frozen=True)
class PatDNNConfig:
    scheme: str = "pattern"  # how the layer is encoded and run, one of SCHEMES
    reorder: bool = True  # filter kernel reorder (PatDNN Sec. 5.1); pattern scheme only
    lre: bool = True  # register load redundancy elimination (Sec. 5.3); needs reorder
    threads: int = 4  # one per big core: Snapdragon 855 has 1 + 3 Cortex-A76 (notebookcheck)
    clock_hz: float = 2.42e9  # performance-core clock, Hz (notebookcheck: up to 2.42 GHz)
    simd_lanes: int = 4  # fp32 lanes of a 128-bit NEON register (AnandTech, A76)
    fma_pipes: int = 2  # vector FMAs issued per cycle per core (AnandTech: 2 ASIMD pipes)
    load_ports: int = 2  # loads issued per cycle per core (AnandTech: throughput 2)
    store_ports: int = 2  # stores issued per cycle per core (AnandTech: throughput 2)
    # cycles lost per pattern dispatch (indirect branch to the pattern's code, assumed
    # mispredicted at every change of pattern); A76 pipeline depth 13 (AnandTech) minus
    # the 2 fetch stages a redirect skips: our estimate
    mispredict_cycles: int = 11
    filter_block: int = 4  # filters computed together under LRE (registers); our choice
    l1_bytes: int = 64 * 1024  # L1 data cache per core, energy only (Cortex-A76: 64 KiB)

    def __post_init__(self) -> None:
        if self.scheme not in SCHEMES:
            raise ConfigError(f"patdnn config: scheme must be one of {', '.join(SCHEMES)}, "
                              f"got {self.scheme!r}")
        for name in ("threads", "simd_lanes", "fma_pipes", "load_ports", "store_ports",
                     "filter_block", "l1_bytes"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ConfigError(f"patdnn config: {name} must be a whole number >= 1, "
                                  f"got {value!r}")
        if not isinstance(self.mispredict_cycles, int) or self.mispredict_cycles < 0:
            raise ConfigError("patdnn config: mispredict_cycles must be a whole number >= 0")
        if not self.clock_hz > 0:
            raise ConfigError(f"patdnn config: clock_hz must be > 0, got {self.clock_hz}")
        if self.scheme != "pattern" and (self.reorder or self.lre):
            raise ConfigError(f"patdnn config: reorder and lre are pattern-scheme "
                              f"optimizations; with scheme={self.scheme!r} set reorder=False "
                              "and lre=False")
        if self.lre and not self.reorder:
            raise ConfigError("patdnn config: lre shares loads between reordered filters; "
                              "set reorder=True or lre=False")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


SNAPDRAGON_855 = PatDNNConfig()

# Presets: PatDNN as published first, then the ablation of its optimizations in order
# (benchmarks/patdnn_ablation.py runs them all)
PRESETS = {
    "snapdragon855": SNAPDRAGON_855,
    "dense-im2col": PatDNNConfig(scheme="dense", reorder=False, lre=False),
    "csr": PatDNNConfig(scheme="csr", reorder=False, lre=False),
    "pattern": PatDNNConfig(scheme="pattern", reorder=False, lre=False),
    "pattern+reorder": PatDNNConfig(scheme="pattern", reorder=True, lre=False),
}
ABLATION = ("dense-im2col", "csr", "pattern", "pattern+reorder", "snapdragon855")
