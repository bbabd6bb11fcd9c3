"""Energy of one multiply-accumulate with operands of different widths.

Rule (beyond simulator.energy's): an a x b-bit multiply costs the table's multiply at
the geometric-mean width sqrt(a * b), since an array multiplier's partial-product array
grows with the product of the operand widths (the rule that makes Horowitz's
equal-width multipliers about quadratic in width); the accumulate is one add at the
accumulator's width.
"""

from __future__ import annotations

import math

from sparsesim.simulator.energy import TechTable


def mac_pj(table: TechTable, a_bits: int, b_bits: int, accumulator_bits: int) -> float:
    """One a_bits x b_bits multiply plus one accumulator_bits add, in pJ."""
    return (table.interpolate("int_mult_pj", math.sqrt(a_bits * b_bits))
            + table.interpolate("int_add_pj", accumulator_bits))
