"""Accelerators the CLI can run, by --accel name."""

from accelerators.commands import eie, stc
from accelerators.commands.base import AcceleratorCommand

ACCELERATORS: dict[str, AcceleratorCommand] = {
    "eie": eie.COMMAND,
    "stc": stc.COMMAND,
}
