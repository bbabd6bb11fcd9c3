"""The disk cache: keyed by content, reused across runs, safe when damaged or unwritable."""

import dataclasses
import os
import warnings

import numpy as np
import pytest
from conftest import random_layer

from sparsesim.accelerators.eie import compile as eie_compile
from sparsesim.accelerators.eie import model as eie
from sparsesim.accelerators.ese import compile as ese_compile
from sparsesim.accelerators.ese import model as ese
from sparsesim.accelerators.ese.config import ESE_PAPER
from sparsesim.accelerators.ese.pruning import prune
from sparsesim.simulator import disk_cache
from sparsesim.simulator.disk_cache import ENV, CacheWarning, cache_dir, cached, content_key
from sparsesim.workloads.lstm_models import lstm_workload


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(ENV, str(folder))
    return folder


def entries(folder):
    return sorted(p for p in folder.rglob("*") if p.is_file())


def test_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv(ENV, str(tmp_path / "x"))
    assert cache_dir() == tmp_path / "x"
    monkeypatch.setenv(ENV, "off")
    assert cache_dir() is None
    monkeypatch.delenv(ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "sparsesim"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "sparsesim"


def test_content_key_tells_contents_apart():
    a = np.arange(6, dtype=np.int32)
    assert content_key(a, 1) == content_key(a.copy(), 1)
    assert content_key(a, 1) != content_key(a, 2)
    assert content_key(a) != content_key(a.astype(np.int64))
    assert content_key(a) != content_key(a.reshape(2, 3))
    assert content_key(a) != content_key(a + (a == 5))


def test_a_compiled_layer_is_read_back_without_recomputing(cache, rng, monkeypatch):
    layer = random_layer(rng, 50, 40, 0.3, 0.5)
    eie_encode = eie_compile._encode
    first = eie.compile(layer, eie.EIE_PAPER)
    assert [p.suffix for p in entries(cache)] == [".npz", ".npz"]  # codebook, encoding

    def fail(*_):
        raise AssertionError("encoded again instead of read from the cache")

    monkeypatch.setattr(eie_compile, "_encode", fail)
    monkeypatch.setattr(eie_compile, "_share", fail)
    again = eie.compile(layer, dataclasses.replace(eie.EIE_PAPER, queue_depth_entries=2,
                                                   clock_mhz=100.0))  # timing fields only
    for field in ("v", "z", "ptr"):
        assert np.array_equal(getattr(first.encoding, field), getattr(again.encoding, field))
    assert np.array_equal(first.codes.values, again.codes.values)
    assert np.array_equal(first.codebook, again.codebook)
    assert eie.run(again).output_ok
    with pytest.raises(AssertionError, match="encoded again"):  # encoding fields: a new key
        eie.compile(layer, dataclasses.replace(eie.EIE_PAPER, num_pes=3))
    monkeypatch.setattr(eie_compile, "_encode", eie_encode)  # the codebook is PE-independent
    assert eie.run(eie.compile(layer, dataclasses.replace(eie.EIE_PAPER, num_pes=3))).output_ok
    with pytest.raises(AssertionError, match="encoded again"):
        eie.compile(layer, dataclasses.replace(eie.EIE_PAPER, weight_index_bits=3))


def test_entries_hold_no_pickles_and_no_temporary_files_remain(cache, rng):
    eie.compile(random_layer(rng, 30, 20, 0.4, 0.5), eie.EIE_PAPER)
    names = set()
    for entry in entries(cache):
        with np.load(entry, allow_pickle=False) as data:
            names |= set(data.files)
    assert names == {"v", "z", "ptr", "codes", "codebook"}


def test_a_damaged_entry_is_computed_again_and_replaced(cache):
    calls = []

    def compute():
        calls.append(1)
        return {"a": np.arange(3)}

    cached("k", "key", compute)
    (entry,) = entries(cache)
    entry.write_bytes(b"PK\x03\x04 cut short")
    assert np.array_equal(cached("k", "key", compute)["a"], np.arange(3))
    assert np.array_equal(cached("k", "key", compute)["a"], np.arange(3))
    assert len(calls) == 2


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_unwritable_folder_warns_once_and_runs_without_cache(tmp_path, monkeypatch, rng):
    folder = tmp_path / "ro"
    folder.mkdir()
    folder.chmod(0o500)
    monkeypatch.setenv(ENV, str(folder))
    monkeypatch.setattr(disk_cache, "_unwritable", set())
    layer = random_layer(rng, 30, 20, 0.4, 0.5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert eie.run(eie.compile(layer)).output_ok
        assert eie.run(eie.compile(layer)).output_ok
    assert [w.category for w in caught] == [CacheWarning]
    assert "not writable" in str(caught[0].message) and ENV in str(caught[0].message)


def test_a_folder_that_is_a_file_warns_and_runs_without_cache(tmp_path, monkeypatch, rng):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(ENV, str(blocker))
    monkeypatch.setattr(disk_cache, "_unwritable", set())
    with pytest.warns(CacheWarning, match="not writable"):
        assert eie.run(eie.compile(random_layer(rng, 30, 20, 0.4, 0.5))).output_ok


def test_cache_off_writes_nothing(tmp_path, monkeypatch, rng):
    monkeypatch.setenv(ENV, "off")
    monkeypatch.chdir(tmp_path)
    eie.compile(random_layer(rng, 30, 20, 0.4, 0.5))
    assert entries(tmp_path) == []


def test_ese_encodings_are_read_back_and_run_the_same(cache, monkeypatch):
    model = lstm_workload("ese-lstm", seed=1).with_frames(2)
    model = prune(model, "balanced", 0.9, 8)
    config = dataclasses.replace(ESE_PAPER, pes_per_channel=8)
    first = ese.run(ese.compile(model, config))
    monkeypatch.setattr(ese_compile, "CSC", None)  # encoding again would fail
    again = ese.run(ese.compile(model, config))
    assert again.output_ok and again.cycles == first.cycles
    assert np.array_equal(again.hidden_states, first.hidden_states)


def _entry(folder, kind, index, size, mtime):
    path = folder / kind / f"{index:040x}.npz"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"x" * size)
    os.utime(path, ns=(mtime, mtime))
    return path


def test_eviction_removes_least_recently_used_entries_and_nothing_else(cache, tmp_path):
    old = [_entry(cache, "eie-layers", i, 300, 10**9 * (i + 1)) for i in range(3)]
    newest = _entry(cache, "eie-encodings", 7, 300, 10**9 * 10)
    users = cache / "eie-layers" / "mine.npz"
    users.write_bytes(b"y" * 5000)
    outside = tmp_path / "outside.npz"
    outside.write_bytes(b"z" * 5000)
    (cache / "eie-layers" / f"{9:040x}.npz").symlink_to(outside)
    assert disk_cache.evict(cache, 2000) == 0  # within the limit: nothing removed
    freed = disk_cache.evict(cache, 1000, keep=newest)  # 1200 > 1000: down to 800
    assert freed == 600 and not old[0].exists() and not old[1].exists()
    assert old[2].exists() and newest.exists() and users.exists() and outside.exists()


def test_reading_an_entry_marks_it_used_and_a_bad_limit_is_refused(cache, monkeypatch):
    first = cached("k", "a" * 40, lambda: {"x": np.arange(3)})
    path = cache / "k" / f"{'a' * 40}.npz"
    os.utime(path, ns=(1, 1))
    again = cached("k", "a" * 40, lambda: pytest.fail("recomputed"))
    assert np.array_equal(first["x"], again["x"]) and path.stat().st_mtime_ns > 1
    monkeypatch.setenv(disk_cache.MAX_ENV, "lots")
    with pytest.raises(disk_cache.ConfigError, match="SPARSESIM_CACHE_MAX_MB"):
        cached("k", "b" * 40, lambda: {"x": np.arange(3)})


def test_a_new_entry_beyond_the_limit_evicts_older_ones(cache, monkeypatch):
    monkeypatch.setenv(disk_cache.MAX_ENV, "1")
    big = np.zeros(2**20 // 8 * 3 // 4)  # 0.75 MiB
    cached("k", "c" * 40, lambda: {"x": big})
    cached("k", "d" * 40, lambda: {"x": big + 1})
    assert [p.name[0] for p in entries(cache)] == ["d"]
