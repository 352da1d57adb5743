"""What a batch runs on: inputs found in a folder, a list file or a CSV/Parquet manifest, and their kinds.

Every input becomes a :class:`BatchItem` with a stable ``id`` (the path as discovered, or ``manifest#row`` /
the manifest's ``id`` column for texts), a ``kind`` (``text``, ``dialogue`` — a CSV/TSV/JSON(L) file whose
header has speaker and text —, ``audio``, ``image``, ``video``, ...) and a ``path`` or the ``text`` itself.
Ids are unique; their order is sorted, so the same command always plans the same work.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "a.txt").write_text("I am happy.", encoding="utf-8")
>>> _ = (d / "notes.srt").write_text("", encoding="utf-8")
>>> items, skipped = discover(d)
>>> [(i.kind, pathlib.Path(i.id).name) for i in items], [pathlib.Path(s).name for s in skipped]
([('text', 'a.txt')], ['notes.srt'])
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from affectscope.errors import ConfigError, InputError

__all__ = ["KINDS", "MODALITY_KINDS", "TEXT_SUFFIXES", "BatchItem", "discover", "kind_of"]

TEXT_SUFFIXES = frozenset([".txt", ".text", ".md"])
KINDS = ("text", "dialogue", "audio", "music", "image", "video", "physio")
# --modalities names → input kinds
MODALITY_KINDS = {
    "text": "text",
    "dialogue": "dialogue",
    "conversation": "dialogue",
    "speech": "audio",
    "audio": "audio",
    "face": "image",
    "image": "image",
    "video": "video",
    "music": "music",
    "physio": "physio",
}
# Wearable recordings: E4 export folders (any of these files, .csv or .csv.gz) or zips, timestamped CSVs, EDF/BDF
_E4_FILES = ("EDA", "BVP", "HR", "TEMP", "ACC")
_PHYSIO_FILE_SUFFIXES = (".csv", ".csv.gz", ".edf", ".bdf", ".zip")
_MANIFEST_SUFFIXES = (".csv", ".tsv", ".parquet")
# files in a folder or list that are dialogues when their header has speaker and text
_DIALOGUE_SUFFIXES = frozenset([".csv", ".tsv", ".jsonl", ".json"])


@dataclass(frozen=True)
class BatchItem:
    """One input of a batch.

    Attributes
    ----------
    id : str
        Stable identifier; the ``source`` of its rows and the key of its summary/error record.
    kind : {"text", "dialogue", "audio", "music", "image", "video", "physio"}
        Which recognizer reads it.
    path : str, optional
        File to read (``None`` for a manifest text).
    text : str, optional
        The text itself (manifest ``text`` column).
    """

    id: str
    kind: str
    path: str | None = None
    text: str | None = None


def kind_of(path: str | os.PathLike[str]) -> str | None:
    """Return the input kind of a file by its suffix, or ``None`` when a batch does not read it.

    Examples
    --------
    >>> kind_of("a.flac"), kind_of("b.mp4"), kind_of("c.png"), kind_of("d.txt"), kind_of("e.srt")
    ('audio', 'video', 'image', 'text', None)
    """
    from affectscope.media.audio import MEDIA_SUFFIXES
    from affectscope.media.image import IMAGE_SUFFIXES
    from affectscope.media.video import VIDEO_SUFFIXES

    suffix = Path(path).suffix.lower()
    if suffix in _DIALOGUE_SUFFIXES:
        return "dialogue" if _is_dialogue(Path(path)) else None
    if suffix in IMAGE_SUFFIXES:
        return "image"
    if suffix in VIDEO_SUFFIXES:
        return "video"
    if suffix in MEDIA_SUFFIXES:
        return "audio"
    return "text" if suffix in TEXT_SUFFIXES else None


def _is_dialogue(path: Path) -> bool:
    """Whether a CSV/TSV/JSON(L) file's header says it holds a dialogue (speaker and text), without reading it all."""
    from affectscope.media.sniff import sniff_text

    try:
        with path.open("rb") as fh:
            head = fh.read(4096)
    except OSError:
        return False
    return sniff_text(head, suffix=path.suffix)[0] == "dialogue"


def _kinds(modalities: Iterable[str] | None) -> set[str]:
    if modalities is None:
        return set(KINDS) - {"music", "physio"}  # audio files are voices unless music is asked for
    out = set()
    for m in modalities:
        if m not in MODALITY_KINDS:
            raise ConfigError(f"Unknown modality {m!r}; choose from {sorted(MODALITY_KINDS)}.")
        out.add(MODALITY_KINDS[m])
    if {"audio", "music"} <= out:
        raise ConfigError("Audio files are read either as speech or as music; pass one of the two modalities.")
    if "physio" in out and len(out) > 1:
        raise ConfigError(
            "Wearable recordings (--modalities physio) are a batch of their own: their CSV files would read as "
            "manifests or texts among other kinds."
        )
    return out


def _is_e4_folder(path: Path) -> bool:
    return path.is_dir() and any((path / f"{name}{ext}").is_file() for name in _E4_FILES for ext in (".csv", ".csv.gz"))


def _physio_from_paths(paths: Iterable[str]) -> tuple[list[BatchItem], list[str]]:
    """Each path is one recording: an E4 folder, or a CSV/EDF/BDF file."""
    items, skipped = [], []
    for p in paths:
        if _is_e4_folder(Path(p)) or (Path(p).is_file() and p.lower().endswith(_PHYSIO_FILE_SUFFIXES)):
            items.append(BatchItem(id=p, kind="physio", path=p))
        else:
            skipped.append(p)
    return items, skipped


