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

from affectscope.errors import AffectscopeError, InputError
from affectscope.media._files import existing_file
from affectscope.media.text import check_encoding

__all__ = ["ACCEPTED_DIALOGUE_INPUTS", "DIALOGUE_FORMATS", "MAX_JSON_BYTES", "MAX_TURN_CHARS", "DialogueReader", "Turn"]

DIALOGUE_FORMATS = ("csv", "tsv", "jsonl", "json", "txt")
ACCEPTED_DIALOGUE_INPUTS = (
    "a .csv/.tsv with speaker and text columns (optional start, end, dialogue_id), a .jsonl or .json with objects "
    "holding those keys, or a .txt transcript with one 'Speaker: text' per line"
)
_SPEAKER_LINE = re.compile(r"^\s*([^:\n]{1,60}?)\s*:\s+(.*)$")
#: The longest turn accepted, in characters (a page of text is ~3,000); longer is a wrong column or an unclosed
#: quote. Below the csv module's field limit (131,072), so a CSV field is refused before it grows past it.
MAX_TURN_CHARS = 100_000
#: The largest ``.json`` dialogue read (whole) into memory; ``.jsonl`` is streamed and has no such limit.
MAX_JSON_BYTES = 32 * 10**6
_MAX_LINE_CHARS = MAX_TURN_CHARS + 4096  # a record's line: one turn plus the other columns
_MAX_COLUMNS = 1000
_MAX_SPEAKER_CHARS = 1000
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
        Text encoding (a Python text codec; UTF-8 by default, a byte-order mark is accepted).

    Attributes
    ----------
    skipped : int
        Empty turns skipped so far.

    Raises
    ------
    InputError
        While iterating: malformed files (the message names the file and the line): a turn without a speaker, an
        unclosed quote, a turn longer than :data:`MAX_TURN_CHARS`, a ``.json`` file over :data:`MAX_JSON_BYTES`
        or nested too deeply, undecodable bytes.
    ConfigError
        ``encoding`` is not a Python text codec, or ``fmt`` is unknown.
    """

    def __init__(self, file: str | os.PathLike[str], *, fmt: str | None = None, encoding: str = "utf-8") -> None:
        self.path = existing_file(file, accepted=ACCEPTED_DIALOGUE_INPUTS)
        self.fmt = (fmt or self.path.suffix.lower().lstrip(".")).lower()
        if self.fmt not in DIALOGUE_FORMATS:
            raise InputError(
                f"{self.path}: unsupported dialogue format {self.fmt!r}. Expected {ACCEPTED_DIALOGUE_INPUTS}."
            )
        self.encoding = encoding
        self.codec_ = check_encoding(encoding, func="DialogueReader")
        self.skipped = 0

    def __iter__(self) -> Iterator[Turn]:
        self.skipped = 0
        counters: dict[str, int] = {}
        try:
            for line, rec in self._records():
                turn = self._turn(line, rec, counters)
                if turn is not None:
                    yield turn
        except (UnicodeError, ValueError, TypeError) as exc:
            if isinstance(exc, AffectscopeError):
                raise
            where = f" at byte {exc.start}" if isinstance(exc, UnicodeDecodeError) else ""
            reason = exc.reason if isinstance(exc, UnicodeDecodeError) else str(exc)[:120]
            raise InputError(
                f"{self.path} is not valid {self.encoding} text ({reason}{where}); pass its encoding "
                "(encoding='latin-1'; CLI: --encoding latin-1)."
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

    def _open(self) -> Any:
        return open(self.path, encoding=self.codec_, errors="strict", newline="")

    def _lines(self, fh: Any) -> Iterator[str]:
        """Physical lines of the file, each at most :data:`_MAX_LINE_CHARS` (memory stays bounded)."""
        n = 0
        while True:
            line = fh.readline(_MAX_LINE_CHARS + 1)
            if not line:
                return
            n += 1
            if len(line) > _MAX_LINE_CHARS:
                raise InputError(
                    f"{self.path}, line {n}: a turn longer than {MAX_TURN_CHARS:,} characters (the line holds more "
                    f"than {_MAX_LINE_CHARS:,}). Expected turns of at most {MAX_TURN_CHARS:,} characters."
                )
            if "\x00" in line:
                raise InputError(
                    f"{self.path}, line {n}: NUL characters; it looks like a binary file or UTF-16 text. Pass its "
                    "encoding (encoding='utf-16'; CLI: --encoding utf-16) if that is what it is."
                )
            yield line

    def _csv(self) -> Iterator[tuple[int, dict[str, Any]]]:
        with self._open() as fh:
            reader = csv.reader(self._lines(fh), delimiter="\t" if self.fmt == "tsv" else ",", strict=True)
            header = self._csv_row(reader)
            while header is not None and not header[1]:  # blank lines before the header
                header = self._csv_row(reader)
            names = header[1] if header else []
            if len(names) > _MAX_COLUMNS:
                raise InputError(
                    f"{self.path}: the header has {len(names):,} columns; expected a few (speaker, text, start, "
                    f"end, dialogue_id; at most {_MAX_COLUMNS})."
                )
            fields = [_key(f) for f in names]
            missing = [c for c in ("speaker", "text") if c not in fields]
            if missing:
                found = [f[:40] for f in names[:12]]
                raise InputError(
                    f"{self.path}: the header has no {' or '.join(missing)} column (found {found}). "
                    f"Expected {ACCEPTED_DIALOGUE_INPUTS}."
                )
            wanted = {k: i for i, k in enumerate(fields)}  # the last column of a name wins, as in csv.DictReader
            while (row := self._csv_row(reader)) is not None:
                line, values = row
                if not values:  # a blank line
                    continue
                yield line, {k: (values[i] if i < len(values) else None) for k, i in wanted.items()}

    def _csv_row(self, reader: Any) -> tuple[int, list[str]] | None:
        """Return the next record and the line it starts on; a clear error for bad quoting or huge fields."""
        first = reader.line_num + 1
        try:
            values = next(reader)
        except StopIteration:
            return None
        except csv.Error as exc:
            msg = str(exc)
            if "field larger than field limit" in msg:
                raise InputError(
                    f"{self.path} line {first}: a turn longer than {MAX_TURN_CHARS:,} characters (or an unclosed "
                    f"quote that runs on). Expected turns of at most {MAX_TURN_CHARS:,} characters."
                ) from None
            if "unexpected end of data" in msg:
                raise InputError(
                    f"{self.path} line {first}: unclosed quote: the quoted field that starts on this line runs to "
                    f"the end of the file (line {reader.line_num}), swallowing the turns after it. Close the quote, "
                    'or write a quote inside a quoted field as "".'
                ) from None
            raise InputError(
                f"{self.path} line {reader.line_num}: malformed CSV ({msg}). A quoted field must end with a quote "
                'followed by the delimiter or the end of the line; write a quote inside it as "".'
            ) from None
        return first, values

    def _jsonl(self) -> Iterator[tuple[int, dict[str, Any]]]:
        with self._open() as fh:
            for n, raw in enumerate(self._lines(fh), 1):
                if not raw.strip():
                    continue
                yield n, _object(_loads(raw, f"{self.path}, line {n}"), self.path, n)

    def _json(self) -> Iterator[tuple[int, dict[str, Any]]]:
        size = self.path.stat().st_size
        if size > MAX_JSON_BYTES:
            raise InputError(
                f"{self.path}: a .json dialogue of {size / 1e6:.0f} MB is read whole; at most "
                f"{MAX_JSON_BYTES // 10**6} MB is accepted. Write it as .jsonl (one turn per line), which is streamed."
            )
        with self._open() as fh:
            text = fh.read(MAX_JSON_BYTES + 1)
        if "\x00" in text:
            raise InputError(f"{self.path}: NUL characters; it looks like a binary file or UTF-16 text.")
        data = _loads(text, str(self.path))
        if isinstance(data, dict) and isinstance(data.get("turns"), list):
            data = data["turns"]
        if not isinstance(data, list):
            raise InputError(f"{self.path}: expected a list of turns or {{'turns': [...]}}.")
        for n, rec in enumerate(data, 1):
            yield n, _object(rec, self.path, n)

    def _txt(self) -> Iterator[tuple[int, dict[str, Any]]]:
        current: tuple[int, dict[str, Any]] | None = None
        with self._open() as fh:
            for n, raw in enumerate(self._lines(fh), 1):
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
                    if len(current[1]["text"]) + len(text) > MAX_TURN_CHARS:
                        raise InputError(
                            f"{self.path}, line {current[0]}: a turn longer than {MAX_TURN_CHARS:,} characters. "
                            "Expected one 'Speaker: text' per line."
                        )
                    current[1]["text"] = f"{current[1]['text']} {text}"
        if current is not None:
            yield current

    # --- validation -------------------------------------------------------------------------------------------
    def _turn(self, line: int, rec: dict[str, Any], counters: dict[str, int]) -> Turn | None:
        speaker = _scalar(rec.get("speaker"), "speaker", self.path, line).strip()
        text = _scalar(rec.get("text"), "text", self.path, line).strip()
        if not speaker:
            raise InputError(f"{self.path}, line {line}: the turn has no speaker. Every turn needs one.")
        if len(speaker) > _MAX_SPEAKER_CHARS:
            raise InputError(
                f"{self.path}, line {line}: a speaker name of {len(speaker):,} characters; expected a name of at "
                f"most {_MAX_SPEAKER_CHARS} (is the speaker column the right one?)."
            )
        if len(text) > MAX_TURN_CHARS:
            raise InputError(
                f"{self.path}, line {line}: a turn longer than {MAX_TURN_CHARS:,} characters ({len(text):,}). "
                f"Expected turns of at most {MAX_TURN_CHARS:,} characters."
            )
        if not text:
            self.skipped += 1
            return None
        dialogue = _scalar(rec.get("dialogue_id"), "dialogue_id", self.path, line).strip() or "dialogue"
        if len(dialogue) > _MAX_SPEAKER_CHARS:
            raise InputError(
                f"{self.path}, line {line}: a dialogue id of {len(dialogue):,} characters; expected at most "
                f"{_MAX_SPEAKER_CHARS}."
            )
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


def _loads(text: str, where: str) -> Any:
    """``json.loads`` with one-line errors for malformed and deeply nested JSON."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{where}: not valid JSON ({exc.msg}, line {exc.lineno}).") from None
    except RecursionError:
        raise InputError(f"{where}: the JSON is nested too deeply. Expected a list of turn objects.") from None


def _scalar(value: Any, key: str, path: Path, line: int) -> str:
    """Return a field as text: strings and numbers are accepted (a speaker may be 7), lists and objects not."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InputError(f"{path}, line {line}: {key} must be a string or a number; got {type(value).__name__}.")
    if isinstance(value, float) and not math.isfinite(value):
        raise InputError(f"{path}, line {line}: {key} must be a string or a finite number; got {value!r}.")
    return str(value)


def _time(value: Any, path: Path, line: int) -> float:
    if value is None or (isinstance(value, str) and not value.strip()):
        return math.nan
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise InputError(f"{path}, line {line}: start/end must be seconds; got {type(value).__name__}.")
    try:
        t = float(value)
    except (TypeError, ValueError, OverflowError):
        raise InputError(f"{path}, line {line}: start/end must be seconds; got {value!r}.") from None
    if not math.isfinite(t) or t < 0:
        raise InputError(f"{path}, line {line}: start/end must be finite and >= 0; got {value!r}.")
    return t
