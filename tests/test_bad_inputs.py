"""Bad input at every entry point: exit 2, one stderr line, no traceback, nothing damaged.

Each row is run in-process through `main()`. Files that could be damaged (a symlink and
its target, a FIFO, a user's notes, a foreign CSV, a sweep results file) live in one
folder whose every entry is compared before and after the row; /dev/null must stay a
character device.
"""

from __future__ import annotations

import io
import json
import os
import stat
import zipfile
from pathlib import Path

import numpy as np
import pytest

from sparsesim.cli import main as sim
from sparsesim.simulator.energy import TECH_DIR

META = {"format": "sparsesim-model", "version": 1, "layers": [{"name": "fc1"}]}
TECH = (TECH_DIR / "45nm.toml").read_text()
BIG_GRID = "pes=" + ",".join(map(str, range(1, 401)))  # x 300 queue depths = 120000 runs
BIG_GRID_2 = "queue_depth=" + ",".join(map(str, range(1, 301)))


def _npz(path: Path, arrays: dict, meta=META) -> None:
    np.savez(path, __metadata__=np.array(json.dumps(meta)) if isinstance(meta, dict)
             else meta, **arrays)


def _huge_header_model(path: Path) -> None:
    """A small file whose header declares a 30000 x 30000 float32 layer (3.4 GiB)."""
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f4", "fortran_order": False,
                                                  "shape": (30000, 30000)})
    meta = io.BytesIO()
    np.save(meta, np.array(json.dumps(META)))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("fc1.weight.npy", header.getvalue() + bytes(1000))
        archive.writestr("__metadata__.npy", meta.getvalue())


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("bad")
    ok = np.eye(4, dtype=np.float32)
    _npz(d / "str.npz", {"fc1.weight": np.array([["a", "b"]])})
    _npz(d / "complex.npz", {"fc1.weight": np.ones((2, 2), complex)})
    _npz(d / "layers5.npz", {"fc1.weight": ok}, {**META, "layers": 5})
    _npz(d / "nameless.npz", {"fc1.weight": ok}, {**META, "layers": [{"activation": "relu"}]})
    _npz(d / "twice.npz", {"fc1.weight": ok}, {**META, "layers": [{"name": "fc1"}] * 2})
    _npz(d / "version.npz", {"fc1.weight": ok}, {**META, "version": "1"})
    _npz(d / "nan_input.npz", {"fc1.weight": ok, "input": np.full(4, np.nan, np.float32)})
    _npz(d / "nan_weight.npz", {"fc1.weight": np.full((2, 2), np.nan, np.float32)})
    _npz(d / "meta_int.npz", {"fc1.weight": ok}, np.array(5))
    _npz(d / "three_d.npz", {"fc1.weight": np.ones((2, 2, 2), np.float32)})
    _huge_header_model(d / "huge.npz")
    (d / "binary.bin").write_bytes(bytes(range(256)) * 8)
    (d / "binary.toml").write_bytes(bytes(range(256)) * 8)
    (d / "folder.toml").mkdir()
    (d / "folder").mkdir()
    (d / "incomplete.toml").write_text('name = "x"\n')
    (d / "nonnumeric.toml").write_text(TECH.replace("8 = 0.03", '8 = "abc"'))
    (d / "negative.toml").write_text(TECH.replace("1300.0", "-1300.0"))
    (d / "negative_point.toml").write_text(TECH.replace("8 = 0.03", "8 = -0.03"))
    (d / "typo.toml").write_text(TECH.replace("[dram]", "[dramm]"))
    (d / "extra.toml").write_text("voltage = 0.9\n" + TECH)
    (d / "sweep_unknown.toml").write_text('workload = ["alexnet"]\n[grid]\npes = [1]\n')
    (d / "sweep_grids.toml").write_text("[grids]\npes = [1]\n")
    (d / "sweep_empty.toml").write_text("[grid]\npes = []\n")
    (d / "sweep_seeds.toml").write_text('seeds = ["a"]\n')
    (d / "sweep_types.toml").write_text("workloads = 5\n")
    (d / "target.json").write_text("the user's own file\n")
    (d / "link.json").symlink_to("target.json")
    (d / "notes.txt").write_text("my notes\n")
    (d / "foreign.csv").write_text("a,b\n1,2\n")
    (d / "other.json").write_text('{\n  "accel": "eie"\n}\n')
    (d / "mixed.jsonl").write_text(
        '{"run_key": "a", "grid": {"pes": 1}, "workload": "w", "cycles": 5}\n'
        '{"run_key": "b", "grid": {"pes": "x"}, "workload": "w", "cycles": 6}\n')
    os.mkfifo(d / "fifo")
    os.mkfifo(d / "fifo_of_timeline.png")
    return d


