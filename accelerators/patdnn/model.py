"""PatDNN on a mobile CPU: compile a conv workload in the configured scheme (dense
im2col, CSR or FKW with PatDNN's optimizations), then run every layer on a cycle engine
with its real output checked against numpy."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from sparsesim.accelerators.patdnn.config import PatDNNConfig
from sparsesim.accelerators.patdnn.execute import Encoding, check, conv_output
from sparsesim.accelerators.patdnn.schedule import (
    Schedule,
    csr_blocks,
    dense_blocks,
    make_schedule,
    pattern_blocks,
)
from sparsesim.accelerators.patdnn.simulate import simulate_fast, simulate_reference
from sparsesim.simulator.energy import load_table
from sparsesim.simulator.errors import ConfigError
from sparsesim.simulator.result import SimResult, make_result
from sparsesim.workloads.conv_layers import ConvLayer, ConvWorkload
from sparsesim.workloads.formats import CSR
from sparsesim.workloads.formats.fkw import FKW, csr_nbytes

ENGINE_FUNCTIONS = {"reference": simulate_reference, "fast": simulate_fast}


@dataclass(frozen=True)
class CompiledLayer:
    layer: ConvLayer
    encoding: Encoding  # dense (F, C*k*k) matrix, CSR of it, or FKW
    schedule: Schedule
    encoded_bytes: int  # the encoding's storage
    fkw_bytes: int  # FKW of the same weights, for comparison
    csr_bytes: int  # CSR of the same weights, for comparison


@dataclass(frozen=True)
class CompiledPatDNN:
    workload: str
    config: PatDNNConfig
    layers: tuple[CompiledLayer, ...]


def compile_layer(layer: ConvLayer, config: PatDNNConfig) -> CompiledLayer:
    f, c, k, _ = layer.weight.shape
    matrix = layer.weight.reshape(f, c * k * k)
    fkw = FKW.from_dense(layer.weight, layer.patterns, layer.assigned,
                         reorder_filters=config.reorder)
    if config.scheme == "dense":
        encoding, blocks, size = matrix.copy(), dense_blocks(layer.weight, config), matrix.nbytes
    elif config.scheme == "csr":
        encoding, blocks = CSR.from_dense(matrix), csr_blocks(layer.weight)
        size = csr_nbytes(matrix)
    else:
        encoding, blocks, size = fkw, pattern_blocks(fkw, config), fkw.nbytes
    schedule = make_schedule(blocks, layer.output_shape, c, k, config)
    return CompiledLayer(layer, encoding, schedule, int(size), fkw.nbytes, csr_nbytes(matrix))


def compile(workload: ConvWorkload, config: PatDNNConfig) -> CompiledPatDNN:
    return CompiledPatDNN(workload.name, config,
                          tuple(compile_layer(layer, config) for layer in workload.layers))


def run_layer(compiled: CompiledLayer, config: PatDNNConfig, workload: str, engine: str,
              seed: int | None, tech: str) -> tuple[SimResult, np.ndarray]:
    if engine not in ENGINE_FUNCTIONS:
        raise ConfigError(f"patdnn has no engine {engine!r}; choose one of "
                          f"{', '.join(ENGINE_FUNCTIONS)}")
    start = time.perf_counter()
    sched, layer = compiled.schedule, compiled.layer
    timing = ENGINE_FUNCTIONS[engine](sched, config)
    output = conv_output(layer, compiled.encoding)
    ok, error = check(layer, output)
    tiles = sched.rows * sched.tiles_per_row
    im2col_ops = sum(sched.im2col_rows) * sched.tiles_per_row * (
        layer.weight.shape[1] * layer.kernel ** 2)
    count = {key: tiles * sum(getattr(b, key) for b in sched.blocks)
             for key in ("input_loads", "other_loads", "stores", "fmas", "mispredicts")}
    loads = count["input_loads"] + count["other_loads"] + im2col_ops
    stores = count["stores"] + im2col_ops
    table = load_table(tech)
    access = table.sram_access_pj(config.l1_bytes, 32 * config.simd_lanes)
    lane_fma = table.interpolate("fp_mult_pj", 32) + table.interpolate("fp_add_pj", 32)
    busy = np.array(timing.busy)
    _, ho, wo = layer.output_shape
    details = {
        "layer": layer.name, "scheme": config.scheme, "reorder": config.reorder,
        "lre": config.lre, "output_shape": list(layer.output_shape),
        "weights_kept": int(np.count_nonzero(layer.weight)),
        "loads_issued": int(loads), "input_loads": int(count["input_loads"]),
        "weight_index_loads": int(count["other_loads"]), "im2col_loads": int(im2col_ops),
        "stores_issued": int(stores), "vector_fmas": int(count["fmas"]),
        "pattern_mispredicts": int(count["mispredicts"]),
        "im2col_cycles": timing.im2col_cycles,
        "thread_busy_cycles": [int(b) for b in busy],
        "thread_imbalance": float(busy.max() / busy.mean()) if busy.mean() > 0 else 1.0,
        "encoded_bytes": compiled.encoded_bytes, "fkw_bytes": compiled.fkw_bytes,
        "csr_bytes": compiled.csr_bytes,
    }
    result = make_result(
        accel="patdnn", workload=f"{workload}/{layer.name}", config=config.to_dict(),
        seed=seed, engine=engine, cycles=timing.cycles, clock_hz=config.clock_hz,
        macs_useful=details["weights_kept"] * ho * wo, busy=busy,
        stalled=np.zeros_like(busy), starved=timing.cycles - busy, output_ok=ok,
        max_abs_error=error, wall_seconds=time.perf_counter() - start,
        energy_breakdown_pj={"simd_fma": count["fmas"] * config.simd_lanes * lane_fma,
                             "l1_loads": loads * access, "l1_stores": stores * access},
        details=details)
    return result, output


def run(compiled: CompiledPatDNN, *, engine: str = "reference", seed: int | None = None,
        tech: str = "45nm") -> tuple[list[SimResult], np.ndarray | None]:
    results, output = [], None
    for layer in compiled.layers:
        result, output = run_layer(layer, compiled.config, compiled.workload, engine, seed,
                                   tech)
        results.append(result)
    return results, output
