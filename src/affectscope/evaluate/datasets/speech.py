"""Adapters for acted speech corpora: RAVDESS, TESS, EmoDB, SAVEE, CREMA-D (labels from file and folder names).

Items are audio file paths (``.wav``, ``.flac``, ``.mp3``, ``.ogg``); groups are speakers, so splits are
speaker-independent. None of these corpora has an official split: ``split="all"`` takes every file, and a
comma-separated list of speaker ids (``"19,20,21,22,23,24"`` for RAVDESS actors 19-24) takes those speakers only.
Labels are scored in ``ekman7`` (RAVDESS ``calm`` merged into ``neutral``); RAVDESS can also be scored in all
eight of its classes with ``labels="ekman7_calm"``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import numpy as np

from affectscope.errors import InputError
from affectscope.evaluate.datasets.base import EvalData, _check_labels, _space_labels

__all__ = ["load_cremad", "load_emodb", "load_ravdess", "load_savee", "load_tess"]

AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg")

RAVDESS_TO_EKMAN: dict[str, str | None] = {
    "01": "neutral",
    "02": "neutral",  # calm: ours, the usual 7-class merge (Ekman has no calm)
    "03": "joy",
    "04": "sadness",
    "05": "anger",
    "06": "fear",
    "07": "disgust",
    "08": "surprise",
}
RAVDESS_TO_EKMAN_CALM: dict[str, str | None] = {**RAVDESS_TO_EKMAN, "02": "calm"}  # all 8 classes
TESS_TO_EKMAN: dict[str, str | None] = {
    "angry": "anger",
    "disgust": "disgust",
    "fear": "fear",
    "happy": "joy",
    "neutral": "neutral",
    "ps": "surprise",  # pleasant surprise
    "sad": "sadness",
}
EMODB_TO_EKMAN: dict[str, str | None] = {
    "W": "anger",  # Wut
    "L": None,  # Langeweile (boredom): no Ekman counterpart, files are left out
    "E": "disgust",  # Ekel
    "A": "fear",  # Angst
    "F": "joy",  # Freude
    "T": "sadness",  # Trauer
    "N": "neutral",
}
SAVEE_TO_EKMAN: dict[str, str | None] = {
    "a": "anger",
    "d": "disgust",
    "f": "fear",
    "h": "joy",
    "n": "neutral",
    "sa": "sadness",
    "su": "surprise",
}
CREMAD_TO_EKMAN: dict[str, str | None] = {
    "ANG": "anger",
    "DIS": "disgust",
    "FEA": "fear",
    "HAP": "joy",
    "NEU": "neutral",
    "SAD": "sadness",
}


def _audio_files(root: Path, dataset: str) -> list[Path]:
    if not root.is_dir():
        raise InputError(f"{dataset}: {root} is not a folder.")
    files = sorted(p for p in root.rglob("*") if p.suffix.lower() in AUDIO_SUFFIXES and p.is_file())
    if not files:
        raise InputError(f"{root} does not look like {dataset}: no audio files ({', '.join(AUDIO_SUFFIXES)}).")
    return files


def _speakers(split: str, dataset: str) -> set[str] | None:
    if split == "all":
        return None
    if re.fullmatch(r"[\w-]+(,[\w-]+)*", split) and split not in ("train", "dev", "test"):
        return set(split.split(","))
    raise InputError(
        f"{dataset} has no official split; use 'all' or a comma-separated list of speaker ids. Got {split!r}."
    )


def _build(
    dataset: str,
    split: str,
    labels: str | None,
    parsed: list[tuple[Path, str, str]],
    mapping: dict[str, str | None],
    *,
    space: str = "ekman7",
) -> EvalData:
    """Turn ``(file, speaker, dataset label)`` triples into EvalData, keeping the chosen speakers."""
    _check_labels(labels, (space,), dataset)
    wanted = _speakers(split, dataset)
    ek = _space_labels(space)
    if wanted is not None:
        present = {s for _, s, _ in parsed}
        missing = sorted(wanted - present)
        if missing:
            raise InputError(f"{dataset}: speakers {missing} not found; present: {sorted(present)}.")
    items, y, groups = [], [], []
    for f, speaker, label in parsed:
        if label not in mapping:
            raise InputError(f"{f}: unknown {dataset} emotion code {label!r}; expected {sorted(mapping)}.")
        if mapping[label] is None or (wanted is not None and speaker not in wanted):
            continue
        items.append(str(f))
        y.append(ek.index(mapping[label]))
        groups.append(speaker)
    return EvalData(
        dataset,
        split,
        "speech",
        "single_label",
        space,
        ek,
        items,
        np.array(y, dtype=int),
        np.array(groups),
        dict(mapping),
    )


def load_ravdess(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read RAVDESS ``Actor_XX`` folders; file names ``MM-VV-EE-II-SS-RR-AA`` (7 two-digit codes).

    Only audio-only speech files are kept (modality 03, vocal channel 01); EE is the emotion, AA the actor.
    """
    parsed = []
    for f in _audio_files(path, "ravdess"):
        parts = f.stem.split("-")
        if len(parts) != 7 or not all(p.isdigit() and len(p) == 2 for p in parts):
            raise InputError(
                f"{f.name} is not a RAVDESS file name (expected 7 two-digit codes, e.g. 03-01-05-01-02-01-12)."
            )
        if parts[0] == "03" and parts[1] == "01":
            parsed.append((f, parts[6], parts[2]))
    space = _check_labels(labels, ("ekman7", "ekman7_calm"), "ravdess")
    mapping = RAVDESS_TO_EKMAN if space == "ekman7" else RAVDESS_TO_EKMAN_CALM
    return _build("ravdess", split, labels, parsed, mapping, space=space)


