"""Each pruning method's defining property, on seeded random weights."""

import numpy as np
import pytest

from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.pruning.block import block_mask
from sparsesim.workloads.pruning.channel import channel_mask
from sparsesim.workloads.pruning.magnitude import global_magnitude_masks, magnitude_mask
from sparsesim.workloads.pruning.methods import prune_masks
from sparsesim.workloads.pruning.n_m import n_m_mask
from sparsesim.workloads.pruning.pattern import CENTRE, pattern_prune
from sparsesim.workloads.pruning.sharing import share_layer


@pytest.mark.parametrize("sparsity", [0.0, 0.5, 0.92, 0.999])
def test_magnitude_keeps_exact_count_of_largest(rng, sparsity):
    w = rng.normal(size=(30, 40))
    mask = magnitude_mask(w, sparsity)
    assert mask.sum() == round((1 - sparsity) * w.size)
    if 0 < mask.sum() < w.size:
        assert np.abs(w[mask]).min() >= np.abs(w[~mask]).max()


def test_global_magnitude_uses_one_threshold_across_layers(rng):
    weights = {"a": rng.normal(size=(20, 30)), "b": 0.1 * rng.normal(size=(10, 20))}
    masks = global_magnitude_masks(weights, 0.8)
    kept = np.concatenate([np.abs(weights[n][masks[n]]) for n in weights])
    dropped = np.concatenate([np.abs(weights[n][~masks[n]]) for n in weights])
    assert len(kept) == round(0.2 * 800) and kept.min() >= dropped.max()
    assert masks["b"].mean() < masks["a"].mean()  # the small-weight layer loses more


@pytest.mark.parametrize("n, m", [(2, 4), (1, 4), (4, 8)])
def test_n_m_holds_in_every_group(rng, n, m):
    w = rng.normal(size=(12, 3, 3, 8))  # conv weights: inputs flattened to 72
    mask = n_m_mask(w, n, m)
    groups = mask.reshape(12, -1, m)
    assert np.all(groups.sum(axis=-1) == n)
    mags = np.abs(w).reshape(12, -1, m)
    assert np.all(np.where(groups, mags, np.inf).min(-1) >= np.where(groups, -np.inf, mags).max(-1))


def test_n_m_rejects_inputs_not_divisible_by_m(rng):
    with pytest.raises(ConfigError, match="divide by 4, got 10 inputs"):
        n_m_mask(rng.normal(size=(3, 10)))


@pytest.mark.parametrize("shape, block", [((32, 48), (4, 4)), ((30, 50), (4, 8)), ((9, 7), (2, 3))])
def test_blocks_are_all_zero_or_kept_whole(rng, shape, block):
    mask = block_mask(rng.normal(size=shape), 0.75, block)
    bh, bw = block
    for r in range(0, shape[0], bh):
        for c in range(0, shape[1], bw):
            tile = mask[r:r + bh, c:c + bw]
            assert tile.all() or not tile.any()
    blocks = -(-shape[0] // bh) * -(-shape[1] // bw)
    kept_blocks = sum(mask[r, c] for r in range(0, shape[0], bh) for c in range(0, shape[1], bw))
    assert kept_blocks == round(0.25 * blocks)


def test_channel_pruning_removes_whole_filters_of_least_l1(rng):
    w = rng.normal(size=(16, 4, 3, 3))
    mask = channel_mask(w, 0.25)
    rows = mask.reshape(16, -1)
    assert np.all(rows.all(axis=1) | ~rows.any(axis=1)) and rows.all(axis=1).sum() == 12
    norms = np.abs(w).reshape(16, -1).sum(axis=1)
    assert norms[rows.all(axis=1)].min() >= norms[~rows.any(axis=1)].max()


def test_patterns_come_from_the_set_and_connectivity_removes_kernels(rng):
    w = rng.normal(size=(8, 6, 3, 3))
    result = pattern_prune(w, patterns=4, connectivity_sparsity=0.25)
    assert result.patterns.shape == (4, 9) and np.all(result.patterns.sum(axis=1) == 4)
    assert np.all(result.patterns[:, CENTRE])
    kernels = result.mask.reshape(48, 9)
    in_set = (kernels[:, None, :] == result.patterns[None]).all(axis=2).any(axis=1)
    removed = ~kernels.any(axis=1)
    assert np.all(in_set | removed) and removed.sum() == 12
    assert np.array_equal(removed, result.assigned.ravel() == -1)
    # each kept kernel has the pattern in the set that keeps most of its energy
    energy = (w.reshape(48, 9) ** 2) @ result.patterns.T
    kept = ~removed
    assert np.allclose(energy[kept].max(axis=1), (w.reshape(48, 9) ** 2 * kernels).sum(1)[kept])


def test_pattern_pruning_rejects_non_3x3(rng):
    with pytest.raises(ConfigError, match="needs 3x3 kernels"):
        pattern_prune(rng.normal(size=(4, 4, 5, 5)))


def test_sharing_leaves_at_most_15_values_and_zeros_in_place(rng):
    w = np.where(rng.random((40, 50)) < 0.1, rng.normal(size=(40, 50)), 0.0)
    shared = share_layer(w, entries=16)
    assert np.array_equal(shared.weights != 0, w != 0)
    assert len(np.unique(shared.weights[shared.weights != 0])) <= 15
    assert set(np.unique(shared.weights[w != 0])) <= set(shared.codebook[1:].astype(np.float32))


def test_channel_method_never_removes_classifier_rows(rng):
    weights = {"fc1": rng.normal(size=(20, 30)), "fc2": rng.normal(size=(10, 20))}
    masks = prune_masks("channel", weights, 0.5)
    assert masks["fc2"].any(axis=1).all() and masks["fc1"].all(axis=1).sum() == 10


@pytest.mark.parametrize("bad", [-0.1, 1.0, 1.5])
def test_sparsity_outside_unit_interval_is_rejected(rng, bad):
    with pytest.raises(ConfigError, match="sparsity must be in"):
        magnitude_mask(rng.normal(size=(3, 3)), bad)


def test_unknown_method_is_rejected():
    with pytest.raises(ConfigError, match="unknown pruning method 'foo'"):
        prune_masks("foo", {}, 0.5)
