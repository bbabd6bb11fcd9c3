"""Every accelerator design, by name. Adding a design: a subpackage with a `design.py`
defining `DESIGN` (see protocol.py), and one line here."""

from __future__ import annotations

from sparsesim.accelerators.eie.design import DESIGN as EIE
from sparsesim.accelerators.ese.design import DESIGN as ESE
from sparsesim.accelerators.gpu_spmm.design import DESIGN as GPU_SPMM
from sparsesim.accelerators.patdnn.design import DESIGN as PATDNN
from sparsesim.accelerators.pointacc.design import DESIGN as POINTACC
from sparsesim.accelerators.protocol import Design
from sparsesim.accelerators.stc.design import DESIGN as STC
from sparsesim.accelerators.torchsparse.design import DESIGN as TORCHSPARSE
from sparsesim.simulator.errors import ConfigError

DESIGNS: dict[str, Design] = {d.name: d for d in (EIE, ESE, STC, POINTACC, GPU_SPMM, PATDNN,
                                                  TORCHSPARSE)}


def design(name: str) -> Design:
    """The design called `name`, or a ConfigError listing the names."""
    if name not in DESIGNS:
        raise ConfigError(f"unknown accelerator {name!r}; choose one of {', '.join(DESIGNS)}")
    return DESIGNS[name]
