"""Music emotion: Russell quadrant, valence and arousal per 10-s window and for the whole track, with musical evidence.

:class:`MusicRecognizer` cuts a recording (16 kHz mono, streamed through :mod:`affectscope.media.audio`) into
windows, represents each by musical features (:mod:`.features`: tempo, key/mode, loudness, brightness, timbre)
and, for the shipped model, the pooled encoder states of the Whisper encoders the speech model uses, and
classifies it with the shipped head (``music-4q-quadrants``, trained by us on the 4Q dataset) into the four
Russell quadrants (``russell4``: q1_happy, q2_angry, q3_sad, q4_calm).

Per window: quadrant probabilities, ``valence = P(Q1) + P(Q4) − P(Q2) − P(Q3)`` and
``arousal = P(Q1) + P(Q2) − P(Q3) − P(Q4)`` (both in [-1, 1]), mood words, and the evidence a musician would
name (``"124 BPM, G major, -14 dB, bright 2,350 Hz"``). The whole track is the mean of the windows'
log-probabilities.

Examples
--------
>>> import numpy as np
>>> rec = MusicRecognizer(num_threads=1)
>>> sr = 16000
>>> t = np.arange(sr * 16) / sr
>>> y = 0.2 * np.sin(2 * np.pi * 220 * t).astype("float32")
>>> r = rec.process_signal(y, sampling_rate=sr)
>>> len(r), r.summary["label"] in rec.labels_
(2, True)
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from affectscope._cancel import check_cancelled
from affectscope._validation import check_number, check_span
from affectscope.errors import ConfigError, InputError
from affectscope.recognizers.base import Recognizer
from affectscope.recognizers.music.features import window_features
from affectscope.result import INDEX_NAMES, Result

__all__ = ["MOODS", "MusicRecognizer"]

SR = 16000
MIN_WINDOW_S = 5.0
MAX_WINDOW_S = 30.0
# Mood words of each quadrant, after the AllMusic tags that define the 4Q quadrants (Panda et al. 2018).
MOODS = {
    "q1_happy": ("joyful", "energetic", "cheerful", "exciting"),
    "q2_angry": ("tense", "aggressive", "angry", "anxious"),
    "q3_sad": ("sad", "melancholic", "gloomy", "lonely"),
    "q4_calm": ("calm", "peaceful", "relaxed", "tender"),
}


def _moods(p: np.ndarray, labels: list[str]) -> str:
    order = np.argsort(-p)
    words = list(MOODS[labels[order[0]]][:3])
    if p[order[1]] > 0.3:
        words.append(MOODS[labels[order[1]]][0])
    return ", ".join(words)


def _evidence(ev: dict[str, Any]) -> str:
    pulse = "steady" if ev["pulse_clarity"] >= 0.3 else "loose"
    return (
        f"{ev['tempo_bpm']:.0f} BPM ({pulse} pulse), {ev['key']} {ev['mode']}, {ev['loudness_db']:.0f} dB, "
        f"brightness {ev['brightness_hz']:,.0f} Hz"
    )


class MusicRecognizer(Recognizer):
    """Recognise the emotion a piece of music expresses, window by window.

    Parameters
    ----------
    model : str or path-like, optional
        Registry name or bundle folder (default ``music-4q-quadrants``).
    window : float
        Window length in seconds (a last piece shorter than 5 s joins the window before it).
    num_threads : int, optional
        CPU threads (all cores when omitted).

    Examples
    --------
    >>> MusicRecognizer(window=1)
    Traceback (most recent call last):
    ...
    affectscope.errors.ConfigError: The 'window' parameter of MusicRecognizer must be a float in [5, 30]. Got 1 instead.
    """

    modality = "music"

    def __init__(
        self, model: str | os.PathLike[str] | None = None, *, window: float = 10.0, num_threads: int | None = None
    ) -> None:
        window = check_number(window, name="window", func="MusicRecognizer", low=MIN_WINDOW_S, high=MAX_WINDOW_S)
        super().__init__(model, num_threads=num_threads)
        self.window = window
        head = self.bundle.heads["emotion"]
        self.space_ = head["space"]
        self.labels_ = list(head["labels"])
        with np.load(self.bundle.file("head"), allow_pickle=False) as w:
            self.weights_ = {k: w[k].astype(np.float64) for k in w.files}
        self.temperature_ = float(self.bundle.extra.get("temperature", 1.0))
        self.track_temperature_ = float(self.bundle.extra.get("track_temperature", 1.0))
        self.inputs_ = self.bundle.extra.get("inputs", "librosa")
        self.encoders_: list[Any] = []
        if self.inputs_ in ("whisper", "both"):
            try:
                from affectscope.recognizers.speech.whisper import load_whisper
            except ImportError:
                raise ConfigError(
                    "The music model needs the speech extra: pip install 'affectscope[speech,music]'."
                ) from None
            self.encoders_ = [load_whisper(n, num_threads=num_threads or 0) for n in ("tiny.en", "base")]

    # --- preprocess → forward → postprocess -------------------------------------------------------------------
    def preprocess(self, items: Sequence[np.ndarray]) -> dict[str, Any]:
        """Represent 16 kHz mono windows by musical features (and Whisper states for the shipped model).

        Returns
        -------
        dict
            ``{"features": (n, d) float64, "evidence": list of dict}``.
        """
        feats, evidence = [], []
        for y in items:
            check_cancelled()
            x, ev = window_features(np.asarray(y, dtype=np.float32), SR)
            if self.encoders_:
                from affectscope.recognizers.speech.whisper import speech_embedding

                x = np.concatenate([x, speech_embedding(self.encoders_, np.asarray(y, dtype=np.float32))])
            feats.append(x)
            evidence.append(ev)
        return {"features": np.array(feats), "evidence": evidence}

    def forward(self, inputs: dict[str, Any]) -> dict[str, np.ndarray]:
        """Standardise and apply the logistic-regression head: quadrant logits."""
        w = self.weights_
        z = (inputs["features"] - w["mean"]) / w["scale"]
        return {"logits": z @ w["coef"].T + w["intercept"]}

    def postprocess(self, outputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Calibrated quadrant probabilities (``russell4``) and valence/arousal/dominance per window."""
        from affectscope.labels import expected_vad

        z = outputs["logits"] / self.temperature_
        z = z - z.max(1, keepdims=True)
        p = np.exp(z) / np.exp(z).sum(1, keepdims=True)
        q = {lab: p[:, i] for i, lab in enumerate(self.labels_)}
        valence = q["q1_happy"] + q["q4_calm"] - q["q2_angry"] - q["q3_sad"]
        arousal = q["q1_happy"] + q["q2_angry"] - q["q3_sad"] - q["q4_calm"]
        dominance = np.asarray(expected_vad(p, space=self.space_))[:, 2]
        return {self.space_: p, "vad": np.stack([valence, arousal, dominance], axis=1)}

    def predict_signals(self, signals: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
        """Quadrant probabilities and VAD for 16 kHz mono windows (each judged alone)."""
        return self.postprocess(self.forward(self.preprocess(signals)))

    # --- process_* ------------------------------------------------------------------------------------------
    def _windows(self, y: np.ndarray) -> list[tuple[float, np.ndarray]]:
        step = int(self.window * SR)
        out = [(i / SR, y[i : i + step]) for i in range(0, len(y), step)]
        if len(out) > 1 and len(out[-1][1]) < MIN_WINDOW_S * SR:  # a short tail joins the window before it
            start, _ = out[-2]
            out[-2:] = [(start, y[int(start * SR) :])]
        return out

    def process_signal(self, samples: np.ndarray, *, sampling_rate: int, source: str = "signal") -> Result:
        """Analyse audio already in memory (any rate; resampled to 16 kHz)."""
        from affectscope.media.audio import load_audio

        sig = load_audio((np.asarray(samples, dtype=np.float32), sampling_rate))
        return self._process(sig.samples, source, offset=0.0)

    def process_file(
        self, file: str | os.PathLike[str], *, start: float | None = None, end: float | None = None
    ) -> Result:
        """Analyse a music file (wav, flac, mp3, ogg, m4a, or a video's audio), optionally ``[start, end)`` s.

        ``start``/``end`` must be finite with ``0 <= start < end`` (:class:`ConfigError` otherwise); a start past
        the end of the audio is an :class:`InputError`. A file damaged part-way is analysed up to the damage, and
        the summary's ``damage`` says where it broke off.
        """
        from affectscope.media.audio import load_audio

        s, e = check_span(start, end, func="MusicRecognizer.process_file")
        sig = load_audio(file, start=s, end=e)
        result = self._process(sig.samples, str(file), offset=round((s or 0.0) * SR) / SR)
        if sig.note:
            result.summary["damage"] = sig.note
            result.summary["note"] = f"{sig.note}; the audio before the damage was analysed"
        return result

    def _process(self, y: np.ndarray, source: str, *, offset: float) -> Result:
        if len(y) < MIN_WINDOW_S * SR:
            raise InputError(
                f"{source} holds {len(y) / SR:.1f} s of audio; music analysis needs at least {MIN_WINDOW_S:g} s."
            )
        if float(np.max(np.abs(y))) < 1e-4:
            raise InputError(f"{source} is silent; there is no music to analyse.")
        wins = self._windows(y)
        inputs = self.preprocess([w for _, w in wins])
        out = self.postprocess(self.forward(inputs))
        p = out[self.space_]
        rows = []
        for (s, w), probs, vad, ev in zip(wins, p, out["vad"], inputs["evidence"], strict=True):
            k = int(probs.argmax())
            rows.append(
                {
                    "source": source,
                    "start": round(offset + s, 3),
                    "end": round(offset + s + len(w) / SR, 3),
                    "modality": "music",
                    "track": "main",
                    "label": self.labels_[k],
                    "confidence": float(probs[k]),
                    **{f"{self.space_}:{lab}": float(probs[i]) for i, lab in enumerate(self.labels_)},
                    "valence": float(vad[0]),
                    "arousal": float(vad[1]),
                    "dominance": float(vad[2]),
                    "moods": _moods(probs, self.labels_),
                    **{key: ev[key] for key in ("tempo_bpm", "pulse_clarity", "key", "mode", "loudness_db")},
                    "brightness_hz": ev["brightness_hz"],
                    "evidence": _evidence(ev),
                }
            )
        frame = pd.DataFrame(rows).set_index(list(INDEX_NAMES))
        from affectscope.explain import row_rationales

        frame["rationale"] = row_rationales(frame)
        return Result(frame, self.summarize(frame, logits=np.log(np.clip(p, 1e-12, 1))))

    def _combine(self, frames: list[pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, Any]]:
        frame = (
            pd.concat(frames)
            if frames
            else pd.DataFrame(index=pd.MultiIndex.from_arrays([[], [], []], names=INDEX_NAMES))
        )
        sources = (
            {str(s): self.summarize(g) for s, g in frame.groupby(level="source", sort=False)} if len(frame) else {}
        )
        return frame, {"modality": "music", "model": self.bundle.name, "sources": sources}

    def summarize(self, frame: pd.DataFrame, *, logits: np.ndarray | None = None) -> dict[str, Any]:
        """Whole-track reading: the windows' mean log-probability (with the track temperature), VAD, moods, evidence."""
        cols = [f"{self.space_}:{lab}" for lab in self.labels_]
        logp = logits if logits is not None else np.log(np.clip(frame[cols].to_numpy(dtype=float), 1e-12, 1))
        z = logp.mean(0) / self.track_temperature_
        p = np.exp(z - z.max())
        p = p / p.sum()
        k = int(p.argmax())
        q = dict(zip(self.labels_, p, strict=True))
        modes = frame["mode"].value_counts()
        keys = frame["key"] + " " + frame["mode"]
        ev = {
            "tempo_bpm": round(float(frame["tempo_bpm"].median()), 1),
            "key": str(keys.mode().iloc[0]),
            "mode_share_major": round(float(modes.get("major", 0) / len(frame)), 3),
            "loudness_db": round(float(frame["loudness_db"].median()), 1),
            "brightness_hz": round(float(frame["brightness_hz"].median()), 0),
        }
        label = self.labels_[k]
        valence = float(q["q1_happy"] + q["q4_calm"] - q["q2_angry"] - q["q3_sad"])
        arousal = float(q["q1_happy"] + q["q2_angry"] - q["q3_sad"] - q["q4_calm"])
        return {
            "modality": "music",
            "model": self.bundle.name,
            "n_windows": len(frame),
            "label": label,
            "confidence": round(float(p[k]), 4),
            "scores": {self.space_: {lab: round(float(v), 4) for lab, v in q.items()}},
            "valence": round(valence, 4),
            "arousal": round(arousal, 4),
            "moods": _moods(p, self.labels_).split(", "),
            "evidence": ev,
            "rationale": (
                f"Cues: {ev['tempo_bpm']:.0f} BPM, mostly {ev['key']} ({100 * ev['mode_share_major']:.0f} % of windows "
                f"major), {ev['loudness_db']:.0f} dB, brightness {ev['brightness_hz']:,.0f} Hz. Reasoning: valence "
                f"{valence:+.2f}, arousal {arousal:+.2f} over {len(frame)} window(s). Label: {label} ({p[k]:.2f})."
            ),
        }
