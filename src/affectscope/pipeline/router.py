"""The one way in: (input, :class:`AnalysisSpec`) → :class:`~affectscope.Result`, through a cache of recognizers.

``affectscope analyze``, :func:`affectscope.analyze`, ``affectscope batch``, the service and ``affectscope eval``
all call :func:`run` (or, for models alone, :meth:`RecognizerCache.get`): how an input becomes rows is decided
here and nowhere else, so a capability added here reaches every entry point at once.

Examples
--------
>>> r = run("What a lovely surprise!", AnalysisSpec(evidence=False))
>>> r.summary["label"] in {"joy", "surprise"}
True
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from affectscope.errors import ConfigError, InputError
from affectscope.pipeline.detect import Detection, detect
from affectscope.pipeline.spec import AnalysisSpec
from affectscope.result import Result

__all__ = ["RecognizerCache", "build_recognizer", "default_cache", "describe", "route", "run"]

# The check validate_input makes before a model is loaded, per kind
_PROBE = {
    "text": "text",
    "conversation": "dialogue",
    "subtitles": "subtitles",
    "speech": "audio",
    "music": "music",
    "face": "image",
    "video": "video",
    "physio": "physio",
    "eeg": "eeg",
}
_EEG_MODEL = (
    "affectscope ships no EEG model (no public EEG emotion data may be trained on here): train one on your labelled "
    "recordings with `affectscope train --modality eeg --data labels.csv --out DIR` and pass it as the model "
    "(--model DIR)."
)


def _role_model(kind: str, spec: AnalysisSpec, role: str) -> str | None:
    """Return the model for ``role`` for an input of ``kind``; ``spec.model`` applies to the input's own modality."""
    own = "conversation" if spec.conversation and kind in ("speech", "video", "text") else kind
    own = {"video": "face", "subtitles": "text"}.get(own, own)
    named = spec.model_for(role)
    if spec.model is not None and role == own:
        if named is not None and named != spec.model:
            raise ConfigError(
                f"The 'model' ({spec.model!r}) and 'models[{role!r}]' ({named!r}) parameters of analyze name two "
                f"{role} models; give one."
            )
        return spec.model
    return named


def _key(kind: str, spec: AnalysisSpec) -> tuple[Any, ...]:
    """Return what makes two recognizers of ``kind`` differ: the spec fields its constructor takes."""
    m = _role_model
    s = spec
    common = (kind, s.profile, s.num_threads)
    if kind in ("text", "subtitles"):
        return (*common, m(kind, s, "text"), s.batch_size, s.segment, s.encoding, s.evidence_for("text"))
    if kind == "conversation":
        mode = "streaming" if s.streaming else "offline"
        return (*common, m(kind, s, "conversation"), mode, s.encoding, s.evidence_for("conversation"))
    if kind == "speech":
        return (*common, m(kind, s, "speech"), s.transcript, s.language, s.baseline)
    if kind == "face":
        return (*common, m(kind, s, "face"), s.max_faces, s.min_face_size, s.face_crop)
    if kind == "video":
        models = tuple(m(kind, s, r) for r in ("face", "speech", "text", "fusion"))
        return (*common, models, s.fps, s.max_faces, s.min_face_size, s.transcript, s.language, s.window,
                s.evidence_for("text"))  # fmt: skip
    return (*common, m(kind, s, kind))


