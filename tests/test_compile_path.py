"""The vectorized compile path gives the same bytes as before: the interleaved CSC
against a plain loop over PEs and columns, k-means against np.unique, and digests of
real layers recorded with the code before vectorizing."""

import hashlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sparsesim.accelerators.ese.compile import compile_model
from sparsesim.accelerators.ese.config import ESE_PAPER
from sparsesim.accelerators.ese.pruning import prune
from sparsesim.workloads.eie_layers import benchmark_layer
from sparsesim.workloads.formats import CSC, EIECSC
from sparsesim.workloads.lstm_models import lstm_workload
from sparsesim.workloads.model_file import load_model
from sparsesim.workloads.shipped_models import SHIPPED_MODELS
from sparsesim.workloads.weight_sharing import share_weights


def digest(*arrays: np.ndarray) -> str:
    h = hashlib.sha256()
    for a in arrays:
        a = np.ascontiguousarray(a)
        h.update(str((a.dtype.str, a.shape)).encode())
        h.update(a.tobytes())
    return h.hexdigest()[:16]


def loop_encoding(dense_codes: np.ndarray, num_pes: int, zero_bits: int):
    """EIE's interleaved CSC by hand: PE by PE, column by column, row by row."""
    span = 2 ** zero_bits
    v, z, ptr = [], [], np.zeros((num_pes, dense_codes.shape[1] + 1), dtype=np.int64)
    for pe in range(num_pes):
        ptr[pe, 0] = len(v)
        rows = dense_codes[pe::num_pes]
        for col in range(dense_codes.shape[1]):
            zeros = 0
            for local in range(rows.shape[0]):
                if rows[local, col] == 0:
                    zeros += 1
                    continue
                while zeros >= span:
                    v.append(0)
                    z.append(span - 1)
                    zeros -= span
                v.append(rows[local, col])
                z.append(zeros)
                zeros = 0
            ptr[pe, col + 1] = len(v)
    return np.array(v), np.array(z), ptr


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 12), st.integers(1, 9), st.floats(0.0, 1.0), st.integers(1, 7),
       st.integers(1, 4), st.booleans(), st.integers(0, 2**32 - 1))
def test_interleaved_csc_matches_a_plain_loop(rows, cols, density, pes, zero_bits,
                                              shuffled, seed):
    rng = np.random.default_rng(seed)
    dense = np.where(rng.random((rows, cols)) < density, rng.integers(1, 16, (rows, cols)), 0)
    csc = CSC.from_dense(dense.astype(np.uint8))
    if shuffled:  # rows out of order within columns: the general (lexsort) path
        order = np.concatenate([rng.permutation(np.arange(a, b))
                                for a, b in zip(csc.ptr[:-1], csc.ptr[1:])]).astype(np.int64)
        csc = CSC(csc.shape, csc.values[order], csc.indices[order], csc.ptr)
    encoding = EIECSC.from_csc(csc, pes, zero_bits=zero_bits)
    v, z, ptr = loop_encoding(dense, pes, zero_bits)
    assert np.array_equal(encoding.v, v) and np.array_equal(encoding.z, z)
    assert np.array_equal(encoding.ptr, ptr) and encoding.ptr.dtype == np.int64
    assert encoding.v.dtype == np.uint8 and encoding.z.dtype == np.uint8


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([-1.5, -0.25, 0.5, 2.0, 3.0, 7.0, 1e-3]), max_size=40),
       st.integers(2, 8))
def test_few_distinct_weights_are_kept_exactly_as_np_unique_gives_them(values, entries):
    values = np.array(values, dtype=np.float32)
    shared = share_weights(values, entries)
    distinct = np.unique(values.astype(np.float64))
    if len(distinct) <= entries - 1:
        assert np.array_equal(shared.codebook[1:1 + len(distinct)],
                              distinct.astype(np.float16))
        assert np.array_equal(shared.values(), values.astype(np.float16).astype(np.float64))


# Digests written by the code before vectorizing (commit 2519fb0), seed 0.
BENCHMARK_DIGESTS = {
    "alexnet-fc8": ["92d7cabde980b9c1", "43ba1bd295c81006", "1126b5bbb774c82d",
                    "4707b02273d4a482"],
    "neuraltalk-wd": ["f8d4c0933da575fa", "2996152894b6bfef", "4d5140b619ba7dd2",
                      "216e7aac91889958"],
}
LENET_DIGESTS = {"fc1": ("96adb192e0c00db3", "a3e817da05245dcd"),
                 "fc2": ("be7cefac5404ac25", "a54bc980b8d462e5"),
                 "fc3": ("e0cf944b4625f918", "69580601b7b54ec4")}
SPEAKER_DIGESTS = ["9ccd4ab0cb3ad416", "9d20fa7bdbcd0bd7", "3d79186540dcf8d8"]


@pytest.mark.parametrize("name", sorted(BENCHMARK_DIGESTS))
def test_benchmark_layers_and_encodings_are_byte_identical_to_before(name):
    for _ in range(2):  # generated, then read back from the disk cache
        layer = benchmark_layer(name, 0)
        shared = share_weights(layer.weights.values)
        found = [digest(layer.weights.values, layer.weights.indices, layer.weights.ptr,
                        layer.activations), digest(shared.codes, shared.codebook)]
        for pes in (64, 7):
            e = EIECSC.from_csc(layer.weights.with_values(shared.codes), pes)
            found.append(digest(e.v, e.z, e.ptr))
        assert found == BENCHMARK_DIGESTS[name]


def test_real_lenet_and_speaker_lstm_encodings_are_byte_identical_to_before():
    for layer in load_model(SHIPPED_MODELS["lenet300-pruned"]).layers:
        shared = share_weights(layer.weights.values)
        e = EIECSC.from_csc(layer.weights.with_values(shared.codes), 64)
        assert (digest(shared.codes, shared.codebook), digest(e.v, e.z, e.ptr)) == \
            LENET_DIGESTS[layer.name]
    model = prune(lstm_workload("speaker-lstm"), "balanced", 0.9, 32)
    layers = compile_model(model, ESE_PAPER).layers
    assert [digest(c.gates.v, c.gates.z, c.gates.ptr) for c in layers] == SPEAKER_DIGESTS
