"""One sparse convolution on PointAcc, as three engine processes:

  mapping: load the input keys from DRAM, prepare them (merge sort, or nothing for
           the hash mapper), make the output keys (stride 1: the inputs; stride 2:
           downsampled and deduplicated), then per kernel offset find its map and
           queue it (offsets with no entry are dropped);
  memory:  load the input features once if they fit the feature buffer, then per
           queued map fetch that offset's weights (and, if the features did not fit,
           the gathered input rows) and pass it on;
  matrix:  per map, gather the input rows, multiply by the offset's weights on the
           systolic array tile by tile (input-channel tiles accumulate in order) and
           scatter-accumulate into the outputs; at the end apply ReLU and write the
           outputs back.
Values are computed in float64; traffic is counted at feature_bytes per value.
"""

from __future__ import annotations

import numpy as np

from sparsesim.accelerators.pointacc.config import PointAccConfig
from sparsesim.accelerators.pointacc.keys import kernel_offsets, pack, unpack
from sparsesim.accelerators.pointacc.run import LayerRun, counters_of
from sparsesim.accelerators.pointacc.units import Units
from sparsesim.workloads.point_layers import KERNEL_SIZE, SparseConv


def simulate_conv(config: PointAccConfig, coords: np.ndarray, features: np.ndarray,
                  layer: SparseConv) -> LayerRun:
    units = Units(config)
    mapper, dram, array = units.mapper, units.dram, units.array
    offsets = kernel_offsets(KERNEL_SIZE)
    n_in, c_in, c_out = len(coords), layer.c_in, layer.c_out
    fb = config.feature_bytes
    resident = n_in * c_in * fb <= config.feature_buffer_bytes
    x = features.astype(np.float64)
    weights = layer.weights.astype(np.float64)
    state: dict = {"entries": []}

    def mapping():
        yield from dram.transfer(read_bytes=n_in * config.key_bytes)
        in_keys, in_index = yield from mapper.inputs(pack(coords))
        state["out_keys"] = yield from mapper.outputs(in_keys, layer.stride)
        for number, offset in enumerate(offsets):
            rows_in, rows_out = yield from mapper.kernel_map(in_keys, in_index,
                                                             state["out_keys"], offset)
            state["entries"].append((number, rows_in, rows_out))
            if len(rows_in):
                yield from units.wait("mapping", mapper, units.maps.put(
                    (number, rows_in, rows_out)), "space in the map queue")
        yield from units.wait("mapping", mapper, units.maps.put(None), "space in the map queue")

    def memory():
        if resident:
            yield from dram.transfer(read_bytes=n_in * c_in * fb)
            units.feature_writes += n_in * c_in
        while True:
            item = yield from units.wait("memory", dram, units.maps.get(), "a map")
            if item is not None:
                gathered = 0 if resident else len(item[1]) * c_in * fb
                units.feature_writes += gathered // fb
                yield from dram.transfer(read_bytes=c_in * c_out * fb + gathered)
            yield from units.wait("memory", dram, units.tiles.put(item), "space for a tile")
            if item is None:
                return

    def matrix():
        out = None
        while True:
            item = yield from units.wait("matrix", array, units.tiles.get(), "gathered rows")
            if item is None:
                break
            if out is None:
                out = np.zeros((len(state["out_keys"]), c_out))
            number, rows_in, rows_out = item
            yield array.matmul(len(rows_in), c_in, c_out)
            gathered = x[rows_in]
            product = np.zeros((len(rows_in), c_out))
            for k0 in range(0, c_in, config.array_rows):  # input-channel tiles, in order
                product += gathered[:, k0:k0 + config.array_rows] @ \
                    weights[number, k0:k0 + config.array_rows]
            out[rows_out] += product  # an offset maps each output at most once
        if out is None:
            out = np.zeros((len(state["out_keys"]), c_out))
        state["output"] = np.maximum(out, 0.0) if layer.relu else out
        yield from dram.transfer(write_bytes=len(out) * c_out * fb)
        units.finish()

    for process in (mapping(), memory(), matrix()):
        units.engine.process(process)
    units.run()
    out_coords = unpack(state["out_keys"])
    maps = [np.column_stack([rows_in, out_coords[rows_out], np.full(len(rows_in), number)])
            for number, rows_in, rows_out in state["entries"]]
    stats = mapper.stats
    return counters_of(units, stats, layer.name, "sparse_conv", resident, out_coords,
                       state["output"],
                       {"kernel_map": np.concatenate(maps) if maps else np.zeros((0, 5))},
                       map_entries=stats.map_entries, passes=stats.passes)
