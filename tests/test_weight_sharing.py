import numpy as np
import pytest

from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.weight_sharing import share_weights


def test_codebook_has_16_float16_entries_with_zero_first(rng):
    shared = share_weights(rng.normal(size=5000), entries=16)
    assert shared.codebook.dtype == np.float16 and len(shared.codebook) == 16
    assert shared.codebook[0] == 0
    assert shared.codes.min() >= 1 and shared.codes.max() <= 15


def test_each_weight_maps_to_its_nearest_centroid(rng):
    values = rng.normal(size=3000)
    shared = share_weights(values)
    centroids = shared.codebook[1:].astype(np.float64)
    nearest = np.abs(values[:, None] - centroids[None, :]).min(axis=1)
    assert np.allclose(np.abs(shared.values() - values), nearest)


def test_few_distinct_values_are_kept_exactly():
    values = np.array([0.5, -0.25, 0.5, 1.0])
    shared = share_weights(values)
    assert np.array_equal(shared.values(), values)


def test_sharing_is_deterministic(rng):
    values = rng.normal(size=2000)
    a, b = share_weights(values), share_weights(values)
    assert np.array_equal(a.codes, b.codes) and np.array_equal(a.codebook, b.codebook)


def test_nan_weights_are_rejected():
    with pytest.raises(WorkloadError, match="NaN"):
        share_weights(np.array([1.0, np.nan]))
