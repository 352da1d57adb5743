"""Text input normalisation and sentence segmentation, streamed.

One entry point, :func:`iter_segments`, accepts every supported form of text input and yields
:class:`TextSegment` objects (sentence text with character offsets into the decoded document). Files and file
objects are decoded incrementally, so a document of any size is never held in memory nor handed to a model as
one input.

Accepted inputs
---------------
* ``str``: the text itself (``"I am so happy."``);
* ``pathlib.Path`` / ``os.PathLike``: a text file;
* ``bytes`` / ``bytearray``: encoded text;
* a file object opened in text or binary mode;
* ``dict`` with a ``"text"`` or a ``"path"`` key, and optionally ``"source"``.

Examples
--------
>>> [(s.start, s.end, s.text) for s in iter_segments("I won! Then I lost.")]
[(0, 6, 'I won!'), (7, 19, 'Then I lost.')]
"""

from __future__ import annotations

import codecs
import io
import os
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from affectscope.errors import ConfigError, InputError
from affectscope.media._files import existing_file

__all__ = [
    "ACCEPTED_TEXT_INPUTS",
    "SEGMENT_MODES",
    "TextSegment",
    "check_encoding",
    "fold_punctuation",
    "iter_segments",
    "split_sentences",
    "validate_options",
]

ACCEPTED_TEXT_INPUTS = (
    "a str holding the text, a pathlib.Path or os.PathLike to a UTF-8 text file, bytes, a file object "
    "(text or binary mode), or a dict with a 'text' or 'path' key"
)
SEGMENT_MODES = ("sentence", "line")
# Typographic quotes and dashes (and their cp1252 bytes read as Latin-1, common in subtitle and transcript
# files) folded to the ASCII forms the text models were trained on.
_FOLD = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"', "\x92": "'", "\x91": "'"})
_CHUNK_CHARS = 1 << 16
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "vs",
        "etc",
        "e.g",
        "i.e",
        "eg",
        "ie",
        "no",
        "fig",
        "approx",
        "dept",
        "est",
        "inc",
        "ltd",
        "co",
        "corp",
        "mt",
        "ave",
        "rd",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "u.s",
        "u.k",
        "a.m",
        "p.m",
    ]
)
# A sentence ends at terminal punctuation (plus closing quotes/brackets) followed by white space, or at a
# line break. The look-ahead needs the white space to be present, so a '.' at the end of a chunk never splits.
# Possessive quantifiers and the look-behind keep the scan linear on long runs of punctuation ("!!!!..." with no
# space after): a run is tried once, from its first character. A run of line breaks (and the white space between
# them) is one match: the blank pieces between them would be dropped anyway.
_SENTENCE_END = re.compile(r"(?<![.!?…])[.!?…]++[\"'”’)\]]*+(?=\s)|\n\s*")
_LINE_END = re.compile(r"\n\s*")
_WORD_BEFORE = re.compile(r"(\S+)$")
# How far back from a '.' the abbreviation check looks (the longest abbreviation is 6 characters): searching the
# whole buffer made a text of many "e. " quadratic.
_ABBREVIATION_LOOKBACK = 32
# Codecs that are "text encodings" to Python but never the encoding of a file's content (Python literals, domain
# names, a codec that always fails).
_NOT_FILE_ENCODINGS = frozenset(["undefined", "idna", "punycode", "unicode-escape", "raw-unicode-escape"])


@dataclass(frozen=True)
class TextSegment:
    """One segment of a document.

    Attributes
    ----------
    source : str
        Name of the document (file path, or ``"text"`` for a literal string).
    start, end : int
        Character offsets of the segment in the decoded document (``end`` exclusive).
    text : str
        The segment's text (``document[start:end]``).
    """

    source: str
    start: int
    end: int
    text: str


def fold_punctuation(text: str) -> str:
    """Fold typographic quotes, em dashes and ellipses to ASCII and strip surrounding white space.

    Parameters
    ----------
    text : str
        Any text.

    Returns
    -------
    str

    Examples
    --------
    >>> fold_punctuation("  You must\u2019ve had your hands full\u2014really.  ")
    "You must've had your hands full - really."
    """
    return text.translate(_FOLD).replace("\u2014", " - ").replace("\x85", "...").strip()


