"""Cheap checks of an input file before any model is loaded.

:func:`validate_input` refuses, in milliseconds and without loading a recognizer, the inputs that would otherwise
be refused only after a model (Whisper, a face detector, ...) has been loaded: a path that does not exist, a
folder, a FIFO or device (never opened: reading ``/dev/zero`` or a FIFO would never end), an empty file, and media
whose first block cannot be decoded. Text and dialogue files are checked for their encoding; the rest of their
validation happens while they are read.

Examples
--------
>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> validate_input(folder, "audio")
Traceback (most recent call last):
...
affectscope.errors.InputError: ... is a folder, not a regular file. Expected an audio file ...
>>> (folder / "note.txt").write_text("Hello!", encoding="utf-8")
6
>>> validate_input(folder / "note.txt", "text").name
'note.txt'
"""

from __future__ import annotations

import codecs
import os
from pathlib import Path
from typing import Literal

from affectscope.errors import InputError
from affectscope.media._files import existing_file

__all__ = ["INPUT_KINDS", "InputKind", "check_path", "validate_input"]

InputKind = Literal["text", "dialogue", "subtitles", "audio", "music", "video", "image", "physio", "eeg"]
#: The kinds of input :func:`validate_input` knows.
INPUT_KINDS: tuple[str, ...] = ("text", "dialogue", "subtitles", "audio", "music", "video", "image", "physio", "eeg")

_EXPECTED = {
    "text": "a text file (UTF-8 unless --encoding says otherwise)",
    "dialogue": "a dialogue file (.csv/.tsv with speaker and text columns, .jsonl/.json turns, or a .txt transcript)",
    "subtitles": "a .srt or .vtt subtitle file",
    "audio": "an audio file (wav, flac, mp3, ogg, m4a, ...)",
    "music": "an audio file (wav, flac, mp3, ogg, m4a, ...)",
    "video": "a video file (mp4, mov, mkv, webm, avi, ...)",
    "image": "an image file (jpg, png, webp, bmp, tiff, gif)",
    "physio": "an Empatica E4 folder or .zip, a timestamped .csv, or an EDF/BDF file",
    "eeg": "an EDF/BDF or CSV EEG recording",
}
# Files an Empatica E4 export holds; a folder with two of them is taken for one.
_E4_FILES = ("EDA.csv", "BVP.csv", "TEMP.csv", "ACC.csv", "HR.csv", "IBI.csv", "tags.csv")
_DECODE_BLOCK = 1 << 20


def _looks_like_e4(folder: Path) -> bool:
    try:
        names = {p.name for p in folder.iterdir()}
    except OSError:
        return False
    return sum(name in names for name in _E4_FILES) >= 2


def check_path(path: str | os.PathLike[str], *, kind: str = "text", folder_ok: bool = False) -> Path:
    """Check that ``path`` names a non-empty regular file (or, with ``folder_ok``, a folder) without opening it.

    Parameters
    ----------
    path : str or path-like
        The input's path.
    kind : str
        What the input should be (one of :data:`INPUT_KINDS`), for the message.
    folder_ok : bool
        Accept a folder (an E4 export).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        Missing, a broken or looping symbolic link, a folder, a FIFO/device/socket, unreadable, or empty.

    Examples
    --------
    >>> check_path("/no/such/song.flac", kind="audio")
    Traceback (most recent call last):
    ...
    affectscope.errors.InputError: File not found: /no/such/song.flac. Expected an audio file (wav, flac, ...
    >>> check_path("/dev/null", kind="audio")
    Traceback (most recent call last):
    ...
    affectscope.errors.InputError: /dev/null is not a regular file (a device, FIFO or socket). Expected an audio ...
    """
    p = Path(path)
    hint = "It looks like an E4 export: use --modality physio." if p.is_dir() and _looks_like_e4(p) else ""
    return existing_file(
        p, accepted=_EXPECTED.get(kind, "a file"), allow_empty=False, folder_ok=folder_ok, folder_hint=hint
    )


