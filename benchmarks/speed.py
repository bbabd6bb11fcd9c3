"""How fast the simulator is, as ratios measured in one run on this machine.

    python benchmarks/speed.py [--quick] [--seed S] [--authors SOURCE] [--out PATH]

One JSON (benchmarks/results/speed.json) with, each section beside the machine's
1-minute load average before and after it:
- fast engine vs SimPy reference per design with both (EIE: the nine paper layers at
  64 PEs; ESE: the shipped speaker LSTM, 90% balanced pruning, a few frames): each
  engine's simulation wall seconds (fast: best of 20) and their ratio;
- ns per event and events per second of each fast engine (an event is one PE busy
  cycle: one matrix entry issued, or one cycle on an empty column slice);
- whole-process wall and CPU time of `python sim.py --accel eie` against a bare
  `python -c "import sparsesim"` (3 pairs run in turn, numba and compile caches warm)
  and their peak RSS;
- peak memory the fast EIE engine allocates (tracemalloc) on the largest layer;
- fast EIE cost versus nonzeros (0.1x to 10x vgg-fc6; to 3x with --quick) and the
  exponent of a least-squares line through log seconds against log nonzeros;
- the whole `sparsesim sweep` command on the 81-point PE x FIFO grid (sweep_speed.py),
  empty and warm compile cache, against a bare import;
- the tensor-core fast path on 16384^3 (and 1024^3 with the SimPy reference beside it,
  counters checked identical; stc_engine_speed.py);
- with --authors SOURCE (a checkout of RalphMao/EIE-simulator; needs g++; about a
  minute): the authors' C++ simulator on the nine layers beside ours (authors_sim.py),
  and its time for the 81-point grid estimated as 81 x (median build + its run on
  alexnet-fc7), one build per configuration, against our whole sweep command.
Simulation seconds exclude encoding and JIT compilation (SimResult.wall_seconds).
The machine is shared, so absolute times move between runs; the ratios, taken in one
run, move much less.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tracemalloc
from pathlib import Path

import authors_sim
import numpy as np
import stc_engine_speed
import sweep_speed
from common import output_path, process_figures, write_json
from tqdm import tqdm

from sparsesim.accelerators.eie import model as eie
from sparsesim.accelerators.ese import model as ese
from sparsesim.accelerators.ese.pruning import prune
from sparsesim.workloads.eie_layers import (
    EIE_LAYERS,
    benchmark_layer,
    random_activations,
    random_sparse_matrix,
)
from sparsesim.workloads.layer import Layer
from sparsesim.workloads.lstm_models import speaker_lstm

FAST_REPEATS = 20  # fast runs are short and the machine is shared: best of this many
PROCESS_REPEATS = 3  # whole-process timings: median of this many
ESE_FRAMES = 4  # frames of the speaker LSTM (the SimPy run grows with them)
SCALING = (0.1, 0.3, 1.0, 3.0, 10.0)  # x nonzeros of vgg-fc6
STC_SIZES = (1024, 16384)  # M = N = K: with the SimPy reference beside, and issue 17's goal
SWEEP_WORKERS = 2  # this machine's cores
GRID_POINTS = 81


def events(results) -> int:
    """PE busy cycles over all PEs and results: entries issued plus empty-slice cycles."""
    return int(sum(sum(r.pe_busy_cycles) for r in results))


def best_fast_seconds(run) -> float:
    """Best simulation wall seconds of FAST_REPEATS calls of `run` (returns results)."""
    return min(sum(r.wall_seconds for r in run()) for _ in range(FAST_REPEATS))


def eie_engines(seed: int) -> dict:
    compiled = [eie.compile(benchmark_layer(name, seed), eie.EIE_PAPER) for name in EIE_LAYERS]
    eie.run(compiled[0])  # load the kernels before timing
    rows, fast_total, reference_total = [], 0.0, 0.0
    for layer in tqdm(compiled, desc="EIE, both engines", unit="layer"):
        fast = eie.run(layer)
        fast_seconds = best_fast_seconds(lambda layer=layer: [eie.run(layer)])
        reference = eie.run(layer, engine="reference")
        if fast.comparable() != reference.comparable():
            raise SystemExit(f"{layer.name}: fast and reference engines disagree")
        fast_total += fast_seconds
        reference_total += reference.wall_seconds
        rows.append({"layer": layer.name, "nonzeros": layer.codes.nnz,
                     "cycles": fast.cycles, "events": events([fast]),
                     "fast_seconds": fast_seconds, "reference_seconds": reference.wall_seconds,
                     "speedup_fast_over_reference": reference.wall_seconds / fast_seconds})
    total_events = sum(r["events"] for r in rows)
    largest = max(compiled, key=lambda c: c.codes.nnz)
    tracemalloc.start()
    eie.run(largest)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"layers": rows, "fast_seconds_total": fast_total,
            "reference_seconds_total": reference_total,
            "speedup_fast_over_reference": reference_total / fast_total,
            "events": total_events, "ns_per_event_fast": 1e9 * fast_total / total_events,
            "events_per_second_fast": total_events / fast_total,
            "ns_per_event_reference": 1e9 * reference_total / total_events,
            "peak_memory_mib_fast_largest_layer": peak / 2**20,
            "largest_layer": largest.name}


def ese_engines() -> dict:
    model = prune(speaker_lstm().with_frames(ESE_FRAMES), "balanced", 0.9,
                  ese.ESE_PAPER.pes_per_channel)
    compiled = ese.compile(model)
    ese.run(compiled)  # load the kernels before timing
    fast = ese.run(compiled)
    fast_seconds = best_fast_seconds(lambda: ese.run(compiled).layers)
    reference = ese.run(compiled, engine="reference")
    if [r.comparable() for r in fast.layers] != [r.comparable() for r in reference.layers]:
        raise SystemExit("ESE: fast and reference engines disagree")
    reference_seconds = sum(r.wall_seconds for r in reference.layers)
    n_events = events(fast.layers)
    return {"workload": f"{model.name}, {ESE_FRAMES} frames, 90% balanced pruning",
            "cycles": fast.cycles, "events": n_events, "fast_seconds": fast_seconds,
            "reference_seconds": reference_seconds,
            "speedup_fast_over_reference": reference_seconds / fast_seconds,
            "ns_per_event_fast": 1e9 * fast_seconds / n_events,
            "events_per_second_fast": n_events / fast_seconds}


def whole_process() -> dict:
    """`python sim.py --accel eie` against `python -c "import sparsesim"`, run in turn
    (one untimed pair, then PROCESS_REPEATS pairs): medians, and the median of the
    pairs' ratios (so a change in the machine's load hits both sides of a ratio)."""
    sim, bare = [sys.executable, "sim.py", "--accel", "eie"], [sys.executable, "-c",
                                                                "import sparsesim"]
    pairs = [(process_figures(sim), process_figures(bare)) for _ in range(PROCESS_REPEATS + 1)]
    pairs = pairs[1:]
    median = statistics.median
    return {"sim_eie_seconds": median(a[0] for a, _ in pairs),
            "import_sparsesim_seconds": median(b[0] for _, b in pairs),
            "ratio_sim_eie_to_import": median(a[0] / b[0] for a, b in pairs),
            "sim_eie_cpu_seconds": median(a[1] for a, _ in pairs),
            "import_sparsesim_cpu_seconds": median(b[1] for _, b in pairs),
            "cpu_ratio_sim_eie_to_import": median(a[1] / b[1] for a, b in pairs),
            "sim_eie_peak_rss_mib": max(a[2] for a, _ in pairs),
            "import_peak_rss_mib": max(b[2] for _, b in pairs)}


def scaling_layer(factor: float, base_nonzeros: int, seed: int) -> Layer:
    """4096 outputs, 10% weight density, 35% activation density, as many inputs as
    `factor` x `base_nonzeros` nonzeros need."""
    rng = np.random.default_rng([seed, int(factor * 1000)])
    inputs = max(1, round(factor * base_nonzeros / (4096 * 0.10)))
    return Layer(f"scale-{factor:g}x", random_sparse_matrix(rng, 4096, inputs, 0.10),
                 random_activations(rng, inputs, 0.35))


def scaling(factors: tuple[float, ...], seed: int) -> dict:
    base = benchmark_layer("vgg-fc6", seed).weights.nnz
    points = []
    for factor in tqdm(factors, desc="EIE fast engine vs nonzeros", unit="layer"):
        compiled = eie.compile(scaling_layer(factor, base, seed), eie.EIE_PAPER)
        fast_seconds = best_fast_seconds(lambda compiled=compiled: [eie.run(compiled)])
        points.append({"factor_of_vgg_fc6": factor, "nonzeros": compiled.codes.nnz,
                       "fast_seconds": fast_seconds})
        del compiled
    x = np.log([p["nonzeros"] for p in points])
    y = np.log([p["fast_seconds"] for p in points])
    return {"points": points, "fitted_exponent": float(np.polyfit(x, y, 1)[0])}


def tensor_core() -> dict:
    rows, identical = stc_engine_speed.measure(STC_SIZES)
    return {"rows": rows, "counters_identical": identical,
            "largest_fast_cpu_s": rows[-1]["fast_cpu_s"],
            "largest_fast_wall_s": rows[-1]["fast_wall_s"],
            "goal_s": stc_engine_speed.GOAL_SECONDS}


def authors(source: Path, seed: int, our_sweep_seconds: float) -> dict:
    rows = list(tqdm(authors_sim.compare(source, list(EIE_LAYERS), seed),
                     total=len(EIE_LAYERS), desc="authors' C++ simulator", unit="layer"))
    build = statistics.median(r["authors"]["build_seconds"] for r in rows)
    run = next(r["authors"]["run_seconds"] for r in rows
               if r["layer"] == sweep_speed.LAYER)
    grid = GRID_POINTS * (build + run)
    return {"source": authors_sim.SOURCE, "layers": rows, "median_build_seconds": build,
            "grid_layer_run_seconds": run, "grid_81_estimate_seconds": grid,
            "grid_81_over_our_sweep": grid / our_sweep_seconds}


def with_load(measure) -> dict:
    """`measure()`'s figures with the 1-minute load average before and after."""
    before = os.getloadavg()[0]
    figures = measure()
    return {**figures, "load_average_1min_before": before,
            "load_average_1min_after": os.getloadavg()[0]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="scaling curve to 3x only")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--authors", type=Path, metavar="SOURCE",
                        help="checkout of RalphMao/EIE-simulator: run it beside ours (g++)")
    parser.add_argument("--out", help="JSON path (default benchmarks/results/speed.json)")
    args = parser.parse_args()
    if args.authors:
        authors_sim.check_source(args.authors)
    factors = SCALING[:-1] if args.quick else SCALING
    document = {"seed": args.seed, "eie": with_load(lambda: eie_engines(args.seed)),
                "ese": with_load(ese_engines), "whole_process": with_load(whole_process),
                "eie_scaling": with_load(lambda: scaling(factors, args.seed)),
                "sweep": with_load(lambda: sweep_speed.measure(SWEEP_WORKERS, PROCESS_REPEATS)),
                "tensor_core": with_load(tensor_core)}
    if args.authors:
        warm = document["sweep"]["sweep_81_warm_cache_seconds"]
        document["authors"] = with_load(lambda: authors(args.authors, args.seed, warm))
    report(document)
    path = output_path("speed.json", args.out)
    write_json(path, document)
    print(f"wrote {path}")


