"""The one argument parser of the CLI and the argument types its flags share."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from sparsesim.simulator.errors import UserError


class Parser(argparse.ArgumentParser):
    """argparse that raises usage errors as UserError: one line, exit 2, no usage dump,
    and refuses a flag given where it does not apply (`only_with`) instead of ignoring it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._conditions: list[tuple[str, str, str, tuple[Any, ...]]] = []

    def error(self, message: str) -> NoReturn:
        raise UserError(message)

    def only_with(self, flag: str, other: str, *values: Any) -> None:
        """Refuse `flag` when given on the command line while `other` (a flag) is not one
        of `values`, e.g. only_with("--nm", "--method", "nm"); with no values, while
        `other` is not given at all."""
        self._conditions.append((flag, self._dest(flag), other, values))

    def _dest(self, flag: str) -> str:
        return next(a.dest for a in self._actions if flag in a.option_strings)

    def given(self, argv: Sequence[str] | None) -> set[str]:
        """Destinations of the flags `argv` sets explicitly (not left at their default)."""
        saved = [(action, action.default) for action in self._actions]
        saved_defaults, self._defaults = self._defaults, {}
        try:
            for action, _ in saved:
                action.default = argparse.SUPPRESS
            return set(vars(super().parse_args(argv)))
        finally:
            for action, default in saved:
                action.default = default
            self._defaults = saved_defaults

    def parse_args(self, args: Sequence[str] | None = None,  # type: ignore[override]
                   namespace: argparse.Namespace | None = None) -> argparse.Namespace:
        parsed = super().parse_args(args, namespace)
        if self._conditions:
            given = self.given(args)
            for flag, dest, other, values in self._conditions:
                value = getattr(parsed, self._dest(other))
                if dest not in given or (value in values if values else value is not None):
                    continue
                if not values:
                    raise UserError(f"{flag} applies only with {other}; add {other} or "
                                    f"drop {flag}")
                allowed = " or ".join(f"{other} {v}" for v in values)
                raise UserError(f"{flag} applies only with {allowed} (this run has "
                                f"{other} {value}); drop {flag} or change {other}")
        return parsed


MAX_WHOLE = 2**31 - 1  # largest whole-number flag value; bigger ones are typos


def _parsed(text: str, kind: type) -> float:
    """`text` as an int or a finite, normal float; anything else is refused."""
    name = "whole number" if kind is int else "number"
    try:
        value = kind(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a {name}, got {text!r}") from None
    if kind is int and abs(value) > MAX_WHOLE:
        raise argparse.ArgumentTypeError(f"must be at most {MAX_WHOLE}, got {text}")
    if kind is float and not (math.isfinite(value)
                              and (value == 0 or abs(value) >= sys.float_info.min)):
        raise argparse.ArgumentTypeError(f"must be a finite {name} (not inf, nan or a "
                                         f"subnormal), got {text!r}")
    return value


def bounded(kind: type, rule: str, check: Callable[[Any], bool], doc: str
            ) -> Callable[[str], Any]:
    """An argparse type: `text` parsed as `kind` (see _parsed) that must pass `check`,
    else refused as "must be <rule>"."""

    def parse(text: str) -> Any:
        value = _parsed(text, kind)
        if not check(value):
            raise argparse.ArgumentTypeError(f"must be {rule}, got {text}")
        return value

    parse.__doc__ = f"argparse type: {doc}."
    return parse


positive_int = bounded(int, ">= 1", lambda v: v >= 1, "a whole number >= 1")
non_negative_int = bounded(int, ">= 0", lambda v: v >= 0,
                           "a whole number >= 0 (seeds, counts that may be zero)")
positive_float = bounded(float, "> 0", lambda v: v > 0, "a finite number > 0")
non_negative_float = bounded(float, ">= 0", lambda v: v >= 0,
                             "a finite number >= 0 (coefficients that may be off)")
fraction = bounded(float, "in [0, 1)", lambda v: 0 <= v < 1, "a number in [0, 1)")


def pair(text: str, sep: str) -> tuple[int, int]:
    """Two whole numbers >= 1 written as A<sep>B."""
    parts = text.split(sep)
    whole = all(p.isascii() and p.isdigit() and 0 < int(p) <= MAX_WHOLE for p in parts)
    if len(parts) != 2 or not whole:
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
