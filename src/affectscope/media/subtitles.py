r"""Subtitle reading (SRT and WebVTT): timed cues of plain text, for analysing what is said in a video.

:func:`read_subtitles` reads a ``.srt`` or ``.vtt`` file (or its bytes) into a list of :class:`Cue` objects,
sorted by start time, with times in seconds and the text stripped of markup: ``<i>``, ``<b>``, ``<c.xxx>``,
``<font ...>``, ``<v Speaker>`` voice tags (the speaker's name is kept in :attr:`Cue.speaker`), inline
timestamps and ``{\an8}``-style ASS overrides are removed, HTML entities (``&amp;``, ``&lt;``, ``&gt;``,
``&nbsp;``, ...) are unescaped, and the lines of a cue are joined with single spaces. The format is detected
from the content: a first line ``WEBVTT`` means WebVTT, anything else is read as SRT. :func:`find_sidecar`
finds the subtitle file that sits next to a video (``video.srt``, ``video.en.vtt``, ...).

Accepted inputs
---------------
* ``str`` path / ``pathlib.Path`` / ``os.PathLike`` to a ``.srt`` or ``.vtt`` file;
* ``bytes`` holding the content of one.

Examples
--------
>>> srt = b"1\n00:00:01,000 --> 00:00:02,500\n<i>Hello</i> &amp;\nwelcome!\n"
>>> read_subtitles(srt)
[Cue(start=1.0, end=2.5, text='Hello & welcome!', speaker=None)]
>>> vtt = b"WEBVTT\n\n00:03.000 --> 00:04.250 align:start\n<v Mary>Hi there.\n"
>>> read_subtitles(vtt)
[Cue(start=3.0, end=4.25, text='Hi there.', speaker='Mary')]
"""

from __future__ import annotations

import codecs
import html
import os
import re
from dataclasses import dataclass
from pathlib import Path

from affectscope.errors import InputError
from affectscope.media._files import existing_file
from affectscope.media.text import check_encoding

__all__ = [
    "ACCEPTED_SUBTITLE_INPUTS",
    "MAX_SUBTITLE_BYTES",
    "SUBTITLE_SUFFIXES",
    "Cue",
    "find_sidecar",
    "read_subtitles",
]

#: File suffixes of the supported subtitle formats (SubRip and WebVTT), in order of preference.
SUBTITLE_SUFFIXES = (".srt", ".vtt")
#: The largest subtitle file read (a feature film's subtitles are ~100 KB; the file is read whole).
MAX_SUBTITLE_BYTES = 16 * 10**6
ACCEPTED_SUBTITLE_INPUTS = "a path to a .srt or .vtt subtitle file, or bytes holding the content of one"

_SRT_EXAMPLE = "`00:00:01,000 --> 00:00:02,500`"
_VTT_EXAMPLE = "`00:00:01.000 --> 00:00:02.500` or `00:01.000 --> 00:02.500`"
_NO_CUES = (
    f"no subtitle cues found; expected SRT ({_SRT_EXAMPLE}) or WebVTT (a first line `WEBVTT`, then cues such as "
    f"{_VTT_EXAMPLE})"
)

_VTT_HEADER = re.compile(r"WEBVTT(?:[ \t].*)?")
_VTT_SKIPPED_BLOCK = re.compile(r"(?:NOTE|STYLE|REGION)(?:[ \t].*)?")
# SRT times need hours; a '.' before the milliseconds is tolerated (some tools write one). Anything after the
# end time (SRT coordinates such as `X1:40 X2:600`) is ignored.
_SRT_TIME = r"(\d{1,6}):(\d\d):(\d\d)[,.](\d{3})"
_SRT_TIMING = re.compile(rf"{_SRT_TIME}[ \t]*-->[ \t]*{_SRT_TIME}(?:[ \t].*)?")
# WebVTT times: optional hours, '.' before the milliseconds; cue settings after the end time are ignored.
_VTT_TIME = r"(?:(\d{1,6}):)?(\d\d):(\d\d)\.(\d{3})"
_VTT_TIMING = re.compile(rf"{_VTT_TIME}[ \t]+-->[ \t]+{_VTT_TIME}(?:[ \t].*)?")

