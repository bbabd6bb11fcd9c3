"""ESE (Han et al., FPGA 2017): compile an LSTM, run it over its input sequence.

    compiled = compile(model, ESE_PAPER)
    run = run(compiled)            # ESERun: one SimResult per layer, hidden states
Each layer runs over the whole sequence; a layer's input is the previous layer's
simulated hidden states, and each layer's output is checked against numpy.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from sparsesim.accelerators.ese.compile import CompiledLSTM, compile_model
from sparsesim.accelerators.ese.config import ESE_PAPER, ESEConfig
from sparsesim.accelerators.ese.counters import ESECounters, build_result
from sparsesim.accelerators.ese.fast import simulate_fast
from sparsesim.accelerators.ese.reference import simulate_layer
from sparsesim.simulator.errors import ConfigError
from sparsesim.simulator.result import SimResult
from sparsesim.workloads.lstm import LSTMModel

ENGINES = ("fast", "reference")  # the first is the default

__all__ = ["ENGINES", "ESE_PAPER", "ESEConfig", "ESERun", "compile", "run"]


@dataclass(frozen=True)
class ESERun:
    """Per-layer results and the simulated hidden states of the last layer (T, outputs)."""

    layers: tuple[SimResult, ...]
    hidden_states: np.ndarray

    @property
    def cycles(self) -> int:
        return sum(r.cycles for r in self.layers)

    @property
    def energy_pj(self) -> float:
        return sum(r.energy_pj for r in self.layers)

    @property
    def output_ok(self) -> bool:
        return all(r.output_ok for r in self.layers)


def compile(model: LSTMModel, config: ESEConfig = ESE_PAPER) -> CompiledLSTM:  # noqa: A001
    """Quantize to `config.weight_bits` and encode every layer for the PE array."""
    return compile_model(model, config)


def _simulate(layer, inputs: np.ndarray, step: int, engine: str) -> tuple[ESECounters, float]:
    """Counters and JIT compile seconds (fast engine only)."""
    if engine == "fast":
        return simulate_fast(layer, inputs, step)
    return simulate_layer(layer, inputs, step), 0.0


def run(compiled: CompiledLSTM, engine: str = "fast", seed: int | None = None,
        timeline_step: int | None = None, tech: str = "45nm") -> ESERun:
    """Simulate every layer over the sequence; `timeline_step` (default: the middle
    step) is the step whose timeline each result records; energy comes from technology
    table `tech` (see simulator/energy.py)."""
    if engine not in ENGINES:
        raise ConfigError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    steps = len(compiled.frames)
    step = steps // 2 if timeline_step is None else timeline_step
    if not 0 <= step < steps:
        raise ConfigError(f"timeline_step must lie in 0..{steps - 1}, got {step}")
    results, x = [], compiled.frames
    for layer in compiled.layers:
        start = time.perf_counter()
        counters, compile_seconds = _simulate(layer, x, step, engine)
        result = build_result(layer, counters, x, engine=engine, seed=seed,
                              wall_seconds=time.perf_counter() - start - compile_seconds,
                              workload=compiled.name, tech=tech)
        if engine == "fast":
            result.details["compile_seconds"] = compile_seconds
        results.append(result)
        x = counters.output
    return ESERun(tuple(results), x)
