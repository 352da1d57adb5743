"""Adapters for face images (FER2013, CK+) and music clips (4Q), read as published.

Items are file paths, or for the original FER2013 CSV, 48×48 ``uint8`` arrays. Scoring needs the face and music
recognizers (issues 5 and 10); the adapters are ready for them.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from affectscope.errors import InputError
from affectscope.evaluate.datasets.base import EvalData, _check_labels, _read_text, _space_labels

__all__ = ["MEDIA_ADAPTERS", "load_ckplus", "load_fer2013", "load_music4q"]

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")
AUDIO_SUFFIXES = (".mp3", ".wav", ".flac", ".ogg")

FER_FOLDER_TO_EKMAN: dict[str, str | None] = {
    "angry": "anger",
    "disgust": "disgust",
    "fear": "fear",
    "happy": "joy",
    "sad": "sadness",
    "surprise": "surprise",
    "neutral": "neutral",
}
FER_CSV_IDS = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")  # emotion column 0..6
FER_SPLITS = {"train": ("Training",), "test": ("PublicTest", "PrivateTest")}
CKPLUS_TO_EKMAN: dict[str, str | None] = {
    "anger": "anger",
    "contempt": None,  # no Ekman-7 counterpart: left out (see EvalData.mapping)
    "disgust": "disgust",
    "fear": "fear",
    "happy": "joy",
    "sadness": "sadness",
    "surprise": "surprise",
}


def _class_folders(root: Path, dataset: str, mapping: dict[str, str | None], suffixes: tuple[str, ...]) -> list:
    if not root.is_dir():
        raise InputError(f"{dataset}: {root} is not a folder.")
    folders = [d for d in sorted(root.iterdir()) if d.is_dir()]
    unknown = [d.name for d in folders if d.name.lower() not in mapping]
    if not folders or unknown:
        raise InputError(
            f"{root} does not look like {dataset}: expected class folders {sorted(mapping)}"
            + (f"; unknown folders {unknown}." if unknown else "; found none.")
        )
    return [(f, d.name.lower()) for d in folders for f in sorted(d.iterdir()) if f.suffix.lower() in suffixes]


def _ekman_data(dataset: str, split: str, pairs: list[tuple[Any, str]], mapping: dict[str, str | None]) -> EvalData:
    ek = _space_labels("ekman7")
    kept = [(item, mapping[lab]) for item, lab in pairs if mapping[lab] is not None]
    if not kept:
        raise InputError(f"{dataset}: no items for split {split!r}.")
    items = [i for i, _ in kept]
    y = np.array([ek.index(lab) for _, lab in kept], dtype=int)
    return EvalData(dataset, split, "face", "single_label", "ekman7", ek, items, y, mapping=dict(mapping))


def load_fer2013(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read FER2013 as class folders (files ``Training_*``, ``PublicTest_*``, ``PrivateTest_*``) or the original CSV.

    The CSV (``fer2013.csv``, or ``--path`` to the file) has columns ``emotion`` (0-6), ``pixels`` (2,304
    space-separated grey values) and ``Usage``. Splits: ``train`` = Training, ``test`` = PublicTest +
    PrivateTest, ``all``; or ``FILE.json:KEY``, a list of image paths (relative to ``path``) stored under
    ``KEY`` in a JSON file — e.g. ``build/face_split.json:val``, the deduplicated held-out part written by
    ``training/face/split.py``.
    """
    _check_labels(labels, ("ekman7",), "fer2013")
    if ".json:" in split:
        listed = _listed_files(split)
        pairs = [
            (str(f), lab)
            for f, lab in _class_folders(path, "fer2013", FER_FOLDER_TO_EKMAN, IMAGE_SUFFIXES)
            if f"{f.parent.name}/{f.name}" in listed
        ]
        if len(pairs) != len(listed):
            raise InputError(f"{split}: {len(listed) - len(pairs)} of its {len(listed)} files are not in {path}.")
        return _ekman_data("fer2013", split, pairs, FER_FOLDER_TO_EKMAN)
    if split not in (*FER_SPLITS, "all"):
        raise InputError(f"fer2013 splits are {[*FER_SPLITS, 'all']} or FILE.json:KEY; got {split!r}.")
    usages = sum(FER_SPLITS.values(), ()) if split == "all" else FER_SPLITS[split]
    csv_file = path if path.is_file() else path / "fer2013.csv"
    if csv_file.is_file():
        reader = csv.DictReader(io.StringIO(_read_text(csv_file)))
        if not {"emotion", "pixels", "Usage"} <= set(reader.fieldnames or []):
            raise InputError(f"{csv_file} does not look like fer2013.csv: columns emotion, pixels, Usage needed.")
        pairs = []
        for n, row in enumerate(reader, 2):
            if row["Usage"] not in usages:
                continue
            px = np.array(row["pixels"].split(), dtype=np.uint8)
            if px.size != 48 * 48 or not row["emotion"].isdigit() or int(row["emotion"]) > 6:
                raise InputError(f"{csv_file}, line {n}: expected emotion 0-6 and 2,304 pixel values.")
            pairs.append((px.reshape(48, 48), FER_CSV_IDS[int(row["emotion"])]))
        return _ekman_data("fer2013", split, pairs, FER_FOLDER_TO_EKMAN)
    pairs = [
        (str(f), lab)
        for f, lab in _class_folders(path, "fer2013", FER_FOLDER_TO_EKMAN, IMAGE_SUFFIXES)
        if f.name.split("_")[0] in usages
    ]
    return _ekman_data("fer2013", split, pairs, FER_FOLDER_TO_EKMAN)