_VOICE = re.compile(r"<v(?:\.[^\s<>]*)?[ \t]+([^<>]*)>")
_TAG = re.compile(r"</?(?:[A-Za-z][^<>]*|\d[\d:.]*)>")
_ASS_OVERRIDE = re.compile(r"\{\\[^{}]*\}")
_LANG_TAG = re.compile(r"[A-Za-z0-9_-]+")
# A line holding `-->`, or starting with a time and an arrow (`00:00:01,000 -> ...`), is a timing line: it is
# parsed as one, so a typo in it is reported instead of the cue silently vanishing.
_TIMING_LIKE = re.compile(r"\s*\d+:\d\d[\d:.,]*\s*-*>")


def _is_timing(line: str) -> bool:
    return "-->" in line or _TIMING_LIKE.match(line) is not None


@dataclass(frozen=True)
class Cue:
    """One subtitle cue.

    Attributes
    ----------
    start, end : float
        Start and end time, in seconds from the beginning of the media.
    text : str
        The cue's text without markup, its lines joined with single spaces.
    speaker : str or None
        The name in the cue's first WebVTT voice tag (``<v Mary>``), if any.

    Examples
    --------
    >>> Cue(1.0, 2.5, "Hello!").speaker is None
    True
    """

    start: float
    end: float
    text: str
    speaker: str | None = None


def _clean(lines: list[str]) -> tuple[str, str | None]:
    """Return the plain text of a cue's lines and the speaker named by its first voice tag."""
    raw = "\n".join(lines)
    speaker = None
    voice = _VOICE.search(raw)
    if voice:
        speaker = " ".join(html.unescape(voice.group(1)).split()) or None
    raw = _TAG.sub("", _ASS_OVERRIDE.sub("", raw))
    return " ".join(html.unescape(raw).split()), speaker


def _seconds(groups: tuple[str | None, ...]) -> float | None:
    """Seconds of an ``(h, m, s, ms)`` match, or None when minutes or seconds are 60 or more."""
    h, m, s, ms = (int(g) if g else 0 for g in groups)
    if m >= 60 or s >= 60:
        return None
    return (((h * 60 + m) * 60 + s) * 1000 + ms) / 1000


def _timing(line: str, lineno: int, *, vtt: bool, name: str) -> tuple[float, float]:
    """Parse a timing line (``start --> end [settings]``) into start and end seconds."""
    stripped = line.strip()
    m = (_VTT_TIMING if vtt else _SRT_TIMING).fullmatch(stripped)
    start = _seconds(m.groups()[:4]) if m else None
    end = _seconds(m.groups()[4:]) if m else None
    if start is None or end is None:
        if vtt:
            expected = (
                f"WebVTT timings `HH:MM:SS.mmm --> HH:MM:SS.mmm` or `MM:SS.mmm --> MM:SS.mmm`, e.g. {_VTT_EXAMPLE}"
            )
        else:
            expected = (
                f"SRT timings `HH:MM:SS,mmm --> HH:MM:SS,mmm`, e.g. {_SRT_EXAMPLE} (a WebVTT file must start "
                "with a line `WEBVTT`)"
            )
        raise InputError(
            f"{name}, line {lineno}: malformed cue timing {stripped!r}; expected {expected}, with minutes and "
            "seconds below 60."
        )
    if end < start:
        raise InputError(
            f"{name}, line {lineno}: the cue ends before it starts ({stripped!r}); expected an end time at or "
            "after the start time."
        )
    return start, end


def _parse_srt(lines: list[str], name: str) -> list[Cue]:
    """Every cue of an SRT file, blank ones included."""
    # Cues are found by their timing lines alone, so missing, repeated or out-of-order index numbers, extra
    # blank lines and blank lines inside a cue's text are all tolerated.
    timings = [i for i, line in enumerate(lines) if _is_timing(line)]
    cues = []
    for k, t in enumerate(timings):
        start, end = _timing(lines[t], t + 1, vtt=False, name=name)
        stop = timings[k + 1] if k + 1 < len(timings) else len(lines)
        body = [line.strip() for line in lines[t + 1 : stop]]
        while body and not body[-1]:
            body.pop()
        # The last line before the next timing line is that cue's index number; at the end of the file, a lone
        # number in a block of its own is a stray index.
        if body and body[-1].isdigit() and (k + 1 < len(timings) or (len(body) > 1 and not body[-2])):
            body.pop()
        cues.append(Cue(start, end, *_clean([line for line in body if line])))
    return cues


