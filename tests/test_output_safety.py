"""User files: symlinks followed, permissions kept, results files repaired, not replaced;
the numba cache falls back to memory when nothing is writable."""

from __future__ import annotations

import csv
import json
import os
import stat
import warnings

import pytest

from sparsesim.cli import main as sim
from sparsesim.cli.output_paths import check_outputs
from sparsesim.cli.sweep_store import ResultsFile
from sparsesim.simulator import jit as jit_settings
from sparsesim.simulator.atomic_file import write_atomically
from sparsesim.simulator.errors import UserError

GRID = ["sweep", "--workload", "neuraltalk-we", "--grid", "pes=2,4", "--workers", "1"]


def test_a_symlink_is_followed_and_its_target_replaced(tmp_path):
    target = tmp_path / "real.json"
    target.write_text("old")
    os.chmod(target, 0o640)
    link = tmp_path / "link.json"
    link.symlink_to(target.name)
    write_atomically(link, lambda handle: handle.write(b"new"))
    assert link.is_symlink() and os.readlink(link) == target.name
    assert target.read_text() == "new"
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o640  # permissions kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.json"
    link.symlink_to("made.json")
    write_atomically(link, lambda handle: handle.write(b"x"))
    assert link.is_symlink() and (tmp_path / "made.json").read_text() == "x"


@pytest.mark.parametrize("make, message", [
    (lambda p: os.mkfifo(p), "not a regular file"),
    (lambda p: p.mkdir(), "is a folder"),
])
def test_write_atomically_never_replaces_a_special_file(tmp_path, make, message):
    path = tmp_path / "special"
    make(path)
    with pytest.raises(UserError, match=message):
        write_atomically(path, lambda handle: handle.write(b"x"))
    assert not stat.S_ISREG(os.stat(path).st_mode)


def test_two_flags_naming_one_file_through_a_link_are_refused(tmp_path):
    (tmp_path / "a").write_text("")
    (tmp_path / "b").symlink_to("a")
    with pytest.raises(UserError, match="--json and --plot both name"):
        check_outputs({"--json": str(tmp_path / "a"), "--plot": str(tmp_path / "b")})
    check_outputs({"--json": str(tmp_path / "a"), "--plot": None})


def test_a_torn_csv_row_is_cut_before_appending(tmp_path, capsys):
    out = tmp_path / "r.csv"
    assert sim.main([*GRID, "--out", str(out)]) == 0
    whole = out.read_text()
    rows = whole.splitlines(keepends=True)
    out.write_text(rows[0] + rows[1] + '"' + rows[2][:15])  # power cut mid-row, open quote
    assert sim.main([*GRID, "--out", str(out)]) == 0
    with open(out, newline="") as handle:
        parsed = list(csv.DictReader(handle))  # a standard reader sees every row whole
    assert len(parsed) == 2 and all(row["row_complete"] == "1" for row in parsed)
    assert "1 to do" in capsys.readouterr().err


def test_sweep_appends_to_its_own_results_only(tmp_path):
    out = tmp_path / "r.jsonl"
    assert sim.main([*GRID, "--out", str(out)]) == 0
    ResultsFile(out).check_owned()  # its own file is accepted
    record = json.loads(out.read_text().splitlines()[0])
    assert "run_key" in record
    notes = tmp_path / "notes.jsonl"
    notes.write_text('{"my": "data"}\n')
    with pytest.raises(UserError, match="not a results file sparsesim wrote"):
        ResultsFile(notes).check_owned()


def test_cache_usable_needs_a_writable_folder(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setattr(jit_settings.numba.config, "CACHE_DIR", "")
    assert not jit_settings.cache_usable(blocker / "src", blocker / "home")
    assert jit_settings.cache_usable(blocker / "src", tmp_path / "home")


def test_jit_compiles_in_memory_with_one_warning_when_no_cache_is_writable(monkeypatch):
    monkeypatch.setattr(jit_settings, "cache_usable", lambda source, user: False)
    monkeypatch.setattr(jit_settings, "_warned", [])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        twice = jit_settings.jit(lambda x: 2 * x)
        thrice = jit_settings.jit(lambda x: 3 * x)
    assert twice(4) == 8 and thrice(2) == 6
    assert len(caught) == 1 and "compiling kernels in memory" in str(caught[0].message)
    assert twice.targetoptions.get("cache") is not True
