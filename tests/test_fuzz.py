"""Fuzzing the readers and the sparse formats with hypothesis.

Readers (model files, technology tables, sweep files) must either accept an input or
refuse it with a UserError, whatever the bytes; every sparse format must decode to the
matrix it encoded, and refuse (FormatError) an encoding whose arrays were corrupted.
"""

from __future__ import annotations

import io
import json
import math
import string
import zipfile
from argparse import Namespace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sparsesim.cli.sweep import build_specs, read_grid_file
from sparsesim.simulator.energy import TECH_DIR, _checked_table, load_table
from sparsesim.simulator.errors import FormatError, UserError
from sparsesim.workloads.formats import CSC, CSR, EIECSC, NMCompressed
from sparsesim.workloads.model_file import load_model, save_model

FUZZ = settings(max_examples=100, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])
KEYS = st.text(string.ascii_lowercase + "_.", min_size=1, max_size=12)
SCALARS = (st.none() | st.booleans() | st.integers(-10**6, 10**6)
           | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=8))
JSON = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=4)
                    | st.dictionaries(KEYS, inner, max_size=4), max_leaves=12)


def _model_bytes(arrays: dict[str, np.ndarray], meta: object) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, __metadata__=np.array(json.dumps(meta)), **arrays)
    return buffer.getvalue()


def _load(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.npz"
    path.write_bytes(data)
    try:
        workload = load_model(path)
    except UserError:
        return
    assert workload.layers  # accepted: a model with layers


ARRAYS = st.dictionaries(
    st.sampled_from(["fc1.weight", "fc2.weight", "input", "test_images", "test_labels"]),
    hnp.arrays(st.sampled_from([np.float32, np.float64, np.int8, np.int64, np.uint8,
                                np.complex64, np.bool_, np.dtype("U2")]),
               hnp.array_shapes(min_dims=0, max_dims=3, max_side=5)),
    max_size=4)
LAYERS = st.lists(st.fixed_dictionaries({"name": st.sampled_from(["fc1", "fc2", 3, ""])},
                                        optional={"activation": SCALARS}), max_size=3)


@FUZZ
@given(arrays=ARRAYS, layers=LAYERS | JSON,
       version=st.sampled_from([1, "1", 2, None]))
def test_model_reader_accepts_or_refuses_structured_files(tmp_path, arrays, layers, version):
    meta = {"format": "sparsesim-model", "version": version, "layers": layers}
    _load(tmp_path, _model_bytes(arrays, meta))


@FUZZ
@given(data=st.binary(max_size=400))
def test_model_reader_refuses_random_bytes(tmp_path, data):
    _load(tmp_path, data)


@pytest.fixture(scope="module")
def good_model(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("model") / "good.npz"
    rng = np.random.default_rng(0)
    save_model(path, {"fc1": rng.normal(size=(6, 5)), "fc2": rng.normal(size=(3, 6))},
               {"fc1": "relu", "fc2": "none"}, input_vector=rng.random(5))
    return path.read_bytes()


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1,
                      max_size=8), cut=st.none() | st.integers(0, 10**6))
