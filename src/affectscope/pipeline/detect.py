r"""What an input is, from its content: one place for every entry point (CLI, API, batch, service).

:func:`detect` looks at a path's first bytes (:func:`affectscope.media.sniff.sniff`), the header of a text file
(:func:`~affectscope.media.sniff.sniff_text`: dialogue CSV/JSON, subtitles, wearable CSV), the names in a folder
or zip (an Empatica E4 export) and, only where the content does not say, the suffix. The result names the kind
the router reads it as and a phrase for users (``"a dialogue (CSV with speaker and text columns)"``).

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "chat.csv").write_text("speaker,text\nAnn,I got the job!\n", encoding="utf-8")
>>> det = detect(d / "chat.csv")
>>> det.kind, det.fmt, det.what
('conversation', 'csv', 'a dialogue (CSV with speaker and text columns)')
>>> detect(d)
Traceback (most recent call last):
...
affectscope.errors.InputError: ... is a folder, not a regular file, and holds no input affectscope reads on its own ...
"""

from __future__ import annotations

import os
import zipfile
from dataclasses import dataclass
from pathlib import Path

from affectscope.errors import InputError

__all__ = ["KINDS", "Detection", "detect"]

#: The kinds the router reads (modalities of :class:`~affectscope.pipeline.AnalysisSpec`, plus ``subtitles``).
KINDS = ("text", "conversation", "subtitles", "speech", "face", "video", "music", "physio", "eeg")
_HEAD = 4096
_MAX_ZIP_NAMES = 10_000
_E4_NAMES = ("EDA.csv", "BVP.csv", "TEMP.csv", "ACC.csv", "HR.csv", "IBI.csv", "tags.csv")
_TEXT_SUFFIXES = (".txt", ".text", ".md", ".log", ".csv", ".tsv", ".json", ".jsonl", ".srt", ".vtt")
# suffix kind → the sniffed kind its content must have
_NAMED = {"face": "image", "speech": "audio", "video": "video"}
_NAMED_AS = {"face": "an image", "speech": "audio", "video": "a video"}
_FORMAT_NAMES = {"csv": "CSV", "tsv": "TSV", "jsonl": "JSON Lines", "json": "JSON", "txt": "'Speaker: text' lines"}
_ACCEPTED = (
    "text files, dialogues (.csv/.tsv with speaker and text columns, .jsonl/.json turns), subtitles (.srt/.vtt), "
    "images, audio, video, Empatica E4 exports (folder or .zip), timestamped wearable CSVs and EDF/BDF recordings"
)


@dataclass(frozen=True)
class Detection:
    """What :func:`detect` found.

    Attributes
    ----------
    kind : str
        One of :data:`KINDS`.
    path : pathlib.Path
        The input.
    what : str
        For users: ``"an Empatica E4 export (folder)"``, ``"audio (WAV)"``, ...
    by_content : bool
        The content decided, not the suffix alone (a folder, a zip, a dialogue CSV, a file whose suffix says
        otherwise or has none): the CLI then says what it detected.
    fmt : str, optional
        Dialogue format (``csv``, ``tsv``, ``jsonl``, ``json``, ``txt``) for conversations.
    """

    kind: str
    path: Path
    what: str
    by_content: bool = False
    fmt: str | None = None


def _e4_folder(path: Path) -> bool:
    try:
        names = {p.name.removesuffix(".gz") for p in path.iterdir()}
    except OSError:
        return False
    return sum(n in names for n in _E4_NAMES) >= 2


def _e4_zip(path: Path) -> bool:
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > _MAX_ZIP_NAMES:
                return False
            names = {Path(i.filename).name.removesuffix(".gz") for i in infos}
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    return sum(n in names for n in _E4_NAMES) >= 2


