"""Run the EIE authors' RTL-level C++ simulator on our encoding of a layer.

    python benchmarks/authors_sim.py SOURCE [--layers NAME ...] [--seed S] [--out PATH]

SOURCE is a checkout of RalphMao/EIE-simulator (github.com/RalphMao/EIE-simulator, no
license file: it is never copied into this repository; fetch it yourself). For each
layer this writes the simulator's inputs from our compiled layer, in the formats its
readers expect (src/ptrvec.cpp: one uint32 pointer per column per PE; src/spmat.cpp:
uint32 pairs of codebook index and relative row; src/arithm.cpp: 16 float32 codebook
values; src/actrw.cpp: float32 activations; src/params.h: sizes), builds it with g++
(its Makefile's release flags, -O3), runs it, and reads its cycle count and output.

Printed beside ours (both FIFO timings): cycles, whether its output matches numpy, and
the seconds each side needs (theirs: build + run; ours: encode + simulate).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from common import output_path, write_json

from sparsesim.accelerators.eie import model as eie
from sparsesim.accelerators.eie.compile import CompiledLayer
from sparsesim.accelerators.eie.config import EIE_SAME_CYCLE_FIFO
from sparsesim.workloads.eie_layers import EIE_LAYERS, benchmark_layer

SOURCE = "github.com/RalphMao/EIE-simulator (src/, built with g++ -O3)"
PARAMS = """#ifndef PARAMS
#define PARAMS
const int NUM_PE = {num_pes};
const int ACTRW_maxcapacity = {capacity};
const int NZFETCH_buffersize = {buffer};
const int PTRVEC_num_lines = {ptr_lines};
const int SPMAT_unit_line = {unit};
const int SPMAT_num_lines = {spm_lines};
const int SPMAT_index_bits = {index_bits};
const int SPMAT_weights_bits = {weight_bits};
const int ARITHM_codebooksize = {codebook};
const int ACT_length = {act_length};
#endif
"""


def write_inputs(compiled: CompiledLayer, folder: Path) -> None:
    """The simulator's src/params.h and data/ files for `compiled`. Its FIFO keeps one
    slot empty (full when the write position is one behind the read position), so
    its buffer size is our usable depth + 1. Its pointer array per PE covers the
    columns padded to a multiple of the PE count plus one bias column, which we leave
    empty (our layers have no bias)."""
    cfg, enc = compiled.config, compiled.encoding
    n, (rows, cols) = cfg.num_pes, enc.shape
    padded = -(-cols // n) * n
    ptr_lines = padded + 2
    (folder / "data" / "ptr").mkdir(parents=True)
    (folder / "data" / "spm").mkdir()
    largest = 1
    for p in range(n):
        local = enc.ptr[p] - enc.ptr[p, 0]
        pointers = np.full(ptr_lines, local[-1], dtype=np.uint32)
        pointers[:cols + 1] = local
        pointers.tofile(folder / "data" / "ptr" / f"ptr{p}.dat")
        span = slice(enc.ptr[p, 0], enc.ptr[p, -1])
        pairs = np.stack([enc.v[span], enc.z[span]], axis=1).astype(np.uint32)
        pairs.tofile(folder / "data" / "spm" / f"spm{p}.dat")
        largest = max(largest, len(pairs))
    compiled.codebook.astype(np.float32).tofile(folder / "data" / "arithm.dat")
    compiled.activations.astype(np.float32).tofile(folder / "data" / "act.dat")
    unit = cfg.entries_per_word
    (folder / "src" / "params.h").write_text(PARAMS.format(
        num_pes=n, capacity=max(padded, -(-rows // n) * n), buffer=cfg.queue_depth_entries + 1,
        ptr_lines=ptr_lines, unit=unit, spm_lines=-(-largest // unit) + 1,
        index_bits=cfg.relative_row_bits, weight_bits=cfg.weight_index_bits,
        codebook=cfg.codebook_entries, act_length=cols))


def run_authors(compiled: CompiledLayer, source: Path) -> dict:
    """Build and run the authors' simulator on `compiled`: cycles, build and run seconds,
    and whether its output (ReLU applied, as its data/verify.py does) matches numpy."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        shutil.copytree(source / "src", folder / "src")
        write_inputs(compiled, folder)
        started = time.perf_counter()
        subprocess.run(["g++", "-std=c++11", "-O3", "-D", "PROFILE=0", "-o", "simulation",
                        *sorted(str(f) for f in (folder / "src").glob("*.cpp"))],
                       cwd=folder, check=True, capture_output=True)
        built = time.perf_counter()
        done = subprocess.run(["./simulation"], cwd=folder, capture_output=True, text=True)
        ran = time.perf_counter()
        found = re.search(r"cycles:(\d+)", done.stderr)
        if done.returncode != 0 or found is None:
            raise SystemExit(f"{compiled.name}: the authors' simulator failed: "
                             f"{done.stderr[-500:]}")
        rows = compiled.encoding.shape[0]
        output = np.fromfile(folder / "data" / "output.dat", dtype=np.float32)[:rows]
    reference = np.maximum(compiled.reference_output(), 0.0)
    error = float(np.max(np.abs(np.maximum(output, 0.0) - reference), initial=0.0))
    return {"cycles": int(found.group(1)), "build_seconds": built - started,
            "run_seconds": ran - built,
            "output_ok": error <= 1e-4 * max(1.0, compiled.reference_scale()),
            "max_abs_error": error}


