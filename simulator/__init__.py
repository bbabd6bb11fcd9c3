"""Discrete-event engine (SimPy) and reusable hardware components."""

from sparsesim.simulator.broadcast import Broadcast
from sparsesim.simulator.engine import Component, Engine
from sparsesim.simulator.errors import (
    ConfigError,
    DeadlockError,
    FormatError,
    UserError,
    WorkloadError,
)
from sparsesim.simulator.pe import ProcessingElement
from sparsesim.simulator.queue import ActivationQueue
from sparsesim.simulator.result import SimResult
from sparsesim.simulator.sram import BankedSRAM

__all__ = [
    "ActivationQueue", "BankedSRAM", "Broadcast", "Component", "ConfigError", "DeadlockError",
    "Engine", "FormatError", "ProcessingElement", "SimResult", "UserError", "WorkloadError",
]
