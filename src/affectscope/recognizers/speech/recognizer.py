"""Speech emotion recognition on a timeline: voice segments, voice emotion, prosody and what was said.

For a recording, :class:`SpeechRecognizer`

1. streams the audio at 16 kHz mono (:mod:`affectscope.media.audio`) and finds voice segments of 1–10 s with
   Silero VAD (:mod:`affectscope.media.vad`);
2. groups consecutive segments into ≤ 30 s chunks and transcribes each chunk once with Whisper (word
   timestamps; :mod:`.whisper`), assigning words to segments by time;
3. represents each segment by the pooled, unpadded encoder states of Whisper tiny.en and base and classifies it
   with the shipped head (``speech-whisper-ser``) into ``ekman7_calm`` probabilities — with the recording's own
   baseline (features z-scored over its segments) once it has enough segments, as the model was trained;
4. measures prosodic evidence (:mod:`.prosody`) relative to the recording's median, and runs the text
   recognizer on each segment's transcript;
5. names each segment's language (``language``) from the multilingual Whisper base states computed in step 3
   (one decoder step, :func:`~affectscope.recognizers.speech.whisper.language_probabilities`); a segment or
   recording that is not English gets a ``note`` (the models were trained on English).

The audio is read twice (segmentation, then analysis), block by block, so memory does not grow with the
length of the recording beyond one 30 s chunk and a 1799-float vector per segment.

Examples
--------
>>> import numpy as np
>>> rec = SpeechRecognizer(transcript=False, num_threads=1)
>>> r = rec.process_signal(np.zeros(32000, dtype=np.float32), sampling_rate=16000)
>>> len(r), r.summary["n_segments"], r.summary["note"]
(0, 0, 'no speech detected')
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import numpy as np
import pandas as pd

from affectscope._cancel import check_cancelled
from affectscope._validation import check_span
from affectscope.errors import ConfigError, InputError
from affectscope.explain import row_rationales
from affectscope.media.audio import SAMPLING_RATE, iter_audio_blocks, load_audio
from affectscope.media.language import UNDETERMINED, best_language, dominant_language, language_note
from affectscope.media.vad import cut_segments, detect_speech, shape_segments, trim_silence
from affectscope.recognizers.base import Recognizer
from affectscope.recognizers.speech.prosody import PROSODY_COLUMNS, prosody, prosody_features, relative_to_baseline
from affectscope.recognizers.speech.whisper import (
    detect_language,
    encoder_states,
    language_probabilities,
    load_whisper,
    pool_states,
    speech_embedding,
    transcribe,
)
from affectscope.result import INDEX_NAMES, Result

__all__ = ["SpeechRecognizer"]

_VAD = ("valence", "arousal", "dominance")
_CHUNK_S = 30.0
_MIN_SEGMENT_SAMPLES = 800
_NORMALIZE = ("auto", "always", "never")
_EVIDENCE = (*PROSODY_COLUMNS, "pitch_rel_st", "loudness_rel_db", "rate_rel")
_TEXT_COLS = ("text_label", "text_confidence", "text_valence", "text_arousal", "text_dominance")
# Whisper base's language probability a voice segment needs to be named (among affectscope.media.language's
# LANGUAGES): English segments of RAVDESS/TESS/CREMA-D were named as another language in 1 of 360.
_LANGUAGE_THRESHOLD = 0.6


def _chunks(segments: list[tuple[float, float]], limit: float = _CHUNK_S) -> list[tuple[float, float, list[int]]]:
    """Group consecutive segments into spans of at most ``limit`` seconds: ``(start, end, segment indices)``."""
    out: list[tuple[float, float, list[int]]] = []
    for i, (s, e) in enumerate(segments):
        if out and e - out[-1][0] <= limit:
            out[-1] = (out[-1][0], e, [*out[-1][2], i])
        else:
            out.append((s, e, [i]))
    return out


def _assign_words(
    words: list[tuple[float, float, str]], bounds: list[tuple[float, float]]
) -> list[list[tuple[float, float, str]]]:
    """Give each word to the segment its time span overlaps most.

    A word that overlaps no segment (it lies in a pause, or has zero length on a boundary) goes to the nearest
    segment that starts at or before it — the utterance it ends — never to one that starts after the word
    ends; a word before every segment goes to the first. Ties go to the earlier segment.

    Parameters
    ----------
    words : list of (start, end, word)
        Word timestamps in seconds, in the order spoken.
    bounds : list of (start, end)
        Sorted, non-overlapping segments in the same time frame.

    Returns
    -------
    list of list of (start, end, word)
        The words of each segment, in order.

    Examples
    --------
    >>> _assign_words([(0.2, 0.5, " a"), (0.9, 1.25, " b"), (1.6, 1.6, " c")], [(0.0, 1.0), (1.2, 2.0)])
    [[(0.2, 0.5, ' a'), (0.9, 1.25, ' b')], [(1.6, 1.6, ' c')]]
    """
    out: list[list[tuple[float, float, str]]] = [[] for _ in bounds]
    if not bounds:
        return out
    starts = np.array([s for s, _ in bounds], dtype=float)
    ends = np.array([e for _, e in bounds], dtype=float)
    for w in words:
        ws, we = float(w[0]), max(float(w[1]), float(w[0]))
        overlap = np.minimum(ends, we) - np.maximum(starts, ws)
        if we == ws:  # a zero-length word: inside the segment that contains its time
            overlap = np.where((starts <= ws) & (ws < ends), 1.0, 0.0)
        if overlap.max() > 0:
            k = int(np.argmax(overlap))
        else:
            before = np.flatnonzero(starts <= ws)
            k = int(before[-1]) if len(before) else 0
        out[k].append(w)
    return out


def _units(bounds: list[tuple[float, float]], *, gap: float = 0.01) -> list[list[int]]:
    """Group touching segments (the parts of one long stretch of speech) into runs; a pause starts a new run.

    Each run is transcribed on its own: words never cross a pause, so every segment separated by one gets
    exactly the words spoken in it. Only inside a run (speech cut into parts of at most ``max_duration``) are
    words placed by their timestamps.

    Examples
    --------
    >>> _units([(0.0, 5.0), (5.0, 10.0), (11.0, 12.0)])
    [[0, 1], [2]]
    """
    runs: list[list[int]] = []
    for i, (s, _) in enumerate(bounds):
        if runs and s - bounds[runs[-1][-1]][1] <= gap:
            runs[-1].append(i)
        else:
            runs.append([i])
    return runs


class SpeechRecognizer(Recognizer):
    """Recognise emotion in speech, voice segment by voice segment, with transcript and prosodic evidence.

    Parameters
    ----------
    model : str or path-like, optional
        Registry name or bundle folder of the speech-emotion head (default ``speech-whisper-ser``).
    transcript : bool
        Transcribe each segment (Whisper) and run the text recognizer on it.
    language : str, optional
        Spoken language (ISO 639-1). ``None`` or ``"en"``: English with Whisper tiny.en (fast); any other
        code, or ``"auto"`` to detect it, uses the multilingual Whisper base.
    normalize : {"auto", "always", "never"}
        Judge segments against the recording's own baseline: ``"auto"`` when it has at least the model's
        ``min_baseline_segments`` voice segments, ``"always"`` whenever it has two or more, ``"never"``.
    min_duration, max_duration : float
        Target voice-segment length in seconds.
    vad_threshold : float
        Speech probability threshold of the voice activity detector.
    text_model : str, optional
        Text model for the transcripts (default text model when omitted).
    batch_size : int
        Segments per forward pass of the emotion head.
    num_threads : int, optional
        CPU threads (all cores when omitted).

    Examples
    --------
    >>> rec = SpeechRecognizer(transcript=False, num_threads=1)
    >>> rec.labels_[-1]
    'calm'
    """

    modality = "speech"

    def __init__(
        self,
        model: str | os.PathLike[str] | None = None,
        *,
        transcript: bool = True,
        language: str | None = None,
        normalize: str = "auto",
        min_duration: float = 1.0,
        max_duration: float = 10.0,
        vad_threshold: float = 0.5,
        text_model: str | None = None,
        batch_size: int = 64,
        num_threads: int | None = None,
    ) -> None:
        super().__init__(model, batch_size=batch_size, num_threads=num_threads)
        if normalize not in _NORMALIZE:
            raise ConfigError(
                f"The 'normalize' parameter of SpeechRecognizer must be one of {list(_NORMALIZE)}. "
                f"Got {normalize!r} instead."
            )
        if language is not None and (not isinstance(language, str) or not language.isalpha()):
            raise ConfigError(
                f"The 'language' parameter must be an ISO 639-1 code such as 'en' or 'de', or 'auto'. "
                f"Got {language!r} instead."
            )
        if not 0 < min_duration <= max_duration <= _CHUNK_S:
            raise ConfigError(
                f"Need 0 < min_duration <= max_duration <= {_CHUNK_S:g} seconds. "
                f"Got min_duration={min_duration}, max_duration={max_duration}."
            )
        if not 0 < vad_threshold < 1:
            raise ConfigError(f"The 'vad_threshold' parameter must be in (0, 1). Got {vad_threshold!r} instead.")
        self.transcript = transcript
        self.language = None if language in (None, "en") else language.lower()
        _check_language(self.language)
        self.normalize = normalize
        self.min_duration = min_duration
        self.max_duration = max_duration
        self.vad_threshold = vad_threshold
        self.text_model = text_model
        threads = num_threads or 0
        head = self.bundle.heads["emotion"]
        self.space_ = head["space"]
        self.labels_ = list(head["labels"])
        self.encoders_ = [load_whisper(name, num_threads=threads) for name in self.bundle.extra["encoders"]]
        with np.load(self.bundle.file("head"), allow_pickle=False) as w:
            self.weights_ = {k: w[k].astype(np.float64) for k in w.files}
        self.temperature_ = {k: float(v) for k, v in self.bundle.extra["temperature"].items()}
        self.min_baseline_ = int(self.bundle.extra["min_baseline_segments"])
        self._asr = None
        self._text = None

    # --- lazily built parts -----------------------------------------------------------------------------------
    def _asr_model(self) -> Any:
        if self._asr is None:
            self._asr = load_whisper("tiny.en" if self.language is None else "base", num_threads=self.num_threads or 0)
        return self._asr

    def _text_recognizer(self) -> Any:
        if self._text is None:
            from affectscope.recognizers.text import TextRecognizer

            self._text = TextRecognizer(self.text_model, num_threads=self.num_threads)
        return self._text

    # --- preprocess → forward → postprocess -------------------------------------------------------------------
    def preprocess(self, items: Sequence[np.ndarray]) -> dict[str, np.ndarray]:
        """Represent voice segments (16 kHz mono float32 arrays): pooled Whisper encoder states + prosody.

        Parameters
        ----------
        items : sequence of ndarray
            One voice segment each (shorter than 50 ms: zero-padded).

        Returns
        -------
        dict
            ``{"features": (n, 1799) float32}``: Whisper tiny.en and base (1792) then the 7 gain-invariant
            prosodic features of :func:`~affectscope.recognizers.speech.prosody.prosody_features`.

        Examples
        --------
        >>> import numpy as np
        >>> rec = SpeechRecognizer(transcript=False, num_threads=1)
        >>> rec.preprocess([np.zeros(16000, dtype=np.float32)])["features"].shape
        (1, 1799)
        """
        feats = []
        for y in items:
            y = np.asarray(y, dtype=np.float32)
            if len(y) < _MIN_SEGMENT_SAMPLES:
                y = np.pad(y, (0, _MIN_SEGMENT_SAMPLES - len(y)))
            feats.append(np.concatenate([speech_embedding(self.encoders_, y), prosody_features(y)]))
        return {"features": np.stack(feats)}

    def forward(self, inputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Apply the emotion head: ``{"logits": (n, 8)}``.

        With ``baseline_mean`` and ``baseline_std`` in ``inputs`` (statistics of the recording's or speaker's
        own segments) the features are z-scored by them and the ``normed`` head is used; otherwise the
        ``alone`` head. Logits are divided by the head's calibration temperature.

        Examples
        --------
        >>> import numpy as np
        >>> rec = SpeechRecognizer(transcript=False, num_threads=1)
        >>> rec.forward({"features": np.zeros((2, 1799), dtype=np.float32)})["logits"].shape
        (2, 8)
        """
        x = np.asarray(inputs["features"], dtype=np.float64)  # float64 as in training: z-scores of tiny stds
        mode = "alone"
        if "baseline_mean" in inputs:
            x = (x - inputs["baseline_mean"]) / (inputs["baseline_std"] + 1e-6)
            mode = "normed"
        w = self.weights_
        z = (x - w[f"{mode}_mean"]) / w[f"{mode}_scale"]
        logits = z @ w[f"{mode}_coef"].T + w[f"{mode}_intercept"]
        return {"logits": logits / self.temperature_[mode]}

    def postprocess(self, outputs: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        """Softmax to ``ekman7_calm`` probabilities, their Ekman-7 merge (calm → neutral) and expected VAD.

        Examples
        --------
        >>> import numpy as np
        >>> rec = SpeechRecognizer(transcript=False, num_threads=1)
        >>> out = rec.postprocess({"logits": np.zeros((1, 8))})
        >>> out["ekman7"].shape, float(out["ekman7"][0, 6])
        ((1, 7), 0.25)
        """
        from affectscope.labels import expected_vad, get_mapping

        z = np.asarray(outputs["logits"], dtype=np.float64)
        z = z - z.max(1, keepdims=True)
        p = np.exp(z)
        p /= p.sum(1, keepdims=True)
        merge = get_mapping(self.space_, "ekman7").matrix(split="uniform")
        vad = expected_vad(p, space=self.space_).to_numpy()
        return {self.space_: p.astype(np.float32), "ekman7": (p @ merge).astype(np.float32), "vad": vad}

    def _classify(self, features: np.ndarray, *, baseline: bool) -> dict[str, np.ndarray]:
        inputs: dict[str, np.ndarray] = {"features": features}
        if baseline:
            inputs["baseline_mean"] = features.mean(0, dtype=np.float64)
            inputs["baseline_std"] = features.std(0, dtype=np.float64)
        return self.postprocess(self.forward(inputs))

    def _use_baseline(self, n: int) -> bool:
        if self.normalize == "never" or n < 2:
            return False
        return self.normalize == "always" or n >= self.min_baseline_

    def predict_signals(
        self, signals: Iterable[np.ndarray], *, groups: Sequence[Any] | None = None, trim: bool = True
    ) -> dict[str, np.ndarray]:
        """Voice-emotion scores for single utterances (one row each), as the evaluation harness needs them.

        Parameters
        ----------
        signals : iterable of ndarray
            16 kHz mono float32 utterances (a generator is consumed one item at a time).
        groups : sequence, optional
            Speaker (or recording) of each utterance: each group is judged against its own baseline when
            ``normalize`` allows (``--speaker-norm`` of ``affectscope eval``); ``None`` judges each alone.
        trim : bool
            Cut leading/trailing silence first (as a voice segment of a recording is cut).

        Returns
        -------
        dict
            ``{"ekman7_calm": (n, 8), "ekman7": (n, 7), "vad": (n, 3)}``.

        Examples
        --------
        >>> import numpy as np
        >>> rec = SpeechRecognizer(transcript=False, num_threads=1)
        >>> rec.predict_signals([np.zeros(16000, dtype=np.float32)])["ekman7_calm"].shape
        (1, 8)
        """
        feats = [
            self.preprocess([trim_silence(np.asarray(s, dtype=np.float32)) if trim else s])["features"][0]
            for s in signals
        ]
        if not feats:
            raise InputError("predict_signals() needs at least one signal.")
        x = np.stack(feats)
        if groups is None:
            return self._classify(x, baseline=False)
        g = np.asarray(groups)
        if len(g) != len(x):
            raise InputError(f"'groups' has {len(g)} entries for {len(x)} signals.")
        out: dict[str, np.ndarray] = {}
        for key in np.unique(g):
            m = g == key
            part = self._classify(x[m], baseline=self._use_baseline(int(m.sum())))
            for k, v in part.items():
                out.setdefault(k, np.zeros((len(x), v.shape[1]), dtype=v.dtype))[m] = v
        return out

    # --- the timeline pipeline --------------------------------------------------------------------------------
    def _analyze(
        self,
        name: str,
        open_blocks: Callable[[], Iterator[np.ndarray]],
        offset: float,
        *,
        read: dict[str, Any] | None = None,
    ) -> Result:
        sr = SAMPLING_RATE
        total = 0

        def counted() -> Iterator[np.ndarray]:
            nonlocal total
            for b in open_blocks():
                check_cancelled()
                total += len(b)
                yield b

        spans = detect_speech(counted(), threshold=self.vad_threshold)
        duration = total / sr
        damage = read.get("damage") if read else None
        if total == 0:
            length = (read or {}).get("samples", 0) / sr
            if offset > 0:
                raise InputError(
                    f"{name}: start {offset:g} s is past the end of the audio ({length:.2f} s); "
                    "expected a start inside the recording."
                )
            raise InputError(f"{name}: the audio is empty (0 samples).")
        segments = shape_segments(
            spans, duration=duration, min_duration=self.min_duration, max_duration=self.max_duration
        )
        if not segments:
            summary = self._summary_empty(name, duration)
            if damage:
                summary["damage"] = damage
            return Result(self._empty_frame(), summary)
        feats, pros, texts, langs = [], [], [], []
        text_cols: dict[str, list[Any]] = {c: [] for c in _TEXT_COLS}
        chunks = _chunks(segments)
        for (cs, _, idx), (_, _, audio) in zip(
            chunks, cut_segments(open_blocks(), [c[:2] for c in chunks]), strict=False
        ):
            check_cancelled()
            bounds = [(segments[i][0] - cs, segments[i][1] - cs) for i in idx]
            parts = []
            for s, e in bounds:
                y = audio[round(s * sr) : round(e * sr)]
                if len(y) == 0:  # the audio broke off before this segment (a damaged file)
                    break
                parts.append((y, *self._represent(y)))
            heard = [q for _, _, q in parts]
            words = self._segment_words(audio, bounds, heard=heard) if self.transcript else [[] for _ in bounds]
            chunk_texts = []
            for (y, feat, probs), seg_words in zip(parts, words, strict=False):
                feats.append(feat)
                pros.append(prosody(y))
                langs.append(self._segment_language(probs))
                chunk_texts.append("".join(w[2] for w in seg_words).strip() if self.transcript else None)
            # Text emotion chunk by chunk: small batches keep ONNX Runtime's memory flat on long recordings.
            for k, v in self._text_columns(chunk_texts).items():
                text_cols[k].extend(v)
            texts.extend(chunk_texts)
        segments = segments[: len(feats)]
        features = np.stack(feats)
        use_baseline = self._use_baseline(len(features))
        pred = self._classify(features, baseline=use_baseline)
        frame = self._rows(
            name, offset, segments, pred, pros, texts, text_cols, languages=langs, limit=offset + duration
        )
        summary = self.summarize(frame, duration=duration, baseline=use_baseline)
        if damage:
            summary["damage"] = damage
            note = f"{damage}; the audio before the damage was analysed"
            summary["note"] = f"{note}; {summary['note']}" if summary.get("note") else note
        return Result(frame, summary)

    def _represent(self, y: np.ndarray) -> tuple[np.ndarray, dict[str, float] | None]:
        """Features of one voice segment (as :meth:`preprocess`) and the languages Whisper base hears in it."""
        y = np.asarray(y, dtype=np.float32)
        if len(y) < _MIN_SEGMENT_SAMPLES:
            y = np.pad(y, (0, _MIN_SEGMENT_SAMPLES - len(y)))
        pooled, heard = [], None
        for model in self.encoders_:
            states = encoder_states(model, y)
            pooled.append(pool_states(states))
            if heard is None and model.model.is_multilingual:  # the base states are there: one decoder step
                heard = language_probabilities(model, states)
        return np.concatenate([*pooled, prosody_features(y)]), heard

    def _segment_language(self, heard: dict[str, float] | None) -> str:
        """Name a segment's language: the one asked for, else the one Whisper base hears (``"und"``: unsure)."""
        if self.language not in (None, "auto"):
            return str(self.language)
        if heard is None:
            return UNDETERMINED
        return best_language(heard, threshold=_LANGUAGE_THRESHOLD)[0]

    def _language_note(self, code: Any) -> str | None:
        return language_note(code, modality="speech", transcriber_english=self.transcript and self.language is None)

    def _segment_words(
        self,
        audio: np.ndarray,
        bounds: list[tuple[float, float]],
        *,
        heard: Sequence[dict[str, float] | None] = (),
    ) -> list[list[tuple[float, float, str]]]:
        """Transcribe a chunk's voice segments: each run of touching segments alone, words placed in segments.

        A segment with a pause on both sides is transcribed by itself, so its text is exactly what was said
        in it (Whisper's word timestamps drift by a word or more at pauses: transcribing the whole chunk and
        placing words by time moved a sentence's last word into the next segment). With ``language="auto"``
        the chunk is transcribed in the language its segments were heard in (``heard``: Whisper base's
        probabilities per segment, weighted by length), else in the one Whisper detects on the chunk.
        """
        sr = SAMPLING_RATE
        language = None if self.language == "auto" else self.language
        model = self._asr_model()
        if self.language == "auto" and len(audio):
            language = _chunk_language(heard, bounds) or detect_language(model, audio)
        out: list[list[tuple[float, float, str]]] = [[] for _ in bounds]
        for run in _units(bounds):
            s0, e0 = bounds[run[0]][0], bounds[run[-1]][1]
            y = audio[round(s0 * sr) : round(e0 * sr)]
            if len(y) < _MIN_SEGMENT_SAMPLES // 4:
                continue
            if len(run) == 1:
                out[run[0]] = transcribe(model, y, language=language, word_timestamps=False)
                continue
            words = [(a + s0, b + s0, w) for a, b, w in transcribe(model, y, language=language)]
            for i, seg_words in zip(run, _assign_words(words, [bounds[i] for i in run]), strict=True):
                out[i] = seg_words
        return out

    def _rows(
        self,
        name: str,
        offset: float,
        segments: list[tuple[float, float]],
        pred: dict[str, np.ndarray],
        pros: list[dict[str, float]],
        texts: list[str | None],
        text_cols: dict[str, list[Any]],
        *,
        languages: Sequence[str] | None = None,
        limit: float = math.inf,
    ) -> pd.DataFrame:
        p = pred[self.space_]
        top_end = math.floor(limit * 1000) / 1000 if math.isfinite(limit) else math.inf  # rows end by the audio's end
        top = p.argmax(1)
        cols: dict[str, Any] = {
            "modality": "speech",
            "track": "main",
            "text": texts,
            "label": [self.labels_[i] for i in top],
            "labels": [self.labels_[i] for i in top],
            "confidence": p.max(1),
        }
        for j, lab in enumerate(self.labels_):
            cols[f"{self.space_}:{lab}"] = p[:, j]
        ek = pred["ekman7"]
        from affectscope.labels import get_space

        for j, lab in enumerate(get_space("ekman7").labels):
            cols[f"ekman7:{lab}"] = ek[:, j]
        for j, dim in enumerate(_VAD):
            cols[dim] = pred["vad"][:, j]
        rel = relative_to_baseline(pros)
        for key in PROSODY_COLUMNS:
            cols[key] = [r[key] for r in pros]
        for key in ("pitch_rel_st", "loudness_rel_db", "rate_rel"):
            cols[key] = [r[key] for r in rel]
        from affectscope.explain import prosody_evidence

        cols["evidence"] = [
            prosody_evidence(r["pitch_rel_st"], r["loudness_rel_db"], r["rate_rel"], q.get("pitch_hz", math.nan))
            for r, q in zip(rel, pros, strict=True)
        ]
        cols.update(text_cols)
        index = pd.MultiIndex.from_arrays(
            [
                [name] * len(segments),
                [round(s + offset, 3) for s, _ in segments],
                [min(round(e + offset, 3), top_end) for _, e in segments],
            ],
            names=INDEX_NAMES,
        )
        frame = pd.DataFrame(cols, index=index)
        frame["rationale"] = row_rationales(frame)
        codes = list(languages) if languages is not None else [self._segment_language(None)] * len(frame)
        frame["language"] = codes
        frame["note"] = [self._language_note(c) for c in codes]
        return frame

    def _text_columns(self, texts: list[str | None]) -> dict[str, list[Any]]:
        cols: dict[str, list[Any]] = {c: [None if c == "text_label" else math.nan] * len(texts) for c in _TEXT_COLS}
        have = [i for i, t in enumerate(texts) if t]
        if not have:
            return cols
        rec = self._text_recognizer()
        pred = rec.predict([texts[i] for i in have])
        ek = pred[rec.primary_]
        for k, i in enumerate(have):
            cols["text_label"][i] = rec.labels_[rec.primary_][int(ek[k].argmax())]
            cols["text_confidence"][i] = float(ek[k].max())
            for j, dim in enumerate(_VAD):
                cols[f"text_{dim}"][i] = float(pred["vad"][k, j])
        return cols

    def _empty_frame(self) -> pd.DataFrame:
        return pd.DataFrame(index=pd.MultiIndex.from_arrays([[], [], []], names=INDEX_NAMES))

    def _summary_empty(self, name: str, duration: float) -> dict[str, Any]:
        return {
            "modality": "speech",
            "model": self.bundle.name,
            "n_segments": 0,
            "duration": round(duration, 3),
            "speech_duration": 0.0,
            "label": None,
            "language": UNDETERMINED,
            "note": "no speech detected",
        }

    def summarize(
        self, frame: pd.DataFrame, *, duration: float | None = None, baseline: bool | None = None
    ) -> dict[str, Any]:
        """Summarise voice segments: speech-time-weighted scores, fused label, VAD, transcript and a rationale.

        Parameters
        ----------
        frame : pandas.DataFrame
            Rows produced by this recognizer.
        duration : float, optional
            Length of the recording in seconds.
        baseline : bool, optional
            Whether the recording's own baseline was used (``None``: rows of several recordings, each decided
            on its own).

        Returns
        -------
        dict

        Examples
        --------
        >>> import numpy as np
        >>> rec = SpeechRecognizer(transcript=False, num_threads=1)
        >>> rec.summarize(rec._empty_frame())["n_segments"]
        0
        """
        if frame.empty:
            return self._summary_empty("", duration or 0.0)
        start = frame.index.get_level_values("start").to_numpy(dtype=float)
        end = frame.index.get_level_values("end").to_numpy(dtype=float)
        w = np.maximum(end - start, 1e-3)
        speech = float(w.sum())
        w = w / w.sum()
        cols = [f"{self.space_}:{lab}" for lab in self.labels_]
        scores = dict(zip(self.labels_, (frame[cols].to_numpy().T @ w).round(4).tolist(), strict=True))
        label = max(scores, key=scores.get)
        shares: dict[str, float] = {}
        for lab, wi in zip(frame["label"], w, strict=True):
            shares[lab] = shares.get(lab, 0.0) + float(wi)
        shares = {k: round(v, 4) for k, v in sorted(shares.items(), key=lambda kv: -kv[1])}
        texts = [t for t in frame["text"] if isinstance(t, str) and t]
        out: dict[str, Any] = {
            "modality": "speech",
            "model": self.bundle.name,
            "n_segments": len(frame),
            "n_sources": int(frame.index.get_level_values("source").nunique()),
            "speech_duration": round(speech, 3),
            "label": label,
            "labels": list(shares),
            "label_shares": shares,
            "confidence": scores[label],
            **{d: round(float(frame[d].to_numpy() @ w), 4) for d in _VAD},
            "scores": {self.space_: scores},
            # per file when several recordings were combined (each used its own baseline or none)
            "baseline": "per source" if baseline is None else ("recording" if baseline else "none"),
            "transcript": " ".join(texts) if self.transcript else None,
            "rationale": _rationale(frame, label),
        }
        langs = frame["language"] if "language" in frame.columns else [self._segment_language(None)] * len(frame)
        out["language"] = dominant_language(langs, w)
        note = self._language_note(out["language"])
        if note:
            out["note"] = note
        if duration is not None:
            out["duration"] = round(duration, 3)
        return out

    # --- process_* ----------------------------------------------------------------------------------------------
    def process_signal(
        self,
        signal: np.ndarray,
        *,
        sampling_rate: int,
        source: str = "signal",
        start: float | None = None,
        end: float | None = None,
    ) -> Result:
        """Analyse an in-memory signal (any rate, mono or (samples, channels)).

        Parameters
        ----------
        signal : ndarray
            Audio samples, float or int PCM.
        sampling_rate : int
            Samples per second of ``signal``.
        source : str
            Name of the input in the result index.
        start, end : float, optional
            Analyse only this span, in seconds.

        Returns
        -------
        Result
            One row per voice segment, times in seconds from the start of the signal.

        Examples
        --------
        >>> import numpy as np
        >>> rec = SpeechRecognizer(transcript=False, num_threads=1)
        >>> rec.process_signal(np.zeros(8000, dtype=np.int16), sampling_rate=8000).summary["duration"]
        1.0
        """
        s, _ = check_span(start, end, func="SpeechRecognizer.process_signal")
        sig = load_audio((signal, sampling_rate), source=source, start=start, end=end)
        return self._analyze(sig.source, lambda: iter([sig.samples]), s or 0.0)

    def process_file(
        self, file: str | os.PathLike[str], *, start: float | None = None, end: float | None = None
    ) -> Result:
        """Analyse an audio file (or the audio track of a video), streamed block by block.

        Parameters
        ----------
        file : path-like
            wav, flac, ogg, mp3 (and, with PyAV, m4a/aac and video containers).
        start, end : float, optional
            Analyse only this span, in seconds.

        Returns
        -------
        Result

        Examples
        --------
        >>> import numpy as np, soundfile as sf, tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "silence.wav"
        >>> sf.write(f, np.zeros(16000, dtype=np.float32), 16000)
        >>> SpeechRecognizer(transcript=False, num_threads=1).process_file(f).summary["note"]
        'no speech detected'
        """
        s, e = check_span(start, end, func="SpeechRecognizer.process_file")
        lo = 0.0 if s is None else s
        hi = math.inf if e is None else e
        name = str(file)
        iter_audio_blocks(file)[1].close()  # read the header now: a missing or undecodable file fails at once
        read = {"samples": 0, "damage": None}

        def open_blocks() -> Iterator[np.ndarray]:
            _, blocks = iter_audio_blocks(file)

            def counted() -> Iterator[np.ndarray]:
                read["samples"] = 0
                for b in blocks:
                    read["samples"] += len(b)
                    yield b
                read["damage"] = blocks.damage

            return _window(counted(), lo, hi)

        return self._analyze(name, open_blocks, lo, read=read)

    def _combine(self, frames: list[pd.DataFrame]) -> tuple[pd.DataFrame, dict[str, Any]]:
        frame = pd.concat(frames) if frames else self._empty_frame()
        return frame, self.summarize(frame)

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        """Ray Data / batch-engine entry: summarise every file of a batch with a ``path`` column.

        Adds ``label``, ``confidence``, ``valence``, ``arousal``, ``n_segments`` and ``error`` (``None`` when
        the file was processed) columns; a failing file gets its error message and the batch goes on.

        Examples
        --------
        >>> import numpy as np, soundfile as sf, tempfile, pathlib
        >>> f = pathlib.Path(tempfile.mkdtemp()) / "s.wav"
        >>> sf.write(f, np.zeros(16000, dtype=np.float32), 16000)
        >>> out = SpeechRecognizer(transcript=False, num_threads=1)({"path": [str(f), "missing.wav"]})
        >>> out["n_segments"], out["error"][1].startswith("File not found")
        ([0, None], True)
        """
        return self._summarize_paths(batch, ("label", "confidence", "valence", "arousal", "n_segments"))


def _check_language(language: str | None) -> None:
    """Refuse a language code Whisper does not know, listing the accepted ones."""
    if language in (None, "auto"):
        return
    try:
        from faster_whisper.tokenizer import _LANGUAGE_CODES as CODES
    except ImportError:  # validated again by faster-whisper when transcribing
        return
    if language not in CODES:
        raise ConfigError(
            f"The 'language' parameter must be 'auto' or one of Whisper's codes ({', '.join(sorted(CODES))}). "
            f"Got {language!r} instead."
        )


def _chunk_language(heard: Sequence[dict[str, float] | None], bounds: list[tuple[float, float]]) -> str | None:
    """Return the language most heard in a chunk's segments (weighted by length); ``None`` if unknown.

    Examples
    --------
    >>> _chunk_language([{"de": 0.9, "en": 0.1}, {"en": 0.6, "de": 0.4}], [(0.0, 4.0), (5.0, 6.0)])
    'de'
    >>> _chunk_language([None], [(0.0, 1.0)]) is None
    True
    """
    total: dict[str, float] = {}
    for probs, (s, e) in zip(heard, bounds, strict=False):
        for code, p in (probs or {}).items():
            total[code] = total.get(code, 0.0) + p * max(e - s, 1e-3)
    return max(total, key=total.__getitem__) if total else None


def _window(blocks: Iterable[np.ndarray], start: float, end: float) -> Iterator[np.ndarray]:
    """Keep the samples of a block stream between ``start`` and ``end`` seconds."""
    lo, hi = round(start * SAMPLING_RATE), (math.inf if math.isinf(end) else round(end * SAMPLING_RATE))
    pos = 0
    for b in blocks:
        a, z = max(lo - pos, 0), min(hi - pos, len(b))
        if z > a:
            yield b[a : int(z)]
        pos += len(b)
        if pos >= hi:
            return


def _rationale(frame: pd.DataFrame, label: str) -> str:
    """One sentence naming the dominant voice emotion, its strongest segment and that segment's prosody."""
    share = float((frame["label"] == label).mean())
    col = frame[f"ekman7_calm:{label}"] if f"ekman7_calm:{label}" in frame else frame["confidence"]
    (_, s, e), row = col.idxmax(), frame.loc[col.idxmax()]
    bits = []
    if isinstance(row, pd.DataFrame):
        row = row.iloc[0]
    if not math.isnan(row.get("pitch_rel_st", math.nan)):
        bits.append(f"pitch {row['pitch_rel_st']:+.1f} semitones")
    if not math.isnan(row.get("loudness_rel_db", math.nan)):
        bits.append(f"loudness {row['loudness_rel_db']:+.1f} dB")
    if not math.isnan(row.get("rate_rel", math.nan)):
        bits.append(f"rate x{row['rate_rel']:.2f}")
    evidence = f" ({', '.join(bits)} against this recording's median)" if bits else ""
    return (
        f"Voice: {label} in {share:.0%} of the {len(frame)} segments; strongest at {s:.1f}-{e:.1f} s"
        f" (p={float(col.max()):.2f}){evidence}."
    )
