"""Accelerators the CLI can run, by --accel name."""

from accelerators.commands import eie, ese
from accelerators.commands.base import AcceleratorCommand

ACCELERATORS: dict[str, AcceleratorCommand] = {
    "eie": eie.COMMAND,
    "ese": ese.COMMAND,
}