def _is_abbreviation(buf: str, dot_pos: int) -> bool:
    m = _WORD_BEFORE.search(buf, max(0, dot_pos - _ABBREVIATION_LOOKBACK), dot_pos)
    if not m:
        return False
    word = m.group(1).lower().lstrip("(\"'“‘")
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _has_content(piece: str) -> bool:
    # Letters and digits, or symbols past U+2000 (emoji, CJK punctuation); not the zero-width and format
    # characters (U+200B, U+FEFF, U+2060: category C*) nor separators (Z*).
    return any(ch.isalnum() or (ord(ch) > 0x2000 and unicodedata.category(ch)[0] not in "CZ") for ch in piece)


def _window(start: int, end: int, buf: str, max_chars: int) -> Iterator[tuple[int, int]]:
    """Cut ``buf[start:end]`` into pieces of at most ``max_chars``, at white space where possible."""
    while end - start > max_chars:
        cut = buf.rfind(" ", start + 1, start + max_chars)
        if cut <= start:
            cut = start + max_chars
        yield start, cut
        start = cut
    yield start, end


def _split(buf: str, *, mode: str, final: bool, max_chars: int) -> tuple[list[tuple[int, int]], int]:
    """Return complete pieces of ``buf`` and how many characters they consumed."""
    pattern = _SENTENCE_END if mode == "sentence" else _LINE_END
    pieces: list[tuple[int, int]] = []
    begin = 0
    for m in pattern.finditer(buf):
        if m.group() != "\n" and m.group()[0] == "." and len(m.group()) == 1 and _is_abbreviation(buf, m.start()):
            continue
        # A piece ends after its punctuation, or after the first line break of a run.
        end = m.start() + 1 if m.group()[0] == "\n" else m.end()
        pieces.extend(_window(begin, end, buf, max_chars))
        begin = m.end()
    tail = len(buf) - begin
    if final and tail:
        pieces.extend(_window(begin, len(buf), buf, max_chars))
        begin = len(buf)
    elif tail > max_chars:
        # No boundary for a long stretch: emit full windows, keep the rest for the next chunk.
        windows = list(_window(begin, len(buf), buf, max_chars))
        pieces.extend(windows[:-1])
        begin = windows[-1][0]
    return pieces, begin


def split_sentences(text: str, *, mode: str = "sentence", max_chars: int = 512) -> list[tuple[int, int, str]]:
    r"""Split a string into ``(start, end, text)`` sentences (or lines), dropping empty pieces.

    Parameters
    ----------
    text : str
        The text.
    mode : {"sentence", "line"}
        ``"sentence"`` splits at terminal punctuation and at line breaks; ``"line"`` only at line breaks.
    max_chars : int
        Longer pieces are cut at white space into pieces of at most this many characters.

    Returns
    -------
    list of tuple of (int, int, str)

    Examples
    --------
    >>> split_sentences("Dr. Who is here. Great!\nok")
    [(0, 16, 'Dr. Who is here.'), (17, 23, 'Great!'), (24, 26, 'ok')]
    """
    return [(s.start, s.end, s.text) for s in iter_segments(text, segment=mode, max_chars=max_chars)]


