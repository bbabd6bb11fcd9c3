"""Accelerators the CLI can run, by --accel name."""

from sparsesim.cli import eie, ese, gpu_spmm, pointacc, stc
from sparsesim.cli.base import AcceleratorCommand

ACCELERATORS: dict[str, AcceleratorCommand] = {
    "eie": eie.COMMAND,
    "ese": ese.COMMAND,
    "gpu-spmm": gpu_spmm.COMMAND,
    "pointacc": pointacc.COMMAND,
    "stc": stc.COMMAND,
}
