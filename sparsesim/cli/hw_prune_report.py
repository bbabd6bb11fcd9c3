"""What `sparsesim prune --method netadapt|amc` prints and writes: one table per seed, the
JSON document (settings, every seed's run, the summary over seeds) and, with --seeds K,
the table of means and 95% intervals with the agent-vs-random-search verdict."""

from __future__ import annotations

import argparse
from typing import Any

from sparsesim.cli.seeds import interval_dict, over_seeds, paired, seed_list, verdict

SUMMARY_FIGURES = (("accuracy", "test_accuracy", "pct", 100.0),
                   ("latency_us", "latency", "us", 1.0),
                   ("macs", "nonzero_macs", "macs", 1.0))
FORMATS = {"pct": ".2f", "us": ".4f", "macs": ",.0f", "points": ".2f", "reward": ".4f"}


def replace_seed(args: argparse.Namespace, seed: int) -> argparse.Namespace:
    return argparse.Namespace(**{**vars(args), "seed": seed})


def _budget_line(args: argparse.Namespace, doc: dict[str, Any]) -> str:
    if doc["latency_budget_us"] is not None:
        return (f"budget {doc['latency_budget_us']:.4f} µs (dense {doc['dense_latency_us']:.4f} "
                f"µs, floor {doc['floor_latency_us']:.4f} µs), simulated per image")
    if doc["macs_budget"] is not None:
        return f"budget {doc['macs_budget']:,.0f} MACs per image (dense {doc['dense_macs']:,})"
    return f"reward -error x ln(MACs), no budget (dense {doc['dense_macs']:,} MACs)"


def _us(value: float | None) -> str:
    return f"{'-':>11s}" if value is None else f"{value:11.4f}"


def run_text(args: argparse.Namespace, doc: dict[str, Any], accelerator: str) -> str:
    """One seed's table: dense, the method and its baselines."""
    what = (f"amc ({args.reward} reward, {args.granularity} actions)" if args.method == "amc"
            else args.method)
    head = f"{'method':16s} {'latency_us':>11s} {'test_acc':>9s} {'macs':>9s}  pruned per layer"
    if doc["dense_latency_us"] is None:
        accelerator += " (latency not simulated: it runs fully connected layers only)"
    rows = [f"{args.model} on {args.dataset}, {what}, seed {doc['seed']}, on {accelerator}; "
            f"{_budget_line(args, doc)}", head, "-" * len(head),
            f"{'dense':16s} {_us(doc['dense_latency_us'])} {doc['dense_accuracy']:9.4f} "
            f"{doc['dense_macs']:9d}"]
    for entry in [doc] + doc["baselines"]:
        pruned = " ".join(f"{n}={s:.3f}" for n, s in entry["sparsity"].items())
        rows.append(f"{entry['method']:16s} {_us(entry['latency_us'])} {entry['accuracy']:9.4f} "
                    f"{entry['macs']:9d}  {pruned}")
    return "\n".join(rows)


def _methods(runs: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Every method's entry per seed, dense first."""
    methods: dict[str, list[dict[str, Any]]] = {
        "dense": [{"accuracy": r["dense_accuracy"], "latency_us": r["dense_latency_us"],
                   "macs": r["dense_macs"]} for r in runs]}
    for run in runs:
        for entry in [run] + run["baselines"]:
            methods.setdefault(entry["method"], []).append(entry)
    return methods


def document(args: argparse.Namespace, runs: list[dict[str, Any]], accelerator: dict[str, Any]
             ) -> dict[str, Any]:
    """Settings (`accelerator`: accel, its label and config), every seed's run, and per
    method the mean and 95% interval over seeds."""
    summary = {}
    for method, entries in _methods(runs).items():
        summary[method] = {name: interval_dict(over_seeds([None if e[key] is None
                                                            else e[key] * scale
                                                            for e in entries]), unit)
                           for key, name, unit, scale in SUMMARY_FIGURES}
    doc = {"model": args.model, "dataset": args.dataset, "method": args.method, **accelerator,
           "seeds": seed_list(args), "runs": runs, "summary": summary}
    if args.method == "amc":
        doc.update(reward=args.reward, granularity=args.granularity, episodes=args.episodes,
                   agent_vs_random_search=_agent_vs_random(runs))
    return doc


def _agent_vs_random(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """AMC minus the random search, paired by seed: best search reward (validation, before
    fine-tuning), test accuracy (points) and MACs after fine-tuning."""
    rival = [next(b for b in r["baselines"] if b["method"] == "random-search") for r in runs]
    out = {}
    for key, name, unit, scale in (("best_reward", "best_reward", "reward", 1.0),
                                   ("accuracy", "test_accuracy", "points", 100.0),
                                   ("macs", "nonzero_macs", "macs", 1.0)):
        difference = paired([r[key] * scale for r in runs], [b[key] * scale for b in rival])
        out[name] = {**difference.to_dict(unit),
                     "verdict": verdict(difference, "amc", "random-search")}
    return out


def seeds_text(doc: dict[str, Any]) -> str:
    """The table over seeds, then (AMC) the paired differences with their verdicts."""
    seeds = doc["seeds"]
    head = (f"{'method':16s} {'test_acc_pct':>16s} {'latency_us':>18s} {'macs':>20s}")
    rows = [f"over seeds {seeds[0]}..{seeds[-1]}: mean ± 95% half width (Student t, "
            f"{len(seeds)} seeds)", head, "-" * len(head)]
    for method, figures in doc["summary"].items():
        cells = []
        for _, name, unit, _ in SUMMARY_FIGURES:
            f = figures[name]
            cells.append("-" if f is None else
                         f"{f[f'mean_{unit}']:{FORMATS[unit]}} ± "
                         f"{f[f'ci95_half_width_{unit}']:{FORMATS[unit]}}")
        rows.append(f"{method:16s} {cells[0]:>16s} {cells[1]:>18s} {cells[2]:>20s}")
    for name, d in doc.get("agent_vs_random_search", {}).items():
        unit = next(k[len("mean_"):] for k in d if k.startswith("mean_"))
        rows.append(f"amc - random-search, {name} ({unit}), paired by seed: "
                    f"{d[f'mean_{unit}']:+{FORMATS[unit]}} ± "
                    f"{d[f'ci95_half_width_{unit}']:{FORMATS[unit]}}: "
                    f"{d['verdict']}")
    return "\n".join(rows)
