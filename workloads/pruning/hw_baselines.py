"""Baselines for hardware-aware pruning at a simulated latency budget:
- uniform: one magnitude sparsity for every layer, bisected to meet the budget;
- sensitivity: Han et al. (NeurIPS 2015) allocation from the per-layer sensitivity scan,
  each layer pruned as far as its own scan loses at most t of validation accuracy, with
  the tolerance t bisected to meet the budget."""

from __future__ import annotations

from workloads.nn.network import Network
from workloads.nn.training import TrainConfig
from workloads.pruning.budget import Masks, Pruned, fit_budget
from workloads.pruning.latency_oracle import LatencyOracle
from workloads.pruning.magnitude import magnitude_mask
from workloads.pruning.sensitivity import sensitivity_scan
from workloads.pruning.validation import SearchData


def uniform(dense: Network, oracle: LatencyOracle, budget_seconds: float, data: SearchData,
            config: TrainConfig, seed: int) -> Pruned:
    top = max(oracle.sparsities)

    def masks_for(network: Network, knob: float) -> Masks:
        return {n: magnitude_mask(w, knob * top) for n, w in network.weights.items()}

    return fit_budget("uniform", dense, masks_for, oracle, budget_seconds, data, config, seed)


def sensitivity_allocation(dense: Network, oracle: LatencyOracle, budget_seconds: float,
                           data: SearchData, config: TrainConfig, seed: int) -> Pruned:
    points = sensitivity_scan(dense, data.validation, oracle.sparsities)
    start = dense.accuracy(data.validation.images, data.validation.labels)

    def masks_for(network: Network, knob: float) -> Masks:
        masks = {}
        for name, w in network.weights.items():
            allowed = [p.sparsity for p in points
                       if p.layer == name and p.accuracy >= start - knob]
            masks[name] = magnitude_mask(w, max(allowed, default=0.0))
        return masks

    return fit_budget("sensitivity", dense, masks_for, oracle, budget_seconds, data, config,
                      seed)
