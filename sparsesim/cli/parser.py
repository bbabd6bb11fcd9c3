"""The one argument parser of the CLI and the argument types its flags share."""

from __future__ import annotations

import argparse
from typing import NoReturn

from sparsesim.simulator.errors import UserError


class Parser(argparse.ArgumentParser):
    """argparse that raises usage errors as UserError: one line, exit 2, no usage dump."""

    def error(self, message: str) -> NoReturn:
        raise UserError(message)


def _parsed(text: str, kind: type) -> float:
    try:
        return kind(text)
    except ValueError:
        name = "whole number" if kind is int else "number"
        raise argparse.ArgumentTypeError(f"must be a {name}, got {text!r}") from None


def positive_int(text: str) -> int:
    """argparse type: a whole number >= 1."""
    value = _parsed(text, int)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1, got {value}")
    return value


def positive_float(text: str) -> float:
    """argparse type: a number > 0."""
    value = _parsed(text, float)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be > 0, got {text}")
    return value


def fraction(text: str) -> float:
    """argparse type: a number in [0, 1)."""
    value = _parsed(text, float)
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(f"must be in [0, 1), got {text}")
    return value


def pair(text: str, sep: str) -> tuple[int, int]:
    """Two whole numbers >= 1 written as A<sep>B."""
    parts = text.split(sep)
    if len(parts) != 2 or not all(p.isdigit() and int(p) > 0 for p in parts):
        raise argparse.ArgumentTypeError(f"must be two whole numbers >= 1 as A{sep}B, got {text!r}")
    return int(parts[0]), int(parts[1])


PLOT_STYLES = ("paper", "slide")  # simulator.plots.STYLES, without importing matplotlib


def add_style_flag(parser: argparse.ArgumentParser) -> None:
    """--style for a command that writes PNGs."""
    parser.add_argument("--style", choices=PLOT_STYLES, default="paper",
                        help="figure style: paper (default) or slide (slide width, 16:9 or "
                             "taller, fonts of 14 pt or more, for projecting)")


def add_quiet_flag(parser: argparse.ArgumentParser) -> None:
    """--quiet for a command that shows progress bars."""
    parser.add_argument("--quiet", action="store_true",
                        help="no progress bars (they also stay off when stderr is not a "
                             "terminal)")
