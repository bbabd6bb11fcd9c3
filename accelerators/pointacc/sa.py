"""One PointNet++ set abstraction on PointAcc, as three engine processes:

  mapping: load the point coordinates, farthest point sampling of the centres, then
           ball query for each centre's neighbours (the distance unit), queued as one
           neighbour map;
  memory:  load the features once if they fit the feature buffer, then the MLP weights
           (and, if the features did not fit, the gathered neighbour rows);
  matrix:  gather (neighbour xyz - centre xyz, neighbour features), multiply by the
           weights on the systolic array, ReLU, max over each centre's neighbours,
           write the centres' features back.
"""

from __future__ import annotations

import numpy as np

from sparsesim.accelerators.pointacc.config import PointAccConfig
from sparsesim.accelerators.pointacc.run import LayerRun, counters_of
from sparsesim.accelerators.pointacc.units import Units
from sparsesim.workloads.point_layers import SetAbstraction


def group(coords: np.ndarray, features: np.ndarray, centres: np.ndarray,
          neighbours: np.ndarray) -> np.ndarray:
    """(centres * k, 3 + c) float64 rows: relative position, then features."""
    rel = coords[neighbours] - coords[centres][:, None, :]
    rows = np.concatenate([rel.astype(np.float64), features[neighbours].astype(np.float64)],
                          axis=2)
    return rows.reshape(-1, rows.shape[2])


def simulate_set_abstraction(config: PointAccConfig, coords: np.ndarray,
                             features: np.ndarray, layer: SetAbstraction) -> LayerRun:
    units = Units(config)
    distance, dram, array = units.distance, units.dram, units.array
    n, c_in = features.shape
    c_out = layer.weights.shape[1]
    m, k = layer.samples, layer.neighbours
    fb = config.feature_bytes
    resident = n * c_in * fb <= config.feature_buffer_bytes
    state: dict = {}

    def mapping():
        yield from dram.transfer(read_bytes=n * config.key_bytes)
        centres = yield from distance.farthest_point_sampling(coords, m)
        neighbours = yield from distance.ball_query(coords, coords[centres],
                                                    layer.radius_voxels ** 2, k)
        state["centres"], state["neighbours"] = centres, neighbours
        yield from units.wait("mapping", distance, units.maps.put((centres, neighbours)),
                              "space in the map queue")

    def memory():
        if resident:
            yield from dram.transfer(read_bytes=n * c_in * fb)
            units.feature_writes += n * c_in
        item = yield from units.wait("memory", dram, units.maps.get(), "a map")
        gathered = 0 if resident else m * k * c_in * fb
        units.feature_writes += gathered // fb
        yield from dram.transfer(read_bytes=(3 + c_in) * c_out * fb + gathered)
        yield from units.wait("memory", dram, units.tiles.put(item), "space for a tile")

    def matrix():
        centres, neighbours = yield from units.wait("matrix", array, units.tiles.get(),
                                                    "gathered rows")
        rows = group(coords, features, centres, neighbours)
        yield array.matmul(len(rows), 3 + c_in, c_out)
        hidden = np.maximum(rows @ layer.weights.astype(np.float64), 0.0)
        state["output"] = hidden.reshape(m, k, c_out).max(axis=1)
        yield from dram.transfer(write_bytes=m * c_out * fb)
        units.finish()

    for process in (mapping(), memory(), matrix()):
        units.engine.process(process)
    units.run()
    return counters_of(units, distance.stats, layer.name, "set_abstraction", resident,
                       coords[state["centres"]], state["output"],
                       {"fps": state["centres"], "neighbours": state["neighbours"]},
                       map_entries=m * k, passes=m)
