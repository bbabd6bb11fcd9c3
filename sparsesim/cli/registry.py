"""Accelerators the CLI can run, by --accel name: one adapter per registered design, in
the library registry's order."""

from sparsesim.accelerators.registry import DESIGNS
from sparsesim.cli import eie, ese, gpu_spmm, patdnn, pointacc, stc, torchsparse
from sparsesim.cli.base import AcceleratorCommand

_ADAPTERS = {c.COMMAND.design.name: c.COMMAND
             for c in (eie, ese, pointacc, stc, gpu_spmm, patdnn, torchsparse)}
ACCELERATORS: dict[str, AcceleratorCommand] = {name: _ADAPTERS[name] for name in DESIGNS}
