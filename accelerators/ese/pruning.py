"""Run one LSTM through ESE under a pruning scheme and summarise what it cost:
per-PE nonzeros, PE utilization, cycles, and the output error against the dense float
LSTM (the accuracy price of pruning plus 12-bit quantization)."""

from __future__ import annotations

from typing import Any

import numpy as np

from sparsesim.accelerators.ese import model as ese
from sparsesim.accelerators.ese.compile import CompiledLSTM
from sparsesim.accelerators.ese.config import ESEConfig
from sparsesim.simulator.errors import ConfigError
from sparsesim.simulator.result import array_figures
from sparsesim.workloads.lstm import LSTMModel
from sparsesim.workloads.pruning.load_balance import balanced_mask, magnitude_mask

SCHEMES = ("balanced", "magnitude")  # the first is the default
DEFAULT_SPARSITY = 0.9  # ESE abstract: about 10x from pruning, so ~10% of weights kept


def prune(model: LSTMModel, scheme: str, sparsity: float, num_pes: int) -> LSTMModel:
    """Prune every gate matrix and projection of `model` at `sparsity`."""
    if scheme == "balanced":
        return model.pruned(lambda w: balanced_mask(w, sparsity, num_pes))
    if scheme == "magnitude":
        return model.pruned(lambda w: magnitude_mask(w, sparsity))
    raise ConfigError(f"unknown pruning scheme {scheme!r}; choose one of {', '.join(SCHEMES)}")


def summarise(run: ese.ESERun, dense_states: np.ndarray) -> dict[str, Any]:
    """Totals over layers; utilization weighted by PE-cycles; error of the simulated
    last-layer hidden states against the dense float LSTM's."""
    layers = run.layers
    cycles = run.cycles
    pe_cycles = {key: np.sum([r.pe_cycles[key] for r in layers], axis=0).astype(np.int64)
                 for key in layers[0].pe_cycles}
    nonzeros = np.sum([r.details["pe_nonzeros"] for r in layers], axis=0)
    weights = sum(r.details["weights_dense"] for r in layers)
    difference = run.hidden_states - dense_states
    breakdown = {key: float(sum(r.energy_breakdown_pj[key] for r in layers))
                 for key in layers[0].energy_breakdown_pj}
    return {
        "cycles": int(cycles),
        "seconds": cycles / layers[0].clock_hz,
        "sequences_per_second_all_channels": layers[0].config["channels"] * layers[0].clock_hz
        / cycles,  # channels run independent sequences side by side
        **array_figures(layers),
        "pe_nonzeros": nonzeros.astype(np.int64).tolist(),
        "pe_cycles": {key: values.tolist() for key, values in pe_cycles.items()},
        "nonzeros_max_over_mean": float(nonzeros.max() / nonzeros.mean()),
        "weight_density": float(nonzeros.sum() / weights),
        "output_ok": run.output_ok,
        "max_abs_error": float(max(r.max_abs_error for r in layers)),
        "error_vs_dense_max_abs": float(np.abs(difference).max()),
        "error_vs_dense_relative_rms": float(np.sqrt(np.mean(difference ** 2)
                                                     / np.mean(dense_states ** 2))),
        "macs_useful": int(sum(r.macs_useful for r in layers)),
        "energy_pj": run.energy_pj,
        "energy_breakdown_pj": breakdown,
        "power_w": run.energy_pj * 1e-12 / (cycles / layers[0].clock_hz),
        "wall_seconds": float(sum(r.wall_seconds for r in layers)),
    }


def run_scheme(model: LSTMModel, scheme: str, sparsity: float, config: ESEConfig, *,
               engine: str, seed: int | None, dense_states: np.ndarray,
               timeline_step: int | None = None,
               tech: str = "45nm") -> tuple[ese.ESERun, dict[str, Any]]:
    """Prune, compile and simulate (energy from table `tech`); returns the run and its
    summary."""
    run = ese.run(compile_scheme(model, scheme, sparsity, config), engine=engine, seed=seed,
                  timeline_step=timeline_step, tech=tech)
    return run, summarise(run, dense_states)


def compile_scheme(model: LSTMModel, scheme: str, sparsity: float,
                   config: ESEConfig) -> CompiledLSTM:
    """`model` pruned by `scheme` at `sparsity`, compiled for `config`."""
    return ese.compile(prune(model, scheme, sparsity, config.pes_per_channel), config)
