"""The one-call Python API: :func:`analyze` (text, files, audio, images, videos) and :func:`analyze_conversation`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from affectscope.result import Result

__all__ = ["analyze", "analyze_conversation", "check_analyze_options"]

# Bounds of the numeric options of analyze (CLI and Python API share them).
FPS_RANGE = (0.0, 60.0)  # frames per second, (0, 60]
WINDOW_RANGE = (0.25, 3600.0)  # fusion window in seconds; below 0.25 s a window holds no voice nor a face track
MAX_FACES_RANGE = (1, 100)
MIN_FACE_SIZE_RANGE = (8, 4096)
BATCH_SIZE_RANGE = (1, 4096)
NUM_THREADS_RANGE = (1, 1024)


def check_analyze_options(
    *,
    func: str = "analyze",
    fps: Any = None,
    window: Any = None,
    max_faces: Any = None,
    min_face_size: Any = None,
    batch_size: Any = None,
    num_threads: Any = None,
    uncertain_below: Any = None,
    start: Any = None,
    end: Any = None,
    segment: Any = None,
    encoding: Any = None,
) -> dict[str, Any]:
    """Validate the options of :func:`analyze` (and of ``affectscope analyze``) before anything is loaded.

    Every option left at None is not checked (and not returned). The bounds: ``fps`` in (0, 60], ``window``
    ``"utterance"`` or seconds in [0.25, 3600], ``max_faces`` in [1, 100], ``min_face_size`` in [8, 4096] pixels,
    ``batch_size`` in [1, 4096], ``num_threads`` in [1, 1024], ``uncertain_below`` in [0, 1], ``start``/``end``
    finite seconds with ``0 <= start < end``, ``segment`` ``"sentence"`` or ``"line"``, ``encoding`` a Python
    text codec.

    Parameters
    ----------
    func : str
        The caller's name, for the message.
    fps, window, max_faces, min_face_size, batch_size, num_threads, uncertain_below, start, end, segment, encoding
        The options, as given.

    Returns
    -------
    dict
        The checked values (numbers as float or int), for the options that were given.

    Raises
    ------
    ConfigError
        The standard one-line message: ``The 'fps' parameter of analyze must be a float in (0, 60]. Got 0 instead.``

    Examples
    --------
    >>> check_analyze_options(fps="2", window="utterance")
    {'fps': 2.0, 'window': 'utterance'}
    >>> check_analyze_options(window=1e-300)
    Traceback (most recent call last):
    ...
    affectscope.errors.ConfigError: The 'window' parameter of analyze must be 'utterance' or a float in [0.25, ...
    """
    from affectscope._validation import check_int, check_number, check_span
    from affectscope.errors import ConfigError
    from affectscope.media.text import SEGMENT_MODES, check_encoding

    out: dict[str, Any] = {}
    if fps is not None:
        out["fps"] = check_number(fps, name="fps", func=func, low=FPS_RANGE[0], high=FPS_RANGE[1], low_open=True)
    if window is not None:
        if window == "utterance":
            out["window"] = "utterance"
        else:
            try:
                out["window"] = check_number(
                    window, name="window", func=func, low=WINDOW_RANGE[0], high=WINDOW_RANGE[1]
                )
            except ConfigError:
                shown = repr(window) if isinstance(window, str) else str(window)
                raise ConfigError(
                    f"The 'window' parameter of {func} must be 'utterance' or a float in [{WINDOW_RANGE[0]:g}, "
                    f"{WINDOW_RANGE[1]:g}]. Got {shown[:40]} instead."
                ) from None
    for name, value, (low, high) in (
        ("max_faces", max_faces, MAX_FACES_RANGE),
        ("min_face_size", min_face_size, MIN_FACE_SIZE_RANGE),
        ("batch_size", batch_size, BATCH_SIZE_RANGE),
        ("num_threads", num_threads, NUM_THREADS_RANGE),
    ):
        if value is not None:
            out[name] = check_int(value, name=name, func=func, low=low, high=high)
    if uncertain_below is not None:
        out["uncertain_below"] = check_number(uncertain_below, name="uncertain_below", func=func, low=0, high=1)
    if start is not None or end is not None:
        out["start"], out["end"] = check_span(start, end, func=func)
    if segment is not None:
        if segment not in SEGMENT_MODES:
            raise ConfigError(
                f"The 'segment' parameter of {func} must be one of {list(SEGMENT_MODES)}. Got {str(segment)[:40]!r} "
                "instead."
            )
        out["segment"] = segment
    if encoding is not None:
        check_encoding(encoding, func=func)
        out["encoding"] = encoding
    return out


@lru_cache(maxsize=4)
def _text_recognizer(
    model: str | None, batch_size: int, segment: str, encoding: str, num_threads: int | None, evidence: bool
):
    from affectscope.recognizers.text import TextRecognizer

    return TextRecognizer(
        model, batch_size=batch_size, segment=segment, encoding=encoding, num_threads=num_threads, evidence=evidence
    )


@lru_cache(maxsize=2)
def _face_recognizer(model: str | None, num_threads: int | None, face_crop: str = "auto"):
    from affectscope.recognizers.face import FaceRecognizer

    return FaceRecognizer(model, num_threads=num_threads, face_crop=face_crop)


@lru_cache(maxsize=2)
def _video_recognizer(
    transcript: bool, language: str | None, fps: float, num_threads: int | None, evidence: bool, window: float | str
):
    from affectscope.recognizers.video import VideoRecognizer

    return VideoRecognizer(
        fps=fps, transcript=transcript, language=language, num_threads=num_threads, evidence=evidence, window=window
    )


@lru_cache(maxsize=2)
def _conversation_recognizer(model: str | None, mode: str, num_threads: int | None):
    from affectscope.conversation import ConversationRecognizer

    return ConversationRecognizer(model, mode=mode, num_threads=num_threads)


@lru_cache(maxsize=2)
def _speech_recognizer(model: str | None, transcript: bool, language: str | None, num_threads: int | None):
    from affectscope.recognizers.speech import SpeechRecognizer

    return SpeechRecognizer(model, transcript=transcript, language=language, num_threads=num_threads)


def analyze(
    obj: Any,
    *,
    model: str | os.PathLike[str] | None = None,
    segment: str = "sentence",
    encoding: str = "utf-8",
    batch_size: int = 64,
    num_threads: int | None = None,
    transcript: bool = True,
    language: str | None = None,
    fps: float = 5.0,
    evidence: bool = True,
    window: float | str = "utterance",
    labels: str | None = None,
    face_crop: str = "auto",
) -> Result:
    """Analyse the emotion in a text or text file and return a :class:`~affectscope.Result`.

    Parameters
    ----------
    obj : str, pathlib.Path, bytes, file object or dict
        A ``str`` is the text itself; a :class:`pathlib.Path` (or other ``os.PathLike``) is a text file, an
        image (faces; ``face`` extra), a video (faces + voice + subtitles; ``video`` extra) or an audio file
        (``speech`` extra), by suffix.
    model : str or path-like, optional
        Registry name (see ``affectscope models``) or a bundle folder.
    segment : {"sentence", "line"}
        How the text is split into rows.
    encoding : str
        Encoding of files and bytes (default UTF-8).
    batch_size : int
        Sentences per forward pass.
    num_threads : int, optional
        CPU threads (default: all cores).
    transcript : bool
        Audio: transcribe the speech and analyse its words too.
    language : str, optional
        Audio: spoken language (ISO 639-1, or ``"auto"``); English when omitted.
    fps : float
        Video: frames analysed per second.
    evidence : bool
        Text and subtitles: cite the words behind each label (``False`` is faster; faces, voices and fused rows
        always carry their cues).
    window : float or "utterance"
        Video: fusion windows (voice segments, or seconds).
    labels : {"open"}, optional
        ``"open"`` adds ``open_words`` (closest words of the open emotion vocabulary) to rows and summary.
    face_crop : {"auto", "always", "never"}
        Images: read a small image without a detected face as one aligned face crop (``"auto"``), every image
        as one (``"always"``), or only detect faces (``"never"``); see ``FaceRecognizer``. Rows say ``crop``.

    Returns
    -------
    Result
        ``frame`` (one row per sentence, indexed by (source, start, end) in characters; for audio one row per
        voice segment, in seconds; for images one row per face; for videos face rows per analysed frame, voice
        segments and subtitle cues on one timeline) and ``summary``.

    Examples
    --------
    >>> import affectscope
    >>> r = affectscope.analyze("This makes me so mad.")
    >>> r.summary["label"]
    'anger'
    >>> r.frame.index[0] == ("text", 0, 21)
    True
    """
    checked = check_analyze_options(
        fps=fps, window=window, batch_size=batch_size, num_threads=num_threads, segment=segment, encoding=encoding
    )
    fps, window, batch_size = checked["fps"], checked["window"], checked["batch_size"]
    if labels is not None:
        if labels != "open":
            from affectscope.errors import ConfigError

            raise ConfigError(f"The 'labels' parameter must be 'open' or None. Got {labels!r} instead.")
        from affectscope.labels.open_vocabulary import add_open_words

        return add_open_words(
            analyze(
                obj,
                model=model,
                segment=segment,
                encoding=encoding,
                batch_size=batch_size,
                num_threads=num_threads,
                transcript=transcript,
                language=language,
                fps=fps,
                evidence=evidence,
                window=window,
                face_crop=face_crop,
            )
        )
    name = None if model is None else str(model)
    if not isinstance(face_crop, str) or face_crop not in ("auto", "always", "never"):
        from affectscope.errors import ConfigError

        raise ConfigError(
            "The 'face_crop' parameter of analyze must be one of ['auto', 'always', 'never']. "
            f"Got {repr(face_crop)[:40]} instead."
        )
    if isinstance(obj, os.PathLike):
        from affectscope.media.audio import MEDIA_SUFFIXES
        from affectscope.media.image import IMAGE_SUFFIXES
        from affectscope.media.probe import validate_input
        from affectscope.media.video import VIDEO_SUFFIXES

        suffix = Path(obj).suffix.lower()
        if suffix in IMAGE_SUFFIXES:
            validate_input(obj, "image")
            return _face_recognizer(name, num_threads, face_crop).process_file(Path(obj))
        if suffix in VIDEO_SUFFIXES:
            validate_input(obj, "video")
            video = _video_recognizer(transcript, language, float(fps), num_threads, evidence, window)
            return video.process_file(Path(obj))
        if suffix in MEDIA_SUFFIXES:
            validate_input(obj, "audio")
            return _speech_recognizer(name, transcript, language, num_threads).process_file(Path(obj))
        validate_input(obj, "text", encoding=encoding)
    rec = _text_recognizer(name, batch_size, segment, encoding, num_threads, evidence)
    if isinstance(obj, os.PathLike):
        return rec.process_file(Path(obj))
    return rec.process_text(obj)


def analyze_conversation(
    obj: Any,
    *,
    mode: str = "offline",
    model: str | os.PathLike[str] | None = None,
    num_threads: int | None = None,
) -> Result:
    """Analyse a conversation: the emotion of every turn in context, per speaker and per dialogue.

    Parameters
    ----------
    obj : sequence, DataFrame, path-like or Result
        ``(speaker, text)`` turns (or dicts / a DataFrame with ``speaker`` and ``text``, optional ``start``,
        ``end``, ``dialogue_id``); a dialogue file (``.csv``/``.tsv``/``.jsonl``/``.json``, or a ``.txt`` with
        one ``Speaker: text`` per line); or the Result of a speech/video analysis (its transcript).
    mode : {"offline", "streaming"}
        Read each turn with the turns before and after it, or (live chats) only those before it.
    model : str or path-like, optional
        Conversation model (default ``conversation-minilm-context``).
    num_threads : int, optional
        CPU threads (default: all cores).

    Returns
    -------
    Result
        One row per turn (``track`` = speaker; ``dialogue``, ``turn``, ``label``, ``ekman7:*``, ``shift``, ...) and
        a summary with ``speakers`` and ``dialogues``.

    Examples
    --------
    >>> import affectscope
    >>> r = affectscope.analyze_conversation([("Ann", "I got the job!"), ("Bob", "Congratulations!")])
    >>> r.summary["speakers"]["Ann"]["n_turns"]
    1
    """
    if num_threads is not None:
        check_analyze_options(func="analyze_conversation", num_threads=num_threads)
    if isinstance(obj, os.PathLike):
        from affectscope.media.probe import validate_input

        validate_input(obj, "dialogue")
    rec = _conversation_recognizer(None if model is None else str(model), mode, num_threads)
    if isinstance(obj, Result):
        return rec.process_result(obj)
    if isinstance(obj, os.PathLike):
        return rec.process_file(Path(obj))
    return rec.process_turns(obj)
