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
"""

from __future__ import annotations

__all__ = ["ACCEPTED", "sniff"]

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
