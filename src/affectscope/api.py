"""The one-call Python API: :func:`analyze` (text, files, audio, images, videos) and :func:`analyze_conversation`."""

from __future__ import annotations

import os
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


def analyze(obj: Any, *, spec: Any = None, **options: Any) -> Result:
    """Analyse the emotion of a text, dialogue, image, audio, video, song or wearable recording.

    Every option of ``affectscope analyze`` is a keyword here (they make an
    :class:`~affectscope.pipeline.AnalysisSpec`, validated before anything is loaded); the input goes through the
    same router as the CLI, batch and the service, so the rows and summary are the same whichever asked.

    Parameters
    ----------
    obj : str, pathlib.Path, bytes, file object, list of paths, turns or Result
        A ``str`` (or bytes / a file object) is the text itself; a :class:`pathlib.Path` (or other
        ``os.PathLike``) is detected by content: a text file, a dialogue (``.csv``/``.tsv`` with speaker and text
        columns, ``.jsonl``/``.json`` turns), subtitles, an image (faces; ``face`` extra), audio (a voice, or a
        song with ``modality="music"``; ``speech``/``music`` extras), a video (faces + voice + subtitles; ``video``
        extra), an Empatica E4 export (folder or zip), a timestamped wearable CSV or an EDF/BDF file (``physio``
        extra); a list of paths is analysed file by file. With ``modality="conversation"``: ``(speaker, text)``
        turns, a DataFrame, or the Result of a speech/video analysis.
    spec : AnalysisSpec, optional
        A ready spec (the keywords then change some of its fields).
    **options
        The fields of :class:`~affectscope.pipeline.AnalysisSpec`: ``modality`` (``"auto"``, ``"text"``,
        ``"conversation"``, ``"speech"``, ``"face"``, ``"video"``, ``"music"``, ``"physio"``, ``"eeg"``),
        ``model``, ``models``, ``profile``, ``conversation``, ``streaming``, ``segment``, ``encoding``,
        ``batch_size``, ``num_threads``, ``transcript``, ``language``, ``baseline``, ``fps``, ``max_faces``,
        ``min_face_size``, ``face_crop``, ``start``, ``end``, ``subtitles``, ``evidence``, ``window``,
        ``uncertain_below``, ``labels``.

    Returns
    -------
    Result
        ``frame`` (one row per sentence, indexed by (source, start, end) in characters; for audio one row per
        voice segment, in seconds; for images one row per face; for videos face rows per analysed frame, voice
        segments and subtitle cues on one timeline; for dialogues one row per turn; for songs and recordings one
        row per window) and ``summary`` (for a path, ``detected`` says what the input was read as).

    Raises
    ------
    ConfigError
        An unknown or invalid option (the standard one-line message), or a model the profile refuses.
    InputError
        The input cannot be read as asked (the message says what it is and what is accepted).

    Examples
    --------
    >>> import affectscope
    >>> r = affectscope.analyze("This makes me so mad.")
    >>> r.summary["label"]
    'anger'
    >>> r.frame.index[0] == ("text", 0, 21)
    True
    >>> affectscope.analyze("Hi", fsp=2)
    Traceback (most recent call last):
    ...
    affectscope.errors.ConfigError: Unknown analysis option 'fsp'. Accepted: modality, model, models, ...
    """
    from affectscope.pipeline import AnalysisSpec, run

    if spec is None:
        spec = AnalysisSpec.from_dict(options)
    elif not isinstance(spec, AnalysisSpec):
        spec = AnalysisSpec.from_dict(spec)
    elif options:
        spec = AnalysisSpec.from_dict(spec.to_dict() | options)
    return run(obj, spec)


def analyze_conversation(
    obj: Any,
    *,
    mode: str = "offline",
    model: str | os.PathLike[str] | None = None,
    num_threads: int | None = None,
    **options: Any,
) -> Result:
    """Analyse a conversation: the emotion of every turn in context, per speaker and per dialogue.

    The same as ``analyze(obj, modality="conversation", ...)`` (a dialogue file, turns or a Result) or, for a
    Path to audio or video, ``analyze(obj, conversation=True)``: its transcript read turn by turn.

    Parameters
    ----------
    obj : sequence, DataFrame, path-like or Result
        ``(speaker, text)`` turns (or dicts / a DataFrame with ``speaker`` and ``text``, optional ``start``,
        ``end``, ``dialogue_id``); a dialogue file (``.csv``/``.tsv``/``.jsonl``/``.json``, or a ``.txt`` with
        one ``Speaker: text`` per line); audio or video; or the Result of a speech/video analysis (its transcript).
    mode : {"offline", "streaming"}
        Read each turn with the turns before and after it, or (live chats) only those before it.
    model : str or path-like, optional
        Conversation model (default ``conversation-minilm-context``).
    num_threads : int, optional
        CPU threads (default: all cores).
    **options
        Other fields of :class:`~affectscope.pipeline.AnalysisSpec` (``evidence``, ``encoding``, ...).

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
    from affectscope.errors import ConfigError
    from affectscope.pipeline import AnalysisSpec, run

    if mode not in ("offline", "streaming"):
        raise ConfigError(
            f"The 'mode' parameter of analyze_conversation must be one of ['offline', 'streaming']. Got {mode!r} "
            "instead."
        )
    fields = {"model": model, "num_threads": num_threads, "streaming": mode == "streaming", **options}
    spec = AnalysisSpec.from_dict(fields | {"conversation": True}, func="analyze_conversation")
    return run(obj, spec)
