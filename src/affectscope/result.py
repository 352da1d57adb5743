"""The one result type of affectscope, the same for a sentence, a document, a recording or a dialogue.

A :class:`Result` holds

* ``frame``: a plain :class:`pandas.DataFrame` indexed by ``(source, start, end)`` with documented column
  groups (see :data:`COLUMN_GROUPS`);
* ``summary``: a JSON-serialisable dict (fused label, scores, VAD, confidence, rationale);
* ``failures``: one record per input item that could not be processed (a batch never stops at a bad item).

Units of ``start``/``end``: characters for text, seconds for time-based media.

Examples
--------
>>> import pandas as pd
>>> idx = pd.MultiIndex.from_tuples([("text", 0, 5)], names=INDEX_NAMES)
>>> r = Result(pd.DataFrame({"modality": ["text"], "label": ["joy"]}, index=idx), {"label": "joy"})
>>> r.serialize()["segments"][0]["label"]
'joy'
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from affectscope.errors import ConfigError, InputError

__all__ = ["COLUMN_GROUPS", "INDEX_NAMES", "OUTPUT_FORMATS", "Result"]

INDEX_NAMES = ("source", "start", "end")
OUTPUT_FORMATS = (".json", ".csv", ".parquet")
COLUMN_GROUPS = {
    "identity": "modality (text|speech|face|...), track (speaker / face id / channel; 'main' if one), text",
    "decision": "label (top class of the primary label space), labels (comma-joined multi-label decisions)",
    "probabilities": "'<space>:<label>' columns, e.g. 'ekman7:anger', 'goemotions28:gratitude'; in [0, 1]",
    "dimensions": "valence, arousal, dominance in [-1, 1]",
    "confidence": "confidence in [0, 1] (the top probability, calibrated per model card); uncertain (bool) after "
    "Result.mark_uncertain / --uncertain-below",
    "face": "box_x, box_y, box_w, box_h (pixels), yaw, pitch, roll (degrees), 'action:<name>' facial actions in [0, 1]",
    "evidence": "evidence: the cues behind the row's label, never empty: words for text ('furious (+0.72)'; "
    "--no-evidence skips the occlusion), facial actions of the label for faces ('smile 0.83, cheek_raiser 0.41'), "
    "prosody against the recording for speech, the turn alone vs in context for conversations, each modality's "
    "reading for fused rows; rationale: cues -> reasoning -> label for segments and fused rows",
    "fusion": "rows with modality 'fusion' (videos): modalities (present, e.g. 'face+speech'), incongruence "
    "(Jensen-Shannon, bits), incongruent (bool)",
    "open": "open_words: the closest words of the open emotion vocabulary (--labels open)",
    "conversation": "dialogue, turn, label_without_context, shift (bool), shift_from; track is the speaker",
    "speech": "pitch_hz, pitch_range_st, loudness_db, rate_sps and *_rel against the recording; text_* of the words",
    "language": "language (ISO 639-1 of text and speech rows; 'und' when it cannot be told), note (set when the "
    "language is not English: the models read English, scores may be unreliable)",
}


def _jsonable(v: Any) -> Any:
    if isinstance(v, dict):
        return {str(k): _jsonable(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_jsonable(x) for x in v]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


@dataclass
class Result:
    """Segments on a shared timeline plus a summary.

    Parameters
    ----------
    frame : pandas.DataFrame
        Indexed by ``(source, start, end)``; columns follow :data:`COLUMN_GROUPS`.
    summary : dict
        JSON-serialisable summary of the whole input.
    failures : list of dict, optional
        ``{"source", "error", "message"}`` for every item that failed.

    Examples
    --------
    >>> import affectscope
    >>> r = affectscope.analyze("What a lovely surprise!")
    >>> r.frame.index.names
    FrozenList(['source', 'start', 'end'])
    >>> sorted(r.serialize())
    ['failures', 'segments', 'summary']
    """

    frame: pd.DataFrame
    summary: dict[str, Any]
    failures: list[dict[str, str]] = field(default_factory=list)

    def __post_init__(self) -> None:
        if tuple(self.frame.index.names) != INDEX_NAMES:
            raise ConfigError(f"Result.frame must be indexed by {INDEX_NAMES}; got {list(self.frame.index.names)}.")

    def __len__(self) -> int:
        return len(self.frame)

    def __repr__(self) -> str:
        label = self.summary.get("label")
        return f"Result({len(self.frame)} segments, label={label!r}, failures={len(self.failures)})"

    def mark_uncertain(self, threshold: float) -> Result:
        """Flag rows, and the summary, whose confidence is below ``threshold`` (a new Result; this one is kept).

        Adds the column ``uncertain`` (bool; rows without a confidence are not flagged) and the summary keys
        ``uncertain`` (the summary's own confidence is below the threshold), ``uncertain_threshold`` and
        ``n_uncertain``. Confidences of the shipped models are calibrated (see each model card), so a threshold of
        0.6 flags rows that are right less than about 60 % of the time.

        Parameters
        ----------
        threshold : float
            In [0, 1].

        Returns
        -------
        Result

        Raises
        ------
        ConfigError
            The threshold is outside [0, 1].

        Examples
        --------
        >>> import affectscope
        >>> r = affectscope.analyze("I feel great. It is a table.").mark_uncertain(0.6)
        >>> r.summary["uncertain_threshold"], r.frame["uncertain"].dtype
        (0.6, dtype('bool'))
        """
        if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not 0 <= threshold <= 1:
            raise ConfigError(f"The uncertainty threshold must be a number in [0, 1]. Got {threshold!r} instead.")
        frame = self.frame.copy()
        if "confidence" in frame.columns:
            conf = pd.to_numeric(frame["confidence"], errors="coerce")
            frame["uncertain"] = (conf < threshold).fillna(False).astype(bool)
        else:
            frame["uncertain"] = False
        summary = dict(self.summary)
        conf = summary.get("confidence")
        summary["uncertain"] = bool(conf is not None and conf < threshold)
        summary["uncertain_threshold"] = float(threshold)
        summary["n_uncertain"] = int(frame["uncertain"].sum())
        return Result(frame, summary, failures=list(self.failures))

    def serialize(self) -> dict[str, Any]:
        """Return ``{"summary", "segments", "failures"}`` as plain JSON-serialisable Python objects.

        Returns
        -------
        dict

        Examples
        --------
        >>> import affectscope
        >>> seg = affectscope.analyze("I am furious.").serialize()["segments"][0]
        >>> seg["source"], seg["start"], seg["end"]
        ('text', 0, 13)
        """
        segments = self.frame.reset_index().replace({np.nan: None}).to_dict(orient="records")
        return {
            "summary": _jsonable(self.summary),
            "segments": _jsonable(segments),
            "failures": _jsonable(self.failures),
        }

    def to_json(self, *, indent: int | None = 2) -> str:
        """Return :meth:`serialize` as a JSON string.

        Examples
        --------
        >>> import affectscope
        >>> affectscope.analyze("Thanks a lot!").to_json(indent=None).startswith('{"summary"')
        True
        """
        return json.dumps(self.serialize(), indent=indent, ensure_ascii=False)

    def to_file(self, path: str | Path) -> Path:
        """Write the result to ``.json`` (everything), ``.csv`` or ``.parquet`` (the segment table).

        Parameters
        ----------
        path : str or pathlib.Path
            Output file; the format follows the suffix.

        Returns
        -------
        pathlib.Path
            The written path.

        Examples
        --------
        >>> import affectscope, tempfile, pathlib
        >>> out = pathlib.Path(tempfile.mkdtemp()) / "r.csv"
        >>> affectscope.analyze("So sad.").to_file(out).suffix
        '.csv'
        """
        p = Path(path)
        suffix = p.suffix.lower()
        if suffix not in OUTPUT_FORMATS:
            raise ConfigError(f"The output file must end in one of {list(OUTPUT_FORMATS)}. Got {p.name!r} instead.")
        if not p.parent.exists():
            raise InputError(f"Cannot write {p}: the folder {p.parent} does not exist.")
        if suffix == ".json":
            p.write_text(self.to_json(), encoding="utf-8")
        elif suffix == ".csv":
            self.frame.reset_index().to_csv(p, index=False)
        else:
            self.frame.reset_index().to_parquet(p, index=False)
        return p