def test_model_reader_refuses_corrupted_files(tmp_path, good_model, edits, cut):
    data = bytearray(good_model)
    for position, value in edits:
        data[position % len(data)] = value
    if cut is not None:
        data = data[:cut % len(data)]
    _load(tmp_path, bytes(data))


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return "nan" if math.isnan(value) else ("inf" if value == math.inf else
                                                "-inf" if value == -math.inf else repr(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    return json.dumps(str(value))


def toml_text(document: dict[str, object]) -> str:
    """A TOML document of scalars, lists of scalars and one level of tables."""
    top = [f'"{k}" = {_toml_value(v)}' for k, v in document.items() if not isinstance(v, dict)]
    tables = [f'["{k}"]\n' + "\n".join(f'"{kk}" = {_toml_value(vv)}' for kk, vv in v.items())
              for k, v in document.items() if isinstance(v, dict)]
    return "\n".join(top + tables) + "\n"


TOML_SCALARS = (st.booleans() | st.integers(-10**6, 10**6)
                | st.floats(allow_nan=True, allow_infinity=True) | st.text(max_size=6))
TOML_VALUES = TOML_SCALARS | st.lists(TOML_SCALARS, max_size=4)
TECH_KEYS = st.sampled_from(["name", "source", "int_add_pj", "int_mult_pj", "fp_add_pj",
                             "fp_mult_pj", "sram_read_64bit_pj", "dram", "leakage", "dramm",
                             "8", "access_64bit_pj_low", "access_64bit_pj_high",
                             "sram_leakage_pw_per_bit"])
TABLE = st.dictionaries(TECH_KEYS | st.sampled_from(["8", "32", "-1", "x", "1e3"]),
                        TOML_SCALARS, max_size=4)


@FUZZ
@given(document=st.dictionaries(TECH_KEYS, TOML_VALUES | TABLE, max_size=9))
def test_tech_reader_accepts_or_refuses_any_document(document):
    try:
        table = _checked_table(Path("fuzz.toml"), document)
    except UserError:
        return
    assert table.dram_64bit_pj >= 0 and all(pj > 0 for points in table.points.values()
                                            for _, pj in points)


@FUZZ
@given(text=st.text(max_size=300) | st.binary(max_size=300))
def test_tech_reader_refuses_random_files(tmp_path, text):
    path = tmp_path / "random.toml"
    path.write_bytes(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text)
    with pytest.raises(UserError):
        load_table.__wrapped__(str(path))


@FUZZ
@given(lines=st.lists(st.integers(0, 60), max_size=5),
       replacement=st.sampled_from(["", "x = 1", "[dram]", "8 = -1", '8 = "a"', "9 = inf"]))
def test_tech_reader_on_edited_shipped_table(tmp_path, lines, replacement):
    text = (TECH_DIR / "45nm.toml").read_text().splitlines()
    for line in lines:
        if line < len(text):
            text[line] = replacement
    path = tmp_path / "edited.toml"
    path.write_text("\n".join(text))
    try:
        load_table.__wrapped__(str(path))
    except UserError:
        pass


SWEEP_KEYS = st.sampled_from(["accel", "workloads", "seeds", "engine", "grid", "workload",
                              "seed", "grids"])
GRID = st.dictionaries(st.sampled_from(["pes", "queue_depth", "clock_mhz", "nope"]),
                       st.lists(TOML_SCALARS, max_size=3), max_size=2)


@FUZZ
@given(document=st.dictionaries(SWEEP_KEYS, TOML_VALUES | GRID, max_size=5))
def test_sweep_reader_accepts_or_refuses_any_document(tmp_path, document):
    path = tmp_path / "sweep.toml"
    path.write_text(toml_text(document))
    args = Namespace(accel=None, workload=None, model=None, engine=None, grid=None, seed=None,
                     force=False)
    try:
        specs = build_specs(args, read_grid_file(str(path)))
    except UserError:
        return
    assert all(spec["config"]["num_pes"] >= 1 for spec in specs)


# Sparse formats: encode, decode, and refuse corrupted encodings.

SMALL_VALUES = st.integers(-3, 3)


def sparse_matrices(max_side: int = 10, values=SMALL_VALUES):
    return hnp.arrays(np.float64, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1,
                                                   max_side=max_side),
                      elements=values.map(float))


@FUZZ
@given(dense=sparse_matrices())
def test_csr_and_csc_round_trip(dense):
    for kind in (CSR, CSC):
        encoded = kind.from_dense(dense)
        assert np.array_equal(encoded.to_dense(), dense)
        assert encoded.nnz == np.count_nonzero(dense)


@FUZZ
@given(dense=sparse_matrices(), which=st.sampled_from(["ptr", "indices"]),
       position=st.integers(0, 100), value=st.integers(-5, 20))
def test_corrupted_csr_is_refused_or_still_consistent(dense, which, position, value):
    good = CSR.from_dense(dense)
    array = getattr(good, which).copy()
    assume(len(array))
    array[position % len(array)] = value
    fields = {"ptr": good.ptr, "indices": good.indices, which: array}
    try:
        corrupted = CSR(good.shape, good.values, fields["indices"], fields["ptr"])
    except FormatError:
        return
    assert corrupted.to_dense().shape == dense.shape


@FUZZ
@given(codes=sparse_matrices(12, st.integers(0, 15)), num_pes=st.integers(1, 8),
       zero_bits=st.integers(1, 4))
def test_eie_csc_round_trip(codes, num_pes, zero_bits):
    encoded = EIECSC.from_csc(CSC.from_dense(codes), num_pes, value_bits=4, zero_bits=zero_bits)
    assert np.array_equal(encoded.to_dense(), codes)
    assert encoded.entries_per_pe().sum() >= np.count_nonzero(codes)


@FUZZ
@given(codes=sparse_matrices(12, st.integers(0, 15)), num_pes=st.integers(1, 8),
       position=st.integers(0, 1000), value=st.integers(0, 255))
def test_corrupted_eie_csc_is_refused_or_decodes_in_bounds(codes, num_pes, position, value):
    good = EIECSC.from_csc(CSC.from_dense(codes), num_pes)
    assume(len(good.z))
    z = good.z.copy()
    z[position % len(z)] = value % 16
    corrupted = EIECSC(good.shape, num_pes, good.v, z, good.ptr)
    try:
        decoded = corrupted.to_dense()
    except FormatError:
        return
    assert decoded.shape == codes.shape


@st.composite
def nm_matrices(draw):
    m = draw(st.integers(2, 8))
    n = draw(st.integers(1, m - 1))
    dense = draw(sparse_matrices(12))
    rows, k = dense.shape
    groups = -(-k // m)
    padded = np.zeros((rows, groups * m))
    padded[:, :k] = dense
    grouped = padded.reshape(rows, groups, m)
    rank = np.argsort(np.argsort(-np.abs(grouped), axis=2, kind="stable"), axis=2)
    pruned = np.where(rank < n, grouped, 0).reshape(rows, groups * m)[:, :k]
    return pruned, n, m


@FUZZ
@given(case=nm_matrices())
def test_nm_compressed_round_trip(case):
    dense, n, m = case
    encoded = NMCompressed.from_dense(dense, n, m)
    assert np.array_equal(encoded.to_dense(), dense)


@FUZZ
@given(case=nm_matrices(), position=st.integers(0, 1000), value=st.integers(0, 255))
def test_corrupted_nm_positions_are_refused_or_decode(case, position, value):
    dense, n, m = case
    good = NMCompressed.from_dense(dense, n, m)
    positions = good.positions.copy()
    positions.flat[position % positions.size] = value
    try:
        corrupted = NMCompressed(good.shape, good.values, positions, n, m)
    except FormatError:
        return
    assert corrupted.to_dense().shape == dense.shape


def test_structured_zip_member_that_is_not_an_array_is_refused(tmp_path):
    path = tmp_path / "odd.npz"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("fc1.weight.npy", b"not an array")
    with pytest.raises(FormatError, match="is not a .npy array"):
        load_model(path)
