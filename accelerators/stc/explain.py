"""Why 2:4 sparsity wins or loses on one GEMM, from a SimResult's details only.

For each side: the kernel its library picked (tile, split-K), thread blocks, waves, SMs
busy, thread blocks per SM at once (the model runs one), time. Then one line: the speedup
and the time category (launch, math, shared memory, L2/HBM wait, epilogue, wave tail,
split-K reduction, host wait) whose dense-to-sparse change decides it.
"""

from __future__ import annotations

from sparsesim.simulator.result import SimResult

BLOCKS_PER_SM = 1  # the model runs one thread block per SM at a time


def _us(cycles: float, clock_hz: float) -> float:
    return cycles / clock_hz * 1e6


def kernel_line(result: SimResult, mode: str) -> str:
    kernel = result.details["kernels"][mode]
    sms = len(result.pe_busy_cycles)
    return (f"{mode:6s}: {kernel['kernel']}, {kernel['thread_blocks']} thread blocks, "
            f"{kernel['waves']} wave(s) on {sms} SMs ({kernel['sms_busy']} busy), "
            f"{BLOCKS_PER_SM} block per SM, {_us(kernel['cycles'], result.clock_hz):.1f} us")


def _cause(category: str, result: SimResult, gain: bool = False) -> str:
    """What a time category means for the sparse side (`gain`: it got shorter)."""
    dense, sparse = result.details["kernels"]["dense"], result.details["kernels"]["sparse"]
    sms = len(result.pe_busy_cycles)
    if gain and category == "l2_hbm_wait_cycles":
        return "memory bound, and 2:4 A moves 9/16 of dense A's bytes (values + metadata)"
    if gain and category == "split_k_reduction_cycles":
        return "no split-K reduction kernel"
    if gain and category == "wave_tail_cycles":
        return "a shorter wave tail"
    if category == "host_wait_cycles":
        return (f"host set-up per sparse call ({_us(sparse['host_cycles'], result.clock_hz):.0f}"
                " us, longer than the GPU's time)")
    if category in ("l2_hbm_wait_cycles", "wave_tail_cycles") \
            and sparse["sms_busy"] < dense["sms_busy"]:
        return (f"the sparse library's pick keeps {sparse['sms_busy']} of {sms} SMs busy, "
                f"dense {dense['sms_busy']} ({dense['kernel']})")
    if category == "wave_tail_cycles":
        return (f"wave quantization: {sparse['thread_blocks']} sparse thread blocks in "
                f"{sparse['waves']} wave(s) on {sms} SMs")
    if category == "l2_hbm_wait_cycles":
        return "memory bound: operands arrive slower than the math uses them"
    if category == "shared_memory_cycles":
        return "shared memory bound: a K step moves more bytes than its math covers"
    if category == "split_k_reduction_cycles":
        return "split-K reduction kernel"
    if category == "math_cycles":
        return "tensor-core math halved"
    return category.removesuffix("_cycles").replace("_", " ")


def reason(result: SimResult) -> str:
    """One line: speedup, and the category that decides it."""
    dense, sparse = (result.details["breakdown"][m] for m in ("dense", "sparse"))
    change = {key: sparse[key] - dense[key] for key in dense}
    speedup = result.details["speedup"]
    clock = result.clock_hz
    saved = max(change, key=lambda key: -change[key])
    lost = max(change, key=lambda key: change[key])
    if speedup >= 1:
        line = (f"sparse wins {speedup:.2f}x: {_cause(saved, result, gain=True)} saves "
                f"{_us(-change[saved], clock):.1f} us")
        if change[lost] > 0:
            line += f"; {_cause(lost, result)} costs {_us(change[lost], clock):.1f} us"
        return line
    line = (f"sparse loses ({speedup:.2f}x): {_cause(lost, result)} costs "
            f"{_us(change[lost], clock):.1f} us more")
    if change[saved] < 0:
        line += (f"; {_cause(saved, result, gain=True)} saves only "
                 f"{_us(-change[saved], clock):.1f} us")
    return line


def explain(result: SimResult) -> list[str]:
    """The per-GEMM explanation: a line per side, then the reason."""
    return [kernel_line(result, "dense"), kernel_line(result, "sparse"),
            f"why   : {reason(result)}"]
