"""Stress from wearables: P(stress) per 60-s window, judged against the wearer's own recording, with evidence.

:class:`PhysioRecognizer` reads a recording (:func:`affectscope.media.physio.read_physio`: an Empatica E4 folder
or a timestamped CSV), cuts it into 60-s windows every 30 s, and computes features with neurokit2
(:mod:`.features`):

* tonic/phasic EDA and SCRs;
* heart rate and HRV;
* temperature and movement.

The features are z-scored over the recording: the wearer's own baseline, so recordings should be long enough to
hold calm stretches too (at least 10 minutes). Each window also gets its 5-window context and its change from
the previous 6 minutes (reactivity) (:mod:`.sequence`). The shipped head (``physio-stress-e4``: gradient-boosted
trees exported as arrays, :mod:`.head`) gives P(stress) per window, smoothed over time by a two-state hidden
Markov model.

Rows: ``label`` (``stress2``: neutral / stress), ``confidence``, ``stress2:*``, ``arousal`` (2·P − 1),
``evidence`` (``"EDA 3.21 µS, 4.0 SCR/min, HR 96 bpm"``), the feature columns and a rationale. The model's
nested leave-one-subject-out balanced accuracy on Stress-Predict is in its card.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from affectscope._validation import check_span
from affectscope.errors import AffectscopeError, InputError
from affectscope.media.physio import MAX_DURATION_S, Recording
from affectscope.recognizers.base import Recognizer
from affectscope.recognizers.physio.head import stress_logit
from affectscope.recognizers.physio.sequence import context_features, smooth
from affectscope.result import INDEX_NAMES, Result

__all__ = ["PhysioRecognizer"]

MIN_WINDOWS = 6


class PhysioRecognizer(Recognizer):
    """Recognise stress in a wearable recording, window by window.

    Parameters
    ----------
    model : str or path-like, optional
        Registry name or bundle folder (default ``physio-stress-e4``).

    Examples
    --------
    >>> PhysioRecognizer().process_file("no/such/folder")
    Traceback (most recent call last):
    ...
    affectscope.errors.InputError: Physiological recording not found: no/such/folder.
    """

    modality = "physio"

    def __init__(self, model: str | os.PathLike[str] | None = None, *, num_threads: int | None = None) -> None:
        super().__init__(model, num_threads=num_threads)
        head = self.bundle.heads["stress"]
        self.space_ = head["space"]
        self.labels_ = list(head["labels"])
        self.config_ = dict(self.bundle.extra["config"])
        with np.load(self.bundle.file("head"), allow_pickle=False) as w:
            self.weights_ = {k: w[k].astype(np.float64) for k in w.files}

    def preprocess(self, items: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
        """Stack per-recording window features (windows × features, in time order) with context and reactivity."""
        out = []
        for x in items:
            cfg = self.config_
            out.append(context_features(np.asarray(x), context=cfg["context"], baseline=cfg["baseline"]))
        return {"features": np.vstack(out)}

    def forward(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Impute and apply the head (boosted trees or logistic regression): the stress logit per window."""
        return {"logit": stress_logit(self.weights_, inputs["features"])}

    def postprocess(self, outputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """P(stress), smoothed over time (the bundle's smoother), as ``stress2`` probabilities."""
        p = 1 / (1 + np.exp(-outputs["logit"]))
        how = self.config_["smooth"]
        p = smooth(p, "mean", how) if isinstance(how, int | float) else smooth(p, how["method"], how["param"])
        return {self.space_: np.stack([1 - p, p], axis=1)}

    def process_file(
        self, file: str | os.PathLike[str], *, start: float | None = None, end: float | None = None
    ) -> Result:
        """Analyse a wearable recording (E4 folder, timestamped CSV or EDF/BDF), optionally ``[start, end)`` seconds.

        ``start`` and ``end`` are checked first (finite, ``0 <= start < end <= 7 days``: a ``ConfigError``), then
        the recording is read (:func:`~affectscope.media.physio.read_physio`, under its limits).
        """
        from affectscope.media.physio import read_physio

        start, end = check_span(start, end, func="analyze")
        return self.process_recording(read_physio(file), source=str(file), start=start, end=end)

    def process_recording(
        self, rec: Recording, *, source: str | None = None, start: float | None = None, end: float | None = None
    ) -> Result:
        """Analyse a :class:`~affectscope.media.physio.Recording` already read; times are seconds from its start.

        Raises
        ------
        InputError
            No channel, a recording longer than 7 days or shorter than six windows, EDA below 1 Hz or BVP at or
            below 16 Hz (too slow for SCRs and beats: resample it, or leave the channel out to use the others), or
            signals the feature extraction cannot use.
        ConfigError
            ``start``/``end`` not finite, negative, over 7 days or out of order.
        """
        from affectscope.recognizers.physio.features import (
            FEATURE_NAMES,
            MIN_BVP_RATE,
            MIN_EDA_RATE,
            recording_features,
        )

        start, end = check_span(start, end, func="analyze")
        file = source if source is not None else rec.source
        if not rec.channels:
            raise InputError(f"{file} holds no channel (eda, bvp, hr, temp or acc).")
        for name, ch in rec.channels.items():
            if not (np.isfinite(ch.rate) and ch.rate > 0 and np.isfinite(ch.start)):
                raise InputError(
                    f"{file}: the {name} channel has a rate of {ch.rate} Hz from {ch.start}; both must be finite."
                )
        eda, bvp = rec.channels.get("eda"), rec.channels.get("bvp")
        if eda is not None and eda.rate < MIN_EDA_RATE:
            raise InputError(
                f"{file}: EDA needs at least {MIN_EDA_RATE:g} Hz for skin-conductance responses; this recording's EDA "
                f"is {eda.rate:g} Hz (E4: 4 Hz). Resample it, or leave the eda channel (column) out to use the others."
            )
        if bvp is not None and bvp.rate <= MIN_BVP_RATE:
            raise InputError(
                f"{file}: BVP needs a rate above {MIN_BVP_RATE:g} Hz for beat detection; this recording's BVP is "
                f"{bvp.rate:g} Hz (E4: 64 Hz). Resample it, or leave the bvp channel (column) out to use the others."
            )
        length = rec.end - rec.start
        if not np.isfinite(length) or length > MAX_DURATION_S + 1:
            raise InputError(f"{file} spans {length / 86400:,.1f} days; the limit is 7 days per recording.")
        lo, hi = self._span(start, end, floor=0.0)
        hi = min(hi, length)
        win, hop = self.config_["window_s"], self.config_["hop_s"]
        windows = [(a, a + win) for a in np.arange(lo, hi - win + 1e-9, hop)]
        if len(windows) < MIN_WINDOWS:
            raise InputError(
                f"{file} holds {length / 60:.1f} min of signal; stress is judged against the wearer's own recording, "
                f"which needs at least {(MIN_WINDOWS - 1) * hop + win:g} s (10 minutes or more work best)."
            )
        try:
            x, evidence = recording_features(rec, windows)
        except AffectscopeError:
            raise
        except (ValueError, TypeError, IndexError, ZeroDivisionError, FloatingPointError, np.linalg.LinAlgError) as exc:
            reason = " ".join(str(exc).split())[:160]
            raise InputError(f"{file}: the signals could not be turned into features ({reason}).") from None
        if np.isnan(x).all(axis=0).sum() == x.shape[1]:
            raise InputError(f"{file}: none of EDA, BVP, HR, TEMP or ACC could be read into features.")
        p = self.postprocess(self.forward(self.preprocess([x])))[self.space_]
        rows = []
        for (a, b), prob, ev, feats in zip(windows, p, evidence, x, strict=True):
            k = int(prob.argmax())
            cues = []
            if ev["eda_tonic_us"] is not None:
                cues.append(f"EDA {ev['eda_tonic_us']:.2f} µS, {ev['scr_per_min']:.1f} SCR/min")
            if ev["hr_bpm"] is not None:
                cues.append(f"HR {ev['hr_bpm']:.0f} bpm")
            if ev["hrv_rmssd_ms"] is not None:
                cues.append(f"RMSSD {ev['hrv_rmssd_ms']:.0f} ms")
            rows.append(
                {
                    "source": str(file),
                    "start": float(a),
                    "end": float(b),
                    "modality": "physio",
                    "track": "wearer",
                    "label": self.labels_[k],
                    "confidence": float(prob[k]),
                    **{f"{self.space_}:{lab}": float(prob[i]) for i, lab in enumerate(self.labels_)},
                    "arousal": float(2 * prob[1] - 1),
                    **{n: float(v) for n, v in zip(FEATURE_NAMES, feats, strict=True)},
                    "evidence": ", ".join(cues) + " (vs this recording)" if cues else "no usable channel",
                }
            )
        frame = pd.DataFrame(rows).set_index(list(INDEX_NAMES))
        from affectscope.explain import row_rationales

        frame["rationale"] = row_rationales(frame)
        return Result(frame, self.summarize(frame))

    def _combine(self, frames: list[pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, Any]]:
        empty = pd.DataFrame(index=pd.MultiIndex.from_arrays([[], [], []], names=INDEX_NAMES))
        frame = pd.concat(frames) if frames else empty
        sources = (
            {str(s): self.summarize(g) for s, g in frame.groupby(level="source", sort=False)} if len(frame) else {}
        )
        return frame, {"modality": "physio", "model": self.bundle.name, "sources": sources}

    def summarize(self, frame: pd.DataFrame) -> dict[str, Any]:
        """Share of stressed windows, the stress peak, mean P(stress) and a rationale."""
        p = frame[f"{self.space_}:stress"].to_numpy()
        stressed = p > 0.5
        peak = int(p.argmax())
        start, end = frame.index[peak][1], frame.index[peak][2]
        label = "stress" if stressed.mean() >= 0.5 else "neutral"
        return {
            "modality": "physio",
            "model": self.bundle.name,
            "label": label,
            "confidence": round(float(p.mean() if label == "stress" else 1 - p.mean()), 4),
            "stress_share": round(float(stressed.mean()), 4),
            "mean_stress_probability": round(float(p.mean()), 4),
            "peak": {"start": float(start), "end": float(end), "probability": round(float(p[peak]), 4)},
            "n_windows": len(frame),
            "rationale": (
                f"{100 * stressed.mean():.0f} % of {len(frame)} windows read as stress; the strongest at "
                f"{start / 60:.1f}-{end / 60:.1f} min (P = {p[peak]:.2f}): {frame['evidence'].iloc[peak]}."
            ),
        }