def _suffix_kind(path: Path) -> str | None:
    from affectscope.media.audio import MEDIA_SUFFIXES
    from affectscope.media.image import IMAGE_SUFFIXES
    from affectscope.media.video import VIDEO_SUFFIXES

    suffix = path.suffix.lower()
    if suffix in IMAGE_SUFFIXES:
        return "face"
    if suffix in VIDEO_SUFFIXES:
        return "video"
    if suffix in MEDIA_SUFFIXES:
        return "speech"
    if suffix in (".srt", ".vtt"):
        return "subtitles"
    if suffix in (".edf", ".bdf"):
        return "physio"
    if suffix in (".zip",):
        return "physio"
    return None


def _read_head(path: Path) -> bytes:
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        return os.read(fd, _HEAD)
    finally:
        os.close(fd)


def _refuse(path: Path, modality: str, what: str) -> InputError:
    return InputError(f"{path} is {what}; modality={modality!r} does not read it. Expected {_ACCEPTED}.")


def detect(path: str | os.PathLike[str], *, modality: str = "auto") -> Detection:
    r"""Say what an input path is, from its content, and which kind the router reads it as.

    Parameters
    ----------
    path : str or path-like
        A file, or a folder (an Empatica E4 export).
    modality : str
        :attr:`AnalysisSpec.modality <affectscope.pipeline.AnalysisSpec.modality>`: ``"auto"`` reads the input
        as what it is (audio as a voice); another modality reads it as that where the content allows (audio or a
        video's sound as ``music``, a CSV as ``physio``/``eeg``, any text file as ``text``, ...).

    Returns
    -------
    Detection

    Raises
    ------
    InputError
        The path is missing, not a regular file or folder, empty, a folder without an E4 export, a zip without
        one, of a kind affectscope does not read, or of a kind ``modality`` does not read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "no_suffix"
    >>> _ = f.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt " + bytes(40))
    >>> d = detect(f)
    >>> d.kind, d.what, d.by_content
    ('speech', 'audio (WAV)', True)
    >>> detect(f, modality="music").kind
    'music'
    """
    from affectscope.media._files import existing_file
    from affectscope.media.sniff import sniff, sniff_text

    p = Path(path)
    folder = p.is_dir()
    existing_file(p, accepted=_ACCEPTED, allow_empty=False, folder_ok=True)
    if folder:
        if modality == "physio":  # asked for: the E4 reader decides, with its own messages
            return Detection("physio", p, "an Empatica E4 export (folder)", by_content=False)
        if modality == "auto" and _e4_folder(p):
            return Detection("physio", p, "an Empatica E4 export (folder)", by_content=True)
        if _e4_folder(p):
            raise _refuse(p, modality, "an Empatica E4 export (folder)")
        raise InputError(
            f"{p} is a folder, not a regular file, and holds no input affectscope reads on its own (an Empatica "
            f"E4 export holds EDA.csv, BVP.csv, HR.csv, TEMP.csv or ACC.csv). To analyse every file in a folder, run "
            f"`affectscope batch {p} --out RESULTS`. Expected {_ACCEPTED}."
        )
    head = _read_head(p)
    by_suffix = _suffix_kind(p)
    suffix = p.suffix.lower()
    if head.startswith((b"\xff\xfe", b"\xfe\xff")) and suffix in _TEXT_SUFFIXES:
        sniffed: tuple[str, str] | None = ("text", suffix)  # UTF-16 text with its byte-order mark
    else:
        sniffed = sniff(head[:64])
    if sniffed is not None and by_suffix in _NAMED and sniffed[0] != _NAMED[by_suffix]:
        # a file named as one kind of media whose bytes are another: refused rather than guessed
        seen = {"text": "text", "archive": "a zip archive", "physio": "an EDF/BDF recording"}.get(
            sniffed[0], f"{sniffed[0]} ({sniffed[1].lstrip('.').upper()})"
        )
        raise InputError(
            f"{p} is named as {_NAMED_AS[by_suffix]} ({suffix}) but its content is {seen}. Rename it to what it "
            f"holds, or pass the right file. Expected {_ACCEPTED}."
        )
    if sniffed is None:
        if by_suffix in ("face", "video", "speech"):  # a format the sniffer does not know: its decoder decides
            sniffed = ({"face": "image", "speech": "audio"}.get(by_suffix, by_suffix), suffix)
        elif suffix in _TEXT_SUFFIXES:
            sniffed = ("text", suffix)  # e.g. UTF-16 text: its decoding is checked with the encoding given
        else:
            raise InputError(f"{p} is not a kind of file affectscope reads. Expected {_ACCEPTED}.")
    raw, raw_suffix = sniffed
    if raw == "archive":
        if modality == "physio":  # asked for: the E4 reader decides, with its own messages
            return Detection("physio", p, "a zipped Empatica E4 export", by_content=False)
        if not _e4_zip(p):
            raise InputError(
                f"{p} is a zip archive without an Empatica E4 export (EDA.csv, BVP.csv, ...); affectscope reads zips "
                f"only as E4 exports. To analyse the files in an archive, unpack it and run `affectscope batch`."
            )
        if modality not in ("auto", "physio"):
            raise _refuse(p, modality, "a zipped Empatica E4 export")
        return Detection("physio", p, "a zipped Empatica E4 export", by_content=True)
    if raw == "physio":  # EDF/BDF
        name = "BDF" if raw_suffix == ".bdf" else "EDF"
        if modality == "eeg":
            return Detection("eeg", p, f"an {name} recording", by_content=by_suffix != "physio")
        if modality not in ("auto", "physio"):
            raise _refuse(p, modality, f"an {name} recording")
        return Detection("physio", p, f"an {name} recording", by_content=by_suffix != "physio")
    if raw in ("image", "audio", "video"):
        fmt = raw_suffix.lstrip(".").upper()
        what = {"image": f"an image ({fmt})", "audio": f"audio ({fmt})", "video": f"a video ({fmt})"}[raw]
        kind = {"image": "face", "audio": "speech", "video": "video"}[raw]
        content = by_suffix != kind
        if modality == "music" and raw in ("audio", "video"):
            return Detection("music", p, what, by_content=content)
        if modality == "speech" and raw in ("audio", "video"):
            return Detection("speech", p, what, by_content=content)
        if modality == "conversation" and raw in ("audio", "video"):
            return Detection(kind, p, what, by_content=content)  # the router reads its transcript as a dialogue
        if modality not in ("auto", kind):
            raise _refuse(p, modality, what)
        return Detection(kind, p, what, by_content=content)
    # text of some kind
    text_kind, text_suffix = sniff_text(head, suffix=suffix)
    if modality == "text":
        return Detection("text", p, "text", by_content=False)
    if modality == "conversation" and text_kind != "dialogue":
        fmt = suffix.lstrip(".") if suffix.lstrip(".") in _FORMAT_NAMES else "txt"
        return Detection("conversation", p, f"a dialogue ({_FORMAT_NAMES[fmt]})", by_content=False, fmt=fmt)
    if modality == "physio":
        return Detection("physio", p, "a wearable CSV (timestamp and channel columns)", by_content=False)
    if modality == "eeg":
        return Detection("eeg", p, "an EEG CSV", by_content=False)
    if modality not in ("auto", "conversation"):
        raise _refuse(p, modality, "a text file")
    if text_kind == "dialogue":
        fmt = text_suffix.lstrip(".")
        cols = " with speaker and text columns" if fmt in ("csv", "tsv") else " turns with speaker and text"
        return Detection("conversation", p, f"a dialogue ({_FORMAT_NAMES[fmt]}{cols})", by_content=True, fmt=fmt)
    if text_kind == "subtitles":
        return Detection(
            "subtitles", p, f"subtitles ({text_suffix.lstrip('.').upper()})", by_content=by_suffix != "subtitles"
        )
    if text_kind == "physio":
        return Detection("physio", p, "a wearable CSV (timestamp and channel columns)", by_content=True)
    return Detection("text", p, "text", by_content=False)