def _parse_vtt(lines: list[str], name: str) -> list[Cue]:
    """Every cue of a WebVTT file, blank ones included."""
    n = len(lines)
    i = 0
    while i < n and not lines[i].strip():
        i += 1
    i += 1  # the WEBVTT line; header lines follow up to the first blank line
    while i < n and lines[i].strip() and not _is_timing(lines[i]):
        i += 1
    cues = []
    block_start = True
    while i < n:
        stripped = lines[i].strip()
        if not stripped:
            block_start, i = True, i + 1
            continue
        if block_start and not _is_timing(stripped) and _VTT_SKIPPED_BLOCK.fullmatch(stripped):
            while i < n and lines[i].strip():  # NOTE, STYLE and REGION blocks run to the next blank line
                i += 1
            continue
        if _is_timing(stripped):
            t = i
        elif block_start and i + 1 < n and _is_timing(lines[i + 1]):
            t = i + 1  # a cue identifier
        else:  # text outside any cue: ignored, as WebVTT parsers do
            block_start, i = False, i + 1
            continue
        start, end = _timing(lines[t], t + 1, vtt=True, name=name)
        i = t + 1
        body = []
        while i < n and lines[i].strip() and not _is_timing(lines[i]):
            body.append(lines[i].strip())
            i += 1
        block_start = False
        cues.append(Cue(start, end, *_clean(body)))
    return cues


def _decode(data: bytes, *, encoding: str, name: str) -> str:
    codec = check_encoding(encoding, func="read_subtitles")
    hint = (
        "encoding='utf-16'"
        if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        else "encoding='latin-1' or encoding='cp1252'"
    )
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        bad = exc.object[exc.start : exc.start + 4]
        raise InputError(
            f"{name}, line {line}: byte(s) {bad!r} cannot be decoded as {encoding}. Pass the file's encoding "
            f"({hint}), or save it as UTF-8."
        ) from None
    except (UnicodeError, ValueError, TypeError) as exc:  # e.g. UTF-16 without a byte-order mark
        raise InputError(
            f"{name} cannot be decoded as {encoding} ({str(exc)[:120]}). Pass the file's encoding ({hint}), or save "
            "it as UTF-8."
        ) from None
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise InputError(
            f"{name}, line {text[: exc.start].count(chr(10)) + 1}: a lone surrogate code point; not valid Unicode "
            "text. Save the file as UTF-8."
        ) from None
    if "\x00" in text:
        raise InputError(
            f"{name}, line {text[: text.index(chr(0))].count(chr(10)) + 1}: NUL characters; it looks like UTF-16 "
            f"text or a binary file. Expected {encoding} text; pass encoding='utf-16' if that is what it is."
        )
    return text.removeprefix("\ufeff")