def report(document: dict) -> None:
    e, s, w, c, g, t = (document[k] for k in ("eie", "ese", "whole_process", "eie_scaling",
                                               "sweep", "tensor_core"))
    print(f"{'layer':16s} {'nonzeros':>9s} {'events':>9s} {'fast_ms':>8s} {'simpy_s':>8s} "
          f"{'fast/simpy':>10s}")
    for row in e["layers"]:
        print(f"{row['layer']:16s} {row['nonzeros']:9d} {row['events']:9d} "
              f"{1e3 * row['fast_seconds']:8.2f} {row['reference_seconds']:8.2f} "
              f"{row['speedup_fast_over_reference']:9.0f}x")
    load = " (load average {load_average_1min_before:.1f} -> {load_average_1min_after:.1f})"
    print(f"EIE nine layers: fast {1e3 * e['fast_seconds_total']:.1f} ms, SimPy "
          f"{e['reference_seconds_total']:.1f} s ({e['speedup_fast_over_reference']:.0f}x); "
          f"{e['ns_per_event_fast']:.2f} ns per event ({e['events_per_second_fast'] / 1e6:.0f} M "
          f"events/s) vs {e['ns_per_event_reference']:.0f} ns; peak "
          f"{e['peak_memory_mib_fast_largest_layer']:.1f} MiB on {e['largest_layer']}"
          + load.format(**e))
    print(f"ESE {s['workload']}: fast {1e3 * s['fast_seconds']:.1f} ms, SimPy "
          f"{s['reference_seconds']:.1f} s ({s['speedup_fast_over_reference']:.0f}x); "
          f"{s['ns_per_event_fast']:.2f} ns per event" + load.format(**s))
    print(f"python sim.py --accel eie: {w['sim_eie_seconds']:.2f} s, import sparsesim "
          f"{w['import_sparsesim_seconds']:.2f} s (ratio {w['ratio_sim_eie_to_import']:.2f}; "
          f"CPU {w['sim_eie_cpu_seconds']:.2f} s vs {w['import_sparsesim_cpu_seconds']:.2f} s, "
          f"ratio {w['cpu_ratio_sim_eie_to_import']:.2f}); peak RSS "
          f"{w['sim_eie_peak_rss_mib']:.0f} MiB vs {w['import_peak_rss_mib']:.0f} MiB"
          + load.format(**w))
    print("EIE fast cost vs nonzeros: " + ", ".join(
        f"{p['nonzeros'] / 1e6:.1f}M {1e3 * p['fast_seconds']:.1f} ms" for p in c["points"])
        + f"; fitted exponent {c['fitted_exponent']:.2f}" + load.format(**c))
    print(f"sparsesim sweep, {GRID_POINTS} points on {g['layer']}, {g['workers']} workers: "
          f"{g['sweep_81_warm_cache_seconds']:.2f} s warm cache "
          f"({g['sweep_81_warm_cache_cpu_seconds']:.2f} s CPU), "
          f"{g['sweep_81_empty_cache_seconds']:.2f} s empty cache "
          f"({g['sweep_81_empty_cache_cpu_seconds']:.2f} s CPU); bare import "
          f"{g['bare_import_process_seconds']:.2f} s (ratios "
          f"{g['sweep_81_warm_cache_over_import']:.2f}, "
          f"{g['sweep_81_empty_cache_over_import']:.2f})" + load.format(**g))
    for row in t["rows"]:
        print(f"tensor core {row['gemm_m_n_k'][0]}^3: fast {row['fast_cpu_s']:.2f} s CPU "
              f"({row['fast_wall_s']:.2f} s wall)"
              + (f", SimPy {row['reference_cpu_s']:.2f} s CPU "
                 f"({row['reference_over_fast_cpu']:.0f}x)" if "reference_cpu_s" in row else ""))
    print(f"tensor core counters identical to SimPy: {t['counters_identical']}"
          + load.format(**t))
    if "authors" in document:
        a = document["authors"]
        for row in a["layers"]:
            ours, theirs = row["ours_registered"], row["authors"]
            print(f"{row['layer']:16s} cycles ours {ours['cycles']:6d} (same-cycle FIFO "
                  f"{row['ours_same_cycle']['cycles']:6d}), authors {theirs['cycles']:6d} "
                  f"(output ok {theirs['output_ok']}); seconds ours "
                  f"{ours['encode_seconds'] + ours['simulate_seconds']:.2f}, authors build "
                  f"{theirs['build_seconds']:.2f} + run {theirs['run_seconds']:.3f}")
        print(f"authors' simulator, {GRID_POINTS}-point grid (estimate: one build per point): "
              f"{a['grid_81_estimate_seconds']:.0f} s, {a['grid_81_over_our_sweep']:.0f}x our "
              "whole sweep command" + load.format(**a))


if __name__ == "__main__":
    main()