def build_recognizer(kind: str, spec: AnalysisSpec) -> Any:
    """Construct the recognizer that reads inputs of ``kind`` under ``spec`` (no cache; see :class:`RecognizerCache`).

    Parameters
    ----------
    kind : str
        ``text``, ``conversation``, ``subtitles``, ``speech``, ``face``, ``video``, ``music``, ``physio``.
    spec : AnalysisSpec
        Models, profile and options.

    Returns
    -------
    Recognizer

    Examples
    --------
    >>> type(build_recognizer("text", AnalysisSpec())).__name__
    'TextRecognizer'
    """
    from affectscope.models.registry import using_profile

    s, threads = spec, spec.num_threads
    with using_profile(s.profile):
        if kind in ("text", "subtitles"):
            from affectscope.recognizers.text import TextRecognizer

            return TextRecognizer(
                _role_model(kind, s, "text"),
                batch_size=s.batch_size,
                segment=s.segment,
                encoding=s.encoding,
                num_threads=threads,
                evidence=s.evidence_for("text"),
            )
        if kind == "conversation":
            from affectscope.conversation import ConversationRecognizer

            return ConversationRecognizer(
                _role_model(kind, s, "conversation"),
                mode="streaming" if s.streaming else "offline",
                encoding=s.encoding,
                num_threads=threads,
                evidence=s.evidence_for("conversation"),
            )
        if kind == "speech":
            from affectscope.recognizers.speech import SpeechRecognizer

            return SpeechRecognizer(
                _role_model(kind, s, "speech"),
                transcript=s.transcript,
                language=s.language,
                normalize=s.baseline,
                num_threads=threads,
            )
        if kind == "face":
            from affectscope.recognizers.face import FaceRecognizer

            return FaceRecognizer(
                _role_model(kind, s, "face"),
                max_faces=s.max_faces,
                min_face_size=s.min_face_size,
                face_crop=s.face_crop,
                num_threads=threads,
            )
        if kind == "video":
            from affectscope.recognizers.video import VideoRecognizer

            return VideoRecognizer(
                fps=s.fps,
                max_faces=s.max_faces,
                min_face_size=s.min_face_size,
                transcript=s.transcript,
                language=s.language,
                window=s.window,
                evidence=s.evidence_for("text"),
                face_model=_role_model(kind, s, "face"),
                speech_model=_role_model(kind, s, "speech"),
                text_model=_role_model(kind, s, "text"),
                fusion_model=_role_model(kind, s, "fusion"),
                num_threads=threads,
            )
        if kind == "music":
            from affectscope.recognizers.music import MusicRecognizer

            return MusicRecognizer(_role_model(kind, s, "music"), num_threads=threads)
        if kind == "physio":
            from affectscope.recognizers.physio import PhysioRecognizer

            return PhysioRecognizer(_role_model(kind, s, "physio"), num_threads=threads)
    raise ConfigError(f"No recognizer reads inputs of kind {kind!r}.")


class RecognizerCache:
    """Loaded recognizers, keyed by kind and the spec fields their constructors take (least recently used first out).

    One cache serves one thread at a time per recognizer: the service keeps one per worker thread, a batch one
    per worker process, the Python API one per process.

    Parameters
    ----------
    maxsize : int
        Recognizers kept (each holds its models in memory).

    Examples
    --------
    >>> cache = RecognizerCache()
    >>> cache.get("text", AnalysisSpec()) is cache.get("text", AnalysisSpec(fps=2))  # fps does not matter to text
    True
    """

    def __init__(self, maxsize: int = 6) -> None:
        self.maxsize = maxsize
        self._items: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, kind: str, spec: AnalysisSpec) -> Any:
        """Return the recognizer of ``kind`` for ``spec``, built on first use.

        Parameters
        ----------
        kind : str
            See :func:`build_recognizer`.
        spec : AnalysisSpec
            The analysis.

        Returns
        -------
        Recognizer
        """
        key = _key(kind, spec)
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key]
        rec = build_recognizer(kind, spec)
        with self._lock:
            self._items[key] = rec
            while len(self._items) > self.maxsize:
                self._items.popitem(last=False)
        return rec

    def clear(self) -> None:
        """Drop every recognizer."""
        with self._lock:
            self._items.clear()


_DEFAULT: RecognizerCache | None = None


def default_cache() -> RecognizerCache:
    """Return the process's cache (the Python API and the CLI use it).

    Examples
    --------
    >>> default_cache() is default_cache()
    True
    """
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = RecognizerCache()
    return _DEFAULT


# --- checks ----------------------------------------------------------------------------------------------------
def _check_combination(kind: str, spec: AnalysisSpec, *, n_inputs: int = 1) -> None:
    """Refuse options that cannot apply to the input (before a model is loaded)."""
    span = spec.start is not None or spec.end is not None
    if kind == "face" and span:
        raise InputError("start/end (--start/--end) apply to audio, video, music and physio, not to images.")
    if kind in ("text", "conversation", "subtitles") and span:
        raise InputError(f"start/end (--start/--end) apply to audio, video, music and physio, not to {kind}.")
    if spec.face_crop != "auto" and kind != "face":
        raise InputError("face_crop (--face-crop) applies to still images (videos always detect their faces).")
    if spec.subtitles is not None and kind != "video":
        raise InputError("subtitles (--subtitles) apply to videos.")
    if kind == "video" and n_inputs > 1 and (spec.subtitles is not None or span):
        raise InputError("--subtitles, --start and --end take one video at a time.")
    if kind == "eeg" and n_inputs > 1:
        raise InputError("modality eeg takes one recording at a time.")
    if kind == "eeg" and _role_model(kind, spec, "eeg") is None:
        raise InputError(_EEG_MODEL)
    if spec.conversation and kind in ("face", "music", "physio", "eeg"):
        raise InputError(
            "conversation (--conversation) reads dialogue files, audio or video; not "
            f"{'images' if kind == 'face' else kind}."
        )


