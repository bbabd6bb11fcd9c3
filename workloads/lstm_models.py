"""Built-in LSTM workloads: the shipped pretrained speaker encoder, the shipped silero-vad
LSTM cell (read through workloads.readers), and a seeded LSTM at ESE-like dimensions."""

from __future__ import annotations

import json
from dataclasses import replace
from importlib import resources

import numpy as np

from sparsesim.simulator.errors import WorkloadError
from sparsesim.workloads.lstm import LSTMLayer, LSTMModel
from sparsesim.workloads.readers import load_model

SPEAKER = "speaker-lstm"
SILERO = "silero-vad"
ESE_LIKE = "ese-lstm"
WORKLOAD_NAMES = (SPEAKER, SILERO, ESE_LIKE)
DATA = resources.files("sparsesim.workloads") / "data"

# Dimensions of the seeded LSTM: a Google-style LSTM with projection as ESE ran (our
# reading of ESE Sec. 2; the reference notes list the exact sizes as not published in
# a source we could read, so these are our choice): 153 inputs, 1024 cells, 512 outputs.
ESE_INPUTS, ESE_CELLS, ESE_PROJECTION = 153, 1024, 512
ESE_FRAMES = 8  # frames of the seeded sequence: our choice (keeps the run short)


def speaker_lstm() -> LSTMModel:
    """resemblyzer's pretrained 3-layer, 256-cell speaker-encoder LSTM (40 mel inputs),
    driven by the mel frames of a real recording (see workloads/data/speaker_lstm/SOURCES)."""
    path = DATA / "speaker_lstm" / "speaker_lstm.npz"
    with resources.as_file(path) as file, np.load(file, allow_pickle=False) as data:
        meta = json.loads(str(data["__metadata__"]))
        layers = tuple(
            LSTMLayer(f"lstm{k}", data[f"l{k}.weight_ih"].astype(np.float64),
                      data[f"l{k}.weight_hh"].astype(np.float64),
                      data[f"l{k}.bias_ih"].astype(np.float64)
                      + data[f"l{k}.bias_hh"].astype(np.float64))
            for k in range(meta["layers"]))
        frames = data["frames"].astype(np.float64)
    return LSTMModel(SPEAKER, layers, frames)


def silero_vad() -> LSTMModel:
    """silero-vad's pretrained 128-cell LSTM cell on the real inputs its own front end
    makes from a recording (see workloads/data/silero_vad/SOURCES)."""
    with resources.as_file(DATA / "silero_vad" / "silero_vad_lstm.safetensors") as file:
        model = load_model(file)
    return replace(model, name=SILERO).to_lstm()


def ese_lstm(seed: int, layers: int = 1) -> LSTMModel:
    """Seeded LSTM with projection at ESE-like sizes; weights uniform in +-1/sqrt(cells)
    (PyTorch's LSTM initialisation), inputs standard normal."""
    rng = np.random.default_rng(seed)
    bound = 1.0 / np.sqrt(ESE_CELLS)
    built, inputs = [], ESE_INPUTS
    for k in range(layers):
        def uniform(*shape):
            return rng.uniform(-bound, bound, size=shape)
        built.append(LSTMLayer(f"lstm{k}", uniform(4 * ESE_CELLS, inputs),
                               uniform(4 * ESE_CELLS, ESE_PROJECTION), uniform(4 * ESE_CELLS),
                               uniform(ESE_PROJECTION, ESE_CELLS)))
        inputs = ESE_PROJECTION
    return LSTMModel(ESE_LIKE, tuple(built), rng.normal(size=(ESE_FRAMES, ESE_INPUTS)))


def lstm_workload(name: str, seed: int = 0) -> LSTMModel:
    if name == SPEAKER:
        return speaker_lstm()
    if name == SILERO:
        return silero_vad()
    if name == ESE_LIKE:
        return ese_lstm(seed)
    raise WorkloadError(f"unknown LSTM workload {name!r}; choose one of "
                        f"{', '.join(WORKLOAD_NAMES)}")
