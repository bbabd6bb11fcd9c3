"""Whole-command time of the 81-point PE x FIFO sweep on a 4096 x 4096 layer (EIE,
alexnet-fc7), with an empty compile cache and with a warm one, as ratios to a bare
`python -c "import sparsesim"` process timed in the same run; plus the compile path
(layer generation, k-means, interleaved CSC) of that layer, computed and read back.

    python benchmarks/sweep_speed.py [--workers 2] [--repeats 3] [--out PATH]

Each figure is the median of --repeats runs; every sweep's results are checked
(81 runs, each output_ok). CPU seconds count the sweep's worker processes too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, output_path, process_figures, write_json

from sparsesim.simulator.disk_cache import ENV

GRID = ["pes=1,2,4,8,16,32,64,128,256", "queue_depth=1,2,4,8,16,32,64,128,256"]
LAYER = "alexnet-fc7"
COMPILE = f"""
import time
t0 = time.perf_counter()
from sparsesim.accelerators.eie import model as eie
from sparsesim.workloads.eie_layers import benchmark_layer
t1 = time.perf_counter()
layer = benchmark_layer("{LAYER}", 0)
t2 = time.perf_counter()
eie.compile(layer)
t3 = time.perf_counter()
print(t2 - t1, t3 - t2)
"""


def timed(argv: list[str], env: dict[str, str]) -> tuple[float, str]:
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, check=True, capture_output=True, text=True)
    return time.perf_counter() - start, done.stdout


def sweep_seconds(workers: int, cache: str, fresh_cache: bool) -> tuple[float, float]:
    """Wall and CPU seconds (workers included) of the whole sweep command."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "r.jsonl"
        env = dict(os.environ, **{ENV: folder if fresh_cache else cache})
        wall, cpu, _ = process_figures([sys.executable, str(ROOT / "sim.py"), "sweep",
                                        "--accel", "eie", "--workload", LAYER, "--grid", *GRID,
                                        "--workers", str(workers), "--out", str(out)], env)
        records = [json.loads(line) for line in out.read_text().splitlines()]
    if len(records) != 81 or not all(r["output_ok"] for r in records):
        raise SystemExit("sweep_speed: the sweep did not give 81 checked runs")
    return wall, cpu


def measure(workers: int, repeats: int) -> dict:
    """The figures (seconds, medians of `repeats`) and their ratios to a bare import."""
    median = statistics.median
    with tempfile.TemporaryDirectory() as cache:
        env = dict(os.environ, **{ENV: cache})
        bare = [process_figures([sys.executable, "-c", "import sparsesim"], env)
                for _ in range(repeats)]
        compile_cold = [float(v) for v in timed([sys.executable, "-c", COMPILE], env)[1].split()]
        compile_warm = [float(v) for v in timed([sys.executable, "-c", COMPILE], env)[1].split()]
        cold = [sweep_seconds(workers, cache, True) for _ in range(repeats)]
        sweep_seconds(workers, cache, False)  # fills the cache
        warm = [sweep_seconds(workers, cache, False) for _ in range(repeats)]
    bare_wall, bare_cpu = median(b[0] for b in bare), median(b[1] for b in bare)
    cold_wall, cold_cpu = median(c[0] for c in cold), median(c[1] for c in cold)
    warm_wall, warm_cpu = median(w[0] for w in warm), median(w[1] for w in warm)
    return {
        "layer": LAYER, "grid": GRID, "workers": workers, "repeats": repeats,
        "bare_import_process_seconds": bare_wall, "bare_import_process_cpu_seconds": bare_cpu,
        "generate_layer_seconds": compile_cold[0], "compile_layer_seconds": compile_cold[1],
        "cached_layer_seconds": compile_warm[0], "cached_compile_seconds": compile_warm[1],
        "sweep_81_empty_cache_seconds": cold_wall, "sweep_81_empty_cache_cpu_seconds": cold_cpu,
        "sweep_81_warm_cache_seconds": warm_wall, "sweep_81_warm_cache_cpu_seconds": warm_cpu,
        "sweep_81_empty_cache_over_import": cold_wall / bare_wall,
        "sweep_81_warm_cache_over_import": warm_wall / bare_wall,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", help="JSON path (default benchmarks/results/sweep_speed.json)")
    args = parser.parse_args()
    document = measure(args.workers, args.repeats)
    for key, value in document.items():
        print(f"{key:36s} {value:.3f}" if isinstance(value, float) else f"{key:36s} {value}")
    path = output_path("sweep_speed.json", args.out)
    write_json(path, document)
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
