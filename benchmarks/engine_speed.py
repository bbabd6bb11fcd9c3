"""Speed and memory of EIE's two engines on the nine benchmark layers at 64 PEs, plus how
the fast engine's cost grows with nonzeros (to 10x the largest layer).

    python benchmarks/engine_speed.py [--no-reference] [--no-scaling] [--out PATH]

Wall time is the simulation alone (encoding and k-means happen before it); JIT time is
measured separately, both cold (empty numba cache, in a child process) and as loaded
from the disk cache. Peak memory is what tracemalloc sees during the simulation.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import tracemalloc

import numpy as np
from common import ROOT, output_path, write_json

from sparsesim.accelerators.eie import model as eie
from sparsesim.cli.progress import progress
from sparsesim.workloads.eie_layers import (
    EIE_LAYERS,
    benchmark_layer,
    random_activations,
    random_sparse_matrix,
)
from sparsesim.workloads.layer import Layer

SCALING_FACTORS = (0.1, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0)  # x nonzeros of the largest layer


def measure(compiled, engine: str) -> dict:
    result = eie.run(compiled, engine=engine)  # timed inside: simulation only
    tracemalloc.start()
    tracemalloc.reset_peak()
    eie.run(compiled, engine=engine)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    pe_cycles = result.cycles * compiled.config.num_pes
    return {"wall_seconds": result.wall_seconds, "cycles": result.cycles,
            "cycles_per_second": result.cycles / result.wall_seconds,
            "pe_cycles_per_second": pe_cycles / result.wall_seconds,
            "peak_memory_mib": peak / 2**20, "output_ok": result.output_ok}


def cold_jit_seconds() -> float:
    """Compile the fast kernel in a child process with an empty numba cache."""
    code = ("import time; t = time.perf_counter(); from accelerators.eie_fast import _warm_up; "
            "_warm_up(); print(time.perf_counter() - t)")
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, NUMBA_CACHE_DIR=cache)
        out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True,
                             capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


def scaling_layer(factor: float, largest_nnz: int, seed: int) -> Layer:
    """4096 outputs, 10% weight density, 35% activation density, inputs sized so the
    layer holds `factor` x `largest_nnz` nonzeros."""
    rng = np.random.default_rng([seed, int(factor * 1000)])
    inputs = max(1, int(round(factor * largest_nnz / (4096 * 0.10))))
    weights = random_sparse_matrix(rng, 4096, inputs, 0.10)
    return Layer(f"scale-{factor:g}x", weights, random_activations(rng, inputs, 0.35))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-reference", action="store_true", help="skip the SimPy engine")
    parser.add_argument("--no-scaling", action="store_true", help="skip the scaling curve")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="JSON path (default benchmarks/results/engine_speed.json)")
    args = parser.parse_args()
    engines = ("fast",) if args.no_reference else ("fast", "reference")
    started = time.perf_counter()
    from sparsesim.accelerators.eie.fast import _warm_up

    _warm_up()
    cached_jit = time.perf_counter() - started
    cold_jit = cold_jit_seconds()
    print(f"JIT: {cold_jit:.2f} s cold (empty cache), {cached_jit:.2f} s loading the disk cache")
    layers, totals = [], {e: 0.0 for e in engines}
    print(f"{'layer':16s} {'nnz':>9s} {'engine':>9s} {'wall_s':>8s} {'Mcycles/s':>9s} "
          f"{'MPEcyc/s':>9s} {'peak_MiB':>8s}")
    largest = 0
    for name in progress(EIE_LAYERS, "engine_speed"):
        compiled = eie.compile(benchmark_layer(name, args.seed), eie.EIE_PAPER)
        nnz = len(compiled.reference_rows)
        largest = max(largest, nnz)
        row = {"layer": name, "nonzeros": nnz}
        for engine in engines:
            row[engine] = measure(compiled, engine)
            totals[engine] += row[engine]["wall_seconds"]
            m = row[engine]
            print(f"{name:16s} {nnz:9d} {engine:>9s} {m['wall_seconds']:8.3f} "
                  f"{m['cycles_per_second'] / 1e6:9.3f} {m['pe_cycles_per_second'] / 1e6:9.2f} "
                  f"{m['peak_memory_mib']:8.1f}")
        layers.append(row)
    summary = {f"{e}_total_wall_seconds": t for e, t in totals.items()}
    if "reference" in totals:
        summary["speedup_fast_over_reference"] = totals["reference"] / totals["fast"]
    print("totals: " + ", ".join(f"{k} {v:.3f}" for k, v in summary.items()))
    scaling = []
    if not args.no_scaling:
        print(f"scaling (fast engine, 64 PEs): {'factor':>6s} {'nnz':>10s} {'wall_s':>8s} "
              f"{'Mcycles/s':>9s} {'peak_MiB':>8s}")
        for factor in SCALING_FACTORS:
            compiled = eie.compile(scaling_layer(factor, largest, args.seed), eie.EIE_PAPER)
            m = measure(compiled, "fast")
            m.update({"factor_of_largest": factor, "nonzeros": len(compiled.reference_rows)})
            scaling.append(m)
            print(f"{'':30s} {factor:6g} {m['nonzeros']:10d} {m['wall_seconds']:8.3f} "
                  f"{m['cycles_per_second'] / 1e6:9.3f} {m['peak_memory_mib']:8.1f}")
            del compiled
    path = output_path("engine_speed.json", args.out)
    write_json(path, {"jit_cold_seconds": cold_jit, "jit_cached_seconds": cached_jit,
                      "config": eie.EIE_PAPER.to_dict(), "layers": layers, "summary": summary,
                      "scaling_fast": scaling})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
