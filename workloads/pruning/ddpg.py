"""A small DDPG agent in numpy (Lillicrap et al., ICLR 2016), as AMC uses it (He et al.,
"AMC: AutoML for Model Compression and Acceleration on Mobile Devices", ECCV 2018, Sec. 3):
actor and critic MLPs with two hidden layers, target networks updated softly, a replay
buffer, and truncated-normal exploration noise around the actor's action."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


class MLP:
    """Fully connected ReLU network trained with Adam; `sigmoid` squashes the output."""

    def __init__(self, sizes: tuple[int, ...], rng: np.random.Generator,
                 learning_rate: float, sigmoid: bool) -> None:
        self.weights = [rng.normal(0, np.sqrt(1.0 / a), (a, b)) for a, b in zip(sizes, sizes[1:])]
        self.biases = [np.zeros(b) for b in sizes[1:]]
        self.learning_rate, self.sigmoid = learning_rate, sigmoid
        self._moments = [(np.zeros_like(p), np.zeros_like(p)) for p in self.parameters()]
        self._steps = 0

    def parameters(self) -> list[np.ndarray]:
        return self.weights + self.biases

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, list[np.ndarray]]:
        """Output for a batch (n, inputs), and the layer inputs for backward."""
        seen = []
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            seen.append(x)
            x = x @ w + b
            if i < len(self.weights) - 1:
                x = np.maximum(x, 0.0)
        if self.sigmoid:
            x = 1.0 / (1.0 + np.exp(-x))
        seen.append(x)
        return x, seen

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.forward(x)[0]

    def backward(self, seen: list[np.ndarray], d_out: np.ndarray
                 ) -> tuple[list[np.ndarray], np.ndarray]:
        """Gradients of the parameters (same order as parameters()) and of the input."""
        grad = d_out * seen[-1] * (1 - seen[-1]) if self.sigmoid else d_out
        d_weights, d_biases = [], []
        for i in reversed(range(len(self.weights))):
            if i < len(self.weights) - 1:
                grad = grad * (seen[i + 1] > 0)
            d_weights.insert(0, seen[i].T @ grad)
            d_biases.insert(0, grad.sum(axis=0))
            grad = grad @ self.weights[i].T
        return d_weights + d_biases, grad

    def adam_step(self, grads: list[np.ndarray], beta1: float = 0.9, beta2: float = 0.999,
                  eps: float = 1e-8) -> None:
        self._steps += 1
        for p, g, (m, v) in zip(self.parameters(), grads, self._moments):
            m *= beta1
            m += (1 - beta1) * g
            v *= beta2
            v += (1 - beta2) * g * g
            m_hat, v_hat = m / (1 - beta1 ** self._steps), v / (1 - beta2 ** self._steps)
            p -= self.learning_rate * m_hat / (np.sqrt(v_hat) + eps)

    def copy_from(self, other: MLP, tau: float = 1.0) -> None:
        """Soft update: p <- tau * other + (1 - tau) * p."""
        for p, q in zip(self.parameters(), other.parameters()):
            p *= 1 - tau
            p += tau * q


@dataclass(frozen=True)
class DDPGConfig:
    hidden: int = 300  # units per hidden layer; AMC Sec. 4 (two layers of 300)
    actor_learning_rate: float = 1e-4  # AMC's public code default: our reading, not in paper
    critic_learning_rate: float = 1e-3  # same
    tau: float = 0.01  # soft target update; AMC Sec. 4
    batch_size: int = 64  # AMC Sec. 4
    buffer_size: int = 2000  # replay buffer, transitions; AMC's public code default
    discount: float = 1.0  # every step of an episode gets its final reward; AMC Sec. 3.4


class ReplayBuffer:
    """The newest `capacity` transitions (state, action, reward, next state, done)."""

    def __init__(self, capacity: int, state_size: int) -> None:
        self.states = np.zeros((capacity, state_size))
        self.next_states = np.zeros((capacity, state_size))
        self.actions, self.rewards, self.done = (np.zeros(capacity) for _ in range(3))
        self.capacity, self.size, self._next = capacity, 0, 0

    def add(self, state: np.ndarray, action: float, reward: float, next_state: np.ndarray,
            done: bool) -> None:
        i = self._next
        self.states[i], self.actions[i], self.rewards[i] = state, action, reward
        self.next_states[i], self.done[i] = next_state, float(done)
        self._next, self.size = (i + 1) % self.capacity, min(self.size + 1, self.capacity)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return rng.integers(0, self.size, size=n)


class DDPG:
    """Actor mu(s) in (0, 1) and critic Q(s, a), with target twins."""

    def __init__(self, state_size: int, config: DDPGConfig, rng: np.random.Generator) -> None:
        h = config.hidden
        self.config, self.rng = config, rng
        self.actor = MLP((state_size, h, h, 1), rng, config.actor_learning_rate, sigmoid=True)
        self.critic = MLP((state_size + 1, h, h, 1), rng, config.critic_learning_rate,
                          sigmoid=False)
        self.actor_target = MLP((state_size, h, h, 1), rng, 0.0, sigmoid=True)
        self.critic_target = MLP((state_size + 1, h, h, 1), rng, 0.0, sigmoid=False)
        self.actor_target.copy_from(self.actor)
        self.critic_target.copy_from(self.critic)
        self.buffer = ReplayBuffer(config.buffer_size, state_size)

    def act(self, state: np.ndarray, sigma: float, low: float, high: float) -> float:
        """mu(s) plus noise from a normal of deviation `sigma` truncated to [low, high]
        (low itself when the budget leaves no room: low >= high)."""
        mean = float(np.clip(self.actor(state[None])[0, 0], low, high))
        if sigma <= 0 or low >= high:
            return mean
        while True:
            sample = self.rng.normal(mean, sigma)
            if low <= sample <= high:
                return float(sample)

    def update(self) -> None:
        """One gradient step of critic and actor on a sampled batch, then soft updates."""
        c, b = self.config, self.buffer
        idx = b.sample(self.rng, min(c.batch_size, b.size))
        s, a, r = b.states[idx], b.actions[idx, None], b.rewards[idx, None]
        s2, done = b.next_states[idx], b.done[idx, None]
        q_next = self.critic_target(np.hstack([s2, self.actor_target(s2)]))
        target = r + c.discount * (1 - done) * q_next
        q, seen = self.critic.forward(np.hstack([s, a]))
        grads, _ = self.critic.backward(seen, 2 * (q - target) / len(idx))
        self.critic.adam_step(grads)
        mu, actor_seen = self.actor.forward(s)
        _, critic_seen = self.critic.forward(np.hstack([s, mu]))
        _, d_input = self.critic.backward(critic_seen, -np.ones_like(mu) / len(idx))
        grads, _ = self.actor.backward(actor_seen, d_input[:, -1:])
        self.actor.adam_step(grads)
        self.actor_target.copy_from(self.actor, c.tau)
        self.critic_target.copy_from(self.critic, c.tau)
