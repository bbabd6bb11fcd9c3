"""Discrete-event engine (SimPy) and reusable hardware components."""

from simulator.broadcast import Broadcast
from simulator.engine import Component, Engine
from simulator.errors import ConfigError, DeadlockError, FormatError, UserError, WorkloadError
from simulator.pe import ProcessingElement
from simulator.queue import ActivationQueue
from simulator.result import SimResult
from simulator.sram import BankedSRAM

__all__ = [
    "ActivationQueue", "BankedSRAM", "Broadcast", "Component", "ConfigError", "DeadlockError",
    "Engine", "FormatError", "ProcessingElement", "SimResult", "UserError", "WorkloadError",
]
