"""TorchSparse on a GPU: the MinkowskiNet-style conv block of a point workload as
mapping (hash), gather, grouped matmuls and scatter kernels on one stream, with each
layer's real output computed by gather-matmul-scatter on its own maps and checked
against numpy."""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from sparsesim.accelerators.pointacc import references as ref
from sparsesim.accelerators.pointacc.config import PointAccConfig
from sparsesim.accelerators.pointacc.keys import kernel_offsets
from sparsesim.accelerators.pointacc.model import KernelMaps, kernel_maps
from sparsesim.accelerators.torchsparse.config import TorchSparseConfig
from sparsesim.accelerators.torchsparse.grouping import group_offsets
from sparsesim.accelerators.torchsparse.kernels import (
    Kernel,
    gather_kernel,
    mapping_kernels,
    matmul_kernel,
    scatter_kernel,
)
from sparsesim.accelerators.torchsparse.timeline import STREAMS
from sparsesim.simulator.energy import load_table
from sparsesim.simulator.errors import ConfigError
from sparsesim.simulator.result import SimResult, make_result
from sparsesim.workloads.point_layers import KERNEL_SIZE, PointWorkload, SparseConv

PHASES = ("mapping", "matmul", "data_movement")


@dataclass(frozen=True)
class CompiledLayer:
    layer: SparseConv
    in_coords: np.ndarray  # (N_in, 3)
    maps: KernelMaps  # from PointAcc's hash mapper: entries (E, 5), out_coords, probes
    groups: list[list[int]]  # offset numbers batched together


@dataclass(frozen=True)
class CompiledTorchSparse:
    workload: PointWorkload
    config: TorchSparseConfig
    layers: tuple[CompiledLayer, ...]


def compile(workload: PointWorkload, config: TorchSparseConfig) -> CompiledTorchSparse:  # noqa: A001
    """Kernel maps of every conv (PointAcc's hash mapper) and the offset groups."""
    mapper = PointAccConfig(mapper="hash", hash_load_factor=config.hash_load_factor)
    coords, layers = workload.coords, []
    for layer in workload.convs:
        maps = kernel_maps(coords, layer.stride, mapper)
        sizes = np.bincount(maps.entries[:, 4], minlength=KERNEL_SIZE ** 3)
        groups = group_offsets(sizes, config.grouping, config.epsilon, config.mm_threshold_rows)
        layers.append(CompiledLayer(layer, coords, maps, groups))
        coords = maps.out_coords
    return CompiledTorchSparse(workload, config, tuple(layers))


def working_set_bytes(compiled: CompiledLayer, config: TorchSparseConfig) -> int:
    """Features in and out, matmul buffers (padding included), maps and hash table."""
    layer, sizes = compiled.layer, _sizes(compiled)
    rows = sum(len(g) * int(max(sizes[g])) for g in compiled.groups)
    n_in, n_out = len(compiled.in_coords), len(compiled.maps.out_coords)
    table = 2 * n_in / config.hash_load_factor * config.key_bytes
    return int(config.feature_bytes * (n_in * layer.c_in + n_out * layer.c_out
                                       + rows * (layer.c_in + layer.c_out))
               + 2 * len(compiled.maps.entries) * config.map_entry_bytes + table)


def compulsory_dram_bytes(compiled: CompiledLayer, config: TorchSparseConfig) -> int:
    """Inputs read once, weights read once, outputs written once."""
    layer = compiled.layer
    return config.feature_bytes * (len(compiled.in_coords) * layer.c_in + layer.weights.size
                                   + len(compiled.maps.out_coords) * layer.c_out)


def _sizes(compiled: CompiledLayer) -> np.ndarray:
    return np.bincount(compiled.maps.entries[:, 4], minlength=KERNEL_SIZE ** 3)


def layer_kernels(compiled: CompiledLayer, config: TorchSparseConfig) -> list[Kernel]:
    """The layer's kernels in stream order."""
    maps, layer, sizes = compiled.maps, compiled.layer, _sizes(compiled)
    resident = working_set_bytes(compiled, config) <= config.gpu_config.l2_bytes
    n_in, n_out = len(compiled.in_coords), len(maps.out_coords)
    kernels = mapping_kernels(config, resident, n_in, max(0, maps.comparisons - n_in), n_in,
                              len(maps.entries))
    padded = [(len(g), int(max(sizes[g])), int(sizes[g].sum())) for g in compiled.groups]
    matmuls = [matmul_kernel(config, resident, m, b, layer.c_in, layer.c_out)
               for b, m, _ in padded]
    if config.fused_gather_scatter:
        rows = sum(b * m for b, m, _ in padded)
        entries = int(sizes.sum())
        return [*kernels, gather_kernel(config, resident, entries, rows, layer.c_in, n_in),
                *matmuls, scatter_kernel(config, resident, entries, rows, layer.c_out, n_out)]
    for (b, m, entries), matmul in zip(padded, matmuls):
        kernels += [gather_kernel(config, resident, entries, b * m, layer.c_in, None), matmul,
                    scatter_kernel(config, resident, entries, b * m, layer.c_out, None)]
    return kernels


