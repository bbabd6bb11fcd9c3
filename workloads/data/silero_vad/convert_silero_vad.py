"""Development-time converter (numpy and safetensors only; never imported by sparsesim).

Takes the LSTM cell (128 cells, 128 inputs) out of the silero-vad wheel's
silero_vad_16k.safetensors and computes the real inputs it sees for a recording: the
model's own front end (STFT convolution, magnitude, four 1-D convolutions with ReLU),
re-implemented in numpy after the wheel's tinygrad_model.py, run on 512-sample chunks
with 64 samples of context at 16 kHz. Writes silero_vad_lstm.safetensors: the cell's
`lstm_cell.weight_ih`, `weight_hh`, `bias_ih`, `bias_hh` and `frames` (T x 128).
See SOURCES for the command.

    python workloads/data/silero_vad/convert_silero_vad.py SILERO_SAFETENSORS WAV OUT
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "speaker_lstm"))
from convert_resemblyzer import read_wav, resample_linear  # noqa: E402

SAMPLE_RATE_HZ = 16000  # silero_vad_16k
CHUNK_SAMPLES = 512  # samples per VAD step at 16 kHz (tinygrad_model.py docstring)
CONTEXT_SAMPLES = 64  # previous samples prepended to each chunk
REFLECT_PAD = 64  # right reflection padding before the STFT convolution
STFT_STRIDE = 128
CUTOFF = 129  # n_fft / 2 + 1 frequency bins
CONVS = (("conv1", 1), ("conv2", 2), ("conv3", 2), ("conv4", 1))  # name, stride (padding 1)


def conv1d(x: np.ndarray, weight: np.ndarray, bias: np.ndarray | None, stride: int,
           padding: int) -> np.ndarray:
    """(C_in, L) * (C_out, C_in, k) -> (C_out, L_out), cross-correlation like torch."""
    x = np.pad(x, ((0, 0), (padding, padding)))
    k = weight.shape[2]
    steps = (x.shape[1] - k) // stride + 1
    cols = np.stack([x[:, s * stride:s * stride + k] for s in range(steps)], axis=2)
    out = np.einsum("oik,ikl->ol", weight, cols)
    return out if bias is None else out + bias[:, None]


def encode(chunk: np.ndarray, w: dict[str, np.ndarray]) -> np.ndarray:
    """The 128-value LSTM input for one chunk (context + samples)."""
    x = np.pad(chunk, (0, REFLECT_PAD), mode="reflect")[None, :]
    spec = conv1d(x, w["stft_conv.weight"], None, STFT_STRIDE, 0)
    x = np.sqrt(spec[:CUTOFF] ** 2 + spec[CUTOFF:] ** 2)
    for name, stride in CONVS:
        x = np.maximum(conv1d(x, w[f"{name}.weight"], w[f"{name}.bias"], stride, 1), 0.0)
    if x.shape[1] != 1:
        raise ValueError(f"front end left {x.shape[1]} steps, expected 1 (chunk size?)")
    return x[:, 0]


def main(argv: list[str]) -> int:
    from safetensors.numpy import load_file, save_file

    weights_path, wav_path, out = argv
    w = {k: v.astype(np.float64) for k, v in load_file(weights_path).items()}
    samples, rate = read_wav(wav_path)
    audio = resample_linear(samples, rate, SAMPLE_RATE_HZ)
    audio = np.pad(audio, (0, -len(audio) % CHUNK_SAMPLES))
    audio = np.pad(audio, (CONTEXT_SAMPLES, 0))
    frames = [encode(audio[i - CONTEXT_SAMPLES:i + CHUNK_SAMPLES], w)
              for i in range(CONTEXT_SAMPLES, len(audio), CHUNK_SAMPLES)]
    tensors = {f"lstm_cell.{k}": w[f"lstm_cell.{k}"].astype(np.float32)
               for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
    tensors["frames"] = np.array(frames, dtype=np.float32)
    meta = {"sparsesim": json.dumps({"layers": [{"name": "lstm_cell"}]}),
            "source": "silero-vad 6.2.3 silero_vad_16k.safetensors (MIT)",
            "frames": f"{len(frames)} chunks of {CHUNK_SAMPLES} samples at {SAMPLE_RATE_HZ} Hz"}
    save_file(tensors, out, metadata=meta)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
