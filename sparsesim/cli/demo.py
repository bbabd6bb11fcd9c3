"""`sparsesim demo TOPIC`: one command an instructor runs in class.

    sparsesim demo imbalance [--frames N] [--sparsity S] [--pes N] [--queue-depth N]
                             [--out-prefix PREFIX] [--style slide]
runs the shipped speaker LSTM through ESE twice at the same sparsity (plain magnitude
pruning, then load-balance-aware pruning), writes PREFIX_pe_cycles.png and
PREFIX_timeline.png, and prints what the numbers show.
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence

from sparsesim.accelerators.ese import model as ese
from sparsesim.accelerators.ese.pruning import DEFAULT_SPARSITY
from sparsesim.cli.ese import compare
from sparsesim.cli.output_paths import check_outputs
from sparsesim.cli.parser import (
    Parser,
    add_quiet_flag,
    add_style_flag,
    fraction,
    positive_int,
)
from sparsesim.cli.progress import progress
from sparsesim.simulator.errors import UserError
from sparsesim.workloads.lstm_models import speaker_lstm


def _span(values: list[int]) -> str:
    return f"{f'{min(values)}..{max(values)}':>10s}"


def explain(runs: dict, config: ese.ESEConfig, frames: int, sparsity: float) -> str:
    """The short explanation printed in class, with the measured numbers."""
    (_, mag), (_, bal) = runs["magnitude"], runs["balanced"]
    pes = config.pes_per_channel
    return "\n".join([
        f"Load imbalance on ESE ({pes} PEs, {config.clock_mhz:g} MHz): the pretrained speaker "
        f"LSTM (3 x 256 cells) over {frames} frames of a real recording,",
        f"pruned to {sparsity:.0%} sparsity two ways ({1 - sparsity:.0%} of the weights kept "
        "either way).",
        "",
        f"{'':28s} {'magnitude':>10s} {'balanced':>10s}",
        f"{'nonzeros per PE, min..max':28s} {_span(mag['pe_nonzeros'])} "
        f"{_span(bal['pe_nonzeros'])}",
        f"{'busiest PE / mean PE':28s} {mag['nonzeros_max_over_mean']:10.3f} "
        f"{bal['nonzeros_max_over_mean']:10.3f}",
        f"{'PE utilization':28s} {mag['pe_utilization']:10.1%} {bal['pe_utilization']:10.1%}",
        f"{'PE issue utilization':28s} {mag['pe_issue_utilization']:10.1%} "
        f"{bal['pe_issue_utilization']:10.1%}",
        f"{'cycles':28s} {mag['cycles']:10d} {bal['cycles']:10d}",
        f"{'time (us)':28s} {mag['seconds'] * 1e6:10.1f} {bal['seconds'] * 1e6:10.1f}",
        f"{'energy (uJ, 45nm table)':28s} {mag['energy_pj'] * 1e-6:10.1f} "
        f"{bal['energy_pj'] * 1e-6:10.1f}",
        f"{'power (mW)':28s} {mag['power_w'] * 1e3:10.0f} {bal['power_w'] * 1e3:10.0f}",
        f"{'error vs dense LSTM (rel RMS)':28s} {mag['error_vs_dense_relative_rms']:10.4f} "
        f"{bal['error_vs_dense_relative_rms']:10.4f}",
        f"{'output matches numpy':28s} {str(mag['output_ok']):>10s} {str(bal['output_ok']):>10s}",
        "",
        f"Row i of every matrix belongs to PE i mod {pes}, and a step's gate math waits for the",
        "slowest PE. Plain magnitude pruning leaves some PEs with more nonzeros than others, so",
        "the rest sit idle (grey bars, white gaps in the timeline). Balanced pruning keeps the",
        f"same count in every PE: cycles {mag['cycles']} -> {bal['cycles']} "
        f"({bal['cycles'] / mag['cycles'] - 1:+.1%}), utilization {mag['pe_utilization']:.1%} -> "
        f"{bal['pe_utilization']:.1%};",
        f"output error vs the dense LSTM {mag['error_vs_dense_relative_rms']:.3f} -> "
        f"{bal['error_vs_dense_relative_rms']:.3f} (neither pruned model is retrained here).",
        "Energy barely moves: both keep as many weights, streamed from DDR3 every step, and "
        "the",
        "45nm table has no leakage, so the same energy in less time is more power "
        f"({bal['power_w'] / mag['power_w'] - 1:+.1%}).",
    ])


def imbalance_parser() -> Parser:
    parser = Parser(prog="sparsesim demo imbalance",
                    description="ESE load imbalance on the pretrained speaker LSTM: plain "
                                "magnitude vs load-balance-aware pruning at one sparsity; "
                                "prints the numbers and writes two figures")
    parser.add_argument("--frames", type=positive_int,
                        help="time steps to run (default: all 30 frames of the recording)")
    parser.add_argument("--sparsity", type=fraction, default=DEFAULT_SPARSITY,
                        help=f"fraction of weights pruned (default {DEFAULT_SPARSITY})")
    parser.add_argument("--pes", type=positive_int, default=ese.ESE_PAPER.pes_per_channel,
                        help=f"PEs per channel (default {ese.ESE_PAPER.pes_per_channel})")
    parser.add_argument("--queue-depth", type=positive_int,
                        default=ese.ESE_PAPER.queue_depth_entries,
                        help="activation queue depth, entries (default "
                             f"{ese.ESE_PAPER.queue_depth_entries})")
    parser.add_argument("--out-prefix", default="imbalance",
                        help="write PREFIX_pe_cycles.png and PREFIX_timeline.png "
                             "(default imbalance)")
    add_style_flag(parser)
    add_quiet_flag(parser)
    return parser


def imbalance(argv: Sequence[str]) -> int:
    args = imbalance_parser().parse_args(argv)
    from sparsesim.accelerators.ese.plots import pe_cycles_figure, timeline_figure
    from sparsesim.simulator.plots import save_png

    config = dataclasses.replace(ese.ESE_PAPER, pes_per_channel=args.pes,
                                 queue_depth_entries=args.queue_depth)
    paths = {suffix: f"{args.out_prefix}_{suffix}.png" for suffix in ("pe_cycles", "timeline")}
    check_outputs({f"--out-prefix ({suffix})": path for suffix, path in paths.items()})
    model = speaker_lstm()
    model = model.with_frames(args.frames or len(model.frames))
    runs = {}
    for scheme in progress(("magnitude", "balanced"), "ESE runs", quiet=args.quiet,
                           unit="scheme"):
        runs.update(compare(model, config, (scheme,), sparsity=args.sparsity,
                            engine=ese.ENGINES[0], seed=0))
    print(explain(runs, config, len(model.frames), args.sparsity))
    for suffix, figure in (("pe_cycles", pe_cycles_figure(runs)),
                           ("timeline", timeline_figure(runs))):
        path = paths[suffix]
        save_png(figure, path, args.style)
        print(f"wrote {path}")
    return 0 if all(summary["output_ok"] for _, summary in runs.values()) else 1


TOPICS = {"imbalance": (imbalance, "ESE load imbalance: magnitude vs load-balance-aware "
                                    "pruning, per-PE cycles and a timeline")}


def main(argv: Sequence[str]) -> int:
    if argv and argv[0] in ("-h", "--help"):
        print("usage: sparsesim demo TOPIC [flags]   (sparsesim demo TOPIC --help for its "
              "flags)\n\ntopics:")
        for name, (_, summary) in sorted(TOPICS.items()):
            print(f"  {name:12s} {summary}")
        return 0
    if not argv or argv[0] not in TOPICS:
        raise UserError(f"demo needs a topic: {', '.join(sorted(TOPICS))} "
                        f"(e.g. `sparsesim demo imbalance`), got {list(argv[:1]) or 'none'}")
    return TOPICS[argv[0]][0](argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