def check_encoding(encoding: Any, *, func: str = "analyze") -> str:
    """Return the codec to decode files with for ``encoding``, or raise :class:`ConfigError`.

    ``encoding`` must name a Python *text* codec (``utf-8``, ``latin-1``, ``cp1252``, ``utf-16``, ...); the
    bytes-to-bytes codecs (``base64``, ``zlib``, ``rot13``, ...) are refused. UTF-8 is read as ``utf-8-sig``, so
    a byte-order mark is accepted.

    Parameters
    ----------
    encoding : str
        The encoding the caller asked for.
    func : str
        The function or command, for the message.

    Returns
    -------
    str
        The codec name to decode with.

    Raises
    ------
    ConfigError
        Not a string, not a codec, or not a text encoding.

    Examples
    --------
    >>> check_encoding("UTF8"), check_encoding("latin-1")
    ('utf-8-sig', 'iso8859-1')
    >>> check_encoding("rot13")
    Traceback (most recent call last):
    ...
    affectscope.errors.ConfigError: The 'encoding' parameter of analyze must be the name of a Python text codec ...
    """
    shown = repr(encoding)[:60]
    message = (
        f"The 'encoding' parameter of {func} must be the name of a Python text codec (e.g. 'utf-8', 'latin-1', "
        f"'cp1252', 'utf-16'). Got {shown} instead."
    )
    if not isinstance(encoding, str) or not encoding or len(encoding) > 60:
        raise ConfigError(message)
    try:
        info = codecs.lookup(encoding)
    except (LookupError, TypeError, ValueError):
        raise ConfigError(message) from None
    if not getattr(info, "_is_text_encoding", True) or info.name in _NOT_FILE_ENCODINGS:
        raise ConfigError(message)
    return "utf-8-sig" if info.name == "utf-8" else info.name


def _checked_text(text: str, name: str, offset: int) -> str:
    """Refuse decoded text that no model can read: NUL characters and lone surrogates."""
    if "\x00" in text:
        raise InputError(
            f"{name} contains NUL characters (at character {offset + text.index(chr(0))}): it looks like a binary "
            "file or UTF-16 text. Pass its encoding (encoding='utf-16'; CLI: --encoding utf-16) if that is what it is."
        )
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"{name} holds a lone surrogate code point (U+{ord(text[exc.start]):04X}) at character "
            f"{offset + exc.start}: it is not valid Unicode text."
        ) from None
    return text


def _char_stream(obj: Any, *, encoding: str, name: str) -> Iterator[str]:
    """Yield decoded chunks of text from a binary or text stream, with clear decoding errors."""
    decoder = codecs.getincrementaldecoder(check_encoding(encoding))(errors="strict")
    offset, chars = 0, 0
    while True:
        block = obj.read(_CHUNK_CHARS)
        if isinstance(block, str):
            if not block:
                return
            yield _checked_text(block, name, chars)
            chars += len(block)
            continue
        if not isinstance(block, bytes | bytearray | memoryview):
            raise InputError(f"{name}: the file object's read() returned {type(block).__name__}, not bytes or str.")
        final = not block
        try:
            text = decoder.decode(bytes(block), final=final)
        except (UnicodeError, ValueError, TypeError) as exc:  # UTF-16 without a BOM raises a bare UnicodeError
            raise _decode_error(name, encoding, exc, offset) from None
        offset += len(block)
        if text:
            yield _checked_text(text, name, chars)
            chars += len(text)
        if final:
            return


def _decode_error(name: str, encoding: str, exc: Exception, offset: int) -> InputError:
    if isinstance(exc, UnicodeDecodeError):
        bad = exc.object[exc.start : exc.start + 4]
        what = f"byte(s) {bad!r} at byte offset {offset + exc.start} cannot be decoded"
    else:
        what = f"it cannot be decoded ({str(exc)[:120]})"
    hint = " (UTF-16 without a byte-order mark: pass utf-16-le or utf-16-be)" if "utf" in encoding.lower() else ""
    return InputError(
        f"{name} is not valid {encoding} text: {what}{hint}. Save the file as UTF-8 (e.g. `iconv -f latin1 -t "
        f"utf-8`), or pass its encoding (encoding='latin-1'; CLI: --encoding latin-1)."
    )


