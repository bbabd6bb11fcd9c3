"""AMC (He et al., "AMC: AutoML for Model Compression and Acceleration on Mobile Devices",
ECCV 2018), both reward modes, fine-grained or channel actions, and its random-search
baseline.

A DDPG agent walks the layers first to last. Its state per layer is the paper's 11
features (Sec. 3.1): layer index t, n, c, h, w, stride, k, FLOPs[t] (layer_geometry.py),
each min-max scaled over the layers as AMC's public code does (a feature equal on every
layer becomes 0), then FLOPs reduced by the earlier actions and FLOPs of the later layers,
both as fractions of the dense total, and the previous action. FLOPs are MACs per image.
Its action a_t (Sec. 3.2) is the fraction of layer t pruned: of its weights by magnitude
("fine"), or of its output channels / neurons by L1 norm with the next layer's matching
inputs ("channel"; the last layer's outputs are the classes, so it gets no action).

Rewards (Sec. 3.4), from the pruned model's validation error, not fine-tuned:
- "constrained": -error; each action is first raised, if need be, so the budget stays
  reachable with every later layer at the largest action (Sec. 3.3, amc_budget.py);
  an episode whose real measurement misses the budget gets -1;
- "flops-error" (accuracy-guaranteed): -error x ln(MACs), no budget.
The reward minus a moving-average baseline goes to every step. The first `warmup`
episodes act at random; then the noise is a truncated normal of deviation 0.5 shrinking
by 0.95 per episode (Sec. 4). The best episode's policy is fine-tuned.

Random search (`learn=False`) is the same loop with every episode random: the same
budget clipping, reward and episode count, so the agent has to beat it to earn its place.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field

import numpy as np

from sparsesim.simulator.errors import ConfigError
from sparsesim.workloads.nn.blas_threads import single_threaded_blas
from sparsesim.workloads.nn.network import Network
from sparsesim.workloads.nn.training import Progress, TrainConfig
from sparsesim.workloads.pruning.amc_budget import GRANULARITIES, Budget, predicted_macs
from sparsesim.workloads.pruning.budget import SETTLE_ROUNDS, Masks, Pruned, finetune
from sparsesim.workloads.pruning.channel import chain_channel_masks
from sparsesim.workloads.pruning.ddpg import DDPG, DDPGConfig
from sparsesim.workloads.pruning.layer_geometry import LayerGeometry, geometry, nonzero_macs
from sparsesim.workloads.pruning.magnitude import magnitude_mask
from sparsesim.workloads.pruning.validation import SearchData

log = logging.getLogger(__name__)
REWARDS = ("constrained", "flops-error")
GRID = 1001  # action values tried when clipping to the budget
SETTLE_STEP = 0.01  # action added to every layer when fine-tuning broke the budget


@dataclass(frozen=True)
class AMCConfig:
    reward: str = "constrained"  # or "flops-error"
    granularity: str = "fine"  # or "channel"
    episodes: int = 300
    warmup_fraction: float = 1 / 3  # AMC Sec. 4: 100 random episodes before 300 learning
    sigma: float = 0.5  # initial exploration deviation; AMC Sec. 4
    sigma_decay: float = 0.95  # per episode after warm-up; AMC Sec. 4
    baseline_decay: float = 0.95  # moving-average reward baseline; AMC's public code
    # Agent updates per stored transition. AMC's public code: 1; ours: 10, because with 1
    # our 200-episode search drifted to over-pruning (validation accuracy of the last 50
    # episodes 0.76 against 0.87 for the random ones; 0.88 with 10; README).
    updates_per_step: int = 10
    # Largest action. Fine: the latency tables' largest sparsity (our choice). Channel:
    # 0.8, AMC's public code keeps at least 0.2 of the channels (its default lbound).
    max_fine_sparsity: float = 0.99
    max_channel_fraction: float = 0.8
    learn: bool = True  # False: random search, every episode's actions drawn at random
    finetune: TrainConfig = TrainConfig(epochs=10, learning_rate=0.005)
    agent: DDPGConfig = DDPGConfig()
    seed: int = 0

    def __post_init__(self) -> None:
        if self.episodes < 2 or not 0 <= self.warmup_fraction < 1:
            raise ConfigError(f"AMC: need >= 2 episodes and a warm-up fraction in [0, 1), got "
                              f"{self.episodes} and {self.warmup_fraction}")
        if self.reward not in REWARDS or self.granularity not in GRANULARITIES:
            raise ConfigError(f"AMC: reward must be one of {', '.join(REWARDS)} and actions "
                              f"one of {', '.join(GRANULARITIES)}, got {self.reward!r} and "
                              f"{self.granularity!r}")

    @property
    def method(self) -> str:
        return "amc" if self.learn else "random-search"

    @property
    def top(self) -> float:
        return self.max_fine_sparsity if self.granularity == "fine" else self.max_channel_fraction


@dataclass(frozen=True)
class Episode:
    episode: int
    actions: dict[str, float]  # fraction pruned per layer, after clipping to the budget
    predicted: float  # the budget's prediction (its unit), nan without a budget
    measured: float  # the budget's measurement (its unit), nan without a budget
    macs: int  # MACs per image still performed (nonzero weights x output pixels)
    accuracy: float  # validation, before fine-tuning
    reward: float


@dataclass
class AMCResult:
    pruned: Pruned
    episodes: list[Episode] = field(default_factory=list)
    best_episodes: list[Episode] = field(default_factory=list)  # each new best, in order


def static_states(shapes: list[LayerGeometry]) -> np.ndarray:
    """(t, n, c, h, w, stride, k, FLOPs[t]) per layer, each column min-max scaled over the
    layers to [0, 1] (a column equal on every layer becomes 0)."""
    raw = np.array([[t, g.n, g.c, g.h, g.w, g.stride, g.k, g.macs]
                    for t, g in enumerate(shapes)], dtype=float)
    span = raw.max(axis=0) - raw.min(axis=0)
    return np.where(span > 0, (raw - raw.min(axis=0)) / np.where(span > 0, span, 1), 0.0)


def state(static: np.ndarray, shapes: list[LayerGeometry], granularity: str, t: int,
          actions: list[float]) -> np.ndarray:
    """The 11 features of step t, given the actions taken on layers 0 .. t - 1."""
    dense = np.array([g.macs for g in shapes], dtype=float)
    taken = np.zeros(len(static))
    taken[:t] = actions
    reduced = 1.0 - float(predicted_macs(shapes, taken, granularity)) / dense.sum()
    rest = dense[t + 1:].sum() / dense.sum()
    return np.concatenate([static[t], [reduced, rest, actions[-1] if actions else 0.0]])


def masks_for(dense: Network, shapes: list[LayerGeometry], granularity: str,
              actions: list[float]) -> Masks:
    names = [g.name for g in shapes]
    if granularity == "channel":
        return chain_channel_masks(dense.weights, names, actions)
    return {n: magnitude_mask(dense.weights[n], a) for n, a in zip(names, actions)}


def _lowest_action(budget: Budget, t: int, actions: list[float], top: float) -> float:
    """Least action on layer t keeping the budget reachable, per the budget's prediction."""
    grid = np.linspace(0.0, top, GRID)
    fits = np.flatnonzero(budget.predict(actions, t, grid, top) <= budget.limit)
    return float(grid[fits[0]]) if len(fits) else top


