"""Adapter for the user's own labelled EEG recordings: the labels table of ``affectscope train --modality eeg``.

A CSV with one row per recording: ``path`` (EDF/BDF or CSV; relative to the table), ``label`` and ``subject``.
Items are recordings (``{"path", "subject"}``), scored by the mean of their windows' probabilities; groups are
subjects. There is no official split: ``all``, or a comma-separated list of subject ids. Labels are the user's
own (space ``user``): every label in the table, sorted.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from affectscope.errors import InputError
from affectscope.evaluate.datasets.base import EvalData

__all__ = ["EEG_ADAPTERS", "load_eeg_labels"]


def load_eeg_labels(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read a labels table (``path``, ``label``, ``subject``) as an evaluation set.

    Parameters
    ----------
    path : pathlib.Path
        The labels CSV.
    split : str
        ``"all"`` or comma-separated subject ids.
    labels : str, optional
        ``"user"`` (the only choice: the table's own labels).

    Returns
    -------
    EvalData
    """
    from affectscope.errors import ConfigError
    from affectscope.recognizers.eeg import read_eeg_labels

    if labels not in (None, "user"):
        raise ConfigError(f"The 'labels' parameter for eeg must be 'user' (the table's own labels). Got {labels!r}.")
    path = Path(path)
    rows = read_eeg_labels(path)
    subjects = sorted({r["subject"] for r in rows})
    if split != "all":
        wanted = [s.strip() for s in split.split(",") if s.strip()]
        unknown = sorted(set(wanted) - set(subjects))
        if unknown:
            raise InputError(f"eeg: subjects {unknown} are not in {path}; it has {subjects}.")
        rows = [r for r in rows if r["subject"] in wanted]
    names = sorted({r["label"] for r in rows})
    items = [
        {
            "path": r["path"] if Path(r["path"]).is_absolute() else str(path.parent / r["path"]),
            "subject": r["subject"],
        }
        for r in rows
    ]
    return EvalData(
        "eeg",
        split,
        "eeg",
        "single_label",
        "user",
        names,
        items,
        np.array([names.index(r["label"]) for r in rows], dtype=int),
        np.array([r["subject"] for r in rows]),
        {n: n for n in names},
    )


EEG_ADAPTERS = {"eeg": load_eeg_labels}
