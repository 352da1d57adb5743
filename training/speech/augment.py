"""Robustness augmentations of 16 kHz mono speech for training the speech-emotion head (issue 20).

Each function takes float32 samples at 16 kHz and a NumPy random generator and returns float32 samples at
16 kHz of about the same length. They model what users' recordings do to a voice that studio corpora do not:

* ``telephone`` — a narrow-band call: band-pass 300-3,400 Hz, resampled to 8 kHz and back, light mu-law-like
  compression;
* ``noise`` — additive noise at a random SNR in [0, 20] dB: pink noise, or *babble* (a mix of 3-5 other
  speakers' clips, given as ``others``);
* ``reverb`` — a synthetic room: an exponentially decaying noise impulse response, RT60 in [0.2, 0.9] s, with a
  direct path;
* ``codec`` — low-bitrate lossy coding through libsndfile: Ogg/Opus at its lowest quality or MP3;
* ``gain`` — ±10 dB (the features are meant to be gain-invariant; this checks it).

    python training/speech/extract_features.py --corpus ravdess tess crema_d --augment telephone

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> y = np.sin(2 * np.pi * 220 * np.arange(16000) / 16000).astype(np.float32)
>>> [len(AUGMENTATIONS[name](y, rng)) == len(y) for name in ("telephone", "reverb", "gain")]
[True, True, True]
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

import numpy as np

SR = 16_000


def _rms(y: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.square(y, dtype=np.float64)) + 1e-12))


def _fit(y: np.ndarray, n: int) -> np.ndarray:
    return y[:n] if len(y) >= n else np.pad(y, (0, n - len(y)))


def telephone(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Band-pass 300-3,400 Hz, 8 kHz round trip and soft compression."""
    import soxr
    from scipy.signal import butter, sosfilt

    sos = butter(6, [300, 3400], btype="bandpass", fs=SR, output="sos")
    out = sosfilt(sos, y).astype(np.float32)
    out = soxr.resample(soxr.resample(out, SR, 8000), 8000, SR).astype(np.float32)
    peak = float(np.max(np.abs(out))) or 1.0
    mu = 255.0
    z = out / peak
    z = np.sign(z) * np.log1p(mu * np.abs(z)) / np.log1p(mu)  # compand, then quantise to 8 bits and expand
    z = np.round(z * 127) / 127
    z = np.sign(z) * np.expm1(np.abs(z) * np.log1p(mu)) / mu
    out = _fit((z * peak).astype(np.float32), len(y))
    return (out * (_rms(y) / (_rms(out) or 1.0))).astype(np.float32)  # the loudness of the original


def _pink(n: int, rng: np.random.Generator) -> np.ndarray:
    spectrum = rng.standard_normal(n // 2 + 1) + 1j * rng.standard_normal(n // 2 + 1)
    f = np.arange(len(spectrum), dtype=np.float64)
    f[0] = 1.0
    pink = np.fft.irfft(spectrum / np.sqrt(f), n)
    return (pink / (np.std(pink) + 1e-12)).astype(np.float32)


def noise(
    y: np.ndarray, rng: np.random.Generator, *, others: Sequence[np.ndarray] = (), snr: tuple[float, float] = (0, 20)
) -> np.ndarray:
    """Pink noise or babble (when ``others`` are given, half of the time) at a random SNR."""
    n = len(y)
    if others and rng.random() < 0.5:
        k = int(rng.integers(3, min(5, len(others)) + 1)) if len(others) >= 3 else len(others)
        picks = rng.choice(len(others), size=k, replace=False)
        bab = np.zeros(n, dtype=np.float32)
        for i in picks:
            o = others[int(i)]
            start = int(rng.integers(0, max(1, len(o) - n))) if len(o) > n else 0
            seg = _fit(o[start : start + n], n)
            bab += seg / _rms(seg)
        z = bab / (_rms(bab) or 1.0)
    else:
        z = _pink(n, rng)
    db = float(rng.uniform(*snr))
    return (y + z * (_rms(y) / (10 ** (db / 20)))).astype(np.float32)


def reverb(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Convolution with a synthetic room impulse response (RT60 0.2-0.9 s, direct-to-reverberant 0-10 dB)."""
    from scipy.signal import fftconvolve

    rt60 = float(rng.uniform(0.2, 0.9))
    t = np.arange(int(rt60 * SR)) / SR
    tail = rng.standard_normal(len(t)) * np.exp(-6.9 * t / rt60)  # -60 dB at rt60
    tail[: int(0.0025 * SR)] = 0.0  # early gap
    drr = 10 ** (float(rng.uniform(0, 10)) / 20)
    ir = tail / (np.sqrt(np.sum(tail**2)) + 1e-12)
    ir[0] = drr
    out = fftconvolve(y, ir)[: len(y)]
    return (out * (_rms(y) / (_rms(out) or 1.0))).astype(np.float32)


def codec(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Encode and decode with a low-bitrate lossy codec: Ogg/Opus at its lowest quality, or MP3."""
    import soundfile as sf

    buf = io.BytesIO()
    if rng.random() < 0.5:
        sf.write(buf, y, SR, format="OGG", subtype="OPUS", compression_level=1.0)
    else:
        sf.write(buf, y, SR, format="MP3", subtype="MPEG_LAYER_III", compression_level=0.99)  # 1.0 is refused
    buf.seek(0)
    out, sr = sf.read(buf, dtype="float32")
    if out.ndim > 1:
        out = out.mean(1)
    if sr != SR:
        import soxr

        out = soxr.resample(out, sr, SR).astype(np.float32)
    return _fit(out, len(y))


def gain(y: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Scale by ±10 dB (clipped to [-1, 1])."""
    return np.clip(y * 10 ** (float(rng.uniform(-10, 10)) / 20), -1, 1).astype(np.float32)


AUGMENTATIONS: dict[str, Callable[..., np.ndarray]] = {
    "telephone": telephone,
    "noise": noise,
    "reverb": reverb,
    "codec": codec,
    "gain": gain,
}
