"""Video: faces, voice, words and subtitles of one recording on one timeline.

:class:`VideoRecognizer` runs the face recognizer on frames sampled at ``fps`` (a stable ``track`` id per
person), the speech recognizer on the audio track (voice segments with transcript and prosody), and the text
recognizer on subtitle cues (an ``.srt``/``.vtt`` given, or found next to the video), then merges every row into
one :class:`~affectscope.Result` indexed by ``(source, start, end)`` in seconds. The ``modality`` column tells
rows apart (``face``, ``speech``, ``text`` with ``track == "subtitles"``).

With ``fusion=True`` (the default) the shipped fusion model (:class:`affectscope.fusion.Fuser`) adds one
``modality="fusion"`` row per voice segment (or fixed window): the calibrated Ekman-7 reading of the modalities
present there, how much they disagree (``incongruence``, ``incongruent``), each modality's cue (``evidence``)
and a ``rationale``. The summary keeps each modality's own summary under ``modalities`` and fuses the whole video
the same way.

Examples
--------
>>> import tempfile, pathlib, numpy as np
>>> from skimage import data
>>> from affectscope.media.video import write_test_video
>>> f = pathlib.Path(tempfile.mkdtemp()) / "smile.mp4"
>>> _ = write_test_video(f, [data.astronaut()] * 10, fps=10)
>>> r = VideoRecognizer(num_threads=1).process_file(f)
>>> sorted(set(r.frame["modality"])), r.summary["label"]
(['face', 'fusion'], 'joy')
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from affectscope._cancel import check_cancelled
from affectscope._validation import check_int, check_number, check_span
from affectscope.errors import AffectscopeError, ConfigError, InputError
from affectscope.result import INDEX_NAMES, Result

__all__ = ["MAX_FACES", "MAX_FPS", "MAX_WINDOWS", "MIN_FACE_SIZE", "WINDOW", "VideoRecognizer", "subtitle_rows"]

#: Bounds of the options (also those of ``affectscope analyze``): frames analysed per second, faces per frame,
#: the smallest face looked for (pixels; below 8 the detector's tiles stop shrinking), fixed fusion windows
#: (seconds), and the most fusion windows one video may get.
MAX_FPS = 60.0
MAX_FACES = 100
MIN_FACE_SIZE = (8, 4096)
WINDOW = (0.25, 3600.0)
MAX_WINDOWS = 100_000

_EKMAN = ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral")
_VAD = ("valence", "arousal", "dominance")


class VideoRecognizer:
    """Recognise emotion in video: faces over time, voice and transcript, subtitles — merged on one timeline.

    Parameters
    ----------
    fps : float
        Frames analysed per second, in (0, 60].
    max_faces, min_face_size : int
        Passed to :class:`~affectscope.recognizers.face.FaceRecognizer`: [1, 100] faces, [8, 4096] pixels.
    voice : bool
        Analyse the audio track (needs the ``speech`` extra); videos without audio are fine either way.
    transcript : bool
        Transcribe the speech (Whisper) and analyse its words.
    language : str, optional
        Spoken language (ISO 639-1 or ``"auto"``); English when omitted.
    subtitles : bool
        Use a subtitle file found next to the video (``name.srt``, ``name.vtt``, ``name.en.srt``...).
    fusion : bool
        Add fused rows per window and fuse the summary (else the summary averages the modalities' scores).
    window : float or "utterance"
        Fusion windows: the voice segments (fixed 2 s windows where there is no voice) or seconds in
        [0.25, 3600] (at most 100,000 windows per video).
    evidence : bool
        Cite the words behind each subtitle's label (occlusion; one extra text pass per word).
    face_model, speech_model, text_model, fusion_model : str, optional
        Registry names or bundle folders; the defaults when omitted.
    num_threads : int, optional
        CPU threads per model (all cores when omitted).

    Examples
    --------
    >>> VideoRecognizer(fps=0)
    Traceback (most recent call last):
    ...
    affectscope.errors.ConfigError: The 'fps' parameter of VideoRecognizer must be a float in (0, 60]. Got 0 instead.
    """

    modality = "video"

    def __init__(
        self,
        *,
        fps: float = 5.0,
        max_faces: int = 5,
        min_face_size: int = 48,
        voice: bool = True,
        transcript: bool = True,
        language: str | None = None,
        subtitles: bool = True,
        fusion: bool = True,
        window: float | str = "utterance",
        evidence: bool = True,
        face_model: str | os.PathLike[str] | None = None,
        speech_model: str | os.PathLike[str] | None = None,
        text_model: str | os.PathLike[str] | None = None,
        fusion_model: str | os.PathLike[str] | None = None,
        num_threads: int | None = None,
    ) -> None:
        from affectscope.fusion import Fuser
        from affectscope.recognizers.face import FaceRecognizer

        fps = check_number(fps, name="fps", func="VideoRecognizer", low=0, high=MAX_FPS, low_open=True)
        max_faces = check_int(max_faces, name="max_faces", func="VideoRecognizer", low=1, high=MAX_FACES)
        min_face_size = check_int(
            min_face_size, name="min_face_size", func="VideoRecognizer", low=MIN_FACE_SIZE[0], high=MIN_FACE_SIZE[1]
        )
        if window != "utterance":
            if isinstance(window, str):
                raise ConfigError(
                    f"The 'window' parameter of VideoRecognizer must be 'utterance' or a float in "
                    f"[{WINDOW[0]:g}, {WINDOW[1]:g}] seconds. Got {window!r} instead."
                )
            window = check_number(window, name="window", func="VideoRecognizer", low=WINDOW[0], high=WINDOW[1])
        self.face = FaceRecognizer(
            face_model, fps=fps, max_faces=max_faces, min_face_size=min_face_size, num_threads=num_threads
        )
        self.voice = voice
        self.transcript = transcript
        self.language = language
        self.subtitles = subtitles
        self.evidence = bool(evidence)
        self.window = window
        self.fuser = Fuser(fusion_model, window=window) if fusion else None
        self._speech_model = speech_model
        self._text_model = text_model
        self.num_threads = num_threads
        self._speech: Any = None
        self._text: Any = None

    def _speech_recognizer(self) -> Any:
        if self._speech is None:
            from affectscope.recognizers.speech import SpeechRecognizer

            self._speech = SpeechRecognizer(
                self._speech_model, transcript=self.transcript, language=self.language, num_threads=self.num_threads
            )
        return self._speech

    def _text_recognizer(self) -> Any:
        if self._text is None:
            from affectscope.recognizers.text import TextRecognizer

            self._text = TextRecognizer(self._text_model, evidence=self.evidence, num_threads=self.num_threads)
        return self._text

    def process_file(
        self,
        file: str | os.PathLike[str],
        *,
        start: float | None = None,
        end: float | None = None,
        subtitles: str | os.PathLike[str] | None = None,
        progress: Any = None,
    ) -> Result:
        """Analyse one video (optionally only ``[start, end)`` seconds).

        Parameters
        ----------
        file : path-like
            Video file.
        start, end : float, optional
            Span to analyse, in seconds.
        subtitles : path-like, optional
            An ``.srt``/``.vtt`` file for this video (else one next to it is used when ``subtitles=True``).
        progress : callable, optional
            Called with the share of the work done (0–1): faces up to 0.7, then the voice, then fusion.

        Returns
        -------
        Result
            Face, speech, subtitle and fused rows sorted by time; ``summary`` per modality plus the fused one.
        """
        from affectscope.media.subtitles import find_sidecar, read_subtitles
        from affectscope.media.video import probe_video

        s, e = check_span(start, end, func="VideoRecognizer.process_file")
        info = probe_video(file)
        source = str(file)
        if s is not None and info.duration and s >= info.duration:
            raise InputError(
                f"{source}: start {s:g} s is past the end of the video ({info.duration:.2f} s); "
                "expected a start inside the video."
            )
        if self.fuser is not None and isinstance(self.window, float):
            span = (min(e, info.duration) if e is not None and info.duration else (e or info.duration)) - (s or 0.0)
            if span / self.window > MAX_WINDOWS:
                raise ConfigError(
                    f"The 'window' parameter of VideoRecognizer gives {span / self.window:,.0f} fusion windows over "
                    f"{span:,.1f} s; at most {MAX_WINDOWS:,}. Use a window of at least {span / MAX_WINDOWS:.2f} s."
                )

        def report(share: float) -> None:
            check_cancelled()
            if progress is not None:
                progress(round(share, 3))

        face = self.face.process_video(file, start=start, end=end, progress=lambda f: report(0.7 * f))
        report(0.7)
        parts = [face.frame]
        modalities: dict[str, Any] = {"face": face.summary}
        if self.voice and info.has_audio:
            speech = self._speech_recognizer().process_file(file, start=start, end=end)
            report(0.95)
            parts.append(speech.frame)
            modalities["speech"] = speech.summary
        sub_file = Path(subtitles) if subtitles is not None else (find_sidecar(file) if self.subtitles else None)
        if sub_file is not None:
            cues = read_subtitles(sub_file)
            lo, hi = start or 0.0, end if end is not None else np.inf
            cues = [c for c in cues if c.end > lo and c.start < hi and c.start < (info.duration or np.inf)]
            sub = self._subtitle_rows(source, cues)
            parts.append(sub)
            modalities["subtitles"] = _text_summary(sub, str(sub_file))
        frame = pd.concat([p for p in parts if not p.empty]) if any(not p.empty for p in parts) else face.frame
        # no row runs past the requested end or the clip's own length (the last analysed frame's time step,
        # a subtitle cue or a voice segment may reach beyond either)
        limit = min(e if e is not None else np.inf, info.duration or np.inf)
        frame = _clamp(frame, limit)
        overall = _overall(frame, modalities)
        if self.fuser is not None:
            fused = _clamp(self.fuser.fuse(frame), limit)
            overall = self.fuser.summarize(frame, fused)
            if not fused.empty:
                frame = pd.concat([frame, fused])
        if not frame.empty:
            frame = frame.sort_index(level=["start", "end"], sort_remaining=False, kind="stable")
        summary = {
            "modality": "video",
            "duration": round(info.duration, 3),
            "size": [info.width, info.height],
            "fps": self.face.fps,
            "analysed": _clamp_span(face.summary.get("analysed"), limit),
            **overall,
            "modalities": modalities,
        }
        if face.summary.get("damage"):
            summary["damage"] = face.summary["damage"]
            summary["note"] = f"{face.summary['damage']}; the frames before the damage were analysed"
        return Result(frame, summary)

    def _subtitle_rows(self, source: str, cues: list[Any]) -> pd.DataFrame:
        if not cues:
            return subtitle_rows(None, cues, source=source, evidence=self.evidence)
        return subtitle_rows(self._text_recognizer(), cues, source=source, evidence=self.evidence)

    def process_files(self, files: list[str | os.PathLike[str]]) -> Result:
        """Analyse several videos; a file that fails is recorded in ``failures`` and the rest go on.

        Parameters
        ----------
        files : list of path-like
            Video files.

        Returns
        -------
        Result
            All rows; ``summary["sources"]`` holds each video's summary.
        """
        frames, failures, summaries = [], [], {}
        for f in files:
            try:
                r = self.process_file(f)
            except AffectscopeError as exc:
                failures.append({"source": str(f), "error": type(exc).__name__, "message": str(exc)})
                continue
            frames.append(r.frame)
            summaries[str(f)] = r.summary
        frame = (
            pd.concat(frames)
            if frames
            else pd.DataFrame(index=pd.MultiIndex.from_arrays([[], [], []], names=INDEX_NAMES))
        )
        overall = self.fuser.summarize(frame[frame["modality"] != "fusion"]) if self.fuser else _overall(frame, {})
        summary = {"modality": "video", **overall, "sources": summaries}
        return Result(frame, summary, failures=failures)

    def __repr__(self) -> str:
        return f"VideoRecognizer(fps={self.face.fps}, voice={self.voice}, transcript={self.transcript})"


def _clamp(frame: pd.DataFrame, limit: float) -> pd.DataFrame:
    """End every row by ``limit`` seconds; drop rows that start at or after it (an instant row at 0 stays)."""
    if frame.empty or not np.isfinite(limit):
        return frame
    top = np.floor(limit * 1000) / 1000
    start = frame.index.get_level_values("start").to_numpy(dtype=float)
    end = frame.index.get_level_values("end").to_numpy(dtype=float)
    keep = (start < top) | (start == 0)
    frame = frame[keep]
    source = frame.index.get_level_values("source")
    index = pd.MultiIndex.from_arrays([source, start[keep], np.minimum(end[keep], top)], names=INDEX_NAMES)
    return frame.set_axis(index, axis=0)


def _clamp_span(span: Any, limit: float) -> Any:
    if not isinstance(span, list | tuple) or len(span) != 2 or not np.isfinite(limit):
        return span
    top = float(np.floor(limit * 1000) / 1000)
    return [min(float(span[0]), top), min(float(span[1]), top)]


def _text_summary(frame: pd.DataFrame, file: str) -> dict[str, Any]:
    if frame.empty:
        return {"modality": "text", "file": file, "n_cues": 0, "label": None}
    cols = [f"ekman7:{lab}" for lab in _EKMAN]
    scores = dict(zip(_EKMAN, frame[cols].to_numpy().mean(0).round(4).tolist(), strict=True))
    label = max(scores, key=scores.get)
    return {
        "modality": "text",
        "file": file,
        "n_cues": len(frame),
        "label": label,
        "confidence": scores[label],
        "scores": {"ekman7": scores},
        **{d: round(float(frame[d].mean()), 4) for d in _VAD},
    }


def _overall(frame: pd.DataFrame, modalities: dict[str, Any]) -> dict[str, Any]:
    """Unweighted mean of each present modality's mean Ekman-7 scores (a preliminary, uncalibrated fusion)."""
    if frame.empty or "modality" not in frame:
        return {"label": None, "note": "no face, voice or subtitle found"}
    cols = [f"ekman7:{lab}" for lab in _EKMAN]
    per, vad = {}, []
    for mod, g in frame.groupby("modality", sort=False):
        g = g.dropna(subset=cols)
        if len(g):
            per[str(mod)] = g[cols].to_numpy().mean(0)
            vad.append(g[list(_VAD)].to_numpy().mean(0))
    if not per:
        return {"label": None}
    p = np.mean(list(per.values()), axis=0)
    scores = dict(zip(_EKMAN, p.round(4).tolist(), strict=True))
    label = max(scores, key=scores.get)
    labels = {m: _EKMAN[int(np.argmax(v))] for m, v in per.items()}
    rationale = " ".join(s["rationale"] for s in modalities.values() if isinstance(s, dict) and s.get("rationale"))
    return {
        "label": label,
        "confidence": scores[label],
        "scores": {"ekman7": scores},
        **dict(zip(_VAD, np.mean(vad, axis=0).round(4).tolist(), strict=True)),
        "labels_by_modality": labels,
        "agree": len(set(labels.values())) == 1,
        "fusion": "unweighted mean of the modalities' mean Ekman-7 scores (uncalibrated)",
        "rationale": rationale,
    }


def subtitle_rows(rec: Any, cues: list[Any], *, source: str, evidence: bool = True) -> pd.DataFrame:
    """Text rows of subtitle cues on the timeline: ``track`` the cue's voice (else ``subtitles``), one row per cue.

    Parameters
    ----------
    rec : TextRecognizer
        Reads the cues' text (not used when there are no cues).
    cues : list of Cue
        From :func:`affectscope.media.subtitles.read_subtitles`.
    source : str
        The rows' source.
    evidence : bool
        Cite the words behind each label.

    Returns
    -------
    pandas.DataFrame
        Indexed by (source, start, end) in seconds.

    Examples
    --------
    >>> subtitle_rows(None, [], source="clip.srt").empty
    True
    """
    if not cues:
        return pd.DataFrame(index=pd.MultiIndex.from_arrays([[], [], []], names=INDEX_NAMES))
    pred = rec.predict([c.text for c in cues])
    p = pred[rec.primary_]
    labels = rec.labels_[rec.primary_]
    cols: dict[str, Any] = {
        "modality": "text",
        "track": [c.speaker or "subtitles" for c in cues],
        "text": [c.text for c in cues],
        "label": [labels[i] for i in p.argmax(1)],
        "labels": [labels[i] for i in p.argmax(1)],
        "confidence": p.max(1),
    }
    for j, lab in enumerate(labels):
        cols[f"{rec.primary_}:{lab}"] = p[:, j]
    for j, dim in enumerate(_VAD):
        cols[dim] = pred["vad"][:, j]
    if evidence:
        from affectscope.explain import word_evidence

        cols["evidence"] = [e.describe() for e in word_evidence(rec, [c.text for c in cues])]
    else:
        cols["evidence"] = "not computed (evidence=False)"
    index = pd.MultiIndex.from_arrays(
        [[source] * len(cues), [round(c.start, 3) for c in cues], [round(c.end, 3) for c in cues]],
        names=INDEX_NAMES,
    )
    from affectscope.explain import row_rationales

    frame = pd.DataFrame(cols, index=index)
    frame["rationale"] = row_rationales(frame)
    return frame