def load_tess(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read TESS folders ``<SPEAKER>_<emotion>`` (e.g. ``OAF_angry``, ``YAF_pleasant_surprised``)."""
    parsed = []
    for f in _audio_files(path, "tess"):
        speaker, _, emotion = f.parent.name.partition("_")
        emotion = emotion.lower()
        if emotion.startswith("pleasant_surprise"):
            emotion = "ps"
        if not speaker or not emotion:
            raise InputError(f"{f}: TESS files live in folders named <SPEAKER>_<emotion>, e.g. OAF_angry.")
        parsed.append((f, speaker, emotion))
    return _build("tess", split, labels, parsed, TESS_TO_EKMAN)


def load_emodb(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read EmoDB ``.wav`` files named like ``03a01Fa.wav`` (speaker = first 2 characters, emotion = 6th).

    Boredom (``L``) has no Ekman-7 counterpart: those files are left out (see ``mapping``).
    """
    parsed = []
    for f in _audio_files(path, "emodb"):
        if not re.fullmatch(r"\d\d[a-z]\d\d[A-Z][a-z]", f.stem):
            raise InputError(f"{f.name} is not an EmoDB file name (e.g. 03a01Fa.wav).")
        parsed.append((f, f.stem[:2], f.stem[5]))
    return _build("emodb", split, labels, parsed, EMODB_TO_EKMAN)


def load_savee(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read SAVEE files named ``<SPEAKER>_<code><nn>`` (DC, JE, JK, KL; codes a d f h n sa su)."""
    parsed = []
    for f in _audio_files(path, "savee"):
        m = re.fullmatch(r"([A-Z]{2})_([a-z]{1,2})(\d\d)", f.stem)
        if not m:
            raise InputError(f"{f.name} is not a SAVEE file name (e.g. DC_a01.wav, JK_sa12.wav).")
        parsed.append((f, m.group(1), m.group(2)))
    return _build("savee", split, labels, parsed, SAVEE_TO_EKMAN)


def load_cremad(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read CREMA-D files named ``<actor>_<sentence>_<emotion>_<level>`` (e.g. ``1001_DFA_ANG_XX.wav``)."""
    parsed = []
    for f in _audio_files(path, "crema-d"):
        parts = f.stem.split("_")
        if len(parts) != 4 or not parts[0].isdigit():
            raise InputError(f"{f.name} is not a CREMA-D file name (e.g. 1001_DFA_ANG_XX.wav).")
        parsed.append((f, parts[0], parts[2]))
    return _build("crema-d", split, labels, parsed, CREMAD_TO_EKMAN)


SPEECH_ADAPTERS: dict[str, Callable[..., EvalData]] = {
    "ravdess": load_ravdess,
    "tess": load_tess,
    "emodb": load_emodb,
    "savee": load_savee,
    "crema-d": load_cremad,
}
