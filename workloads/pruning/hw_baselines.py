"""Baselines for hardware-aware pruning at a simulated latency budget:
- uniform: one magnitude sparsity for every layer, bisected to meet the budget;
- uniform channels: one fraction of output channels / neurons (least L1 norm, with the
  next layer's inputs) removed from every layer but the last, bisected likewise: the
  baseline on dense hardware, where fine-grained sparsity gains nothing;
- sensitivity: allocation from a per-layer sensitivity scan (Han et al., NeurIPS 2015,
  Fig. 6): each layer pruned as far as its own scan loses at most t, with the tolerance t
  bisected to meet the budget."""

from __future__ import annotations

import numpy as np

from sparsesim.workloads.nn.network import Network
from sparsesim.workloads.nn.training import TrainConfig
from sparsesim.workloads.pruning.budget import Masks, Pruned, fit_budget, validation_loss
from sparsesim.workloads.pruning.channel import uniform_channel_masks
from sparsesim.workloads.pruning.latency_oracle import MIN_KEPT_ROWS_FRACTION, LatencyOracle
from sparsesim.workloads.pruning.magnitude import magnitude_mask
from sparsesim.workloads.pruning.validation import SearchData

FLAT_SLOPE = 1e-3  # loss rise per unit sparsity added, times the largest rise


def uniform(dense: Network, oracle: LatencyOracle, budget_seconds: float, data: SearchData,
            config: TrainConfig, seed: int) -> Pruned:
    top = max(oracle.sparsities)

    def masks_for(network: Network, knob: float) -> Masks:
        return {n: magnitude_mask(w, knob * top) for n, w in network.weights.items()}

    return fit_budget("uniform", dense, masks_for, oracle, budget_seconds, data, config, seed)


def uniform_channels(dense: Network, oracle: LatencyOracle, budget_seconds: float,
                     data: SearchData, config: TrainConfig, seed: int) -> Pruned:
    top = 1.0 - MIN_KEPT_ROWS_FRACTION

    def masks_for(network: Network, knob: float) -> Masks:
        return uniform_channel_masks(network.weights, oracle.names, knob * top)

    return fit_budget("uniform-channels", dense, masks_for, oracle, budget_seconds, data,
                      config, seed)


def sensitivity_allocation(dense: Network, oracle: LatencyOracle, budget_seconds: float,
                           data: SearchData, config: TrainConfig, seed: int) -> Pruned:
    """Each layer pruned alone over the oracle's sparsity grid gives a curve of validation
    loss rise over the dense loss (made non-decreasing, linear between grid points, with a
    slight slope where flat); the layer then gets the largest sparsity whose rise is <= t.
    Loss, not accuracy: on a few hundred images accuracy is flat over most of the grid, so
    a threshold on it jumps from no pruning to heavy pruning and cannot be bisected to a
    budget."""
    grid = np.array(oracle.sparsities)
    start = validation_loss(dense, data)
    curves = {}
    for name, w in dense.weights.items():
        losses = []
        for sparsity in grid:
            trial = dense.copy()
            trial.weights[name] = w * magnitude_mask(w, sparsity)
            losses.append(validation_loss(trial, data))
        curves[name] = np.maximum.accumulate(np.maximum(np.array(losses) - start, 0.0))
    spread = max(float(c[-1]) for c in curves.values()) or 1.0
    for name in curves:  # a slight slope over flat stretches: t = 0 means no pruning
        curves[name] = curves[name] + FLAT_SLOPE * spread * grid

    def masks_for(network: Network, knob: float) -> Masks:
        return {name: magnitude_mask(w, _largest_within(grid, curves[name], knob * spread))
                for name, w in network.weights.items()}

    return fit_budget("sensitivity", dense, masks_for, oracle, budget_seconds, data, config,
                      seed)


def _largest_within(grid: np.ndarray, rise: np.ndarray, tolerance: float) -> float:
    """Largest sparsity where the piecewise-linear, non-decreasing loss rise <= tolerance."""
    above = np.flatnonzero(rise > tolerance)
    if not len(above):
        return float(grid[-1])
    i = int(above[0])
    if i == 0:
        return 0.0
    fraction = (tolerance - rise[i - 1]) / (rise[i] - rise[i - 1])
    return float(grid[i - 1] + fraction * (grid[i] - grid[i - 1]))
