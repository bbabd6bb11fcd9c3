"""NetAdapt (Yang et al., "NetAdapt: Platform-Aware Neural Network Adaptation for Mobile
Applications", ECCV 2018, Algorithm 1) with latency from a simulator.

Each iteration asks for a latency reduction dR (dR_i = step_fraction * starting latency *
decay^i, at most what is still over the budget). For each layer and each move, the
smallest pruning step that the layer's latency table says saves dR is a proposal; each
proposal is fine-tuned briefly and scored on the validation split; the most accurate one
(ties, frequent on a few hundred images, broken by the lower validation loss) is kept
and its latency re-checked by a real simulation. Once the simulated latency meets the
budget, the model is fine-tuned longer and re-simulated; should fine-tuning have moved
it over the budget, the iterations resume.

Moves: "fine" (magnitude pruning of single weights) and "neuron" (the output rows of
least L1 norm, neurons or a convolution's output channels, with the next layer's
matching inputs).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import numpy as np

from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.nn.network import Network
from sparsesim.workloads.nn.training import Progress, TrainConfig
from sparsesim.workloads.pruning.budget import Masks, Pruned, finetune, validation_loss
from sparsesim.workloads.pruning.channel import keep_rows, remove_neurons
from sparsesim.workloads.pruning.latency_oracle import LatencyOracle
from sparsesim.workloads.pruning.magnitude import magnitude_mask
from sparsesim.workloads.pruning.validation import SearchData

log = logging.getLogger(__name__)
MOVES = ("fine", "neuron")


@dataclass(frozen=True)
class NetAdaptConfig:
    budget_seconds: float  # simulated seconds per input the result must meet
    step_fraction: float = 0.05  # dR of the first iteration, fraction of starting latency
    decay: float = 1.0  # dR multiplied by this after each iteration (1: fixed)
    short_finetune: TrainConfig = TrainConfig(epochs=1, learning_rate=0.005)
    long_finetune: TrainConfig = TrainConfig(epochs=10, learning_rate=0.005)
    moves: tuple[str, ...] = MOVES
    max_iterations: int = 60
    max_rounds: int = 3  # long fine-tunes before giving up on the budget
    seed: int = 0

    def __post_init__(self) -> None:
        if not self.budget_seconds > 0 or not 0 < self.step_fraction <= 1:
            raise ConfigError(f"NetAdapt: budget must be > 0 and step fraction in (0, 1], got "
                              f"{self.budget_seconds} s and {self.step_fraction}")
        if not 0 < self.decay <= 1:
            raise ConfigError(f"NetAdapt: decay must be in (0, 1], got {self.decay}")
        unknown = set(self.moves) - set(MOVES)
        if not self.moves or unknown:
            raise ConfigError(f"NetAdapt: moves must be some of {', '.join(MOVES)}, got "
                              f"{', '.join(self.moves) or 'none'}")


@dataclass(frozen=True)
class Iteration:
    layer: str  # the layer the kept proposal changed
    move: str  # "fine" or "neuron"
    point: float  # the layer's new sparsity (fine) or kept rows (neuron)
    requested_reduction_seconds: float  # dR asked for
    table_seconds: float  # latency the tables predicted for the model
    latency_seconds: float  # simulated after the short fine-tune (re-check)
    accuracy: float  # validation accuracy after the short fine-tune
    proposals: int  # proposals compared


@dataclass
class NetAdaptResult:
    pruned: Pruned
    start_seconds: float
    iterations: list[Iteration] = field(default_factory=list)


@dataclass(frozen=True)
class _Proposal:
    layer: int
    move: str
    point: float
    saving_seconds: float  # per the table


def _proposals(oracle: LatencyOracle, masks: Masks, rows: dict[int, np.ndarray],
               request: float, moves: tuple[str, ...]) -> list[_Proposal]:
    """Per layer and move, the smallest tabled step saving >= `request`, else the step
    saving the most (when no layer can meet dR alone, NetAdapt takes the nearest)."""
    found = []
    for index, name in enumerate(oracle.names):
        for move in moves:
            if move == "neuron" and not oracle.neuron_movable(index):
                continue
            table = oracle.table(index, move)
            now = (1.0 - float(masks[name].mean())) if move == "fine" else float(
                rows[index].sum())
            further = [p for p in table.points if (p > now + 1e-9 if move == "fine"
                                                   else p < now)]
            if not further:
                continue
            savings = [table.at(now) - table.at(p) for p in further]
            meets = [i for i, s in enumerate(savings) if s >= request]
            pick = meets[0] if meets else int(np.argmax(savings))
            if savings[pick] > 0:
                found.append(_Proposal(index, move, further[pick], savings[pick]))
    return found


def _apply(oracle: LatencyOracle, network: Network, masks: Masks, rows: dict[int, np.ndarray],
           p: _Proposal) -> tuple[Masks, dict[int, np.ndarray]]:
    name = oracle.names[p.layer]
    masks, rows = dict(masks), dict(rows)
    if p.move == "fine":
        masks[name] = masks[name] & magnitude_mask(network.weights[name] * masks[name], p.point)
    else:
        kept = keep_rows(network.weights[name] * masks[name], int(p.point)) & rows[p.layer]
        rows[p.layer] = kept
        masks.update(remove_neurons(masks, oracle.names, p.layer, kept))
    return masks, rows


def netadapt(dense: Network, oracle: LatencyOracle, data: SearchData,
             config: NetAdaptConfig, progress: Progress | None = None) -> NetAdaptResult:
    """Prune a copy of `dense` until its simulated latency meets the budget; `progress`
    hears after each iteration (their number is open-ended)."""
    network = dense.copy()
    masks = {n: np.ones(w.shape, dtype=bool) for n, w in network.weights.items()}
    rows = {i: np.ones(network.weights[n].shape[0], dtype=bool)
            for i, n in enumerate(oracle.names)}
    start = latency = oracle.seconds(network.weights)
    result = NetAdaptResult(Pruned("netadapt", network, masks, latency, float("nan")), start)
    request = config.step_fraction * start
    for round_ in range(config.max_rounds):
        while latency > config.budget_seconds:
            if len(result.iterations) >= config.max_iterations:
                raise ConfigError(f"NetAdapt: {config.max_iterations} iterations did not reach "
                                  f"the budget {config.budget_seconds * 1e6:.4f} µs (now "
                                  f"{latency * 1e6:.4f} µs); raise the budget or the step")
            wanted = min(request, latency - config.budget_seconds)
            proposals = _proposals(oracle, masks, rows, wanted, config.moves)
            if not proposals:
                raise ConfigError(f"NetAdapt: every layer is at its largest pruning step and "
                                  f"the simulated latency {latency * 1e6:.4f} µs is still over "
                                  f"the budget {config.budget_seconds * 1e6:.4f} µs")
            best = None
            for k, p in enumerate(proposals):
                trial = network.copy()
                trial_masks, trial_rows = _apply(oracle, trial, masks, rows, p)
                seed = config.seed + 1000 * len(result.iterations) + k
                accuracy = finetune(trial, trial_masks, data, config.short_finetune, seed)
                score = (accuracy, -validation_loss(trial, data))
                if best is None or score > best[0]:
                    best = (score, p, trial, trial_masks, trial_rows)
            (accuracy, _), p, network, masks, rows = best
            predicted = latency - p.saving_seconds
            latency = oracle.seconds(network.weights)
            result.iterations.append(Iteration(
                oracle.names[p.layer], p.move, float(p.point), wanted, predicted, latency,
                accuracy, len(proposals)))
            log.info("netadapt %d: %s %s -> %g, %.4f us, val %.4f", len(result.iterations),
                     p.move, oracle.names[p.layer], p.point, latency * 1e6, accuracy)
            if progress is not None:
                progress(len(result.iterations), None,
                         {"latency_us": latency * 1e6, "budget_us": config.budget_seconds * 1e6,
                          "val_accuracy": accuracy})
            request *= config.decay
        accuracy = finetune(network, masks, data, config.long_finetune,
                            config.seed + 999_999 + round_)
        latency = oracle.seconds(network.weights)
        result.pruned = Pruned("netadapt", network, masks, latency, accuracy)
        if latency <= config.budget_seconds:
            break
    return result
