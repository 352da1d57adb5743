"""EEG: band power and differential entropy per channel and window, and a classifier users train on their data.

There is no public EEG emotion data we may train on here, so affectscope ships no EEG model. Instead:

* :func:`read_eeg` reads EDF/BDF (``pyedflib``) or CSV (a ``timestamp`` column, or ``--rate``, plus one column
  per channel);
* :func:`eeg_features` gives, per window and channel, the log band power (Welch) and the differential entropy
  (DE, ``0.5·log(2πe·σ²)`` of the band-passed signal, the standard SEED/DEAP feature) in the delta, theta, alpha,
  beta and gamma bands, plus each band's share of the total power;
* :class:`EEGClassifier` (scikit-learn contract: ``fit``, ``predict_proba``, subject-grouped ``cross_validate``)
  standardises the features within each subject (the wearer's own baseline), fits a logistic regression, and
  saves itself as a model bundle that ``affectscope analyze rec.edf --modality eeg --model DIR`` uses.

``affectscope train --modality eeg --data labels.csv --out DIR`` does all of this from a CSV listing recordings
(``path``, ``label``, ``subject``). Needs the ``eeg`` extra (scipy, scikit-learn, pyedflib).

Readers are bounded like the wearable ones (:mod:`affectscope.media.physio`): an EDF/BDF header must match the
file's size and declare at most 7 days, and at most 2**28 samples are read; a CSV is at most 1 GiB with lines
of at most 1 MiB, its rate (timestamps or ``rate``) in (0, 100000] Hz and its values finite within ±1e9; a
labels table is at most 16 MiB. Bad bytes raise :class:`~affectscope.errors.InputError` only.

Examples
--------
>>> import numpy as np
>>> sr = 128
>>> t = np.arange(sr * 8) / sr
>>> x = np.sin(2 * np.pi * 10 * t) + 0.1 * np.random.default_rng(0).standard_normal(len(t))  # a 10 Hz alpha rhythm
>>> f, names = eeg_features(x[None, :], sr, channels=["O1"], window=4.0)
>>> best = max((c for c in names if c.startswith("O1:power_")), key=lambda c: f[0, names.index(c)])
>>> best
'O1:power_alpha'
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from affectscope._validation import check_number
from affectscope.errors import AffectscopeError, ConfigError, InputError, NotFittedError

__all__ = [
    "BANDS",
    "EEGClassifier",
    "EEGRecording",
    "LabelledEEG",
    "analyze_eeg",
    "eeg_features",
    "read_eeg",
    "read_eeg_labels",
    "read_labelled_eeg",
]

BANDS = {"delta": (1.0, 4.0), "theta": (4.0, 8.0), "alpha": (8.0, 13.0), "beta": (13.0, 30.0), "gamma": (30.0, 45.0)}
ACCEPTED_EEG_INPUTS = (
    "an EDF/BDF file, or a CSV with a 'timestamp' column (seconds) or a given sampling rate and one column per channel"
)
MAX_EEG_RATE = 100_000.0  # Hz
MAX_LABELS_BYTES = 16 * 1024**2


def _scipy_signal() -> Any:
    try:
        from scipy import signal
    except ImportError:
        raise ConfigError("EEG analysis needs scipy: pip install 'affectscope[eeg]'.") from None
    return signal


@dataclass
class EEGRecording:
    """Samples (channels × n), channel names and the sampling rate of one recording."""

    data: np.ndarray
    channels: list[str]
    rate: float
    source: str = "eeg"


def read_eeg(path: str | os.PathLike[str], *, rate: float | None = None) -> EEGRecording:
    r"""Read an EEG recording (EDF/BDF or CSV).

    EDF/BDF: the signals at the file's highest rate (the EEG leads). CSV/TSV: every column but ``timestamp``,
    ``time`` and ``label``; the rate is the median step of ``timestamp``, or ``rate``. Empty cells read as 0.

    Raises
    ------
    InputError
        The file is missing, malformed, over a limit, has no channels, non-finite or huge values, or is a CSV
        without timestamps and no ``rate``.
    ConfigError
        ``rate`` is not a number in (0, 100000].

    Examples
    --------
    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "rec.csv"
    >>> _ = f.write_text("Fz,Cz\n1,2\n3,4\n")
    >>> read_eeg(f, rate=256).data.tolist()
    [[1.0, 3.0], [2.0, 4.0]]
    """
    from affectscope.media.physio import _FOREIGN, _edf_read, _open_file, _shown

    if rate is not None:
        rate = check_number(rate, name="rate", func="read_eeg", low=0, high=MAX_EEG_RATE, low_open=True)
    p = Path(path)
    if not p.is_file():
        if p.exists():
            raise InputError(f"{p} is not a regular file (a folder, device or pipe). Expected {ACCEPTED_EEG_INPUTS}.")
        raise InputError(f"EEG recording not found: {p}.")
    suffix = p.suffix.lower()
    if suffix in (".edf", ".bdf"):

        def pick(labels: list[str], rates: list[float]) -> list[int]:
            return [i for i, r in enumerate(rates) if r == max(rates)]  # EEG channels share the highest rate

        labels, rates, _, signals = _edf_read(p, ACCEPTED_EEG_INPUTS, pick, extra="eeg", max_rate=MAX_EEG_RATE)
        keep = sorted(signals)
        n = min(len(signals[i]) for i in keep)
        data = np.vstack([signals[i][:n] for i in keep])
        return EEGRecording(data, [labels[i] for i in keep], max(rates), str(p))
    if suffix in (".csv", ".tsv"):
        import pandas as pd

        try:
            with _open_file(p) as buf:
                table = pd.read_csv(buf, sep="\t" if suffix == ".tsv" else ",", encoding="utf-8", engine="c")
        except InputError:
            raise
        except pd.errors.EmptyDataError:
            raise InputError(f"{p} is empty. Expected {ACCEPTED_EEG_INPUTS}.") from None
        except (*_FOREIGN, pd.errors.ParserError) as exc:
            reason = " ".join(str(exc).split())[:160]
            raise InputError(f"{p} is not a CSV table ({reason}). Expected {ACCEPTED_EEG_INPUTS}.") from None
        lower = [str(c).lower().strip() for c in table.columns]
        cols = [c for c, low in zip(table.columns, lower, strict=True) if low not in ("timestamp", "time", "label")]
        if "timestamp" in lower:
            tcol = table.columns[lower.index("timestamp")]
            t = pd.to_numeric(table[tcol], errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
            step = np.diff(t)
            if len(step) < 2 or not np.isfinite(t).all() or not (step > 0).all():
                raise InputError(f"{p}: 'timestamp' must be increasing seconds (numbers, no gaps).")
            rate = 1.0 / float(np.median(step))
            if not 0 < rate <= MAX_EEG_RATE:
                raise InputError(
                    f"{p}: the timestamps step by {1 / rate:g} s ({rate:g} Hz); accepted: up to {MAX_EEG_RATE:g} Hz "
                    "with 'timestamp' in seconds."
                )
        if rate is None:
            raise InputError(f"{p} has no 'timestamp' column: pass the sampling rate (--rate).")
        shown = [_shown(str(c), 40) for c in list(table.columns)[:10]]
        if not cols or not len(table):
            raise InputError(f"{p} needs numeric channel columns and rows; it has {shown}.")
        values = table[cols].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan).T
        if np.isnan(values).all(axis=1).any():
            raise InputError(f"{p} needs numeric channel columns; it has {shown}.")
        if (np.abs(values) > 1e9).any():  # NaN compares False: empty cells pass and read as 0
            raise InputError(f"{p} holds infinite or huge values (beyond ±1e9); EEG samples are finite numbers.")
        return EEGRecording(np.nan_to_num(values), [str(c) for c in cols], float(rate), str(p))
    raise InputError(f"{p} is not an EEG recording. Expected {ACCEPTED_EEG_INPUTS}.")


def eeg_features(
    data: np.ndarray, rate: float, *, channels: list[str], window: float = 4.0
) -> tuple[np.ndarray, list[str]]:
    """Band features per non-overlapping window.

    Parameters
    ----------
    data : ndarray of shape (channels, n)
        The signals (any unit; features are logarithmic).
    rate : float
        Sampling rate in Hz (at least 90 Hz, so that the gamma band fits under Nyquist).
    channels : list of str
        Channel names (used in the feature names).
    window : float
        Window length in seconds.

    Returns
    -------
    features : ndarray of shape (windows, channels × 15)
        Per channel and band: ``power_<band>`` (log10 Welch power), ``de_<band>`` (differential entropy) and
        ``rel_<band>`` (share of the 1–45 Hz power).
    names : list of str
        ``"<channel>:<feature>"``.
    """
    window = check_number(window, name="window", func="eeg_features", low=0.5, high=3600)
    signal = _scipy_signal()
    try:
        data = np.atleast_2d(np.asarray(data, dtype=np.float64))
        rate = float(rate)
    except (TypeError, ValueError) as exc:
        raise InputError(f"EEG data must be a numeric array (channels × samples) and a rate: {exc}.") from None
    if data.ndim != 2 or data.shape[0] != len(channels):
        raise InputError(f"{data.shape[0]} signals but {len(channels)} channel names.")
    if not np.isfinite(data).all():
        raise InputError("EEG data hold NaN or infinite values; pass finite numbers (fill gaps first).")
    if not (np.isfinite(rate) and 90 <= rate <= MAX_EEG_RATE):
        raise InputError(
            f"EEG features need a sampling rate of at least 90 Hz (gamma is 30-45 Hz), at most "
            f"{MAX_EEG_RATE:g}; got {rate:g}."
        )
    step = round(window * rate)
    n_win = data.shape[1] // step
    if n_win < 1:
        raise InputError(f"The recording lasts {data.shape[1] / rate:.1f} s; one window needs {window:g} s.")
    filters = {b: signal.butter(4, (lo, hi), btype="bandpass", fs=rate, output="sos") for b, (lo, hi) in BANDS.items()}
    banded = {b: signal.sosfiltfilt(sos, data, axis=1) for b, sos in filters.items()}
    rows = []
    for w in range(n_win):
        seg = data[:, w * step : (w + 1) * step]
        freqs, psd = signal.welch(seg, fs=rate, nperseg=min(step, int(2 * rate)), axis=1)
        total = psd[:, (freqs >= 1) & (freqs < 45)].sum(1) + 1e-20
        feats = []
        for b, (lo, hi) in BANDS.items():
            band = psd[:, (freqs >= lo) & (freqs < hi)].sum(1) + 1e-20
            var = banded[b][:, w * step : (w + 1) * step].var(axis=1) + 1e-20
            feats.append(np.stack([np.log10(band), 0.5 * np.log(2 * np.pi * np.e * var), band / total], axis=1))
        rows.append(np.concatenate(feats, axis=1).reshape(-1))  # (channels, bands × 3) → channel, band, kind
    names = [f"{c}:{kind}_{b}" for c in channels for b in BANDS for kind in ("power", "de", "rel")]
    return np.array(rows), names


@dataclass
class LabelledEEG:
    """Window features of labelled recordings (``affectscope train``/``eval`` input).

    Attributes
    ----------
    x : ndarray of shape (windows, features)
    labels, subjects : ndarray of str
        Per window, its recording's label and subject.
    recording : ndarray of int
        Per window, the row of its recording in the labels table.
    names : list of str
        Feature names (channel, band, kind).
    """

    x: np.ndarray
    labels: np.ndarray
    subjects: np.ndarray
    recording: np.ndarray
    names: list[str]


def read_eeg_labels(path: str | os.PathLike[str]) -> list[dict[str, str]]:
    r"""Read a labels table: a CSV with one row per recording and the columns ``path``, ``label``, ``subject``.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "labels.csv"
    >>> _ = f.write_text("path,label,subject\nrec1.edf,relaxed,s1\n")
    >>> read_eeg_labels(f)
    [{'path': 'rec1.edf', 'label': 'relaxed', 'subject': 's1'}]
    """
    import pandas as pd

    from affectscope.media.physio import _FOREIGN, _open_file

    try:
        with _open_file(Path(path), limit=MAX_LABELS_BYTES) as buf:
            table = pd.read_csv(buf, dtype=str, keep_default_na=False, encoding="utf-8", engine="c")
    except InputError:
        raise
    except (*_FOREIGN, pd.errors.ParserError) as exc:  # EmptyDataError is a ValueError
        reason = " ".join(str(exc).split())[:160]
        raise InputError(f"Cannot read the labels table {path}: {reason}.") from None
    missing = {"path", "label", "subject"} - set(table.columns)
    if missing:
        raise InputError(f"{path} needs the columns path, label, subject; missing {sorted(missing)}.")
    if table.empty:
        raise InputError(f"{path} lists no recording.")
    return table[["path", "label", "subject"]].to_dict("records")


def read_labelled_eeg(
    rows: list[dict[str, str]], *, base: str | os.PathLike[str], window: float = 4.0, rate: float | None = None
) -> LabelledEEG:
    """Features of every window of labelled recordings (rows with ``path``, ``label``, ``subject``).

    Relative paths are relative to ``base``. Every recording must have the same channels, in the same order.

    Raises
    ------
    InputError
        A recording is unreadable or has other channels than the first one.
    """
    window = check_number(window, name="window", func="read_labelled_eeg", low=0.5, high=3600)
    if rate is not None:
        rate = check_number(rate, name="rate", func="read_labelled_eeg", low=0, high=MAX_EEG_RATE, low_open=True)
    feats, labels, subjects, recording, names = [], [], [], [], None
    for i, row in enumerate(rows):
        p = Path(row["path"]) if Path(row["path"]).is_absolute() else Path(base) / row["path"]
        rec = read_eeg(p, rate=rate)
        x, n = eeg_features(rec.data, rec.rate, channels=rec.channels, window=window)
        if names is not None and n != names:
            raise InputError(f"{p} has other channels than the first recording; all need the same channels.")
        names = n
        feats.append(x)
        labels += [str(row["label"])] * len(x)
        subjects += [str(row["subject"])] * len(x)
        recording += [i] * len(x)
    if names is None:
        raise InputError("No recording listed.")
    return LabelledEEG(np.vstack(feats), np.array(labels), np.array(subjects), np.array(recording), names)


_USE = {True: "allowed", False: "not allowed", None: "unknown (treated as not allowed)"}


def _check_licence(licence: Any) -> str:
    """Return the declared licence of the user's recordings (``"unknown"`` for None), or raise ConfigError."""
    if licence is None:
        return "unknown"
    text = licence.strip() if isinstance(licence, str) else None
    if not text or len(text) > 100 or not text.isprintable():
        raise ConfigError(
            "The 'data_licence' parameter of EEGClassifier.save (--data-licence) must be a licence name of 1 to 100 "
            f"printable characters on one line, e.g. 'CC-BY-4.0'. Got {str(licence)[:40]!r} instead."
        )
    return text