def ours(layer, config) -> dict:
    started = time.perf_counter()
    compiled = eie.compile(layer, config)
    encoded = time.perf_counter()
    result = eie.run(compiled)
    return {"compiled": compiled, "cycles": result.cycles, "output_ok": result.output_ok,
            "encode_seconds": encoded - started, "simulate_seconds": result.wall_seconds}


def check_source(source: Path) -> None:
    if not (source / "src" / "nzfetch.cpp").is_file():
        raise SystemExit(f"{source} holds no src/nzfetch.cpp: give a checkout of "
                         "RalphMao/EIE-simulator")


def compare(source: Path, names: list[str], seed: int):
    """Per layer (yielded as each finishes): our cycles with both FIFO timings and our
    seconds, the authors' cycles, output check, build and run seconds."""
    for name in names:
        layer = benchmark_layer(name, seed)
        registered = ours(layer, eie.EIE_PAPER)
        same_cycle = ours(layer, EIE_SAME_CYCLE_FIFO)
        theirs = run_authors(registered.pop("compiled"), source)
        same_cycle.pop("compiled")
        yield {"layer": name, "ours_registered": registered, "ours_same_cycle": same_cycle,
               "authors": theirs}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="checkout of RalphMao/EIE-simulator")
    parser.add_argument("--layers", nargs="+", default=list(EIE_LAYERS), choices=EIE_LAYERS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", help="JSON path (default benchmarks/results/authors_sim.json)")
    args = parser.parse_args()
    check_source(args.source)
    print(f"{'layer':16s} {'ours':>7s} {'ours_same':>9s} {'authors':>7s} {'authors_ok':>10s} "
          f"{'ours_s':>7s} {'authors_build_s':>15s} {'authors_run_s':>13s}")
    rows = []
    for row in compare(args.source, args.layers, args.seed):
        rows.append(row)
        registered, same_cycle, theirs = (row[k] for k in ("ours_registered",
                                                            "ours_same_cycle", "authors"))
        ours_seconds = registered["encode_seconds"] + registered["simulate_seconds"]
        print(f"{row['layer']:16s} {registered['cycles']:7d} {same_cycle['cycles']:9d} "
              f"{theirs['cycles']:7d} {str(theirs['output_ok']):>10s} {ours_seconds:7.2f} "
              f"{theirs['build_seconds']:15.2f} {theirs['run_seconds']:13.3f}")
    path = output_path("authors_sim.json", args.out)
    write_json(path, {"source": SOURCE, "seed": args.seed, "config": eie.EIE_PAPER.to_dict(),
                      "layers": rows})
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
