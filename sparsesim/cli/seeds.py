"""`--seeds K` for comparison commands: run seeds SEED .. SEED+K-1 and report every figure
as the mean and the half width of its 95% Student-t interval over them
(workloads/pruning/seed_stats.py), and differences between methods paired by seed."""

from __future__ import annotations

import argparse
from collections.abc import Sequence

from sparsesim.cli.parser import positive_int
from sparsesim.workloads.pruning.seed_stats import Interval, mean_ci95


def add_seeds_flag(parser: argparse.ArgumentParser, default: int = 1) -> None:
    parser.add_argument("--seeds", type=positive_int, default=default, metavar="K",
                        help="run seeds SEED .. SEED+K-1 and report the mean and 95%% interval "
                             f"over them (default {default})")


def seed_list(args: argparse.Namespace) -> list[int]:
    return list(range(args.seed, args.seed + args.seeds))


def over_seeds(values: Sequence[float | None]) -> Interval | None:
    """Mean and 95% interval, or None when any seed has no value (e.g. not simulated)."""
    if not values or any(v is None for v in values):
        return None
    return mean_ci95([float(v) for v in values])


def paired(first: Sequence[float], second: Sequence[float]) -> Interval:
    """first - second per seed, then mean and 95% interval: resolved when it excludes 0."""
    return mean_ci95([a - b for a, b in zip(first, second)])


def verdict(difference: Interval, better: str, worse: str) -> str:
    """Which side the paired difference (better - worse) favours, or that it is unresolved."""
    if difference.n < 2:
        return "one seed: no interval, nothing resolved"
    if difference.low > 0:
        return f"{better} ahead (interval above 0)"
    if difference.high < 0:
        return f"{worse} ahead (interval below 0)"
    return "not resolved (interval holds 0)"


def interval_dict(interval: Interval | None, unit: str) -> dict[str, float | int] | None:
    return None if interval is None else interval.to_dict(unit)