class EEGClassifier:
    """Per-subject standardisation + logistic regression over :func:`eeg_features`, saved as a model bundle.

    Parameters
    ----------
    c : float
        Inverse L2 strength of the logistic regression.
    window : float
        Feature window in seconds.

    Examples
    --------
    >>> clf = EEGClassifier()
    >>> clf.predict_proba(np.zeros((1, 15)))
    Traceback (most recent call last):
    ...
    affectscope.errors.NotFittedError: This EEGClassifier is not fitted yet; call fit(features, labels, subjects) first.
    """

    def __init__(self, *, c: float = 1.0, window: float = 4.0) -> None:
        self.c = c
        self.window = window

    @staticmethod
    def normalise(x: np.ndarray, subjects: np.ndarray) -> np.ndarray:
        """z-score features within each subject (no labels used)."""
        out = np.array(x, dtype=np.float64)
        for g in np.unique(subjects):
            m = subjects == g
            sd = out[m].std(0)
            out[m] = (out[m] - out[m].mean(0)) / np.where(sd > 0, sd, 1)
        return out

    def fit(self, x: np.ndarray, y: Any, subjects: Any) -> EEGClassifier:
        """Fit on window features ``x``, labels ``y`` (strings or ints) and subject ids."""
        from sklearn.linear_model import LogisticRegression

        y = np.asarray(y).astype(str)
        self.classes_ = sorted(set(y))
        if len(self.classes_) < 2:
            raise InputError(f"Training needs at least two labels; got {self.classes_}.")
        z = self.normalise(x, np.asarray(subjects))
        self.mean_, self.scale_ = z.mean(0), np.where(z.std(0) > 0, z.std(0), 1)
        self.model_ = LogisticRegression(C=self.c, max_iter=5000).fit((z - self.mean_) / self.scale_, y)
        self.coef_, self.intercept_ = self.model_.coef_, self.model_.intercept_
        return self

    def predict_proba(self, x: np.ndarray, subjects: Any | None = None) -> np.ndarray:
        """Class probabilities (columns in :attr:`classes_` order); ``subjects`` enables per-subject scaling."""
        if not hasattr(self, "coef_"):
            raise NotFittedError("This EEGClassifier is not fitted yet; call fit(features, labels, subjects) first.")
        z = self.normalise(x, np.asarray(subjects)) if subjects is not None else np.asarray(x, dtype=np.float64)
        logits = ((z - self.mean_) / self.scale_) @ self.coef_.T + self.intercept_
        if logits.shape[1] == 1:  # binary: one logit for the second class
            logits = np.hstack([np.zeros_like(logits), logits])
        logits -= logits.max(1, keepdims=True)
        e = np.exp(logits)
        return e / e.sum(1, keepdims=True)

    def cross_validate(self, x: np.ndarray, y: Any, subjects: Any, *, n_splits: int = 5) -> dict[str, Any]:
        """Subject-grouped CV: accuracy and balanced accuracy over held-out subjects' windows."""
        from sklearn.metrics import balanced_accuracy_score
        from sklearn.model_selection import GroupKFold

        y, subjects = np.asarray(y).astype(str), np.asarray(subjects)
        n_groups = len(np.unique(subjects))
        if n_groups < 2:
            raise InputError("Subject-grouped CV needs recordings of at least 2 subjects.")
        pred = np.empty(len(y), dtype=object)
        for tr, te in GroupKFold(n_splits=min(n_splits, n_groups)).split(x, y, subjects):
            clf = EEGClassifier(c=self.c, window=self.window).fit(x[tr], y[tr], subjects[tr])
            pred[te] = np.array(clf.classes_)[clf.predict_proba(x[te], subjects[te]).argmax(1)]
        return {
            "accuracy": round(float((pred == y).mean()), 4),
            "balanced_accuracy": round(float(balanced_accuracy_score(y, pred.astype(str))), 4),
            "windows": len(y),
            "subjects": n_groups,
            "folds": min(n_splits, n_groups),
        }

    def save(
        self,
        folder: str | os.PathLike[str],
        *,
        features: list[str],
        metrics: dict[str, Any],
        commercial_use: bool | None = None,
        data_licence: str | None = None,
    ) -> Path:
        """Write a model bundle (``bundle.json``, ``head.npz``, ``MODEL_CARD.md``) usable with ``--model``.

        Parameters
        ----------
        folder : str or path-like
            The bundle folder (created); its name is the model's name.
        features : list of str
            The feature names, in the order of the columns the classifier was fitted on.
        metrics : dict
            :meth:`cross_validate`'s figures (``balanced_accuracy``, ``folds``, ``subjects``).
        commercial_use : bool, optional
            Whether the licence of the recordings permits commercial use. None (the default) records it as
            unknown, which the ``commercial`` profile (``AFFECTSCOPE_PROFILE=commercial``) refuses, as it refuses
            False; only True lets the profile use the model.
        data_licence : str, optional
            The licence of the recordings, e.g. ``"CC-BY-4.0"`` or ``"internal, consented"`` (at most 100
            characters, one line); recorded as the training set's ``licence`` and ``licence_id`` and shown by the
            profile's refusal. None (the default): ``"unknown"``.

        Returns
        -------
        Path
            ``folder``.

        Raises
        ------
        ConfigError
            If ``commercial_use`` is not True, False or None, or ``data_licence`` is empty, too long or not one
            line.
        """
        if commercial_use is not None and not isinstance(commercial_use, bool):
            raise ConfigError(
                f"The 'commercial_use' parameter of EEGClassifier.save must be True, False or None (unknown). "
                f"Got {commercial_use!r} instead."
            )
        licence_id = _check_licence(data_licence)
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / "head.npz", mean=self.mean_, scale=self.scale_, coef=self.coef_, intercept=self.intercept_)
        bundle = {
            "name": folder.name,
            "modality": "eeg",
            "task": f"EEG classifier trained by the user: {', '.join(self.classes_)}",
            "heads": {"emotion": {"space": "user", "kind": "single_label", "labels": self.classes_}},
            "files": {"head": "head.npz"},
            "licence": f"as the user's training data ({licence_id}; commercial use: {_USE[commercial_use]})",
            "training_data": [
                {
                    "name": "the user's labelled recordings",
                    "short_name": "your recordings",
                    "split": "all",
                    "licence": licence_id if data_licence is not None else "not stated when the model was trained",
                    "licence_id": licence_id,
                    "commercial_use": commercial_use,
                }
            ],
            "citation": "affectscope EEGClassifier (band power + differential entropy, logistic regression)",
            "metrics": {
                "cv_balanced_accuracy": {
                    "value": metrics["balanced_accuracy"],
                    "dataset": "the user's recordings",
                    "split": f"{metrics['folds']}-fold subject-grouped CV, {metrics['subjects']} subjects",
                    "command": "affectscope train --modality eeg",
                }
            },
            "features": features,
            "window": self.window,
            "c": self.c,
        }
        (folder / "bundle.json").write_text(json.dumps(bundle, indent=2) + "\n", encoding="utf-8")
        (folder / "MODEL_CARD.md").write_text(
            f"# {folder.name}\n\nEEG classifier trained with `affectscope train --modality eeg`.\n\n"
            f"Labels: {', '.join(self.classes_)}. Subject-grouped CV: {json.dumps(metrics)}.\n\n"
            f"Training data: the user's labelled recordings; licence {licence_id}; commercial use "
            f"{_USE[commercial_use]}.\n",
            encoding="utf-8",
        )
        return folder

    @classmethod
    def load(cls, folder: str | os.PathLike[str]) -> tuple[EEGClassifier, dict[str, Any]]:
        """Load a bundle written by :meth:`save`; return the classifier and the bundle metadata."""
        import zipfile

        folder = Path(folder)
        try:
            meta = json.loads((folder / "bundle.json").read_text(encoding="utf-8"))
            if not isinstance(meta, dict):
                raise ValueError("bundle.json is not an object")
            if meta.get("modality") != "eeg":
                raise ConfigError(f"{folder} holds a {str(meta.get('modality'))[:40]} model, not an EEG model.")
            clf = cls(c=float(meta.get("c", 1.0)), window=float(meta.get("window", 4.0)))
            clf.classes_ = [str(c) for c in meta["heads"]["emotion"]["labels"]]
            meta["features"] = [str(n) for n in meta["features"]]
            with np.load(folder / "head.npz", allow_pickle=False) as w:
                arrays = [np.asarray(w[k], dtype=np.float64) for k in ("mean", "scale", "coef", "intercept")]
        except AffectscopeError:
            raise
        except (
            OSError,
            ValueError,
            KeyError,
            TypeError,
            IndexError,
            UnicodeError,
            RecursionError,
            zipfile.BadZipFile,
        ) as exc:
            reason = " ".join(str(exc).split())[:160]
            raise ConfigError(f"{folder} is not an EEG model folder written by affectscope train ({reason}).") from None
        clf.mean_, clf.scale_, clf.coef_, clf.intercept_ = arrays
        if (
            clf.coef_.ndim != 2
            or clf.coef_.shape[1] != len(meta["features"])
            or clf.mean_.shape != (len(meta["features"]),)
        ):
            raise ConfigError(f"{folder}: head.npz does not match the features in bundle.json; retrain the model.")
        return clf, meta