def amc(dense: Network, data: SearchData, config: AMCConfig, budget: Budget | None = None,
        progress: Progress | None = None) -> AMCResult:
    """Search per-layer actions for `dense` (under `budget` for the constrained reward;
    none for flops-error), then fine-tune the best; `progress` hears after each episode."""
    if (budget is None) != (config.reward == "flops-error"):
        raise ConfigError(f"AMC: the {config.reward} reward "
                          f"{'needs a budget' if budget is None else 'takes no budget'}")
    with single_threaded_blas():  # small matrices: BLAS threads only spin (blas_threads.py)
        return _search(dense, data, config, budget, progress)


def _reward(budget: Budget | None, accuracy: float, measured: float, macs: int) -> float:
    """-error x ln(MACs) without a budget (flops-error); else -error, or -1 over budget."""
    error = 1.0 - accuracy
    if budget is None:
        return -error * math.log(max(macs, 1))
    return -error if measured <= budget.limit else -1.0


def _search(dense: Network, data: SearchData, config: AMCConfig, budget: Budget | None,
            progress: Progress | None) -> AMCResult:
    rng = np.random.default_rng(config.seed)
    shapes = geometry(dense)
    steps = len(shapes) - (config.granularity == "channel")
    static = static_states(shapes[:steps])
    agent = DDPG(static.shape[1] + 3, config.agent, rng)
    top = config.top
    warmup = int(config.warmup_fraction * config.episodes) if config.learn else config.episodes
    val = data.validation
    result = AMCResult(Pruned(config.method, dense, {}, math.nan, math.nan))
    best, baseline = None, None
    for episode in range(config.episodes):
        sigma = config.sigma * config.sigma_decay ** max(0, episode - warmup)
        actions: list[float] = []
        states = []
        for t in range(steps):
            now = state(static, shapes, config.granularity, t, actions)
            low = 0.0 if budget is None else _lowest_action(budget, t, actions, top)
            action = (float(rng.uniform(low, top)) if episode < warmup
                      else agent.act(now, sigma, low, top))
            states.append(now)
            actions.append(max(low, min(top, action)))
        trial = dense.copy()
        for n, m in masks_for(dense, shapes, config.granularity, actions).items():
            trial.weights[n] = trial.weights[n] * m
        accuracy = trial.accuracy(val.images, val.labels)
        macs = nonzero_macs(shapes, trial.weights)
        measured = math.nan if budget is None else budget.measure(trial.weights)
        reward = _reward(budget, accuracy, measured, macs)
        baseline = reward if baseline is None else (
            config.baseline_decay * baseline + (1 - config.baseline_decay) * reward)
        for t, now in enumerate(states):
            done = t == len(states) - 1
            agent.buffer.add(now, actions[t], reward - baseline,
                             now if done else states[t + 1], done)
        if episode >= warmup:
            for _ in range(len(states) * config.updates_per_step):
                agent.update()
        predicted = (math.nan if budget is None else
                     float(budget.predict(actions, steps - 1, np.array(actions[-1:]), top)[0]))
        record = Episode(episode, {g.name: a for g, a in zip(shapes, actions)}, predicted,
                         measured, macs, accuracy, reward)
        result.episodes.append(record)
        if progress is not None:
            progress(episode + 1, config.episodes, {"macs": macs, "val_accuracy": accuracy})
        feasible = budget is None or measured <= budget.limit
        if feasible and (best is None or reward > best.reward):
            best = record
            result.best_episodes.append(record)
            log.info("%s episode %d: %s, %d MACs, val %.4f", config.method, episode,
                     record.actions, macs, accuracy)
    if best is None:
        raise ConfigError(f"AMC: no episode met the budget {budget.limit:.6g} {budget.unit} "
                          "by measurement; raise the budget or the episodes")
    result.pruned = _finish(dense, shapes, data, config, budget, list(best.actions.values()))
    return result


def _finish(dense: Network, shapes: list[LayerGeometry], data: SearchData, config: AMCConfig,
            budget: Budget | None, actions: list[float]) -> Pruned:
    """Fine-tune the best policy; if fine-tuning moved the measurement over the budget
    (simulated latency follows the activations), add SETTLE_STEP to every action and start
    again from `dense`."""
    for attempt in range(SETTLE_ROUNDS):
        network = dense.copy()
        masks = masks_for(dense, shapes, config.granularity, actions)
        accuracy = finetune(network, masks, data, config.finetune, config.seed + attempt)
        measured = math.nan if budget is None else budget.measure(network.weights)
        if budget is None or measured <= budget.limit:
            break
        actions = [min(config.top, a + SETTLE_STEP) for a in actions]
    seconds = measured if budget is not None and budget.unit == "s" else math.nan
    return Pruned(config.method, network, masks, seconds, accuracy)