def _physio_folder(root: Path) -> tuple[list[BatchItem], list[str]]:
    """Find the recordings under a folder: every E4 export folder, and the CSV/EDF/BDF files outside them."""
    if _is_e4_folder(root):
        return [BatchItem(id=str(root), kind="physio", path=str(root))], []
    e4 = sorted({f.parent for f in root.rglob("*") if f.is_file() and _is_e4_folder(f.parent)})
    files = [
        str(f)
        for f in sorted(root.rglob("*"))
        if f.is_file() and not f.name.startswith(".") and not any(d in f.parents for d in e4)
    ]
    items, skipped = _physio_from_paths(files)
    return [BatchItem(id=str(d), kind="physio", path=str(d)) for d in e4] + items, skipped


def _from_paths(paths: Iterable[str], kinds: set[str]) -> tuple[list[BatchItem], list[str]]:
    items, skipped = [], []
    for p in paths:
        k = kind_of(p)
        if k == "audio" and "music" in kinds:
            k = "music"
        if k is None or k not in kinds:
            skipped.append(p)
        else:
            items.append(BatchItem(id=p, kind=k, path=p))
    return items, skipped


def _manifest(path: Path, kinds: set[str], column: str | None) -> tuple[list[BatchItem], list[str]]:
    import pandas as pd

    try:
        if path.suffix.lower() == ".parquet":
            table = pd.read_parquet(path)
        else:
            table = pd.read_csv(
                path, sep="\t" if path.suffix.lower() == ".tsv" else ",", dtype=str, keep_default_na=False
            )
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(
            f"Cannot read the manifest {path}: {exc}. Accepted: CSV/TSV with a header, or Parquet."
        ) from None
    choices = [c for c in ("path", "text") if c in table.columns]
    col = column or (choices[0] if choices else None)
    if col is None or col not in table.columns:
        raise InputError(
            f"The manifest {path} needs a 'path' or a 'text' column (or name one with --column); it has "
            f"{list(table.columns)[:10]}."
        )
    values = table[col].astype(str).tolist()
    if col != "text" and column != "text":
        base = path.parent
        resolved = [v if os.path.isabs(v) else str(base / v) for v in values if v]
        return _physio_from_paths(resolved) if kinds == {"physio"} else _from_paths(resolved, kinds)
    if "text" not in kinds:
        return [], [f"{path}#{i}" for i in range(len(values))]
    ids = table["id"].astype(str).tolist() if "id" in table.columns else [f"{path}#{i}" for i in range(len(values))]
    if len(set(ids)) != len(ids):
        raise InputError(f"The manifest {path} has repeated values in its 'id' column; ids must be unique.")
    return [BatchItem(id=i, kind="text", text=v) for i, v in zip(ids, values, strict=True)], []


def discover(
    source: str | os.PathLike[str], *, modalities: Iterable[str] | None = None, column: str | None = None
) -> tuple[list[BatchItem], list[str]]:
    """Find the inputs of a batch.

    Parameters
    ----------
    source : path-like
        A folder (searched recursively; files are picked by suffix), a ``.txt``/``.lst`` file with one path per
        line (relative paths are relative to it), or a ``.csv``/``.tsv``/``.parquet`` manifest with a ``path``
        column (files) or a ``text`` column (one text per row; an ``id`` column names them).
    modalities : iterable of str, optional
        Keep only these: ``text``, ``speech``/``audio``, ``face``/``image``, ``video`` (default: all of these),
        ``music`` (audio files read as songs), or ``physio`` alone: wearable recordings, i.e. every E4 export
        folder under a folder and the CSV/EDF/BDF files outside them (in a list or manifest: each path is one).
    column : str, optional
        The manifest column to read (default ``path``, else ``text``).

    Returns
    -------
    items : list of BatchItem
        Sorted by id, ids unique.
    skipped : list of str
        Files that are not a kind the batch reads (or not one of ``modalities``).

    Raises
    ------
    InputError
        The source does not exist, or a manifest lacks the column.
    """
    kinds = _kinds(modalities)
    p = Path(source)
    if kinds == {"physio"} and p.is_dir():
        items, skipped = _physio_folder(p)
    elif p.is_dir():
        files = sorted(str(f) for f in p.rglob("*") if f.is_file() and not f.name.startswith("."))
        items, skipped = _from_paths(files, kinds)
    elif p.is_file() and p.suffix.lower() in _MANIFEST_SUFFIXES:
        items, skipped = _manifest(p, kinds, column)
    elif p.is_file() and p.suffix.lower() in (".txt", ".lst", ".list"):
        try:
            lines = p.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            raise InputError(f"The list file {p} is not UTF-8 text; write one path per line in UTF-8.") from None
        paths = [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]
        resolved = [q if os.path.isabs(q) else str(p.parent / q) for q in paths]
        items, skipped = _physio_from_paths(resolved) if kinds == {"physio"} else _from_paths(resolved, kinds)
    elif p.exists():
        raise InputError(
            f"{p} is not a batch input. Pass a folder, a .txt/.lst file with one path per line, or a "
            ".csv/.tsv/.parquet manifest with a 'path' or 'text' column."
        )
    else:
        raise InputError(f"Batch input not found: {p}.")
    items = sorted({i.id: i for i in items}.values(), key=lambda i: i.id)
    return items, skipped