def analyze_eeg(path: str | os.PathLike[str], model: str | os.PathLike[str], *, rate: float | None = None) -> Any:
    """Classify every window of a recording with a model trained by ``affectscope train --modality eeg``.

    Rows (one per window, seconds): ``label``, ``confidence``, ``user:<label>`` probabilities, the dominant band
    and its share as ``evidence``, and a rationale. The recording's windows are standardised together (its own
    baseline), as training standardises each subject: so a recording should span the states to tell apart (or
    include a baseline period), as within-subject protocols do; a recording of one state only has no contrast.
    """
    import pandas as pd

    from affectscope.explain import row_rationales
    from affectscope.models import resolve_model
    from affectscope.result import INDEX_NAMES, Result

    clf, meta = EEGClassifier.load(model)
    resolve_model("eeg", model)  # the profile in force must allow the user's model (unknown: not commercial)
    rec = read_eeg(path, rate=rate)
    x, names = eeg_features(rec.data, rec.rate, channels=rec.channels, window=clf.window)
    if names != list(meta["features"]):
        raise InputError(
            f"{path} has channels {rec.channels}, but the model was trained on "
            f"{sorted({n.split(':')[0] for n in meta['features']})} (same names and order needed)."
        )
    p = clf.predict_proba(x, np.zeros(len(x)))
    rows = []
    rel = {b: np.mean([x[:, names.index(f"{c}:rel_{b}")] for c in rec.channels], axis=0) for b in BANDS}
    for w in range(len(x)):
        k = int(p[w].argmax())
        band = max(BANDS, key=lambda b: rel[b][w])
        rows.append(
            {
                "source": str(path),
                "start": w * clf.window,
                "end": (w + 1) * clf.window,
                "modality": "eeg",
                "track": "all channels",
                "label": clf.classes_[k],
                "confidence": float(p[w, k]),
                **{f"user:{c}": float(p[w, i]) for i, c in enumerate(clf.classes_)},
                **{f"rel_{b}": float(rel[b][w]) for b in BANDS},
                "evidence": f"{band} {100 * rel[band][w]:.0f} % of 1-45 Hz power ({len(rec.channels)} channels)",
            }
        )
    frame = pd.DataFrame(rows).set_index(list(INDEX_NAMES))
    frame["rationale"] = row_rationales(frame)
    mean = p.mean(0)
    k = int(mean.argmax())
    summary = {
        "modality": "eeg",
        "model": str(model),
        "label": clf.classes_[k],
        "confidence": round(float(mean[k]), 4),
        "scores": {"user": dict(zip(clf.classes_, mean.round(4).tolist(), strict=True))},
        "n_windows": len(frame),
        "channels": rec.channels,
        "rationale": f"{len(frame)} windows of {clf.window:g} s; mean probability of {clf.classes_[k]} {mean[k]:.2f}.",
    }
    return Result(frame, summary)
