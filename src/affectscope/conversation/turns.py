"""Turn inputs for the conversation recognizer: whatever the user holds → validated :class:`Turn` objects.

Accepted: :class:`~affectscope.media.dialogue.Turn` objects, ``(speaker, text)`` or
``(speaker, text, start, end)`` tuples, dicts with ``speaker`` and ``text`` (optional ``start``, ``end``,
``dialogue_id``), a pandas DataFrame with those columns, or the :class:`~affectscope.Result` of a speech or
video analysis (its transcript segments become turns).

Examples
--------
>>> turns, skipped = as_turns([("Ann", "I got the job!"), ("Bob", ""), ("Bob", "Wonderful.")])
>>> [(t.index, t.speaker) for t in turns], skipped
([(0, 'Ann'), (1, 'Bob')], 1)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from affectscope.errors import InputError
from affectscope.media.dialogue import Turn

__all__ = ["ACCEPTED_TURNS", "as_turns", "turns_from_result"]

ACCEPTED_TURNS = (
    "Turn objects, (speaker, text) or (speaker, text, start, end) tuples, dicts with 'speaker' and 'text' "
    "(optional 'start', 'end', 'dialogue_id'), or a DataFrame with those columns"
)
_ANONYMOUS_TRACKS = ("main", "subtitles", "")


def _record(item: Any, n: int) -> dict[str, Any]:
    if isinstance(item, Turn):
        return {
            "speaker": item.speaker,
            "text": item.text,
            "start": item.start,
            "end": item.end,
            "dialogue_id": item.dialogue_id,
        }
    if isinstance(item, dict):
        return item
    if isinstance(item, tuple | list) and len(item) in (2, 4):
        keys = ("speaker", "text", "start", "end")[: len(item)]
        return dict(zip(keys, item, strict=True))
    raise InputError(f"Turn {n}: expected {ACCEPTED_TURNS}; got {type(item).__name__} {str(item)[:60]!r}.")


def _seconds(value: Any, n: int, key: str) -> float:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return math.nan
    try:
        t = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"Turn {n}: {key} must be a number of seconds; got {str(value)[:40]!r}.") from None
    if not math.isfinite(t) or t < 0:
        raise InputError(f"Turn {n}: {key} must be finite seconds >= 0; got {value!r}.")
    return t


def _valid_text(value: str, n: int, key: str) -> str:
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InputError(f"Turn {n}: the {key} holds a lone surrogate code point; not valid Unicode text.") from None
    return value


def as_turns(items: Any, *, dialogue_id: str = "dialogue") -> tuple[list[Turn], int]:
    """Validate conversation turns given in memory.

    Parameters
    ----------
    items : iterable or pandas.DataFrame
        The turns, in order; see the module docstring for the accepted shapes.
    dialogue_id : str
        Dialogue id for turns that carry none.

    Returns
    -------
    turns : list of Turn
        Non-empty turns, numbered per dialogue.
    skipped : int
        Empty turns that were dropped.

    Raises
    ------
    InputError
        A turn has no speaker, or is of an unknown shape.

    Examples
    --------
    >>> as_turns([{"speaker": "A", "text": "hi", "dialogue_id": "d1"}])[0][0].dialogue_id
    'd1'
    """
    if isinstance(items, str | bytes):
        raise InputError(f"A conversation is a sequence of turns ({ACCEPTED_TURNS}), not a single string.")
    try:
        import pandas as pd

        if isinstance(items, pd.DataFrame):
            missing = {"speaker", "text"} - set(items.columns)
            if missing:
                raise InputError(f"The DataFrame needs columns {sorted(missing)}; it has {list(items.columns)}.")
            items = items.to_dict("records")
    except ImportError:  # pragma: no cover - pandas is a base dependency
        pass
    if not isinstance(items, Iterable):
        raise InputError(f"Expected {ACCEPTED_TURNS}; got {type(items).__name__}.")
    turns: list[Turn] = []
    counters: dict[str, int] = {}
    skipped = 0
    for n, item in enumerate(items, 1):
        rec = _record(item, n)
        speaker = rec.get("speaker")
        speaker = "" if speaker is None or (isinstance(speaker, float) and math.isnan(speaker)) else str(speaker)
        if not speaker.strip():
            raise InputError(f"Turn {n} has no speaker. Every turn needs one ({ACCEPTED_TURNS}).")
        text = rec.get("text")
        text = "" if text is None or (isinstance(text, float) and math.isnan(text)) else str(text)
        if not text.strip():
            skipped += 1
            continue
        dia = str(rec.get("dialogue_id") or dialogue_id)
        start, end = _seconds(rec.get("start"), n, "start"), _seconds(rec.get("end"), n, "end")
        if end < start:
            raise InputError(f"Turn {n}: end ({end}) is before start ({start}).")
        index = counters.get(dia, 0)
        counters[dia] = index + 1
        speaker, text = _valid_text(speaker.strip(), n, "speaker"), _valid_text(text.strip(), n, "text")
        turns.append(Turn(dia, index, speaker, text, start, end, n))
    return turns, skipped


def turns_from_result(result: Any, *, dialogue_id: str | None = None) -> list[Turn]:
    """Turn the transcript of a speech or video :class:`~affectscope.Result` into conversation turns.

    Voice segments with a transcript are used (subtitle rows when there is no transcript); the speaker is the
    row's ``track`` where it names one (a diarised speaker or a subtitle voice), else ``"speaker"``.

    Parameters
    ----------
    result : Result
        Output of :class:`~affectscope.SpeechRecognizer` or :class:`~affectscope.VideoRecognizer`.
    dialogue_id : str, optional
        Dialogue id (default: the result's source).

    Returns
    -------
    list of Turn

    Raises
    ------
    InputError
        The result holds no transcribed text.

    Examples
    --------
    >>> import pandas as pd
    >>> from affectscope.result import INDEX_NAMES, Result
    >>> idx = pd.MultiIndex.from_tuples([("a.wav", 0.0, 1.5)], names=INDEX_NAMES)
    >>> r = Result(pd.DataFrame({"modality": ["speech"], "track": ["main"], "text": ["hello"]}, index=idx), {})
    >>> turns_from_result(r)[0].speaker
    'speaker'
    """
    frame = getattr(result, "frame", None)
    if frame is None or frame.empty or "text" not in frame.columns:
        raise InputError("The result has no transcript to analyse as a conversation (no 'text' column).")
    has_text = frame["text"].map(lambda t: isinstance(t, str) and bool(t.strip()))
    rows = frame[has_text & (frame["modality"] == "speech")]
    if rows.empty:
        rows = frame[has_text & (frame["modality"] == "text")]
    if rows.empty:
        raise InputError(
            "The result has no transcribed speech or subtitles to analyse as a conversation; analyse the audio "
            "with the transcript on (no --no-transcript), or give --subtitles."
        )
    rows = rows.sort_index(level="start", kind="stable")
    turns = []
    for i, ((source, start, end), row) in enumerate(rows.iterrows()):
        track = str(row.get("track", "") or "")
        speaker = "speaker" if track in _ANONYMOUS_TRACKS else track
        turns.append(Turn(dialogue_id or str(source), i, speaker, row["text"].strip(), float(start), float(end), i))
    return turns