def layer_output(compiled: CompiledLayer, features: np.ndarray) -> np.ndarray:
    """Gather-matmul-scatter on the layer's own maps and groups, padding included,
    float32, then ReLU."""
    layer, entries = compiled.layer, compiled.maps.entries
    out_index = _output_rows(compiled)
    out = np.zeros((len(compiled.maps.out_coords), layer.c_out), dtype=np.float32)
    for group in compiled.groups:
        members = [entries[:, 4] == d for d in group]
        rows = max(int(m.sum()) for m in members)
        buffer = np.zeros((len(group), rows, layer.c_in), dtype=np.float32)
        for b, m in enumerate(members):
            buffer[b, :m.sum()] = features[entries[m, 0]]
        product = np.matmul(buffer, layer.weights[group].astype(np.float32))
        for b, m in enumerate(members):
            np.add.at(out, out_index[m], product[b, :m.sum()])
    return np.maximum(out, 0.0) if layer.relu else out


def _output_rows(compiled: CompiledLayer) -> np.ndarray:
    """Output row of each map entry (entries carry output coordinates)."""
    out = compiled.maps.out_coords
    numbers = ref.cell_numbers(np.concatenate([out, compiled.maps.entries[:, 1:4]]))
    order = np.argsort(numbers[:len(out)])
    return order[np.searchsorted(numbers[:len(out)], numbers[len(out):], sorter=order)]


def check_layer(compiled: CompiledLayer, features: np.ndarray,
                output: np.ndarray) -> tuple[bool, bool, float]:
    """(maps equal numpy's, output within float32 rounding of numpy's, max error)."""
    offsets = kernel_offsets(KERNEL_SIZE)
    layer = compiled.layer
    out_coords, expected, _ = ref.sparse_conv(compiled.in_coords, features.astype(np.float64),
                                              layer.weights.astype(np.float64), offsets,
                                              layer.stride)
    if layer.relu:
        expected = np.maximum(expected, 0.0)
    maps_ok = np.array_equal(ref.canonical(compiled.maps.entries),
                             ref.kernel_map(compiled.in_coords, out_coords, offsets))
    order = np.lexsort(compiled.maps.out_coords.T[::-1])
    if not np.array_equal(compiled.maps.out_coords[order], out_coords):
        return maps_ok, False, float("inf")
    error = float(np.abs(output[order] - expected).max(initial=0.0))
    tolerance = 1e-4 * (1.0 + float(np.abs(expected).max(initial=0.0)))
    return maps_ok, maps_ok and error <= tolerance, error


def run(compiled: CompiledTorchSparse, *, engine: str = "reference", seed: int | None = None,
        tech: str = "45nm") -> tuple[list[SimResult], np.ndarray]:
    if engine not in STREAMS:
        raise ConfigError(f"torchsparse has no engine {engine!r}; choose one of "
                          f"{', '.join(STREAMS)}")
    config, gpu = compiled.config, compiled.config.gpu_config
    table = load_table(tech)
    mac_pj = table.interpolate("fp_mult_pj", 16) + table.interpolate("fp_add_pj", 16)
    sector_pj = table.sram_access_pj(gpu.l2_array_bytes, 8 * config.sector_bytes)
    features = compiled.workload.features
    results = []
    for layer in compiled.layers:
        start = time.perf_counter()
        kernels = layer_kernels(layer, config)
        cycles = STREAMS[engine](kernels, gpu.launch_overhead_cycles)
        output = layer_output(layer, features)
        maps_ok, ok, error = check_layer(layer, features, output)
        busy = sum(k.cycles for k in kernels)
        phase = {p: sum(k.cycles for k in kernels if k.phase == p) for p in PHASES}
        real = int(len(layer.maps.entries)) * layer.layer.c_in * layer.layer.c_out
        macs = sum(k.macs for k in kernels)
        traffic = sum(k.traffic_bytes for k in kernels)
        resident = working_set_bytes(layer, config) <= gpu.l2_bytes
        dram = compulsory_dram_bytes(layer, config) if resident else traffic
        l2 = traffic if resident else 0
        details = {
            "layer": layer.layer.name, "grouping": config.grouping,
            "fused_gather_scatter": config.fused_gather_scatter,
            "input_voxels": len(layer.in_coords), "output_points": len(layer.maps.out_coords),
            "map_entries": int(len(layer.maps.entries)), "maps_ok": maps_ok,
            "groups": [len(g) for g in layer.groups], "kernels_launched": len(kernels),
            **{f"{p}_cycles": phase[p] for p in PHASES},
            "launch_wait_cycles": cycles - busy,
            **{f"{p}_share": phase[p] / cycles if cycles else 0.0 for p in PHASES},
            "macs_issued": macs, "padding_redundancy": macs / real - 1 if real else 0.0,
            "l2_resident": resident, "working_set_bytes": working_set_bytes(layer, config),
            "dram_bytes": dram, "l2_bytes": l2, "hash_probes": layer.maps.comparisons,
        }
        results.append(make_result(
            accel="torchsparse", workload=f"{compiled.workload.name}/{layer.layer.name}",
            config=config.to_dict(), seed=seed, engine=engine, cycles=cycles,
            clock_hz=gpu.clock_hz, macs_useful=real, busy=np.array([busy]),
            stalled=np.zeros(1, int), starved=np.array([cycles - busy]), output_ok=ok,
            max_abs_error=error, wall_seconds=time.perf_counter() - start,
            energy_breakdown_pj={"tensor_macs": macs * mac_pj,
                                 "dram": table.dram_pj(dram),
                                 "l2": l2 / config.sector_bytes * sector_pj},
            details=details))
        features = output
    return results, features
