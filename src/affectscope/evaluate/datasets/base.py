"""What every adapter shares: :class:`EvalData`, split resolution, strict reading, label helpers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from affectscope.errors import ConfigError, InputError

__all__ = ["SPLITS", "EvalData"]

SPLITS = ("train", "dev", "test", "all")


@dataclass
class EvalData:
    """Items and targets of one dataset split.

    Attributes
    ----------
    dataset, split : str
        Adapter name and split.
    modality : str
        ``"text"`` (later ``"speech"``, ``"face"``, ...).
    kind : {"single_label", "multi_label", "regression"}
        Task type of the targets.
    space : str
        Label space of the targets (``"ekman7"``, ``"goemotions28"``, ``"vad"``).
    labels : list of str
        Class (or dimension) names, in target column order.
    items : list
        Model inputs (texts, or file paths for media).
    y : ndarray
        ``(n,)`` class indices, ``(n, classes)`` 0/1, or ``(n, dims)`` floats on [-1, 1].
    groups : ndarray or None
        Speaker / subject / dialogue ids for grouped splits.
    mapping : dict
        Dataset label → label in ``space`` (``None`` when dropped), as applied.
    speakers : ndarray or None
        Conversation sets: the speaker of each turn (items are then in dialogue order, ``groups`` = dialogues).
    votes : ndarray or None
        Crowd ratings: ``(n, len(votes_labels))`` share of raters choosing each emotion, rows aligned with
        ``items``; a NaN row where an item has no ratings (CREMA-D ``votes.csv``).
    votes_labels : list of str or None
        Names (in ``ekman7``) of the columns of ``votes``.
    demographics : dict or None
        Per-item group attributes for by-group scoring, e.g. ``{"sex": (n,), "age": (n,), "race": (n,)}`` arrays
        of group names aligned with ``items`` (``"unknown"`` where not known).
    notes : dict
        What the adapter counted while reading (e.g. labels of a side file that disagree with the folder).
    """

    dataset: str
    split: str
    modality: str
    kind: str
    space: str
    labels: list[str]
    items: list[Any]
    y: np.ndarray
    groups: np.ndarray | None = None
    mapping: dict[str, Any] = field(default_factory=dict)
    speakers: np.ndarray | None = None
    votes: np.ndarray | None = None
    votes_labels: list[str] | None = None
    demographics: dict[str, np.ndarray] | None = None
    notes: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.items)


def _files_for(root: Path, split: str, names: dict[str, str], dataset: str) -> list[tuple[str, Path]]:
    """Resolve the files of ``split`` (``all`` = every split present); clear errors otherwise."""
    if not root.exists():
        raise InputError(f"{dataset}: {root} does not exist. Expected a folder holding {sorted(names.values())}.")
    if root.is_file():
        raise InputError(f"{dataset}: --path must be the dataset folder (holding {sorted(names.values())}).")
    present = {s: root / f for s, f in names.items() if (root / f).is_file()}
    if not present:
        raise InputError(
            f"{root} does not look like {dataset}: none of {sorted(names.values())} is there "
            f"(found {sorted(p.name for p in root.iterdir())[:10]})."
        )
    if split == "all":
        return sorted(present.items())
    if split not in names:
        raise InputError(f"{dataset} has no split {split!r}; its splits are {sorted(names)} (or 'all').")
    if split not in present:
        raise InputError(
            f"{dataset}: split {split!r} needs {names[split]} in {root}; only {sorted(present)} are present."
        )
    return [(split, present[split])]


def _read_text(path: Path, *, fallback: str | None = None) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        if fallback:
            return path.read_text(encoding=fallback)
        raise InputError(f"{path} is not UTF-8 text ({exc.reason} at byte {exc.start}).") from None


def _space_labels(name: str) -> list[str]:
    from affectscope.labels import get_space

    return list(get_space(name).labels)


def _to_ekman(source_space: str) -> dict[str, str | None]:
    from affectscope.labels import get_mapping

    return {k: (v[0] if v else None) for k, v in get_mapping(source_space, "ekman7").map.items()}


def _check_labels(labels: str | None, allowed: tuple[str, ...], dataset: str) -> str:
    chosen = labels or allowed[0]
    if chosen not in allowed:
        raise ConfigError(f"The 'labels' parameter for {dataset} must be one of {list(allowed)}. Got {chosen!r}.")
    return chosen
