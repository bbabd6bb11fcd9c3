"""Accelerators the CLI can run, by --accel name."""

from sparsesim.cli import eie, ese, patdnn, pointacc, stc, torchsparse
from sparsesim.cli.base import AcceleratorCommand

ACCELERATORS: dict[str, AcceleratorCommand] = {
    "eie": eie.COMMAND,
    "ese": ese.COMMAND,
    "patdnn": patdnn.COMMAND,
    "pointacc": pointacc.COMMAND,
    "stc": stc.COMMAND,
    "torchsparse": torchsparse.COMMAND,
}
