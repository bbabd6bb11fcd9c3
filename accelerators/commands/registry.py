"""Accelerators the CLI can run, by --accel name."""

from accelerators.commands import eie, ese, pointacc, stc
from accelerators.commands.base import AcceleratorCommand

ACCELERATORS: dict[str, AcceleratorCommand] = {
    "eie": eie.COMMAND,
    "ese": ese.COMMAND,
    "pointacc": pointacc.COMMAND,
    "stc": stc.COMMAND,
}
