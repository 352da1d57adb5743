"""Dialogue input (groundwork for conversations): turns of who said what, read as a stream and validated.

:class:`DialogueReader` reads a conversation file turn by turn, so a 10,000-turn chat log never sits in memory
whole, and yields :class:`Turn` objects. Accepted formats (by suffix, or ``fmt=``):

* ``.csv`` / ``.tsv`` with a header: ``speaker``, ``text`` (required), ``start``, ``end``, ``dialogue_id``
  (optional; column names are matched case-insensitively, ``utterance`` is accepted for ``text``);
* ``.jsonl``: one JSON object per line with the same keys;
* ``.json``: a list of such objects, or ``{"turns": [...]}``;
* ``.txt``: a plain transcript, one ``Speaker: text`` per line (lines without a speaker continue the previous
  turn; blank lines are ignored).

A turn without a speaker is an :class:`~affectscope.errors.InputError` naming the line; an empty turn is
skipped and counted in :attr:`DialogueReader.skipped`.

Examples
--------
>>> import tempfile, pathlib
>>> f = pathlib.Path(tempfile.mkdtemp()) / "chat.txt"
>>> _ = f.write_text("Ann: I got the job!" + chr(10) + "Bob: That's wonderful." + chr(10), encoding="utf-8")
>>> [(t.speaker, t.text) for t in DialogueReader(f)]
[('Ann', 'I got the job!'), ('Bob', "That's wonderful.")]
"""

from __future__ import annotations

import csv
import json
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from affectscope.errors import ConfigError, InputError
from affectscope.media._files import existing_file

__all__ = ["ACCEPTED_DIALOGUE_INPUTS", "DIALOGUE_FORMATS", "DialogueReader", "Turn"]

DIALOGUE_FORMATS = ("csv", "tsv", "jsonl", "json", "txt")
ACCEPTED_DIALOGUE_INPUTS = (
    "a .csv/.tsv with speaker and text columns (optional start, end, dialogue_id), a .jsonl or .json with objects "
    "holding those keys, or a .txt transcript with one 'Speaker: text' per line"
)
_SPEAKER_LINE = re.compile(r"^\s*([^:\n]{1,60}?)\s*:\s+(.*)$")
_ALIASES = {"utterance": "text", "speaker_id": "speaker", "dialogue": "dialogue_id", "conversation_id": "dialogue_id"}


@dataclass(frozen=True)
class Turn:
    """One turn of a conversation.

    Attributes
    ----------
    dialogue_id : str
        Conversation id (``"dialogue"`` when the file has none).
    index : int
        Position of the turn in its dialogue (0-based, after empty turns are skipped).
    speaker : str
        Who spoke.
    text : str
        What was said.
    start, end : float
        Times in seconds when the file gives them, else NaN.
    line : int
        Line (or record) of the file the turn starts on, for messages.
    """

    dialogue_id: str
    index: int
    speaker: str
    text: str
    start: float = math.nan
    end: float = math.nan
    line: int = 0


