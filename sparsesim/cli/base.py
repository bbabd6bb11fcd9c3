"""What an accelerator's command-line adapter provides, and shared argument types."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


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
    """One accelerator as the CLI sees it."""

    description: str
    engines: tuple[str, ...]  # the first is the default
    presets: tuple[str, ...]  # choices of its --preset flag (empty: it has none)
    workloads: tuple[str, ...]  # for --list
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], CommandOutput]
    # For `sparsesim sweep` (None: the accelerator cannot be swept yet):
    sweep_config: Callable[[dict[str, Any]], Any] | None = None  # grid point -> Config
    sweep_run: Callable[..., list[Any]] | None = None  # (workload, config, *, engine, seed)
