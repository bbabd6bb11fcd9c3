"""What an accelerator's command-line adapter provides."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sparsesim.accelerators.protocol import Design
from sparsesim.cli.sweep_hooks import SweepHooks


@dataclass(frozen=True)
class CommandOutput:
    """The result of one `sparsesim --accel NAME` run, ready for the CLI to emit."""

    text: str  # the table printed to stdout
    document: dict[str, Any]  # what --json writes
    ok: bool  # every output_ok true
    figure: Callable[[], Any] | None = None  # builds the --plot figure (matplotlib)
    trace: dict[str, Any] | None = None  # the --trace document (Chrome trace-event JSON)


@dataclass(frozen=True)
class AcceleratorCommand:
    """One accelerator as the CLI sees it: its library design plus its flags."""

    design: Design
    workloads: tuple[str, ...]  # for --list
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], CommandOutput]
    # for `sparsesim sweep`; the defaults sweep any design, compiling at every point
    sweep: SweepHooks = field(default_factory=SweepHooks)
    traceable: bool = False  # its run honours --trace (fills CommandOutput.trace)

    @property
    def description(self) -> str:
        return self.design.description

    @property
    def engines(self) -> tuple[str, ...]:
        """Simulation engines; the first is the default."""
        return self.design.engines

    @property
    def presets(self) -> tuple[str, ...]:
        return tuple(self.design.presets)
