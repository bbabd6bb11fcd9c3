"""Shared-memory bank conflicts of a GEMM tile's access patterns, from addresses.

An operand tile sits in shared memory K-contiguous: row r (one row of A, or one column
of B) starts at byte r x pitch. Accesses move 16-byte chunks. With `swizzle`, the chunk
index inside each 128-byte line is XORed with the line number mod 8 (the CUTLASS-style
layout); without it, addresses are linear. The banked SRAM (simulator.BankedSRAM) counts
the cycles one access phase takes; the ideal is one cycle per 128 bytes.

- Fragment reads (ldmatrix): a phase is 8 threads reading the same chunk column of 8
  consecutive rows.
- Tile fills (cp.async): a phase is 8 threads writing 8 consecutive chunks, row-major.
"""

from __future__ import annotations

from sparsesim.simulator.sram import BankedSRAM

CHUNK_BYTES = 16
LINE_BYTES = 128
PHASE_THREADS = 8  # 8 x 16 bytes = one 128-byte wavefront


def _chunk_address(row: int, chunk: int, pitch_bytes: int, swizzle: bool) -> int:
    linear = row * pitch_bytes + chunk * CHUNK_BYTES
    if not swizzle:
        return linear
    line, within = divmod(linear, LINE_BYTES)
    return line * LINE_BYTES + ((within // CHUNK_BYTES) ^ (line % 8)) * CHUNK_BYTES


def _phase_cycles(chunks: list[tuple[int, int]], pitch_bytes: int, swizzle: bool, banks: int,
                  bank_bytes: int) -> int:
    sram = BankedSRAM("smem", word_bits=8 * bank_bytes, banks=banks)
    words = []
    for row, chunk in chunks:
        start = _chunk_address(row, chunk, pitch_bytes, swizzle) // bank_bytes
        words.extend(range(start, start + CHUNK_BYTES // bank_bytes))
    return sram.read(words)


def conflict_factor(pitch_bytes: int, swizzle: bool, banks: int, bank_bytes: int,
                    pattern: str) -> float:
    """Mean cycles per 128-byte phase of `pattern` ('read' or 'write') over a tile of
    rows `pitch_bytes` long: 1.0 means conflict-free, 4.0 a 4-way conflict."""
    per_row = max(1, pitch_bytes // CHUNK_BYTES)
    if pattern == "read":
        phases = [[(row, chunk) for row in range(PHASE_THREADS)] for chunk in range(per_row)]
    elif pattern == "write":
        flat = [(i // per_row, i % per_row) for i in range(PHASE_THREADS * per_row)]
        phases = [flat[i:i + PHASE_THREADS] for i in range(0, len(flat), PHASE_THREADS)]
    else:
        raise ValueError(f"pattern must be 'read' or 'write', got {pattern!r}")
    cycles = [_phase_cycles(p, pitch_bytes, swizzle, banks, bank_bytes) for p in phases]
    return sum(cycles) / len(cycles)