def _check_decodes(path: Path, encoding: str) -> None:
    """Decode the whole file in 1 MB blocks (C speed, bounded memory) so a bad byte is found before a model loads."""
    from affectscope.media.text import check_encoding

    decoder = codecs.getincrementaldecoder(check_encoding(encoding))(errors="strict")
    offset = 0
    with path.open("rb") as fh:
        while True:
            block = fh.read(_DECODE_BLOCK)
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                raise InputError(
                    f"{path} is not valid {encoding} text: byte(s) {exc.object[exc.start : exc.start + 4]!r} at byte "
                    f"offset {offset + exc.start} cannot be decoded. Pass its encoding (--encoding latin-1), or save "
                    "it as UTF-8."
                ) from None
            except (UnicodeError, ValueError, TypeError) as exc:  # UTF-16 without a BOM raises a bare UnicodeError
                raise InputError(
                    f"{path} is not valid {encoding} text ({str(exc)[:120]}); UTF-16 without a byte-order mark needs "
                    "--encoding utf-16-le or utf-16-be."
                ) from None
            if "\x00" in text:
                raise InputError(
                    f"{path} contains NUL characters (near byte {offset}): it looks like a binary file or UTF-16 "
                    "text. Pass its encoding (--encoding utf-16) if that is what it is."
                )
            if not block:
                return
            offset += len(block)


def _media_seconds(path: Path, kind: str) -> float | None:
    """Duration of an audio/video file from its header, or None when the header does not say."""
    try:
        if kind == "video":
            from affectscope.media.video import probe_video

            seconds = probe_video(path).duration
        else:
            import soundfile as sf

            try:
                seconds = sf.info(str(path)).duration
            except Exception:  # mp3/m4a/opus that libsndfile does not read: ask FFmpeg's header
                import av

                with av.open(str(path)) as container:
                    seconds = (container.duration or 0) / 1_000_000 or None
    except Exception:  # the decoder itself decides later; this is only an early check
        return None
    return float(seconds) if seconds and seconds > 0 else None


def validate_input(
    path: str | os.PathLike[str], kind: InputKind, *, encoding: str = "utf-8", start: float | None = None
) -> Path:
    """Check an input file cheaply before any recognizer is constructed.

    Parameters
    ----------
    path : str or path-like
        The input.
    kind : {"text", "dialogue", "subtitles", "audio", "music", "video", "image", "physio", "eeg"}
        What it is meant to be. ``audio``/``music``: the first block is decoded; ``video``: its header is probed;
        ``image``: it is decoded (within the pixel limits); ``subtitles``: it is parsed; ``text``/``dialogue``: it
        is decoded with ``encoding``; ``physio`` (a folder is accepted) and ``eeg``: the path is checked only (their
        readers are the check).
    encoding : str
        Text, dialogue and subtitle files: their encoding.
    start : float, optional
        Audio, music and video: where the analysis starts (s); refused when it is past the end the file's header
        declares.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        The input cannot be what ``kind`` says (the message says what it is and what is expected).
    ConfigError
        Unknown ``kind`` or ``encoding``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "song.wav"
    >>> _ = f.write_bytes(b"RIFF....WAVEnot really")
    >>> validate_input(f, "audio")
    Traceback (most recent call last):
    ...
    affectscope.errors.InputError: ...
    """
    if kind not in INPUT_KINDS:
        from affectscope.errors import ConfigError

        raise ConfigError(f"The 'kind' parameter of validate_input must be one of {list(INPUT_KINDS)}. Got {kind!r}.")
    p = check_path(path, kind=kind, folder_ok=kind == "physio")
    if kind in ("audio", "music"):
        from affectscope.media.audio import iter_audio_blocks

        _, blocks = iter_audio_blocks(p)
        try:
            next(blocks, None)
        finally:
            close = getattr(blocks, "close", None)
            if close is not None:
                close()
    elif kind == "video":
        from affectscope.media.video import probe_video

        probe_video(p)
    elif kind == "image":
        from affectscope.media.image import load_image

        load_image(p)
    elif kind == "subtitles":
        from affectscope.media.subtitles import read_subtitles

        read_subtitles(p, encoding=encoding)
    elif kind in ("text", "dialogue"):
        _check_decodes(p, encoding)
    if start is not None and kind in ("audio", "music", "video"):
        seconds = _media_seconds(p, kind)
        if seconds is not None and start >= seconds:
            what = "video" if kind == "video" else "audio"
            raise InputError(f"{p}: start {start:g} s is past the end of the {what} ({seconds:.2f} s).")
    return p