def _validate(det: Detection, spec: AnalysisSpec) -> None:
    from affectscope.media.probe import validate_input

    start = spec.start if det.kind in ("speech", "music", "video") else None
    validate_input(det.path, _PROBE[det.kind], encoding=spec.encoding, start=start)  # type: ignore[arg-type]
    if det.kind == "conversation":  # read once without a model: a malformed line fails before anything is loaded
        from affectscope.media.dialogue import DialogueReader

        for _ in DialogueReader(det.path, fmt=det.fmt, encoding=spec.encoding):
            pass
    if spec.subtitles is not None:
        validate_input(spec.subtitles, "subtitles", encoding=spec.encoding)


# --- running ---------------------------------------------------------------------------------------------------
def _read(
    det: Detection, spec: AnalysisSpec, cache: RecognizerCache, progress: Callable[[float], None] | None
) -> Result:
    span = {"start": spec.start, "end": spec.end}
    kind, path = det.kind, det.path
    if kind == "eeg":
        from affectscope.models.registry import using_profile
        from affectscope.recognizers.eeg import analyze_eeg

        with using_profile(spec.profile):
            return analyze_eeg(path, _role_model(kind, spec, "eeg"))
    if kind == "subtitles":
        from affectscope.media.subtitles import read_subtitles
        from affectscope.recognizers.video import _text_summary, subtitle_rows

        cues = read_subtitles(path, encoding=spec.encoding)
        frame = subtitle_rows(cache.get("text", spec), cues, source=str(path), evidence=spec.evidence_for("text"))
        summary = _text_summary(frame, str(path)) | {"modality": "text"}
        return Result(frame, summary)
    rec = cache.get(kind, spec)
    if kind == "text":
        return rec.process_file(path)
    if kind == "conversation":
        return rec.process_file(path, fmt=det.fmt)
    if kind == "face":
        return rec.process_file(path)
    if kind == "video":
        return rec.process_file(path, subtitles=spec.subtitles, progress=progress, **span)
    return rec.process_file(path, **span)


def _as_conversation(result: Result, spec: AnalysisSpec, cache: RecognizerCache) -> Result:
    """Audio/video analysed first; its transcript (or subtitles) is then read as a conversation, per source."""
    rec = cache.get("conversation", spec)
    frames, failures = [], list(result.failures)
    for source, rows in result.frame.groupby(level="source", sort=False):
        try:
            frames.append(rec.process_result(Result(rows, {})).frame)
        except InputError as exc:
            failures.append({"source": str(source), "error": type(exc).__name__, "message": str(exc)})
    if not frames:
        raise InputError(failures[0]["message"] if failures else "Nothing to analyse as a conversation.")
    frame, summary = rec._combine(frames)
    return Result(frame, summary | {"media": result.summary}, failures=failures)


def _note_language(result: Result) -> None:
    """Give a conversation's summary (and a subtitles result's) the language note text rows carry."""
    summary = result.summary
    if "language" in summary or result.frame.empty or "text" not in result.frame.columns:
        return
    if summary.get("modality") not in ("conversation", "text"):
        return
    from affectscope.media.language import identify_language, language_note

    texts = [t for t in result.frame["text"].astype(str) if t.strip()]
    code, _ = identify_language(" ".join(texts)[:20_000])
    summary["language"] = code
    note = language_note(code, modality="text")
    if note and "note" not in summary:
        summary["note"] = note


def _finish(result: Result, spec: AnalysisSpec) -> Result:
    _note_language(result)
    if spec.uncertain_below is not None:
        result = result.mark_uncertain(spec.uncertain_below)
    if spec.labels == "open":
        from affectscope.labels.open_vocabulary import add_open_words

        result = add_open_words(result)
    return result


def _detect(path: os.PathLike[str], spec: AnalysisSpec) -> Detection:
    det = detect(path, modality=spec.modality)
    if spec.conversation and det.kind == "text":  # a 'Speaker: text' transcript
        det = detect(path, modality="conversation")
    return det


