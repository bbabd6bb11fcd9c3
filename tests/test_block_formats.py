import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsesim.simulator.errors import FormatError
from sparsesim.workloads.formats import BSR, BlockedELL


@st.composite
def block_sparse(draw):
    rows, cols = draw(st.integers(1, 23)), draw(st.integers(1, 23))
    density = draw(st.floats(0.0, 1.0))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    return np.where(rng.random((rows, cols)) < density, rng.normal(size=(rows, cols)), 0.0)


@settings(max_examples=60, deadline=None)
@given(block_sparse(), st.integers(1, 6), st.integers(1, 6))
def test_bsr_round_trips_any_block_shape(dense, bh, bw):
    bsr = BSR.from_dense(dense, (bh, bw))
    assert np.array_equal(bsr.to_dense(), dense)
    kept = {(r // bh, c // bw) for r, c in zip(*np.nonzero(dense))}
    assert bsr.tiles == len(kept)
    assert bsr.size_bytes(2, 4) == bsr.tiles * (bh * bw * 2 + 4) + 4 * len(bsr.row_ptr)


@settings(max_examples=60, deadline=None)
@given(block_sparse(), st.integers(1, 6))
def test_blocked_ell_round_trips_and_pads_to_the_longest_block_row(dense, b):
    ell = BlockedELL.from_dense(dense, b)
    assert np.array_equal(ell.to_dense(), dense)
    bsr = BSR.from_dense(dense, (b, b))
    per_row = bsr.tiles_per_block_row()
    assert ell.ell_cols == per_row.max(initial=0)
    assert ell.padding_slots == ell.ell_cols * len(per_row) - bsr.tiles
    assert ell.size_bytes(2) == ell.col_indices.size * (b * b * 2 + 4)


def test_blocked_ell_marks_padding_with_minus_one():
    dense = np.zeros((4, 4))
    dense[0, 0] = dense[0, 3] = dense[3, 1] = 1.0
    ell = BlockedELL.from_dense(dense, 2)
    assert ell.col_indices.tolist() == [[0, 1], [0, -1]]


def test_bad_encodings_are_refused():
    with pytest.raises(FormatError, match="row pointers"):
        BSR((4, 4), (2, 2), np.zeros((1, 2, 2)), np.array([0], np.int32), np.array([0, 0, 0]))
    with pytest.raises(FormatError, match="outside"):
        BlockedELL((4, 4), 2, np.zeros((2, 1, 2, 2)), np.array([[2], [0]], np.int32))
