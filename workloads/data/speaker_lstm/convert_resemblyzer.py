"""Development-time converter (needs torch; never imported by sparsesim).

Turns the pretrained speaker-encoder LSTM of the resemblyzer wheel into
workloads/data/speaker_lstm/speaker_lstm.npz, and a real recording into the 40-band
mel frames the encoder takes. See workloads/data/speaker_lstm/SOURCES for the command.

    python workloads/data/speaker_lstm/convert_resemblyzer.py PRETRAINED_PT WAV OUT_NPZ
"""

from __future__ import annotations

import json
import sys
import wave

import numpy as np

SAMPLE_RATE_HZ = 16000  # resemblyzer hparams.sampling_rate
WINDOW_SAMPLES = 400  # 25 ms window (hparams.mel_window_length)
HOP_SAMPLES = 160  # 10 ms step (hparams.mel_window_step)
MEL_BANDS = 40  # hparams.mel_n_channels
TARGET_DBFS = -30.0  # hparams.audio_norm_target_dBFS (volume only raised)


def read_wav(path: str) -> tuple[np.ndarray, int]:
    """Mono float waveform in [-1, 1] and its sample rate (PCM 8/16/32-bit)."""
    with wave.open(path) as handle:
        channels, width, rate = handle.getnchannels(), handle.getsampwidth(), handle.getframerate()
        raw = handle.readframes(handle.getnframes())
    dtype = {1: np.uint8, 2: np.int16, 4: np.int32}[width]
    data = np.frombuffer(raw, dtype=dtype).astype(np.float64)
    if width == 1:
        data -= 128.0
    data /= float(2 ** (8 * width - 1))
    return data.reshape(-1, channels).mean(axis=1), rate


def resample_linear(wave_in: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    times = np.arange(int(len(wave_in) * rate_out / rate_in)) / rate_out
    return np.interp(times, np.arange(len(wave_in)) / rate_in, wave_in)


def raise_volume(samples: np.ndarray) -> np.ndarray:
    """resemblyzer's normalize_volume(increase_only=True)."""
    change_db = TARGET_DBFS - 10 * np.log10(np.mean(samples ** 2))
    return samples * 10 ** (change_db / 20) if change_db > 0 else samples


def hz_to_mel(hz: np.ndarray) -> np.ndarray:
    """Slaney mel scale (librosa's default, htk=False)."""
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / (200.0 / 3)
    log_part = 15.0 + np.log(np.maximum(hz, 1e-10) / 1000.0) / (np.log(6.4) / 27.0)
    return np.where(hz >= 1000.0, log_part, linear)


def mel_to_hz(mel: np.ndarray) -> np.ndarray:
    mel = np.asarray(mel, dtype=np.float64)
    linear = mel * (200.0 / 3)
    log_part = 1000.0 * np.exp((np.log(6.4) / 27.0) * (mel - 15.0))
    return np.where(mel >= 15.0, log_part, linear)


def mel_filterbank() -> np.ndarray:
    """(MEL_BANDS, n_fft/2 + 1) triangular filters, Slaney area normalisation."""
    fft_hz = np.linspace(0, SAMPLE_RATE_HZ / 2, WINDOW_SAMPLES // 2 + 1)
    edges = mel_to_hz(np.linspace(hz_to_mel(0.0), hz_to_mel(SAMPLE_RATE_HZ / 2), MEL_BANDS + 2))
    bank = np.zeros((MEL_BANDS, len(fft_hz)))
    for band in range(MEL_BANDS):
        lo, mid, hi = edges[band:band + 3]
        rising = (fft_hz - lo) / (mid - lo)
        falling = (hi - fft_hz) / (hi - mid)
        bank[band] = np.maximum(0.0, np.minimum(rising, falling)) * 2.0 / (hi - lo)
    return bank


def mel_frames(samples: np.ndarray) -> np.ndarray:
    """(frames, 40) mel power spectrogram, centred frames, Hann window, power 2."""
    padded = np.pad(samples, WINDOW_SAMPLES // 2)
    count = 1 + (len(padded) - WINDOW_SAMPLES) // HOP_SAMPLES
    index = np.arange(WINDOW_SAMPLES)[None, :] + HOP_SAMPLES * np.arange(count)[:, None]
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(WINDOW_SAMPLES) / WINDOW_SAMPLES)
    power = np.abs(np.fft.rfft(padded[index] * window, axis=1)) ** 2
    return (power @ mel_filterbank().T).astype(np.float32)


def main(argv: list[str]) -> int:
    import torch

    pretrained, wav_path, out = argv
    state = torch.load(pretrained, map_location="cpu")["model_state"]
    arrays = {}
    for layer in range(3):
        for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh"):
            tensor = state[f"lstm.{kind}_l{layer}"].numpy()
            arrays[f"l{layer}.{kind}"] = tensor.astype(np.float16)  # keeps the file < 3 MB
    samples, rate = read_wav(wav_path)
    frames = mel_frames(raise_volume(resample_linear(samples, rate, SAMPLE_RATE_HZ)))
    arrays["frames"] = frames
    meta = {"format": "sparsesim-lstm", "version": 1, "layers": 3, "hidden": 256, "inputs": 40,
            "gate_order": "i,f,g,o (PyTorch nn.LSTM)", "frames_hop_ms": 10,
            "weights_dtype": "float16 (converted from float32)"}
    arrays["__metadata__"] = np.array(json.dumps(meta))
    np.savez_compressed(out, **arrays)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