def _run_path(
    path: os.PathLike[str], spec: AnalysisSpec, cache: RecognizerCache, progress: Callable[[float], None] | None
) -> tuple[Result, Detection]:
    det = _detect(path, spec)
    _check_combination(det.kind, spec)
    _validate(det, spec)
    via_media = spec.conversation and det.kind in ("speech", "video", "subtitles")
    media_spec = spec.replace(model=None, conversation=False, streaming=False) if via_media else spec
    result = _read(det, media_spec, cache, progress)
    if via_media:
        result = _as_conversation(result, spec, cache)
    result.summary.setdefault("detected", det.what)
    return result, det


def _run_many(
    paths: Sequence[os.PathLike[str]], spec: AnalysisSpec, cache: RecognizerCache
) -> tuple[Result, list[Detection]]:
    """Several files of one kind: the invalid ones are recorded as failures and the rest go on."""
    from affectscope.pipeline.detect import _suffix_kind

    dets: list[Detection] = []
    failures: list[dict[str, str]] = []
    seen: list[tuple[str, str]] = []  # (path, kind): by content, else (an unreadable file) by suffix
    for p in paths:
        try:
            det = _detect(p, spec)
            seen.append((str(p), det.kind))
            _check_combination(det.kind, spec, n_inputs=len(paths))
            dets.append(det)
        except InputError as exc:
            failures.append({"source": str(p), "error": type(exc).__name__, "message": str(exc)})
            if len(seen) < len(failures) + len(dets):
                seen.append((str(p), _suffix_kind(Path(p)) or "text"))
    if len({k for _, k in seen}) > 1:
        raise InputError(
            "Pass one kind of input per call (text, dialogues, images, audio, videos, ...); got "
            + ", ".join(f"{p} ({k})" for p, k in seen)
            + "."
        )
    valid = []
    for det in dets:
        try:
            _validate(det, spec)
            valid.append(det)
        except InputError as exc:
            failures.append({"source": str(det.path), "error": type(exc).__name__, "message": str(exc)})
    if not valid:
        if len(failures) == 1:
            raise InputError(failures[0]["message"])
        return Result(_empty_frame(), {}, failures=failures), dets
    kind = valid[0].kind
    media_spec = spec.replace(model=None, conversation=False, streaming=False) if spec.conversation else spec
    if kind in ("conversation", "subtitles", "eeg") or (spec.conversation and kind == "text"):
        results, frames = [], []
        for det in valid:
            try:
                results.append(_run_path(det.path, spec, cache, None)[0])
            except InputError as exc:
                failures.append({"source": str(det.path), "error": type(exc).__name__, "message": str(exc)})
        for r in results:
            frames.append(r.frame)
        if kind == "conversation" or spec.conversation:
            frame, summary = cache.get("conversation", spec)._combine(frames) if frames else (_empty_frame(), {})
        else:
            frame, summary = cache.get("text", spec)._combine(frames) if frames else (_empty_frame(), {})
        return Result(frame, summary, failures=failures), dets
    rec = cache.get(kind, media_spec)
    result = rec.process_files([d.path for d in valid])
    if spec.conversation and kind in ("speech", "video"):
        result = _as_conversation(result, spec, cache)
    return Result(result.frame, result.summary, failures=failures + list(result.failures)), dets


def _empty_frame() -> Any:
    import pandas as pd

    from affectscope.result import INDEX_NAMES

    return pd.DataFrame(index=pd.MultiIndex.from_arrays([[], [], []], names=INDEX_NAMES))


def route(
    obj: Any,
    spec: AnalysisSpec | None = None,
    *,
    cache: RecognizerCache | None = None,
    source: str | None = None,
    progress: Callable[[float], None] | None = None,
) -> tuple[Result, str, list[Detection]]:
    """Analyse like :func:`run`, and also return the kind read and what was detected (the CLI shows both).

    Parameters
    ----------
    obj, spec, cache, source, progress
        As for :func:`run`.

    Returns
    -------
    (Result, str, list of Detection)
        The result; the kind it was read as (``text``, ``conversation``, ``speech``, ``face``, ``video``,
        ``music``, ``physio``, ``eeg``, ``subtitles``); the detections of path inputs (empty for a text).

    Examples
    --------
    >>> result, kind, detections = route("Oh no.", AnalysisSpec(evidence=False))
    >>> kind, detections
    ('text', [])
    """
    spec = spec if spec is not None else AnalysisSpec()
    cache = cache if cache is not None else default_cache()
    with _blas_threads(spec.num_threads):
        return _route(obj, spec, cache, source, progress)


