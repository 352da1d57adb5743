"""The one-call Python API: :func:`analyze` (text, files, audio, images, videos) and :func:`analyze_conversation`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from affectscope.result import Result

__all__ = ["analyze", "analyze_conversation"]


@lru_cache(maxsize=4)
def _text_recognizer(
    model: str | None, batch_size: int, segment: str, encoding: str, num_threads: int | None, evidence: bool
):
    from affectscope.recognizers.text import TextRecognizer

    return TextRecognizer(
        model, batch_size=batch_size, segment=segment, encoding=encoding, num_threads=num_threads, evidence=evidence
    )


@lru_cache(maxsize=2)
def _face_recognizer(model: str | None, num_threads: int | None):
    from affectscope.recognizers.face import FaceRecognizer

    return FaceRecognizer(model, num_threads=num_threads)


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
            )
        )
    name = None if model is None else str(model)
    if isinstance(obj, os.PathLike):
        from affectscope.media.audio import MEDIA_SUFFIXES
        from affectscope.media.image import IMAGE_SUFFIXES
        from affectscope.media.video import VIDEO_SUFFIXES

        suffix = Path(obj).suffix.lower()
        if suffix in IMAGE_SUFFIXES:
            return _face_recognizer(name, num_threads).process_file(Path(obj))
        if suffix in VIDEO_SUFFIXES:
            video = _video_recognizer(transcript, language, float(fps), num_threads, evidence, window)
            return video.process_file(Path(obj))
        if suffix in MEDIA_SUFFIXES:
            return _speech_recognizer(name, transcript, language, num_threads).process_file(Path(obj))
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
    rec = _conversation_recognizer(None if model is None else str(model), mode, num_threads)
    if isinstance(obj, Result):
        return rec.process_result(obj)
    if isinstance(obj, os.PathLike):
        return rec.process_file(Path(obj))
    return rec.process_turns(obj)