def _listed_files(split: str) -> set[str]:
    """Return the ``KEY`` list of ``FILE.json:KEY`` as a set of ``class/file`` names."""
    import json

    file, _, key = split.rpartition(":")
    try:
        listed = json.loads(Path(file).read_text(encoding="utf-8"))[key]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise InputError(
            f"Split {split!r}: expected a JSON file with a list of image paths under {key!r} ({exc})."
        ) from None
    return {"/".join(Path(f).parts[-2:]) for f in listed}


def load_ckplus(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read CK+48 class folders (anger, contempt, disgust, fear, happy, sadness, surprise; no neutral).

    Contempt has no Ekman-7 counterpart and is left out. Groups are subjects (``Sxxx`` of ``Sxxx_yyy_zzz.png``);
    CK+ has no official split: ``all``.
    """
    _check_labels(labels, ("ekman7",), "ckplus")
    if split != "all":
        raise InputError(f"ckplus has no official split; use 'all' (got {split!r}).")
    pairs = [(str(f), lab) for f, lab in _class_folders(path, "ckplus", CKPLUS_TO_EKMAN, IMAGE_SUFFIXES)]
    data = _ekman_data("ckplus", split, pairs, CKPLUS_TO_EKMAN)
    data.groups = np.array([Path(p).name.split("_")[0] for p in data.items])
    return data


def load_music4q(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read the 4Q audio emotion dataset (Panda et al.): quadrant folders ``Q1``-``Q4`` of clips.

    Labels are the folders (checked against ``panda_dataset_taffc_annotations.csv`` when present), in the
    ``russell4`` space. No official split: ``all``.
    """
    _check_labels(labels, ("russell4",), "music-4q")
    if split != "all":
        raise InputError(f"music-4q has no official split; use 'all' (got {split!r}).")
    names = _space_labels("russell4")
    folders = {f"Q{i + 1}": i for i in range(4)}
    if not path.is_dir() or not any((path / q).is_dir() for q in folders):
        raise InputError(f"{path} does not look like the 4Q dataset: expected folders {sorted(folders)}.")
    truth: dict[str, str] = {}
    ann = path / "panda_dataset_taffc_annotations.csv"
    if ann.is_file():
        truth = {r["Song"]: r["Quadrant"] for r in csv.DictReader(io.StringIO(_read_text(ann)))}
    items, y = [], []
    for q, idx in folders.items():
        for f in sorted((path / q).glob("*")) if (path / q).is_dir() else []:
            if f.suffix.lower() not in AUDIO_SUFFIXES:
                continue
            if truth and truth.get(f.stem, q) != q:
                raise InputError(f"{f} is in folder {q} but the annotations say {truth[f.stem]}.")
            items.append(str(f))
            y.append(idx)
    if not items:
        raise InputError(f"No audio clips in the Q1-Q4 folders of {path}.")
    mapping = {q: names[i] for q, i in folders.items()}
    return EvalData("music-4q", split, "music", "single_label", "russell4", names, items, np.array(y), mapping=mapping)


MEDIA_ADAPTERS: dict[str, Callable[..., EvalData]] = {
    "fer2013": load_fer2013,
    "ckplus": load_ckplus,
    "music-4q": load_music4q,
}
