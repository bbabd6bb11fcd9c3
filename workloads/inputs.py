"""Feeding a workload the user's own input: a vector for an FC chain, frames for an LSTM."""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.layer import Workload
from sparsesim.workloads.lstm import LSTMModel


def with_inputs(work: Any, inputs: np.ndarray | None) -> Any:
    """`work` with `inputs` as its first layer's input (a Workload: one vector; an
    LSTMModel: frames (T, inputs)); unchanged when `inputs` is None."""
    if inputs is None:
        return work
    if isinstance(work, Workload):
        return work.with_input(inputs)
    if isinstance(work, LSTMModel):
        frames = np.asarray(inputs, dtype=np.float64)
        if frames.ndim != 2 or frames.shape[1] != work.layers[0].inputs:
            raise WorkloadError(f"LSTM {work.name}: inputs must be frames (T, "
                                f"{work.layers[0].inputs}), got shape {frames.shape}")
        if not np.all(np.isfinite(frames)):
            raise WorkloadError(f"LSTM {work.name}: inputs contain NaN or infinity")
        return dataclasses.replace(work, frames=frames)
    raise WorkloadError(f"inputs= applies to fully connected chains (eie) and LSTMs (ese); "
                        f"this workload ({type(work).__name__}) takes none")
