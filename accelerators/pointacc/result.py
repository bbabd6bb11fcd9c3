"""SimResult of one PointAcc layer from its counters and check."""

from __future__ import annotations

import numpy as np

from sparsesim.accelerators.pointacc.area import area
from sparsesim.accelerators.pointacc.check import Check
from sparsesim.accelerators.pointacc.config import PointAccConfig
from sparsesim.accelerators.pointacc.energy import energy_breakdown_pj, key_buffer_bytes
from sparsesim.accelerators.pointacc.run import LayerRun
from sparsesim.simulator.energy import load_table
from sparsesim.simulator.result import SimResult, make_result

UNITS = ("mapping", "matrix")  # the compute units reported as "PEs"


def build_result(run: LayerRun, check: Check, config: PointAccConfig, *, workload: str,
                 seed: int | None, wall_seconds: float, input_voxels: int,
                 tech: str = "45nm") -> SimResult:
    cycles = max(1, run.cycles)
    seconds = run.cycles / config.clock_hz
    breakdown = energy_breakdown_pj(run, config, input_voxels, seconds, load_table(tech))

    busy = [run.mapping_cycles, run.matmul_cycles]
    waiting = [run.waiting_cycles["mapping"], run.waiting_cycles["matrix"]]
    idle = [cycles - b - w for b, w in zip(busy, waiting)]
    return make_result(
        accel="pointacc", workload=workload, config=config.to_dict(), seed=seed,
        engine="reference", cycles=run.cycles, clock_hz=config.clock_hz,
        macs_useful=run.macs, busy=np.array(busy), stalled=np.array(waiting),
        starved=np.array(idle),
        queue_stats={"waiting_cycles": dict(run.waiting_cycles)},
        memory_stats={"dram": {"bytes_read": run.dram_bytes_read,
                               "bytes_written": run.dram_bytes_written,
                               "busy_cycles": run.memory_cycles,
                               "bytes_per_cycle": config.dram_bytes_per_cycle},
                      "feature_buffer": {"capacity_bytes": config.feature_buffer_bytes,
                                         "input_features_resident": run.features_resident,
                                         "values_written": run.feature_writes,
                                         "values_read": run.array_input_reads},
                      "key_buffer": {"capacity_bytes": key_buffer_bytes(run, config,
                                                                        input_voxels),
                                     "reads": run.key_reads,
                                     "writes": run.key_writes + input_voxels,
                                     "hash_table_slots": run.table_slots},
                      "map_buffer": {"capacity_bytes": config.map_buffer_bytes,
                                     "entry_bits": config.map_entry_bits,
                                     "writes": run.map_entries, "reads": run.map_entries},
                      "output_buffer": {"capacity_bytes": config.output_buffer_bytes,
                                        "partial_sum_updates": run.array_psum_updates},
                      "array_weights": {"loads": run.array_weight_loads}},
        output_ok=check.output_ok, max_abs_error=check.max_abs_error,
        wall_seconds=wall_seconds,
        details={"layer": run.name, "kind": run.kind, "mapper": config.mapper,
                 "units": list(UNITS), "mapping_cycles": run.mapping_cycles,
                 "matmul_cycles": run.matmul_cycles, "memory_cycles": run.memory_cycles,
                 "map_entries": run.map_entries, "maps_ok": check.maps_ok,
                 "mapping_comparisons": run.comparisons, "hash_collisions": run.collisions,
                 "keys_hashed": run.hashes,
                 "macs_by_width": {f"{8 * config.feature_bytes}x{8 * config.feature_bytes}"
                                   "_bit": run.macs},
                 "mapping_passes": run.mapping_passes, "input_voxels": input_voxels,
                 "output_points": int(len(run.out_coords)),
                 "output_channels": int(run.output.shape[1]),
                 "reference": check.reference, "tech": tech,
                 "area": area(config, tech, key_buffer_bytes(run, config, input_voxels))},
        energy_breakdown_pj=breakdown,
    )
