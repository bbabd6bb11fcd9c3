import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsesim.simulator.errors import ConfigError, WorkloadError
from sparsesim.workloads.pruning.load_balance import balanced_mask, magnitude_mask, pe_counts


@settings(max_examples=40, deadline=None)
@given(rows=st.integers(1, 70), cols=st.integers(1, 30), pes=st.integers(1, 16),
       sparsity=st.floats(0.0, 0.99), seed=st.integers(0, 2 ** 16))
def test_balanced_submatrices_keep_exactly_equal_counts(rows, cols, pes, sparsity, seed):
    weights = np.random.default_rng(seed).normal(size=(rows, cols))
    counts = pe_counts(balanced_mask(weights, sparsity, pes), pes)
    used = counts[:min(pes, rows)]
    assert np.all(used == used[0])


def test_balanced_keeps_largest_within_each_pe():
    weights = np.array([[1.0, 9.0], [5.0, 6.0], [8.0, 2.0], [7.0, 3.0]])
    mask = balanced_mask(weights, 0.5, 2)  # PE 0: rows 0, 2; PE 1: rows 1, 3; keep 2 each
    assert mask.tolist() == [[False, True], [False, True], [True, False], [True, False]]


def test_magnitude_keeps_global_largest_and_is_unbalanced():
    skewed = np.array([[9.0, 8.0], [1.0, 2.0], [7.0, 6.0], [3.0, 1.5]])
    mask = magnitude_mask(skewed, 0.5)  # keeps 9, 8, 7, 6: all in PE 0's rows 0 and 2
    assert mask.tolist() == [[True, True], [False, False], [True, True], [False, False]]
    assert pe_counts(mask, 2).tolist() == [4, 0]
    assert pe_counts(balanced_mask(skewed, 0.5, 2), 2).tolist() == [2, 2]


def test_equal_sparsity_keeps_equal_totals_when_rows_divide():
    weights = np.random.default_rng(3).normal(size=(64, 50))
    assert balanced_mask(weights, 0.9, 32).sum() == magnitude_mask(weights, 0.9).sum() == 320


def test_bad_sparsity_and_shape_raise_one_line_errors():
    with pytest.raises(ConfigError, match=r"sparsity must lie in \[0, 1\), got 1.0"):
        balanced_mask(np.ones((4, 4)), 1.0, 2)
    with pytest.raises(ConfigError, match="num_pes must be a whole number >= 1, got 0"):
        balanced_mask(np.ones((4, 4)), 0.5, 0)
    with pytest.raises(WorkloadError, match=r"expected a 2-D weight matrix, got shape \(4,\)"):
        magnitude_mask(np.ones(4), 0.5)
