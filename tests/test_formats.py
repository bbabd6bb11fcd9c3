import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsesim.simulator.errors import FormatError
from sparsesim.workloads.formats import CSC, CSR, EIECSC


def test_eie_csc_paper_example_encodes_with_padding_entry():
    """Rows 2, 3 and 22 of one column in one PE: the gap of 18 needs one padding entry."""
    dense = np.zeros((30, 1), dtype=np.int64)
    dense[[2, 3, 22], 0] = [1, 2, 3]
    enc = EIECSC.from_csc(CSC.from_dense(dense), num_pes=1)
    assert enc.v.tolist() == [1, 2, 0, 3]
    assert enc.z.tolist() == [2, 0, 15, 2]
    assert enc.ptr.tolist() == [[0, 4]]
    assert np.array_equal(enc.to_dense(), dense)


def test_eie_csc_interleaves_rows_over_pes():
    dense = np.zeros((8, 2), dtype=np.int64)
    dense[[0, 5, 6], 0] = [1, 2, 3]
    dense[7, 1] = 4
    enc = EIECSC.from_csc(CSC.from_dense(dense), num_pes=4)
    # PE 0 holds rows 0, 4; PE 1 rows 1, 5; PE 2 rows 2, 6; PE 3 rows 3, 7.
    assert enc.column_lengths().tolist() == [[1, 0], [1, 0], [1, 0], [0, 1]]
    assert enc.z.tolist() == [0, 1, 1, 1]  # local rows 0, 1, 1, 1
    assert np.array_equal(enc.to_dense(), dense)


def test_eie_csc_gap_of_exactly_16_needs_one_padding():
    dense = np.zeros((40, 1), dtype=np.int64)
    dense[[0, 17], 0] = [5, 6]
    enc = EIECSC.from_csc(CSC.from_dense(dense), num_pes=1)
    assert enc.v.tolist() == [5, 0, 6]
    assert enc.z.tolist() == [0, 15, 0]


def test_eie_csc_size_counts_entries_and_pointers():
    dense = np.zeros((30, 1), dtype=np.int64)
    dense[[2, 3, 22], 0] = [1, 2, 3]
    enc = EIECSC.from_csc(CSC.from_dense(dense), num_pes=1)
    assert enc.size_bits(pointer_bits=16) == {"entries_bits": 32, "pointers_bits": 32,
                                              "total_bits": 64}


def test_eie_csc_rejects_code_zero_and_too_large():
    with pytest.raises(FormatError, match="codebook indices"):
        EIECSC.from_csc(CSC.from_dense(np.array([[16]])), num_pes=1)
    bad = CSC((1, 1), np.array([0]), np.array([0], dtype=np.int32), np.array([0, 1]))
    with pytest.raises(FormatError, match="0 is reserved"):
        EIECSC.from_csc(bad, num_pes=1)


def test_csc_rejects_inconsistent_pointers():
    with pytest.raises(FormatError, match="pointer array"):
        CSC((2, 2), np.array([1.0]), np.array([0], dtype=np.int32), np.array([0, 0, 2]))


@st.composite
def code_matrices(draw):
    rows = draw(st.integers(1, 70))
    cols = draw(st.integers(1, 12))
    density = draw(st.floats(0.0, 1.0))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    return (rng.random((rows, cols)) < density) * rng.integers(1, 16, (rows, cols))


@settings(max_examples=60, deadline=None)
@given(code_matrices(), st.integers(1, 64))
def test_eie_csc_roundtrips_to_dense(dense, num_pes):
    enc = EIECSC.from_csc(CSC.from_dense(dense), num_pes)
    assert np.array_equal(enc.to_dense(), dense)
    assert np.all(enc.z < 16)
    assert enc.entries_per_pe().sum() == len(enc.v)


@settings(max_examples=40, deadline=None)
@given(code_matrices())
def test_csc_and_csr_roundtrip_to_dense(dense):
    for fmt in (CSC, CSR):
        enc = fmt.from_dense(dense)
        assert np.array_equal(enc.to_dense(), dense)
        assert enc.nnz == np.count_nonzero(dense)
        rows, cols = np.nonzero(dense)
        again = fmt.from_coo(dense.shape, rows, cols, dense[rows, cols])
        assert np.array_equal(again.to_dense(), dense)


def test_eie_csc_signed_12_bit_codes_roundtrip_with_padding():
    dense = np.zeros((40, 2), dtype=np.int64)
    dense[[0, 20, 39], 0] = [-2048, 2047, -1]
    dense[5, 1] = 300
    enc = EIECSC.from_csc(CSC.from_dense(dense), num_pes=1, value_bits=12, signed=True)
    assert enc.v.dtype == np.int16
    assert enc.v.tolist() == [-2048, 0, 2047, 0, -1, 300]  # 2 paddings: gaps of 19 and 18
    assert np.array_equal(enc.to_dense(), dense)
    with pytest.raises(FormatError, match="signed codes must lie in -2048..2047"):
        EIECSC.from_csc(CSC.from_dense(dense * 2), num_pes=1, value_bits=12, signed=True)