class DialogueReader:
    """Iterate over the turns of a dialogue file, validating as it goes.

    Parameters
    ----------
    file : path-like
        The conversation file.
    fmt : {"csv", "tsv", "jsonl", "json", "txt"}, optional
        Format; from the suffix when omitted.
    encoding : str
        Text encoding.

    Attributes
    ----------
    skipped : int
        Empty turns skipped so far.
    """

    def __init__(self, file: str | os.PathLike[str], *, fmt: str | None = None, encoding: str = "utf-8") -> None:
        self.path = existing_file(file, accepted=ACCEPTED_DIALOGUE_INPUTS)
        self.fmt = (fmt or self.path.suffix.lower().lstrip(".")).lower()
        if self.fmt not in DIALOGUE_FORMATS:
            raise InputError(
                f"{self.path}: unsupported dialogue format {self.fmt!r}. Expected {ACCEPTED_DIALOGUE_INPUTS}."
            )
        self.encoding = encoding
        self.skipped = 0
        try:
            "".encode(encoding)
        except LookupError:
            raise ConfigError(f"Unknown encoding {encoding!r}.") from None

    def __iter__(self) -> Iterator[Turn]:
        self.skipped = 0
        counters: dict[str, int] = {}
        try:
            for line, rec in self._records():
                turn = self._turn(line, rec, counters)
                if turn is not None:
                    yield turn
        except UnicodeDecodeError as exc:
            raise InputError(
                f"{self.path} is not valid {self.encoding} ({exc.reason} at byte {exc.start}); pass encoding=."
            ) from None

    # --- records: (line, dict) per turn ------------------------------------------------------------------------
    def _records(self) -> Iterator[tuple[int, dict[str, Any]]]:
        if self.fmt in ("csv", "tsv"):
            yield from self._csv()
        elif self.fmt == "jsonl":
            yield from self._jsonl()
        elif self.fmt == "json":
            yield from self._json()
        else:
            yield from self._txt()

    def _csv(self) -> Iterator[tuple[int, dict[str, Any]]]:
        with open(self.path, encoding=self.encoding, newline="") as fh:
            reader = csv.DictReader(fh, delimiter="\t" if self.fmt == "tsv" else ",")
            fields = [_key(f) for f in reader.fieldnames or []]
            missing = [c for c in ("speaker", "text") if c not in fields]
            if missing:
                raise InputError(
                    f"{self.path}: the header has no {' or '.join(missing)} column (found {reader.fieldnames}). "
                    f"Expected {ACCEPTED_DIALOGUE_INPUTS}."
                )
            for row in reader:
                yield reader.line_num, {_key(k): v for k, v in row.items() if k is not None}

    def _jsonl(self) -> Iterator[tuple[int, dict[str, Any]]]:
        with open(self.path, encoding=self.encoding) as fh:
            for n, raw in enumerate(fh, 1):
                if not raw.strip():
                    continue
                try:
                    rec = json.loads(raw)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{self.path}, line {n}: not valid JSON ({exc.msg}).") from None
                yield n, _object(rec, self.path, n)

    def _json(self) -> Iterator[tuple[int, dict[str, Any]]]:
        try:
            data = json.loads(self.path.read_text(encoding=self.encoding))
        except json.JSONDecodeError as exc:
            raise InputError(f"{self.path}: not valid JSON ({exc.msg}, line {exc.lineno}).") from None
        if isinstance(data, dict) and isinstance(data.get("turns"), list):
            data = data["turns"]
        if not isinstance(data, list):
            raise InputError(f"{self.path}: expected a list of turns or {{'turns': [...]}}.")
        for n, rec in enumerate(data, 1):
            yield n, _object(rec, self.path, n)

    def _txt(self) -> Iterator[tuple[int, dict[str, Any]]]:
        current: tuple[int, dict[str, Any]] | None = None
        with open(self.path, encoding=self.encoding) as fh:
            for n, raw in enumerate(fh, 1):
                text = raw.strip()
                if not text:
                    continue
                m = _SPEAKER_LINE.match(text)
                if m:
                    if current is not None:
                        yield current
                    current = (n, {"speaker": m.group(1), "text": m.group(2)})
                elif current is None:
                    raise InputError(
                        f"{self.path}, line {n}: expected 'Speaker: text' (the first line names no speaker)."
                    )
                else:  # a wrapped line continues the turn
                    current[1]["text"] = f"{current[1]['text']} {text}"
        if current is not None:
            yield current

    # --- validation -------------------------------------------------------------------------------------------
    def _turn(self, line: int, rec: dict[str, Any], counters: dict[str, int]) -> Turn | None:
        speaker = str(rec.get("speaker") or "").strip()
        text = str(rec.get("text") or "").strip()
        if not speaker:
            raise InputError(f"{self.path}, line {line}: the turn has no speaker. Every turn needs one.")
        if not text:
            self.skipped += 1
            return None
        dialogue = str(rec.get("dialogue_id") or "dialogue").strip()
        start, end = _time(rec.get("start"), self.path, line), _time(rec.get("end"), self.path, line)
        if end < start:
            raise InputError(f"{self.path}, line {line}: end ({end}) is before start ({start}).")
        index = counters.get(dialogue, 0)
        counters[dialogue] = index + 1
        return Turn(dialogue, index, speaker, text, start, end, line)


def _key(name: str) -> str:
    k = name.strip().lower()
    return _ALIASES.get(k, k)


def _object(rec: Any, path: Path, n: int) -> dict[str, Any]:
    if not isinstance(rec, dict):
        raise InputError(f"{path}, record {n}: expected an object with speaker and text; got {type(rec).__name__}.")
    return {_key(str(k)): v for k, v in rec.items()}


def _time(value: Any, path: Path, line: int) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        return math.nan
    try:
        t = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{path}, line {line}: start/end must be seconds; got {value!r}.") from None
    if not math.isfinite(t) or t < 0:
        raise InputError(f"{path}, line {line}: start/end must be finite and >= 0; got {value!r}.")
    return t
