"""Accelerators the CLI can run, by --accel name: one adapter per registered design, in
the library registry's order. Each adapter is the COMMAND of the module sparsesim.cli.NAME
(NAME with - as _), imported when first looked up, so a run loads only its own design's
command-line code."""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping

from sparsesim.accelerators.registry import DESIGNS
from sparsesim.cli.base import AcceleratorCommand


class _Adapters(Mapping[str, AcceleratorCommand]):
    """Design name -> its command-line adapter, imported on first use."""

    def __getitem__(self, name: str) -> AcceleratorCommand:
        if name not in DESIGNS:
            raise KeyError(name)
        command = importlib.import_module(f"sparsesim.cli.{name.replace('-', '_')}").COMMAND
        if command.design.name != name:
            raise RuntimeError(f"sparsesim.cli adapter for {name!r} runs "
                               f"{command.design.name!r}")
        return command

    def __iter__(self) -> Iterator[str]:
        return iter(DESIGNS)

    def __len__(self) -> int:
        return len(DESIGNS)


ACCELERATORS: Mapping[str, AcceleratorCommand] = _Adapters()