@contextmanager
def _blas_threads(n: int | None) -> Iterator[None]:
    """Bound NumPy's BLAS to ``num_threads`` too (OpenBLAS sums in another order on more threads, ~1e-4 apart)."""
    if n is None:
        yield
        return
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - a default dependency
        yield
        return
    with threadpool_limits(limits=n, user_api="blas"):
        yield


def _route(
    obj: Any,
    spec: AnalysisSpec,
    cache: RecognizerCache,
    source: str | None,
    progress: Callable[[float], None] | None,
) -> tuple[Result, str, list[Detection]]:
    conversation = spec.conversation or spec.modality == "conversation"
    if isinstance(obj, (list, tuple)) and obj and all(isinstance(o, os.PathLike) for o in obj):
        if len(obj) == 1:
            obj = obj[0]
        else:
            result, dets = _run_many(list(obj), spec, cache)
            kind = "conversation" if conversation else (dets[0].kind if dets else "text")
            return _finish(result, spec), kind, dets
    if isinstance(obj, os.PathLike):
        result, det = _run_path(obj, spec, cache, progress)
        return _finish(result, spec), "conversation" if conversation else det.kind, [det]
    if spec.modality not in ("auto", "text", "conversation"):
        raise InputError(
            f"modality={spec.modality!r} reads files: pass a pathlib.Path (a str is analysed as text). "
            f"Got {type(obj).__name__}."
        )
    if spec.start is not None or spec.end is not None:
        raise InputError("start/end (--start/--end) apply to audio, video, music and physio, not to text.")
    if conversation:
        rec = cache.get("conversation", spec)
        if isinstance(obj, Result):
            return _finish(rec.process_result(obj), spec), "conversation", []
        if isinstance(obj, str):
            raise InputError(
                "A conversation is a list of (speaker, text) turns, a DataFrame with speaker and text columns, a "
                "dialogue file (pass a pathlib.Path) or the Result of a speech/video analysis; got a str."
            )
        return _finish(rec.process_turns(obj), spec), "conversation", []
    rec = cache.get("text", spec)
    kwargs = {"source": source} if source is not None else {}
    return _finish(rec.process_text(obj, **kwargs), spec), "text", []


def run(
    obj: Any,
    spec: AnalysisSpec | None = None,
    *,
    cache: RecognizerCache | None = None,
    source: str | None = None,
    progress: Callable[[float], None] | None = None,
) -> Result:
    """Analyse one input (or several files of one kind) as ``spec`` says; the one way in for every entry point.

    Parameters
    ----------
    obj : str, bytes, file object, path-like, list of path-like, turns or Result
        A ``str``/``bytes``/file object is text (or, with ``conversation``/``modality="conversation"``, turns or
        a Result's transcript); a path is detected by content (:func:`~affectscope.pipeline.detect.detect`); a
        list of paths is analysed file by file (failures recorded, the rest go on).
    spec : AnalysisSpec, optional
        The analysis (defaults: those of ``affectscope analyze``).
    cache : RecognizerCache, optional
        Loaded recognizers to reuse (default: the process's).
    source : str, optional
        The rows' source for a text given as a string (default ``"text"``).
    progress : callable, optional
        Called with the share done (0-1) by recognizers that report it (videos).

    Returns
    -------
    Result
        Its summary says what was ``detected`` for a path.

    Raises
    ------
    InputError
        The input is not what the spec can read (the message says what it is and what is accepted).
    ConfigError
        A model or option is refused (e.g. by the commercial profile).

    Examples
    --------
    >>> run([("Ann", "I got the job!"), ("Bob", "Congratulations!")], AnalysisSpec(modality="conversation")).summary[
    ...     "speakers"]["Ann"]["n_turns"]
    1
    """
    return route(obj, spec, cache=cache, source=source, progress=progress)[0]


def describe(det: Detection) -> str:
    """Return the CLI's one line for a detection made by content.

    Examples
    --------
    >>> describe(Detection("physio", Path("s1"), "an Empatica E4 export (folder)", True))
    'detected: s1 is an Empatica E4 export (folder), read as physio'
    """
    return f"detected: {det.path} is {det.what}, read as {det.kind}"
