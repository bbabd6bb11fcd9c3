import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsesim.simulator.errors import FormatError
from sparsesim.workloads.formats import NMCompressed
from sparsesim.workloads.formats.nm_compressed import nm_bits_per_dense_element


def test_two_four_example_keeps_values_and_positions():
    dense = np.array([[0, 5, 0, 7, 1, 0, 0, 0],
                      [0, 0, 0, 3, 0, 0, 0, 0]], dtype=np.float32)
    enc = NMCompressed.from_dense(dense)
    assert enc.values.tolist() == [[[5, 7], [1, 0]], [[0, 3], [0, 0]]]
    # a group with one nonzero keeps the lowest zero position beside it
    assert enc.positions.tolist() == [[[1, 3], [0, 1]], [[0, 3], [0, 1]]]
    assert np.array_equal(enc.to_dense(), dense)


def test_size_is_half_the_values_plus_two_bit_metadata():
    enc = NMCompressed.from_dense(np.zeros((3, 16), dtype=np.float16))
    assert enc.size_bits(16) == {"values_bits": 3 * 8 * 16, "metadata_bits": 3 * 8 * 2,
                                 "total_bits": 3 * 8 * 18}
    assert nm_bits_per_dense_element(16) == 9.0
    assert nm_bits_per_dense_element(8) == 5.0


def test_k_not_multiple_of_four_pads_the_last_group():
    dense = np.array([[1, 0, 0, 0, 2, 3]], dtype=np.int8)
    enc = NMCompressed.from_dense(dense)
    assert enc.values.shape == (1, 2, 2)
    assert enc.to_dense().tolist() == dense.tolist()


def test_violation_names_first_bad_group_row_major():
    dense = np.zeros((4, 12), dtype=np.float32)
    dense[3, 0:3] = 1.0  # row 3, group 0: later row
    dense[1, 8:11] = 1.0  # row 1, group 2: first in row-major order
    with pytest.raises(FormatError, match=r"row 1, group 2 \(columns 8\.\.11\) has 3 nonzeros"):
        NMCompressed.from_dense(dense)


def test_rejects_bad_arguments():
    with pytest.raises(FormatError, match="2-D"):
        NMCompressed.from_dense(np.zeros(8))
    with pytest.raises(FormatError, match="1 <= n < m"):
        NMCompressed.from_dense(np.zeros((2, 8)), n=4, m=4)
    with pytest.raises(FormatError, match="ascending"):
        NMCompressed((1, 4), np.zeros((1, 1, 2)), np.array([[[2, 1]]], dtype=np.uint8))


@st.composite
def nm_matrices(draw):
    n, m = draw(st.sampled_from([(2, 4), (1, 4), (2, 8), (1, 2)]))
    rows, k = draw(st.integers(0, 9)), draw(st.integers(1, 37))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    groups = -(-k // m)
    dense = np.zeros((rows, groups * m), dtype=np.float32)
    for r in range(rows):
        for g in range(groups):
            kept = rng.choice(m, size=rng.integers(0, n + 1), replace=False)
            dense[r, g * m + kept] = rng.normal(size=len(kept))
    return dense[:, :k], n, m


@settings(max_examples=80, deadline=None)
@given(nm_matrices())
def test_nm_compressed_roundtrips_to_dense(case):
    dense, n, m = case
    enc = NMCompressed.from_dense(dense, n, m)
    assert np.array_equal(enc.to_dense(), dense)
    assert np.count_nonzero(enc.values) == np.count_nonzero(dense)
    if enc.positions.size:
        assert np.all(np.diff(enc.positions.astype(int), axis=2) > 0)
