r"""What an upload really is, from its first bytes (the client's file name and content type are not trusted).

Examples
--------
>>> sniff(b"\x89PNG\r\n\x1a\n" + bytes(8))
('image', '.png')
>>> sniff(b"RIFF\x00\x00\x00\x00WAVEfmt ")
('audio', '.wav')
>>> sniff("Ich freue mich!".encode("utf-8"))
('text', '.txt')
>>> sniff(b"0       " + b"X" * 80)
('physio', '.edf')
>>> sniff(b"MZ\x90\x00") is None
True
>>> sniff_text("speaker,text\nAnn,Hi!\n")
('dialogue', '.csv')
>>> sniff_text("WEBVTT\n\n00:01.000 --> 00:02.000\nHello\n")
('subtitles', '.vtt')
>>> sniff_text("Ich freue mich!")
('text', '.txt')
"""

from __future__ import annotations

import re

__all__ = ["ACCEPTED", "PHYSIO_CHANNELS", "sniff", "sniff_text"]

#: Channel columns of a timestamped wearable CSV (besides ``timestamp``), as ``read_physio_csv`` reads them.
PHYSIO_CHANNELS = frozenset(["eda", "bvp", "hr", "temp", "acc_x", "acc_y", "acc_z", "acc", "ibi"])

ACCEPTED = (
    "images (JPEG, PNG, GIF, WebP, BMP, TIFF), audio (WAV, FLAC, Ogg/Opus, MP3, M4A/AAC), video (MP4, MOV, "
    "Matroska/WebM, AVI), UTF-8 text, or wearable recordings (EDF/BDF; with modality=physio also a zipped E4 "
    "export or a timestamped CSV)"
)


def _mp4(head: bytes) -> tuple[str, str] | None:
    if head[4:8] != b"ftyp":
        return None
    brand = head[8:12]
    if brand in (b"M4A ", b"M4B ", b"F4A "):
        return ("audio", ".m4a")
    return ("video", ".mov" if brand == b"qt  " else ".mp4")


def sniff(head: bytes) -> tuple[str, str] | None:
    """Return ``(kind, suffix)`` for the first bytes of a file, or None if it is none of :data:`ACCEPTED`.

    ``kind`` is ``image``, ``audio``, ``video``, ``text``, ``physio`` (EDF/BDF) or ``archive`` (zip: only taken as
    a wearable export); ``suffix`` is the one the file is stored under.
    """
    if head.startswith(b"0       ") and len(head) >= 8:  # EDF/EDF+: version "0" padded to 8 bytes
        return ("physio", ".edf")
    if head.startswith(b"\xffBIOSEMI"):
        return ("physio", ".bdf")
    if head.startswith(b"PK\x03\x04"):
        return ("archive", ".zip")
    if head.startswith(b"\xff\xd8\xff"):
        return ("image", ".jpg")
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return ("image", ".png")
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return ("image", ".gif")
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return ("image", ".webp")
    if head.startswith(b"BM") and len(head) > 14:
        return ("image", ".bmp")
    if head[:4] in (b"II*\x00", b"MM\x00*"):
        return ("image", ".tif")
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return ("audio", ".wav")
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return ("video", ".avi")
    if head.startswith(b"fLaC"):
        return ("audio", ".flac")
    if head.startswith(b"OggS"):
        return ("audio", ".ogg")
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return ("audio", ".mp3")
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return ("video", ".mkv")
    if mp4 := _mp4(head):
        return mp4
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not just a character cut at the end of the sniffed bytes
                return None
        return ("text", ".txt")
    return None


_SRT = re.compile(r"\A\s*\d+\s*\r?\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->")
_DIALOGUE_KEYS = re.compile(r'"(speaker|text)"\s*:')


def _header(line: str, delimiter: str) -> set[str]:
    return {c.strip().strip('"').strip().lower() for c in line.split(delimiter)}


def sniff_text(head: str | bytes, *, suffix: str = "") -> tuple[str, str]:
    r"""Return ``(kind, suffix)`` for the first few KB of a text file: what its content says it is.

    ``kind`` is ``dialogue`` (a CSV/TSV whose header has ``speaker`` and ``text`` columns, JSON Lines or a JSON
    array of turns with ``speaker``/``text`` keys), ``subtitles`` (WebVTT or SRT), ``physio`` (a CSV with a
    ``timestamp`` column and wearable channels such as ``eda``, ``hr``) or ``text``; ``suffix`` the one the
    content calls for (``.csv``, ``.tsv``, ``.jsonl``, ``.json``, ``.vtt``, ``.srt``, ``.txt``).

    Parameters
    ----------
    head : str or bytes
        The beginning of the file (4 KB is plenty); bytes are decoded as UTF-8, a cut character ignored.
    suffix : str
        The file's own suffix, if any: it settles JSON vs JSON Lines and CSV vs TSV when the content allows both.

    Returns
    -------
    (str, str)

    Examples
    --------
    >>> sniff_text('{"speaker": "A", "text": "Hi"}\n{"speaker": "B", "text": "Hey"}\n')
    ('dialogue', '.jsonl')
    >>> sniff_text("timestamp,eda,hr\n0,0.4,71\n")
    ('physio', '.csv')
    """
    if isinstance(head, bytes):
        head = head.decode("utf-8", errors="ignore")
    head = head.lstrip("\ufeff")
    stripped = head.lstrip()
    suffix = suffix.lower()
    if stripped.startswith("WEBVTT"):
        return ("subtitles", ".vtt")
    if _SRT.match(head):
        return ("subtitles", ".srt")
    if stripped[:1] in ("{", "[") and _DIALOGUE_KEYS.search(stripped[:4096]):
        if stripped.startswith("["):
            return ("dialogue", ".json")
        first = stripped.split("\n", 1)[0].strip()
        one_object = first.startswith("{") and first.endswith("}")
        return ("dialogue", ".json" if suffix == ".json" and not one_object else ".jsonl")
    first_line = head.split("\n", 1)[0].rstrip("\r")
    for delimiter, ext in (("\t", ".tsv"), (",", ".csv"), (";", ".csv")):
        if delimiter not in first_line:
            continue
        cols = _header(first_line, delimiter)
        if {"speaker", "text"} <= cols and delimiter != ";":
            return ("dialogue", ext)
        if "timestamp" in cols and cols & PHYSIO_CHANNELS and delimiter == ",":
            return ("physio", ".csv")
    return ("text", ".txt")