def read_subtitles(
    obj: str | os.PathLike[str] | bytes, *, encoding: str = "utf-8", source: str | None = None
) -> list[Cue]:
    r"""Read an SRT or WebVTT subtitle file into cues sorted by start time.

    Parameters
    ----------
    obj : str, path-like or bytes
        A path to a ``.srt`` or ``.vtt`` file, or the bytes of one. The format is detected from the content: a
        first line ``WEBVTT`` means WebVTT, anything else is read as SRT.
    encoding : str
        Encoding of the file (UTF-8 by default; a UTF-8 byte-order mark is accepted).
    source : str, optional
        Name used in error messages (defaults to the file path, or ``"bytes"``).

    Returns
    -------
    list of Cue
        Sorted by start time (cues starting together keep their file order). Cues whose text is empty once the
        markup is removed are dropped, so a file of blank cues gives an empty list.

    Raises
    ------
    InputError
        Unsupported input type or suffix, missing or empty file, undecodable bytes, no cues at all, a malformed
        timing line, or a cue that ends before it starts; the message names the file and the line.
    ConfigError
        ``encoding`` is not a Python text codec.

    Examples
    --------
    >>> data = b"WEBVTT\n\nNOTE made by hand\n\nintro\n00:01.500 --> 00:03.000\n<b>Look!</b>\n"
    >>> read_subtitles(data, source="clip.vtt")
    [Cue(start=1.5, end=3.0, text='Look!', speaker=None)]
    """
    if isinstance(obj, bytes | bytearray | memoryview):
        name, data = source or "bytes", bytes(obj)
    elif isinstance(obj, str) and ("\n" in obj or "-->" in obj):
        raise InputError(
            "read_subtitles got a str that looks like subtitle text, not a path. Pass the content as bytes "
            f"(text.encode('utf-8')). Expected {ACCEPTED_SUBTITLE_INPUTS}."
        )
    elif isinstance(obj, str | os.PathLike):
        path = Path(obj)
        if path.suffix.lower() not in SUBTITLE_SUFFIXES:
            raise InputError(
                f"{path}: unsupported subtitle file suffix {path.suffix or '(none)'!r}; expected one of "
                f"{list(SUBTITLE_SUFFIXES)} (SRT or WebVTT)."
            )
        path = existing_file(path, accepted=ACCEPTED_SUBTITLE_INPUTS)
        name = source or str(path)
        with path.open("rb") as fh:
            data = fh.read(MAX_SUBTITLE_BYTES + 1)
    else:
        raise InputError(
            f"Unsupported subtitle input of type {type(obj).__name__}. Expected {ACCEPTED_SUBTITLE_INPUTS}."
        )
    if not data:
        raise InputError(f"{name} is empty (0 bytes). Expected an SRT or WebVTT subtitle file.")
    if len(data) > MAX_SUBTITLE_BYTES:
        raise InputError(
            f"{name} is larger than {MAX_SUBTITLE_BYTES // 10**6} MB; subtitle files are far smaller (a film's are "
            "~100 KB). Expected an SRT or WebVTT subtitle file."
        )
    text = _decode(data, encoding=encoding, name=name)
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    first = next((line.strip() for line in lines if line.strip()), "")
    cues = _parse_vtt(lines, name) if _VTT_HEADER.fullmatch(first) else _parse_srt(lines, name)
    if not cues:
        raise InputError(f"{name}: {_NO_CUES}.")
    return sorted((cue for cue in cues if cue.text), key=lambda cue: cue.start)


def find_sidecar(media_path: str | os.PathLike[str]) -> Path | None:
    """Find the subtitle file that sits next to a media file.

    Looks in the media file's folder for ``<stem>.srt`` / ``<stem>.vtt`` (in that order), then for
    language-tagged files ``<stem>.<lang>.srt`` / ``<stem>.<lang>.vtt`` (``video.en.srt``, ``video.pt-BR.vtt``),
    taking the first by name. Suffixes match in any case; the media file need not exist.

    Parameters
    ----------
    media_path : str or path-like
        The video or audio file (``talk.mp4``).

    Returns
    -------
    pathlib.Path or None
        The subtitle file, or None when there is none.

    Examples
    --------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = (Path(d) / "talk.en.vtt").write_text("WEBVTT")
    ...     print(find_sidecar(Path(d) / "talk.mp4").name, find_sidecar(Path(d) / "other.mp4"))
    talk.en.vtt None
    """
    media = Path(media_path)
    try:
        files = sorted(p for p in media.parent.iterdir() if p.name != media.name and p.is_file())
    except OSError:
        return None
    stem = media.stem
    for suffix in SUBTITLE_SUFFIXES:
        for p in files:
            if p.name.startswith(stem) and p.name[len(stem) :].lower() == suffix:
                return p
    for p in files:
        tag, dot, suffix = p.name[len(stem) :].rpartition(".")
        if (
            p.name.startswith(stem + ".")
            and f"{dot}{suffix}".lower() in SUBTITLE_SUFFIXES
            and _LANG_TAG.fullmatch(tag[1:])
        ):
            return p
    return None
