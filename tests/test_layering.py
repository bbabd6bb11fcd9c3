"""Nothing flows backwards: only sparsesim/cli/ parses flags, prints or imports the CLI;
the CLI's accelerators are exactly the library's registry."""

from __future__ import annotations

import re
from pathlib import Path

from sparsesim.accelerators.registry import DESIGNS
from sparsesim.cli.registry import ACCELERATORS

ROOT = Path(__file__).resolve().parents[1]
LIBRARY = ("simulator", "accelerators", "workloads")
# Development-time converters that sit beside their data; the package never imports them.
CONVERTERS = "workloads/data/"
FORBIDDEN = re.compile(r"\bprint\(|\bargparse\b|sparsesim\.cli\b|\bsys\.argv\b")


def _library_files() -> list[Path]:
    files = [p for folder in LIBRARY for p in (ROOT / folder).rglob("*.py")]
    files += [p for p in (ROOT / "sparsesim").glob("*.py")]
    return [p for p in files if not p.relative_to(ROOT).as_posix().startswith(CONVERTERS)]


def test_no_library_module_prints_parses_flags_or_imports_the_cli():
    offenders = [f"{p.relative_to(ROOT)}:{number}"
                 for p in _library_files()
                 for number, line in enumerate(p.read_text().splitlines(), 1)
                 if FORBIDDEN.search(line.split("#")[0])]
    assert offenders == []


def test_the_grep_finds_a_print():
    assert FORBIDDEN.search("    print(x)") and FORBIDDEN.search("from sparsesim.cli import x")


def test_cli_accelerators_are_the_registry():
    assert list(ACCELERATORS) == list(DESIGNS)
