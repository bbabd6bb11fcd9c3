"""Tensor-core engines: the numba fast engine against the SimPy reference, in one run.

    python benchmarks/stc_engine_speed.py [--json stc_engine_speed.json]

For each GEMM both kernels (dense and sparse) are simulated by each engine; the figures
are wall and CPU seconds of the simulation alone (kernel choice and output check not
included), the fast/reference ratio, and the 16384^3 goal (issue 17: at most 5 s). The
reference is skipped where it would take minutes (`REFERENCE_MAX_MACS`). Every pair of
runs is checked to give the same counters.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time

import numpy as np
from common import output_path, write_json

from sparsesim.accelerators.stc import model as stc
from sparsesim.accelerators.stc.fast import simulate_fast
from sparsesim.accelerators.stc.simulate import simulate_kernel
from sparsesim.workloads.gemm import GemmShape

SIZES = (1024, 4096, 8192, 16384)  # M = N = K, fp16, A100
REFERENCE_MAX_MACS = 4096**3  # the SimPy reference takes minutes beyond this
GOAL_SECONDS = 5.0  # issue 17: tensor core 16384^3 in <= 5 s


def timed(simulate, compiled) -> tuple[float, float, dict]:
    """(wall s, CPU s, counters by mode) for both kernels."""
    wall, cpu = time.perf_counter(), time.process_time()
    counters = {mode: simulate(plan, compiled.config) for mode, plan in compiled.plans.items()}
    return time.perf_counter() - wall, time.process_time() - cpu, counters


def same(a, b) -> bool:
    return all(np.array_equal(getattr(a, f.name), getattr(b, f.name))
               if isinstance(getattr(a, f.name), np.ndarray)
               else getattr(a, f.name) == getattr(b, f.name) for f in dataclasses.fields(a))


def measure(sizes: tuple[int, ...]) -> tuple[list[dict], bool]:
    """A row of figures per M = N = K size, and whether every pair of engines gave the
    same counters (the reference runs up to REFERENCE_MAX_MACS)."""
    timed(simulate_fast, stc.compile(GemmShape("warm", 64, 64, 64)))  # JIT or disk cache
    rows, ok = [], True
    for size in sizes:
        compiled = stc.compile(GemmShape(f"sq{size}", size, size, size), "fp16", stc.A100)
        fast_wall, fast_cpu, fast = timed(simulate_fast, compiled)
        row = {"gemm_m_n_k": [size] * 3, "fast_wall_s": fast_wall, "fast_cpu_s": fast_cpu,
               "steps": sum(c.steps for c in fast.values())}
        if size**3 <= REFERENCE_MAX_MACS:
            ref_wall, ref_cpu, reference = timed(simulate_kernel, compiled)
            match = all(same(fast[m], reference[m]) for m in fast)
            ok = ok and match
            row.update(reference_wall_s=ref_wall, reference_cpu_s=ref_cpu,
                       reference_over_fast_cpu=ref_cpu / fast_cpu, counters_identical=match)
        row["fast_ns_per_step_cpu"] = fast_cpu / row["steps"] * 1e9
        rows.append(row)
    return rows, ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", help="write the figures here (default "
                        "benchmarks/results/stc_engine_speed.json)")
    args = parser.parse_args(argv)
    rows, ok = measure(SIZES)
    for row in rows:
        print(f"{row['gemm_m_n_k'][0]:6d}^3  fast {row['fast_cpu_s']:7.2f} s CPU "
              f"({row['fast_wall_s']:6.2f} s wall), "
              f"{row['fast_ns_per_step_cpu']:6.0f} ns per main-loop step"
              + (f"; reference {row['reference_cpu_s']:7.2f} s CPU, "
                 f"{row['reference_over_fast_cpu']:6.0f}x, counters "
                 f"{'identical' if row['counters_identical'] else 'DIFFER'}"
                 if "reference_cpu_s" in row else ""))
    largest = rows[-1]
    goal = {"gemm": largest["gemm_m_n_k"], "fast_cpu_s": largest["fast_cpu_s"],
            "goal_s": GOAL_SECONDS, "holds_cpu": largest["fast_cpu_s"] <= GOAL_SECONDS}
    print(f"goal: {SIZES[-1]}^3 in <= {GOAL_SECONDS} s: {largest['fast_cpu_s']:.2f} s CPU "
          f"({'holds' if goal['holds_cpu'] else 'FAILS'}; wall depends on the machine's load)")
    write_json(output_path("stc_engine_speed.json", args.json),
               {"rows": rows, "goal": goal, "note": "simulation only, both kernels, A100 fp16"})
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