def _open_source(obj: Any, *, encoding: str, source: str | None) -> tuple[str, Iterator[str]]:
    if isinstance(obj, dict):
        if "text" in obj:
            return _open_source(obj["text"], encoding=encoding, source=obj.get("source", source))
        if "path" in obj:
            return _open_source(Path(obj["path"]), encoding=encoding, source=obj.get("source", source))
        raise InputError(f"A dict input needs a 'text' or a 'path' key; got keys {sorted(obj)}.")
    if isinstance(obj, str):
        name = source or "text"
        return name, (_checked_text(obj[i : i + _CHUNK_CHARS], name, i) for i in range(0, len(obj), _CHUNK_CHARS))
    if isinstance(obj, bytes | bytearray | memoryview):
        name = source or "bytes"
        return name, _char_stream(io.BytesIO(bytes(obj)), encoding=encoding, name=name)
    if isinstance(obj, os.PathLike):
        path = existing_file(obj, accepted=ACCEPTED_TEXT_INPUTS)
        name = source or str(path)

        def gen() -> Iterator[str]:
            with path.open("rb") as fh:
                yield from _char_stream(fh, encoding=encoding, name=name)

        return name, gen()
    if hasattr(obj, "read"):
        name = source or str(getattr(obj, "name", "stream"))
        return name, _char_stream(obj, encoding=encoding, name=name)
    raise InputError(f"Unsupported text input of type {type(obj).__name__}. Expected {ACCEPTED_TEXT_INPUTS}.")


def validate_options(*, segment: str, max_chars: int, encoding: str) -> None:
    """Check the segmentation options, raising :class:`ConfigError` with the accepted values.

    Parameters
    ----------
    segment : str
        ``"sentence"`` or ``"line"``.
    max_chars : int
        At least 16.
    encoding : str
        A Python codec name.

    Examples
    --------
    >>> validate_options(segment="line", max_chars=100, encoding="latin-1")
    """
    if segment not in SEGMENT_MODES:
        raise ConfigError(f"The 'segment' parameter must be one of {list(SEGMENT_MODES)}. Got {segment!r} instead.")
    if not isinstance(max_chars, int) or isinstance(max_chars, bool) or max_chars < 16:
        raise ConfigError(f"The 'max_chars' parameter must be an int >= 16. Got {max_chars!r} instead.")
    check_encoding(encoding)


def iter_segments(
    obj: Any,
    *,
    source: str | None = None,
    segment: str = "sentence",
    encoding: str = "utf-8",
    max_chars: int = 512,
) -> Iterator[TextSegment]:
    r"""Yield the non-empty segments of a text input, decoding and splitting it incrementally.

    Parameters
    ----------
    obj : str, path-like, bytes, file object or dict
        The input; see the module docstring for the accepted forms. A ``str`` is the text itself, never a path
        (wrap paths in :class:`pathlib.Path`).
    source : str, optional
        Name used in results (defaults to the file path, or ``"text"``).
    segment : {"sentence", "line"}
        How to split.
    encoding : str
        Encoding of bytes and files (UTF-8 by default; a UTF-8 byte-order mark is accepted).
    max_chars : int
        Maximum characters per segment; longer sentences are cut at white space (a single word longer than
        this is cut inside the word; only then can streamed and unstreamed splitting differ at a following
        abbreviation).

    Yields
    ------
    TextSegment

    Raises
    ------
    InputError
        Unsupported input type, missing file, undecodable bytes, or text with no content at all.
    ConfigError
        Invalid ``segment``, ``encoding`` or ``max_chars``.

    Examples
    --------
    >>> seg = next(iter_segments(b"caf\xc3\xa9 time!", source="note"))
    >>> seg.source, seg.text
    ('note', 'café time!')
    """
    validate_options(segment=segment, max_chars=max_chars, encoding=encoding)
    name, chunks = _open_source(obj, encoding=encoding, source=source)
    buf, buf_offset, emitted = "", 0, 0
    sentinel = object()
    it = iter(chunks)
    chunk: Any = next(it, sentinel)
    while chunk is not sentinel:
        buf += chunk
        chunk = next(it, sentinel)
        pieces, consumed = _split(buf, mode=segment, final=chunk is sentinel, max_chars=max_chars)
        for a, b in pieces:
            piece = buf[a:b]
            stripped = piece.strip()
            if stripped and _has_content(stripped):
                lead = len(piece) - len(piece.lstrip())
                start = buf_offset + a + lead
                emitted += 1
                yield TextSegment(name, start, start + len(stripped), stripped)
        buf, buf_offset = buf[consumed:], buf_offset + consumed
    if not emitted:
        raise InputError(
            f"{name} holds no text to analyse (it is empty or only white space/punctuation). "
            f"Expected {ACCEPTED_TEXT_INPUTS}, with at least one word."
        )
