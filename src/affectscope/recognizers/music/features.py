"""Musical features of an audio window, with librosa: the model's input and the evidence users can read.

:func:`musical_evidence` measures what musicians would name: tempo (BPM) and how clear the pulse is, key and mode
(Krumhansl–Schmuckler key profiles on the chroma), loudness (dB RMS) and its range, brightness (spectral
centroid) and noisiness. :func:`window_features` adds timbre and texture statistics (MFCC, spectral contrast,
flatness, onset rate, harmonic/percussive balance) and returns a fixed-length vector.

Examples
--------
>>> import numpy as np
>>> sr = 16000
>>> t = np.arange(sr * 8) / sr
>>> a_minor = sum(np.sin(2 * np.pi * f * t) for f in (220.0, 261.63, 329.63)).astype("float32")
>>> ev = musical_evidence(0.2 * a_minor, sr)
>>> ev["key"], ev["mode"]
('A', 'minor')
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["FEATURE_NAMES", "KEYS", "musical_evidence", "window_features"]

KEYS = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
# Krumhansl & Kessler (1982) probe-tone profiles
_MAJOR = np.array([6.35, 2.23, 3.48, 2.33, 4.38, 4.09, 2.52, 5.19, 2.39, 3.66, 2.29, 2.88])
_MINOR = np.array([6.33, 2.68, 3.52, 5.38, 2.60, 3.53, 2.54, 4.75, 3.98, 2.69, 3.34, 3.17])
_N_MFCC = 20
_HOP = 512


def _librosa() -> Any:
    try:
        import librosa
    except ImportError:
        from affectscope.errors import ConfigError

        raise ConfigError("Music analysis needs librosa: pip install 'affectscope[music]'.") from None
    return librosa


def _key(chroma_mean: np.ndarray) -> tuple[int, str, float, float]:
    """Best key (pitch class, mode), its correlation, and major minus minor best correlation."""
    c = chroma_mean - chroma_mean.mean()
    scores = {}
    for mode, prof in (("major", _MAJOR), ("minor", _MINOR)):
        p = prof - prof.mean()
        for k in range(12):
            r = np.roll(p, k)
            denom = np.linalg.norm(c) * np.linalg.norm(r)
            scores[(k, mode)] = float(c @ r / denom) if denom > 0 else 0.0
    (k, mode), best = max(scores.items(), key=lambda kv: kv[1])
    major = max(v for (_, m), v in scores.items() if m == "major")
    minor = max(v for (_, m), v in scores.items() if m == "minor")
    return k, mode, best, major - minor


def _analysis(y: np.ndarray, sr: int) -> dict[str, Any]:
    librosa = _librosa()
    y = np.asarray(y, dtype=np.float32)
    onset = librosa.onset.onset_strength(y=y, sr=sr, hop_length=_HOP)
    tempo = float(np.atleast_1d(librosa.feature.tempo(onset_envelope=onset, sr=sr, hop_length=_HOP))[0])
    ac = librosa.autocorrelate(onset - onset.mean())
    lag = round(60.0 * sr / _HOP / tempo) if tempo > 0 else 0
    pulse = float(ac[lag] / ac[0]) if 0 < lag < len(ac) and ac[0] > 0 else 0.0
    chroma = librosa.feature.chroma_stft(y=y, sr=sr, hop_length=_HOP)
    key, mode, key_strength, major_minus_minor = _key(chroma.mean(1))
    rms = librosa.feature.rms(y=y, hop_length=_HOP)[0]
    db = 20 * np.log10(np.maximum(rms, 1e-5))
    centroid = librosa.feature.spectral_centroid(y=y, sr=sr, hop_length=_HOP)[0]
    return {
        "onset": onset,
        "chroma": chroma,
        "rms_db": db,
        "centroid": centroid,
        "evidence": {
            "tempo_bpm": round(tempo, 1),
            "pulse_clarity": round(max(pulse, 0.0), 3),
            "key": KEYS[key],
            "mode": mode,
            "key_strength": round(key_strength, 3),
            "major_minus_minor": round(major_minus_minor, 3),
            "loudness_db": round(float(np.median(db)), 1),
            "loudness_range_db": round(float(np.percentile(db, 95) - np.percentile(db, 10)), 1),
            "brightness_hz": round(float(np.median(centroid)), 0),
        },
    }


def musical_evidence(y: np.ndarray, sr: int) -> dict[str, Any]:
    """Tempo, pulse clarity, key and mode, loudness and brightness of an audio window.

    Parameters
    ----------
    y : ndarray of shape (n,)
        Mono audio.
    sr : int
        Sampling rate.

    Returns
    -------
    dict
        ``tempo_bpm``, ``pulse_clarity`` (0–1), ``key``, ``mode`` (major/minor), ``key_strength`` (correlation
        with the key profile), ``major_minus_minor``, ``loudness_db`` (median dB RMS, full scale),
        ``loudness_range_db``, ``brightness_hz`` (median spectral centroid).
    """
    return _analysis(y, sr)["evidence"]


FEATURE_NAMES: tuple[str, ...] = (
    "tempo_bpm",
    "pulse_clarity",
    "key_strength",
    "major_minus_minor",
    "loudness_db",
    "loudness_range_db",
    "loudness_std_db",
    "brightness_hz",
    "brightness_std_hz",
    "rolloff_hz",
    "bandwidth_hz",
    "flatness",
    "zcr",
    "onset_rate",
    "onset_strength",
    "percussive_ratio",
    *(f"contrast_{i}" for i in range(7)),
    *(f"chroma_{k}" for k in range(12)),
    *(f"mfcc_mean_{i}" for i in range(_N_MFCC)),
    *(f"mfcc_std_{i}" for i in range(_N_MFCC)),
)


def window_features(y: np.ndarray, sr: int) -> tuple[np.ndarray, dict[str, Any]]:
    """Return the feature vector of an audio window (:data:`FEATURE_NAMES` order) and its musical evidence.

    Chroma is rotated to the detected key (so it describes scale degrees, not absolute pitch).

    Examples
    --------
    >>> import numpy as np
    >>> x, ev = window_features(0.1 * np.random.default_rng(0).standard_normal(16000 * 3).astype("float32"), 16000)
    >>> x.shape == (len(FEATURE_NAMES),), sorted(ev)[:2]
    (True, ['brightness_hz', 'key'])
    """
    librosa = _librosa()
    y = np.asarray(y, dtype=np.float32)
    a = _analysis(y, sr)
    ev = a["evidence"]
    spec = np.abs(librosa.stft(y, hop_length=_HOP))
    rolloff = librosa.feature.spectral_rolloff(S=spec, sr=sr)[0]
    bandwidth = librosa.feature.spectral_bandwidth(S=spec, sr=sr)[0]
    flatness = librosa.feature.spectral_flatness(S=spec)[0]
    contrast = librosa.feature.spectral_contrast(S=spec, sr=sr)
    zcr = librosa.feature.zero_crossing_rate(y, hop_length=_HOP)[0]
    onsets = librosa.onset.onset_detect(onset_envelope=a["onset"], sr=sr, hop_length=_HOP)
    harmonic, percussive = librosa.decompose.hpss(spec)
    perc = float(percussive.sum() / max(harmonic.sum() + percussive.sum(), 1e-9))
    mfcc = librosa.feature.mfcc(S=librosa.power_to_db(librosa.feature.melspectrogram(S=spec**2, sr=sr)), n_mfcc=_N_MFCC)
    chroma = a["chroma"].mean(1)
    chroma = np.roll(chroma / max(chroma.sum(), 1e-9), -KEYS.index(ev["key"]))
    seconds = len(y) / sr
    x = np.concatenate(
        [
            [
                ev["tempo_bpm"],
                ev["pulse_clarity"],
                ev["key_strength"],
                ev["major_minus_minor"],
                ev["loudness_db"],
                ev["loudness_range_db"],
                float(a["rms_db"].std()),
                ev["brightness_hz"],
                float(a["centroid"].std()),
                float(np.median(rolloff)),
                float(np.median(bandwidth)),
                float(np.mean(flatness)),
                float(np.mean(zcr)),
                len(onsets) / max(seconds, 1e-9),
                float(a["onset"].mean()),
                perc,
            ],
            contrast.mean(1),
            chroma,
            mfcc.mean(1),
            mfcc.std(1),
        ]
    ).astype(np.float64)
    return x, ev