def snapshot(folder: Path) -> dict[str, object]:
    """Every entry's kind and content (regular files), link target (symlinks)."""
    found: dict[str, object] = {}
    for entry in sorted(folder.iterdir()):
        mode = os.lstat(entry).st_mode
        if stat.S_ISLNK(mode):
            found[entry.name] = ("link", os.readlink(entry))
        elif stat.S_ISREG(mode):
            found[entry.name] = ("file", entry.read_bytes())
        else:
            found[entry.name] = ("other", stat.S_IFMT(mode))
    return found


EIE = ["--workload", "neuraltalk-we", "--pes", "4"]
SWEEP = ["sweep", "--workload", "neuraltalk-we", "--out", "{d}/r.jsonl"]
PLOT = ["--x", "pes", "--out", "{d}/p.png"]
PRUNE = ["prune", "--quiet", "--epochs", "1", "--finetune-epochs", "0"]

CASES = {
    # simulate: flag values
    "seed negative": (["--seed", "-1"], "--seed: must be >= 0"),
    "clock inf": (["--clock-mhz", "inf"], "must be a finite number"),
    "clock nan": (["--clock-mhz", "nan"], "must be a finite number"),
    "clock subnormal": (["--clock-mhz", "1e-320"], "subnormal"),
    "clock negative": (["--clock-mhz", "-5"], "must be > 0"),
    "clock beyond": (["--clock-mhz", "1e9"], "clock_mhz must be a finite number in"),
    "pes zero": (["--pes", "0"], "--pes: must be >= 1"),
    "pes float text": (["--pes", "1e7"], "must be a whole number"),
    "pes huge": (["--pes", "100000"], "num_pes must be a whole number in 1..4096"),
    "pes beyond int": (["--pes", "99999999999"], "must be at most"),
    "queue depth text": (["--queue-depth", "1e9"], "must be a whole number"),
    "queue depth huge": (["--queue-depth", "100000"], "queue_depth_entries must be"),
    "accel unknown": (["--accel", "nope"], "invalid choice"),
    "engine unknown": (["--engine", "warp"], "invalid choice"),
    "workload unknown": (["--workload", "nope"], "nope"),
    # simulate: technology tables
    "tech binary": ([*EIE, "--tech", "{d}/binary.toml"], "not UTF-8 text"),
    "tech incomplete": ([*EIE, "--tech", "{d}/incomplete.toml"], "missing 'source'"),
    "tech non-numeric": ([*EIE, "--tech", "{d}/nonnumeric.toml"], "must be a finite number"),
    "tech negative dram": ([*EIE, "--tech", "{d}/negative.toml"], "must be a finite number >= 0"),
    "tech negative point": ([*EIE, "--tech", "{d}/negative_point.toml"], "> 0, got -0.03"),
    "tech typo": ([*EIE, "--tech", "{d}/typo.toml"], "did you mean 'dram'"),
    "tech extra key": ([*EIE, "--tech", "{d}/extra.toml"], "unknown key 'voltage'"),
    "tech folder": ([*EIE, "--tech", "{d}/folder.toml"], "not a regular file"),
    "tech unknown name": ([*EIE, "--tech", "7nm"], "unknown technology table"),
    # simulate: model files
    "model strings": (["--model", "{d}/str.npz"], "must be real numbers"),
    "model complex": (["--model", "{d}/complex.npz"], "complex128"),
    "model layers int": (["--model", "{d}/layers5.npz"], '"layers" must be a non-empty list'),
    "model layer nameless": (["--model", "{d}/nameless.npz"], 'with a "name" string'),
    "model layer twice": (["--model", "{d}/twice.npz"], "lists a layer name twice"),
    "model version text": (["--model", "{d}/version.npz"], '"version" must be a whole'),
    "model huge header": (["--model", "{d}/huge.npz"], "declares 3600000000 bytes"),
    "model nan input": (["--model", "{d}/nan_input.npz"], "input contains NaN"),
    "model nan weight": (["--model", "{d}/nan_weight.npz"], "contains NaN or infinity"),
    "model metadata int": (["--model", "{d}/meta_int.npz"], "metadata must be a JSON object"),
    "model 3-d": (["--model", "{d}/three_d.npz"], "must be 2-D"),
    "model fifo": (["--model", "{d}/fifo"], "not a regular file"),
    "model binary": (["--model", "{d}/binary.bin"], "is not a readable ONNX model"),
    "model folder": (["--model", "{d}/folder"], "not a regular file"),
    "model missing": (["--model", "{d}/missing.npz"], "not found"),
    # simulate: output paths
    "json device": ([*EIE, "--json", "/dev/null"], "not a regular file"),
    "json fifo": ([*EIE, "--json", "{d}/fifo"], "not a regular file"),
    "json folder": ([*EIE, "--json", "{d}/folder"], "is a folder"),
    "json missing folder": ([*EIE, "--json", "{d}/nowhere/x.json"], "does not exist"),
    "json and plot same": ([*EIE, "--json", "{d}/x", "--plot", "{d}/x"], "both name"),
    "json and plot via link": ([*EIE, "--json", "{d}/link.json", "--plot", "{d}/target.json"],
                               "both name"),
    "images without images": ([*EIE, "--images", "3"], "--images applies to a model"),
    "reference engine too long": (["--engine", "reference", "--workload", "alexnet"],
                                  "7,042,751 events"),
    "eie memory": (["--pes", "4096", "--workload", "vgg"], "MiB of memory"),
    # other designs
    "ese sparsity nan": (["--accel", "ese", "--sparsity", "nan"], "must be a finite number"),
    "ese sparsity one": (["--accel", "ese", "--sparsity", "1.5"], "must be in [0, 1)"),
    "ese frames zero": (["--accel", "ese", "--frames", "0"], "--frames: must be >= 1"),
    "ese clock inf": (["--accel", "ese", "--clock-mhz", "inf"], "must be a finite number"),
    "ese timeline negative": (["--accel", "ese", "--timeline-layer", "-1"], "must be >= 0"),
    "stc gemm huge": (["--accel", "stc", "--gemm", "100000,100000,100000"], "--force"),
    "stc gemm tall": (["--accel", "stc", "--gemm", "10000000000,16,16"], "beyond the limit"),
    "stc reference engine": (["--accel", "stc", "--engine", "reference", "--gemm",
                              "8192,8192,32768"], "on the reference engine"),
    "stc gemm deep": (["--accel", "stc", "--gemm", "16,16,100000000"], "beyond the limit"),
    "stc gemm two": (["--accel", "stc", "--gemm", "1,2"], "three whole numbers"),
    "area unknown accel": (["area", "--accel", "tpu"], "invalid choice"),
    "stc gemm text": (["--accel", "stc", "--gemm", "a,b,c"], "three whole numbers"),
    "stc tokens huge": (["--accel", "stc", "--workload", "bert-base", "--tokens", "100000000"],
                        "simulated tile steps"),
    "stc tokens with gemm": (["--accel", "stc", "--tokens", "5"], "--tokens applies to"),
    "pointacc points": (["--accel", "pointacc", "--points", "10000000"], "more than the"),
    "pointacc voxel inf": (["--accel", "pointacc", "--voxel", "inf"], "must be a finite"),
    "pointacc comparators": (["--accel", "pointacc", "--comparators", "100000"], "1..4096"),
    "pointacc tech": (["--accel", "pointacc", "--tech", "{d}/negative.toml"], ">= 0"),
    # energy
    "energy binary": (["energy", "--tech", "{d}/folder.toml"], "not a regular file"),
    "energy typo": (["energy", "--tech", "{d}/typo.toml"], "did you mean"),
    # sweep
    "sweep out folder": (["sweep", "--workload", "neuraltalk-we", "--out", "{d}/folder"],
                         "is a folder"),
    "sweep out device": (["sweep", "--workload", "neuraltalk-we", "--out", "/dev/null"],
                         "not a regular file"),
    "sweep out notes": (["sweep", "--workload", "neuraltalk-we", "--out", "{d}/notes.txt"],
                        "not a results file sparsesim wrote"),
    "sweep out foreign csv": (["sweep", "--workload", "neuraltalk-we", "--out",
                               "{d}/foreign.csv"], "not a results file sparsesim wrote"),
    "sweep out json doc": (["sweep", "--workload", "neuraltalk-we", "--out", "{d}/other.json"],
                           "not a results file sparsesim wrote"),
    "sweep grid text": ([*SWEEP, "--grid", "clock_mhz=abc"], "clock_mhz must be a finite"),
    "sweep grid inf": ([*SWEEP, "--grid", "clock_mhz=inf"], "clock_mhz must be a finite"),
    "sweep grid float pes": ([*SWEEP, "--grid", "pes=1.5"], "num_pes must be a whole number"),
    "sweep grid empty": ([*SWEEP, "--grid", "pes="], "no empty value"),
    "sweep grid hole": ([*SWEEP, "--grid", "pes=1,,2"], "no empty value"),
    "sweep grid twice": ([*SWEEP, "--grid", "pes=1", "pes=2"], "given twice"),
    "sweep grid unknown key": ([*SWEEP, "--grid", "nope=1"], "unknown grid key"),
    "sweep too many runs": ([*SWEEP, "--grid", BIG_GRID, BIG_GRID_2], "120,000 runs"),
    "sweep file unknown key": ([*SWEEP, "--file", "{d}/sweep_unknown.toml"],
                               "did you mean 'workloads'"),
    "sweep file grids": ([*SWEEP, "--file", "{d}/sweep_grids.toml"], "did you mean 'grid'"),
    "sweep file empty list": ([*SWEEP, "--file", "{d}/sweep_empty.toml"], "non-empty list"),
    "sweep file seeds": ([*SWEEP, "--file", "{d}/sweep_seeds.toml"], "seeds must be whole"),
    "sweep file types": ([*SWEEP, "--file", "{d}/sweep_types.toml"], "must be a list"),
    "sweep file binary": ([*SWEEP, "--file", "{d}/binary.bin"], "not UTF-8"),
    "sweep file folder": ([*SWEEP, "--file", "{d}/folder"], "not a regular file"),
    "sweep workers zero": ([*SWEEP, "--workers", "0"], "--workers: must be >= 1"),
    "sweep workers many": ([*SWEEP, "--workers", "100000"], "use fewer"),
    "sweep seed negative": ([*SWEEP, "--seed", "-1"], "must be >= 0"),
    "sweep workload unknown": (["sweep", "--workload", "nope", "--out", "{d}/r.jsonl"],
                               "unknown workload"),
    # plot
    "plot binary": (["plot", "{d}/binary.bin", *PLOT], "not a results file"),
    "plot folder": (["plot", "{d}/folder", *PLOT], "not a regular file"),
    "plot json document": (["plot", "{d}/other.json", *PLOT], "not a results file"),
    "plot mixed types": (["plot", "{d}/mixed.jsonl", *PLOT], "number and text"),
    "plot missing": (["plot", "{d}/missing.jsonl", *PLOT], "not found"),
    "plot onto results": (["plot", "{d}/mixed.jsonl", "--x", "pes", "--out",
                           "{d}/mixed.jsonl"], "names the results file"),
    "plot out folder": (["plot", "{d}/mixed.jsonl", "--x", "pes", "--out", "{d}/folder"],
                        "is a folder"),
    # demo
    "demo no topic": (["demo"], "demo needs a topic"),
    "demo unknown topic": (["demo", "balance"], "demo needs a topic"),
    "demo pes huge": (["demo", "imbalance", "--pes", "100000"], "1..4096"),
    "demo prefix missing folder": (["demo", "imbalance", "--out-prefix", "{d}/nowhere/x"],
                                   "does not exist"),
    "demo prefix fifo": (["demo", "imbalance", "--out-prefix", "{d}/fifo_of"],
                         "not a regular file"),
    # prune
    "prune share 300": ([*PRUNE, "--share-weights", "300"], "2..256"),
    "prune share 1": ([*PRUNE, "--share-weights", "1"], "2..256"),
    "prune block too big": ([*PRUNE, "--method", "block", "--block", "500x4"], "larger than"),
    "prune nm sparsity": ([*PRUNE, "--method", "nm", "--sparsity", "0.9"], "1 - N/M = 0.5"),
    "prune nm keeps all": ([*PRUNE, "--method", "nm", "--nm", "4:4"], "smaller than M"),
    "prune nm without method nm": ([*PRUNE, "--nm", "1:4"], "--nm applies only with --method nm"),
    "prune lottery with sparsity": ([*PRUNE[:2], "--procedure", "lottery", "--sparsity", "0.5"],
                                    "--sparsity applies only with --procedure prune"),
    "prune plot without scan": ([*PRUNE, "--plot", "{d}/p.png"],
                                "--plot applies only with --procedure sensitivity or"),
    "netadapt preset on eie": (["prune", "--method", "netadapt", "--preset", "h100"],
                               "--preset applies only with --accel stc"),
    "amc moves": (["prune", "--method", "amc", "--moves", "fine"],
                  "--moves applies only with --method netadapt"),
    "prune style without plot": ([*PRUNE, "--style", "slide"], "--style applies only with --plot"),
    "eie trace max without trace": (["--accel", "eie", "--trace-max-events", "5"],
                                    "applies only with --trace"),
    "stc heat map too big": (["--accel", "stc", "--gemm", "256,200000,256", "--plot",
                              "{d}/h.png"], "the --plot heat map at N = 200000"),
    "prune diverges": ([*PRUNE, "--lr", "1e6"], "training diverged"),
    "prune seed negative": ([*PRUNE, "--seed", "-1"], "must be >= 0"),
    "prune epochs zero": ([*PRUNE[:2], "--epochs", "0"], "--epochs: must be >= 1"),
    "prune l2 nan": ([*PRUNE, "--l2", "nan"], "must be a finite number"),
    "prune out missing folder": ([*PRUNE, "--out", "{d}/nowhere/m.npz"], "does not exist"),
    "prune json device": ([*PRUNE, "--json", "/dev/null"], "not a regular file"),
    "prune out and json same": ([*PRUNE, "--out", "{d}/m", "--json", "{d}/m"], "both name"),
    "slimming with sparsity": ([*PRUNE, "--method", "slimming", "--sparsity", "0.5"],
                               "give --channel-ratio"),
    "slimming lambda negative": ([*PRUNE, "--method", "slimming", "--slimming-lambda", "-1"],
                                 "must be >= 0"),
    "slimming ratio one": ([*PRUNE, "--method", "slimming", "--channel-ratio", "1"],
                           "must be in [0, 1)"),
    "netadapt seed negative": (["prune", "--method", "netadapt", "--seed", "-1"], ">= 0"),
    "netadapt out folder": (["prune", "--method", "netadapt", "--out", "{d}/folder"],
                            "is a folder"),
    "netadapt probe text": (["prune", "--method", "netadapt", "--probe-images", "1e8"],
                            "whole number"),
    "netadapt lenet5 on eie": (["prune", "--method", "netadapt", "--model", "lenet5"],
                               "--accel stc"),
    "netadapt probe huge": (["prune", "--method", "netadapt", "--probe-images", "100000000"],
                            "more than the"),
    "netadapt reward": (["prune", "--method", "netadapt", "--reward", "flops-error"],
                        "--reward applies only with --method amc"),
    "amc reward unknown": (["prune", "--method", "amc", "--reward", "speed"], "invalid choice"),
    "amc flops-error budget": (["prune", "--method", "amc", "--reward", "flops-error",
                                "--latency-us", "1"], "has no budget"),
    "amc channel latency": (["prune", "--method", "amc", "--granularity", "channel"],
                            "MACs budget"),
    "amc lenet5 latency": (["prune", "--model", "lenet5", "--method", "amc"],
                           "--flops-ratio R or --reward flops-error"),
    "amc dataset unknown": (["prune", "--method", "amc", "--dataset", "cifar"],
                            "invalid choice"),
    "prune seeds without lottery": ([*PRUNE, "--seeds", "2"],
                                    "--seeds applies only with --procedure lottery"),
    "lottery plot many seeds": ([*PRUNE[:2], "--procedure", "lottery", "--seeds", "2",
                                 "--plot", "{d}/l.png"], "--plot draws one seed's rounds"),
    "amc seeds zero": (["prune", "--method", "amc", "--seeds", "0"], "--seeds: must be >= 1"),
    "amc out many seeds": (["prune", "--method", "amc", "--seeds", "3", "--out", "{d}/m.npz"],
                           "--out saves one model"),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_input_is_one_line_exit_2_and_damages_nothing(case, files, capsys):
    argv, message = CASES[case]
    before = snapshot(files)
    code = sim.main([a.replace("{d}", str(files)) for a in argv])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert err.count("\n") == 1 and err.startswith("sparsesim: error: "), err
    assert "Traceback" not in err and message in err, err
    assert snapshot(files) == before
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode)


def test_the_table_spans_every_entry_point():
    first = {argv[0] if argv[0] in sim.SUBCOMMANDS else "simulate" for argv, _ in CASES.values()}
    assert first == {"simulate", *sim.SUBCOMMANDS}
    assert len(CASES) >= 60
