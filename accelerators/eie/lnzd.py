"""EIE's leading-nonzero detection (LNZD) unit: which activations it broadcasts, in
what order, and the cycles it spends moving between activation rows."""

from __future__ import annotations

import numpy as np


def broadcast_order(activations: np.ndarray, num_pes: int,
                    row_change_cycles: int) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the nonzero activations in broadcast order (ascending, int64) and,
    per index, the cycles the LNZD spends changing rows before it can send it (int64).

    The activations sit in rows of `num_pes` (activation j in PE j mod num_pes's bank);
    the LNZD scans one row at a time. Moving on costs `row_change_cycles` per all-zero
    row and after a row whose last broadcast nonzero is not in its last slot; after one
    that is, the next row is loaded in the same cycle (RalphMao/EIE-simulator
    src/nzfetch.cpp, next_reg_addr). Leading all-zero rows count too; the first row's
    load is part of the LNZD latency (`EIEConfig.lnzd_levels`).
    """
    columns = np.flatnonzero(activations).astype(np.int64)
    rows = columns // num_pes
    ends_row = columns % num_pes == num_pes - 1
    previous_row = np.concatenate([[0], rows[:-1]])
    free_change = np.concatenate([[False], ends_row[:-1]])
    return columns, (rows - previous_row - free_change) * row_change_cycles
