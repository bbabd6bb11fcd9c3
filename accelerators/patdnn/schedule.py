"""What each CPU thread executes: blocks of filters, each with its instruction counts
per output tile (`simd_lanes` neighbouring output pixels of one row), and which thread
runs which block.

Per tile a core issues vector loads of input pixels, loads of weights (and of column
indices for CSR), vector FMAs and one store per filter; a tile takes the largest of
loads / load ports, stores / store ports and FMAs / FMA pipes, plus a mispredict penalty
for every change of pattern in its kernel walk (the pattern code is picked by an indirect
branch). Caches are not modelled: every load is an L1 hit.

Schemes (PatDNN Sec. 5; the ablation of benchmarks/patdnn_ablation.py):
- dense: im2col, then a GEMM blocked over `filter_block` filters (loads of an im2col
  row shared by the block); threads take contiguous chunks of blocks;
- csr: one filter at a time; per nonzero an input load, a weight and an index load;
- pattern without reorder: filters in original order, kernels in channel order, one
  dispatch per run of equal patterns; threads take contiguous chunks of filters;
- + reorder: FKW's filter order and kernel grouping: one dispatch per pattern of the
  filter; blocks, heaviest first, go to the least-loaded thread (their output rows are
  split in parts when there are fewer blocks than threads);
- + LRE: `filter_block` reordered filters at once; the inputs a pattern needs at a
  channel are loaded once for every filter of the block with that pattern there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sparsesim.accelerators.patdnn.config import PatDNNConfig
from sparsesim.workloads.formats.fkw import FKW


@dataclass(frozen=True)
class Block:
    filters: tuple[int, ...]  # original filter numbers computed together
    input_loads: int  # vector loads of input pixels, per output tile
    other_loads: int  # loads of weights and indices, per output tile
    stores: int  # output vector stores, per output tile
    fmas: int  # vector FMAs, per output tile
    mispredicts: int  # pattern dispatches mispredicted, per output tile


@dataclass(frozen=True)
class Schedule:
    blocks: tuple[Block, ...]
    # work of each thread, in order: (block number, first output row, output rows)
    threads: tuple[tuple[tuple[int, int, int], ...], ...]
    rows: int  # output rows
    tiles_per_row: int
    im2col_rows: tuple[int, ...]  # output rows each thread lowers first (dense only)
    im2col_tile_cycles: int  # cycles to lower one output tile (dense only)

    @staticmethod
    def tile_cycles(block: Block, config: PatDNNConfig) -> int:
        """Cycles one core takes for one output tile of `block`."""
        return (max(-(-(block.input_loads + block.other_loads) // config.load_ports),
                    -(-block.stores // config.store_ports),
                    -(-block.fmas // config.fma_pipes))
                + block.mispredicts * config.mispredict_cycles)


def dense_blocks(weight: np.ndarray, config: PatDNNConfig) -> list[Block]:
    f, c, k, _ = weight.shape
    blocks = []
    for start in range(0, f, config.filter_block):
        b = min(config.filter_block, f - start)
        blocks.append(Block(tuple(range(start, start + b)), c * k * k,
                            -(-b * c * k * k // config.simd_lanes), b, b * c * k * k, 0))
    return blocks


def csr_blocks(weight: np.ndarray) -> list[Block]:
    nonzeros = np.count_nonzero(weight.reshape(len(weight), -1), axis=1)
    return [Block((f,), int(n), 2 * int(n), 1, int(n), 0) for f, n in enumerate(nonzeros)]


def pattern_blocks(fkw: FKW, config: PatDNNConfig) -> list[Block]:
    """Blocks of FKW's stored filters: one filter each without LRE, `filter_block`
    consecutive ones with it."""
    sizes = fkw.patterns.sum(axis=1)
    vectors = -(-sizes // config.simd_lanes)
    pattern = fkw.kernel_patterns()
    width = config.filter_block if config.lre else 1
    blocks = []
    for start in range(0, fkw.shape[0], width):
        stored = range(start, min(start + width, fkw.shape[0]))
        kernels = np.concatenate([np.arange(fkw.offset[s], fkw.offset[s + 1]) for s in stored])
        p, ch = pattern[kernels], fkw.index[kernels]
        if config.lre:
            distinct = np.unique(np.stack([p, ch]), axis=1)[0] if len(p) else p
            input_loads = int(sizes[distinct].sum())
        else:
            input_loads = int(sizes[p].sum())
        if config.reorder:
            runs = len(np.unique(p))
        else:  # walk each filter's kernels in channel order
            runs = sum(_runs(pattern[fkw.offset[s]:fkw.offset[s + 1]],
                             fkw.index[fkw.offset[s]:fkw.offset[s + 1]]) for s in stored)
        blocks.append(Block(tuple(int(fkw.reorder[s]) for s in stored), input_loads,
                            int(vectors[p].sum()), len(stored), int(sizes[p].sum()), runs))
    return blocks


def _runs(patterns: np.ndarray, channels: np.ndarray) -> int:
    """Runs of equal patterns when kernels are visited in channel order."""
    walk = patterns[np.argsort(channels, kind="stable")]
    return int(len(walk) and 1 + np.count_nonzero(np.diff(walk)))


def make_schedule(blocks: list[Block], output_shape: tuple[int, int, int], channels: int,
                  kernel: int, config: PatDNNConfig) -> Schedule:
    _, rows, width = output_shape
    t = config.threads
    tiles = -(-width // config.simd_lanes)
    if config.scheme == "pattern" and config.reorder:
        threads = balanced(blocks, rows, tiles, config)
    else:
        threads = tuple(tuple((int(b), 0, rows) for b in chunk)
                        for chunk in np.array_split(np.arange(len(blocks)), t))
    lowering = config.scheme == "dense"
    row_split = tuple(len(c) for c in np.array_split(np.arange(rows), t)) if lowering \
        else (0,) * t
    ckk = channels * kernel * kernel
    im2col = max(-(-ckk // config.load_ports), -(-ckk // config.store_ports)) if lowering else 0
    return Schedule(tuple(blocks), threads, rows, tiles, row_split, im2col)


def balanced(blocks: list[Block], rows: int, tiles: int,
             config: PatDNNConfig) -> tuple[tuple[tuple[int, int, int], ...], ...]:
    """Greedy balance: work items (blocks, or parts of their rows when blocks with
    kernels are fewer than threads) in order go to the thread with the least work so far
    (lowest number first)."""
    working = sum(1 for block in blocks if block.fmas)
    parts = max(1, min(rows, -(-config.threads // max(1, working))))
    cuts = np.linspace(0, rows, parts + 1).astype(int)
    load = [0] * config.threads
    work: list[list[tuple[int, int, int]]] = [[] for _ in range(config.threads)]
    for b, block in enumerate(blocks):
        per_row = tiles * Schedule.tile_cycles(block, config)
        for first, last in zip(cuts[:-1], cuts[1:]):
            t = load.index(min(load))
            work[t].append((b, int(first), int(last - first)))
            load[t] += per_row * int(last - first)
    return tuple(tuple(w) for w in work)
