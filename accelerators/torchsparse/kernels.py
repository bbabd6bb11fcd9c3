"""The GPU kernels of one sparse convolution and how long each takes.

A kernel takes max(compute cycles, memory cycles) plus one memory latency. Compute:
tensor-core tiles (the preset's smallest tile, as the channel counts are small) in
waves over the SMs. Memory: the kernel's traffic over L2 bandwidth when the layer's
working set (features, buffers, maps, hash table) fits in L2, else over HBM bandwidth;
a random row access moves whole 32-byte sectors. (Only the first read of the inputs,
the weights and the last write of the outputs must reach DRAM when resident: the run
counts those as DRAM bytes for energy.)

Phases (what the time is spent on): mapping (hash build and query), matmul, and data
movement (gather and scatter).
"""

from __future__ import annotations

from dataclasses import dataclass

from sparsesim.accelerators.torchsparse.config import TorchSparseConfig

K_STEP = 16  # tensor-core K granularity for fp16 (PTX ISA: mma k16)


@dataclass(frozen=True)
class Kernel:
    name: str
    phase: str  # mapping | matmul | data_movement
    cycles: int  # on the GPU, once started
    traffic_bytes: int  # memory traffic (L2 when resident, else DRAM)
    macs: int  # tensor-core multiply-accumulates issued, padding included


def _sectors(rows: int, row_bytes: int, config: TorchSparseConfig) -> int:
    """Bytes moved by `rows` random row accesses of `row_bytes` each."""
    return rows * -(-row_bytes // config.sector_bytes) * config.sector_bytes


def _kernel(name: str, phase: str, config: TorchSparseConfig, resident: bool, compute: int,
            traffic: int, macs: int = 0) -> Kernel:
    gpu = config.gpu_config
    bandwidth = gpu.l2_bytes_per_clk if resident else gpu.hbm_bytes_per_clk
    latency = gpu.l2_latency_cycles if resident else gpu.hbm_latency_cycles
    return Kernel(name, phase, max(compute, int(-(-traffic // bandwidth))) + latency,
                  traffic, macs)


def mapping_kernels(config: TorchSparseConfig, resident: bool, build_probes: int,
                    query_probes: int, inputs: int, entries: int) -> list[Kernel]:
    """Hash table build over the input keys, then the 27 offsets' queries (probe
    counts from PointAcc's hash mapper), each probe a sector; maps written as pairs."""
    sector = config.sector_bytes
    build = _kernel("hash_build", "mapping", config, resident, 0,
                    inputs * config.key_bytes + build_probes * sector)
    query = _kernel("hash_query", "mapping", config, resident, 0,
                    query_probes * sector + 2 * entries * config.map_entry_bytes)
    return [build, query]


def matmul_kernel(config: TorchSparseConfig, resident: bool, rows: int, batch: int, c_in: int,
                  c_out: int) -> Kernel:
    """`batch` matmuls of (rows x c_in) @ (c_in x c_out), one launch."""
    gpu = config.gpu_config
    tile = min(gpu.tiles, key=lambda t: (t.m * t.n, t.m))  # smallest: channels are few
    k = -(-c_in // K_STEP) * K_STEP
    tiles = batch * -(-rows // tile.m) * -(-c_out // tile.n)
    per_tile = -(-(tile.m * tile.n * k) // gpu.fma_per_clk_per_sm(False, False))
    compute = -(-tiles // gpu.num_sms) * per_tile
    fb = config.feature_bytes
    traffic = batch * (rows * c_in + c_in * c_out + rows * c_out) * fb
    return _kernel("matmul", "matmul", config, resident, compute, traffic,
                   batch * rows * c_in * c_out)


def gather_kernel(config: TorchSparseConfig, resident: bool, entries: int, buffer_rows: int,
                  c_in: int, fused_inputs: int | None) -> Kernel:
    """Input rows into the matmul buffer (`buffer_rows` rows incl. padding). Unfused: every
    map entry reads its input row at random; fused (locality-aware): each of the
    `fused_inputs` input rows is read once and written to all its buffer slots."""
    row = c_in * config.feature_bytes
    reads = fused_inputs * row if fused_inputs is not None else _sectors(entries, row, config)
    traffic = reads + entries * config.map_entry_bytes + buffer_rows * row
    return _kernel("gather", "data_movement", config, resident, 0, traffic)


def scatter_kernel(config: TorchSparseConfig, resident: bool, entries: int, buffer_rows: int,
                   c_out: int, fused_outputs: int | None) -> Kernel:
    """Matmul results accumulated into the outputs. Unfused: a read-modify-write of the
    output row per map entry; fused (locality-aware): each of the `fused_outputs` rows
    is accumulated on chip and written once."""
    row = c_out * config.feature_bytes
    writes = (fused_outputs * row if fused_outputs is not None
              else 2 * _sectors(entries, row, config))
    traffic = buffer_rows * row + entries * config.map_entry_bytes + writes
    return _kernel("scatter", "data_movement", config, resident, 0, traffic)
