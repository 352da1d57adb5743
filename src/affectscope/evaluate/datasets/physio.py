"""Adapter for wearable-physiology stress data: Stress-Predict (Iqbal et al., 2022), in its authors' layout.

The repository holds ``Raw_data/SXX/{ACC,BVP,EDA,HR,IBI,TEMP}.csv`` (Empatica E4 exports; ``.csv.gz`` accepted)
and ``Processed_data/Improved_All_Combined_hr_rsp_binary.csv`` (1-Hz rows: ``Participant``, ``HR``, ``respr``,
``Time(sec)`` in unix seconds, ``Label`` 0 = baseline / 1 = stress task). Items are fixed windows of each
participant's session (60 s by default, the usual unit for E4 stress classifiers), labelled from the 1-Hz rows:
a window is kept when at least 90 % of its seconds have rows and at least 90 % of those share one label, so
windows straddling a task boundary are left out rather than guessed. Each item is a dict
``{"subject", "start", "end", "raw"}`` (unix seconds and the participant's raw-signal folder) for a physiology
recognizer to read. Groups are participants; there is no official split: ``all`` or a comma-separated list of
participant ids (``"2,3"`` or ``"S02,S03"``).

Label mapping (space ``stress2``): 0 → ``neutral`` (baseline / relaxation), 1 → ``stress``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from affectscope.errors import InputError
from affectscope.evaluate.datasets.base import EvalData, _check_labels, _space_labels

__all__ = ["PHYSIO_ADAPTERS", "load_stress_predict"]

_PROCESSED = Path("Processed_data") / "Improved_All_Combined_hr_rsp_binary.csv"
_COLUMNS = ("Participant", "Time(sec)", "Label")
STRESS_PREDICT_TO_STRESS2 = {0: "neutral", 1: "stress"}


def _subjects(split: str) -> set[int] | None:
    if split == "all":
        return None
    if re.fullmatch(r"S?\d+(,S?\d+)*", split):
        return {int(s.lstrip("S")) for s in split.split(",")}
    raise InputError(
        "stress-predict has no official split; use 'all' or a comma-separated list of participant ids "
        f"(e.g. '2,3' or 'S02,S03'). Got {split!r}."
    )


def load_stress_predict(path: Path, split: str, labels: str | None = None, *, window: float = 60.0) -> EvalData:
    """Read Stress-Predict as its authors publish it: 1-Hz labels → labelled windows per participant.

    Parameters
    ----------
    path : pathlib.Path
        The repository folder (holding ``Raw_data/`` and ``Processed_data/``).
    split : str
        ``"all"`` or participant ids.
    labels : str, optional
        ``"stress2"`` (the only choice).
    window : float
        Window length in seconds.

    Returns
    -------
    EvalData
    """
    import pandas as pd

    _check_labels(labels, ("stress2",), "stress-predict")
    root = Path(path)
    csv = root / _PROCESSED
    if not root.is_dir() or not csv.is_file() or not (root / "Raw_data").is_dir():
        raise InputError(
            f"{root} does not look like Stress-Predict: expected the authors' repository layout with "
            f"{_PROCESSED.as_posix()} and Raw_data/SXX/ folders."
        )
    if not 10 <= window <= 600:
        raise InputError(f"The stress-predict window must be in [10, 600] seconds. Got {window!r}.")
    try:
        df = pd.read_csv(csv, usecols=list(_COLUMNS))
    except ValueError as exc:
        raise InputError(f"{csv} lacks the columns {list(_COLUMNS)}: {exc}") from None
    unknown = sorted({int(v) for v in df["Label"].unique()} - set(STRESS_PREDICT_TO_STRESS2))
    if unknown:
        raise InputError(f"{csv}: unknown Label values {unknown}; expected 0 (baseline) or 1 (stress).")
    wanted = _subjects(split)
    present = set(int(p) for p in df["Participant"].unique())
    if wanted is not None and wanted - present:
        raise InputError(
            f"stress-predict: participants {sorted(wanted - present)} not found; present: {sorted(present)}."
        )
    space = _space_labels("stress2")
    items, y, groups = [], [], []
    for pid, rows in df.groupby("Participant", sort=True):
        if wanted is not None and int(pid) not in wanted:
            continue
        subject = f"S{int(pid):02d}"
        raw = root / "Raw_data" / subject
        if not raw.is_dir():
            raise InputError(f"stress-predict: {raw} is missing (participant {pid} has labelled rows).")
        t = rows["Time(sec)"].to_numpy(dtype=float)
        lab = rows["Label"].to_numpy(dtype=int)
        order = np.argsort(t, kind="stable")
        t, lab = t[order], lab[order]
        for start in np.arange(t[0], t[-1] - window + 1, window):
            m = (t >= start) & (t < start + window)
            n = int(m.sum())
            if n < 0.9 * window:
                continue
            share = lab[m].mean()
            if 0.1 < share < 0.9:
                continue
            items.append({"subject": subject, "start": float(start), "end": float(start + window), "raw": str(raw)})
            y.append(space.index(STRESS_PREDICT_TO_STRESS2[int(share >= 0.5)]))
            groups.append(subject)
    if not items:
        raise InputError(f"stress-predict: no {window:g}-second window of {split!r} has a clear label.")
    return EvalData(
        "stress-predict",
        split,
        "physio",
        "single_label",
        "stress2",
        space,
        items,
        np.array(y, dtype=int),
        np.array(groups),
        {str(k): v for k, v in STRESS_PREDICT_TO_STRESS2.items()},
    )


PHYSIO_ADAPTERS = {"stress-predict": load_stress_predict}
