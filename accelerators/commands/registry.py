"""Accelerators the CLI can run, by --accel name."""

from accelerators.commands import eie, pointacc
from accelerators.commands.base import AcceleratorCommand

ACCELERATORS: dict[str, AcceleratorCommand] = {
    "eie": eie.COMMAND,
    "pointacc": pointacc.COMMAND,
}
