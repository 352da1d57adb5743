"""Metrics of the evaluation harness, with the names and conventions each community uses.

Classification metrics come from scikit-learn and correlation from SciPy; only the concordance correlation
coefficient, expected calibration error and Jensen-Shannon divergence of label distributions are ours (no
well-kept library has them in the form we need). All return plain floats in [0, 1] (correlations in [-1, 1]).

Needs the ``eval`` extra: ``pip install 'affectscope[eval]'``.

Examples
--------
>>> import numpy as np
>>> round(ccc(np.array([1.0, 2, 3]), np.array([1.0, 2, 3])), 3)
1.0
>>> round(uar(["a", "a", "b"], ["a", "b", "b"]), 3)
0.75
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from affectscope.errors import DependencyError, InputError

__all__ = [
    "ECE_BINS",
    "accuracy",
    "ccc",
    "ece",
    "js_divergence",
    "js_votes",
    "macro_f1",
    "micro_f1",
    "multilabel_ece",
    "pearson",
    "reliability_bins",
    "uar",
    "weighted_f1",
]

ECE_BINS = 15


def _sk() -> Any:
    try:
        import sklearn.metrics as skm
    except ImportError as exc:
        raise DependencyError(
            "Evaluation metrics need scikit-learn and scipy: pip install 'affectscope[eval]'."
        ) from exc
    return skm


def _check_pair(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(y_true), np.asarray(y_pred)
    if len(a) != len(b):
        raise InputError(f"y_true and y_pred differ in length: {len(a)} != {len(b)}.")
    if len(a) == 0:
        raise InputError("Metrics need at least one item; got none.")
    return a, b


def accuracy(y_true: Sequence[Any], y_pred: Sequence[Any]) -> float:
    """Share of exactly right predictions (single-label).

    Parameters
    ----------
    y_true, y_pred : sequence
        Class labels.

    Returns
    -------
    float

    Examples
    --------
    >>> accuracy(["a", "b"], ["a", "a"])
    0.5
    """
    a, b = _check_pair(y_true, y_pred)
    return float(_sk().accuracy_score(a, b))


def macro_f1(y_true: Any, y_pred: Any, *, labels: Sequence[Any] | None = None) -> float:
    """Unweighted mean of per-class F1 (single-label labels, or multi-label 0/1 matrices).

    Parameters
    ----------
    y_true, y_pred : sequence or ndarray of shape (n, classes)
        Labels, or 0/1 indicator matrices for multi-label data.
    labels : sequence, optional
        Classes to average over (default: every class seen in either argument).

    Returns
    -------
    float

    Examples
    --------
    >>> macro_f1(["a", "b", "b"], ["a", "b", "a"])
    0.6666666666666666
    """
    a, b = _check_pair(y_true, y_pred)
    return float(_sk().f1_score(a, b, labels=labels, average="macro", zero_division=0))


def weighted_f1(y_true: Any, y_pred: Any, *, labels: Sequence[Any] | None = None) -> float:
    """Per-class F1 averaged with class support as weights.

    Parameters
    ----------
    y_true, y_pred : sequence or ndarray
        As in :func:`macro_f1`.
    labels : sequence, optional
        Classes to average over.

    Returns
    -------
    float

    Examples
    --------
    >>> round(weighted_f1(["a", "b", "b"], ["a", "b", "a"]), 4)
    0.6667
    """
    a, b = _check_pair(y_true, y_pred)
    return float(_sk().f1_score(a, b, labels=labels, average="weighted", zero_division=0))


def micro_f1(y_true: np.ndarray, y_pred: np.ndarray) -> float:
    """F1 over all (item, label) decisions of multi-label 0/1 matrices.

    Parameters
    ----------
    y_true, y_pred : ndarray of shape (n, classes)
        0/1 indicator matrices.

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> micro_f1(np.array([[1, 0], [0, 1]]), np.array([[1, 0], [1, 1]]))
    0.8
    """
    a, b = _check_pair(y_true, y_pred)
    return float(_sk().f1_score(a, b, average="micro", zero_division=0))


def uar(y_true: Sequence[Any], y_pred: Sequence[Any], *, labels: Sequence[Any] | None = None) -> float:
    """Unweighted average recall (the speech community's headline metric): mean of per-class recall.

    Parameters
    ----------
    y_true, y_pred : sequence
        Class labels.
    labels : sequence, optional
        Classes to average over (default: the classes present in ``y_true``).

    Returns
    -------
    float

    Examples
    --------
    >>> uar(["a", "a", "b", "b"], ["a", "a", "a", "b"])
    0.75
    """
    a, b = _check_pair(y_true, y_pred)
    labels = sorted(set(a.tolist())) if labels is None else labels
    return float(_sk().recall_score(a, b, labels=labels, average="macro", zero_division=0))


def pearson(x: Any, y: Any) -> float:
    """Pearson correlation coefficient (SciPy); NaN-free inputs of equal length, at least two items.

    Parameters
    ----------
    x, y : array-like of float
        Paired values.

    Returns
    -------
    float

    Examples
    --------
    >>> round(pearson([1, 2, 3], [2, 4, 7]), 4)
    0.9934
    """
    a, b = _check_pair(x, y)
    try:
        from scipy.stats import pearsonr
    except ImportError as exc:
        raise DependencyError("pearson needs scipy: pip install 'affectscope[eval]'.") from exc
    if len(a) < 2 or np.std(a) == 0 or np.std(b) == 0:
        raise InputError("Pearson r needs at least two items and non-constant values on both sides.")
    return float(pearsonr(a.astype(float), b.astype(float))[0])


def ccc(x: Any, y: Any) -> float:
    """Lin's concordance correlation coefficient: agreement in correlation, mean and scale.

    ``2 cov(x, y) / (var(x) + var(y) + (mean(x) - mean(y))**2)`` with population (1/n) moments, as in
    Lin (1989) and the AVEC challenges.

    Parameters
    ----------
    x, y : array-like of float
        Paired values (predictions and gold, in the same units).

    Returns
    -------
    float

    Examples
    --------
    >>> round(ccc([1.0, 2.0, 3.0], [2.0, 3.0, 4.0]), 4)
    0.5714
    """
    a, b = _check_pair(x, y)
    a, b = a.astype(float), b.astype(float)
    denom = a.var() + b.var() + (a.mean() - b.mean()) ** 2
    if denom == 0:
        raise InputError("CCC is undefined when both series are the same constant.")
    return float(2 * np.mean((a - a.mean()) * (b - b.mean())) / denom)


def ece(probs: np.ndarray, y_true: Sequence[int], *, bins: int = ECE_BINS) -> float:
    """Compute the expected calibration error of single-label predictions (top-label, equal-width bins).

    The confidence of an item is its largest probability; items are binned by confidence into ``bins`` equal
    bins on [0, 1]; ECE is the item-weighted mean of |accuracy − mean confidence| over bins (Guo et al., 2017).

    Parameters
    ----------
    probs : ndarray of shape (n, classes)
        Probabilities per class (rows should sum to 1).
    y_true : sequence of int
        True class indices.
    bins : int
        Number of bins (15 by default, as in Guo et al.).

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> round(ece(np.array([[0.9, 0.1], [0.9, 0.1]]), [0, 1]), 4)
    0.4
    """
    p = np.asarray(probs, dtype=float)
    y = np.asarray(y_true)
    if p.ndim != 2 or len(p) != len(y) or len(y) == 0:
        raise InputError(f"ece needs probs of shape (n, classes) and n labels; got {p.shape} and {len(y)}.")
    conf = p.max(1)
    correct = (p.argmax(1) == y).astype(float)
    return _binned_gap(conf, correct, bins)


def multilabel_ece(probs: np.ndarray, y_true: np.ndarray, *, bins: int = ECE_BINS) -> float:
    """Calibration error of multi-label sigmoid outputs: every (item, label) probability is one binary forecast.

    Parameters
    ----------
    probs : ndarray of shape (n, classes)
        Independent per-label probabilities.
    y_true : ndarray of shape (n, classes)
        0/1 targets.
    bins : int
        Equal-width bins on [0, 1].

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> round(multilabel_ece(np.array([[0.8, 0.2]]), np.array([[1, 0]])), 3)
    0.2
    """
    p = np.asarray(probs, dtype=float).ravel()
    y = np.asarray(y_true, dtype=float).ravel()
    if len(p) != len(y) or len(p) == 0:
        raise InputError("multilabel_ece needs probability and target matrices of the same non-empty shape.")
    return _binned_gap(p, y, bins)


def reliability_bins(conf: Any, outcome: Any, *, bins: int = ECE_BINS) -> list[dict[str, float]]:
    """Group forecasts into equal-width confidence bins (the data of a reliability diagram).

    Parameters
    ----------
    conf : array-like of float
        Forecast probabilities (top-label confidence, or per-label probabilities).
    outcome : array-like of {0, 1}
        Whether each forecast came true.
    bins : int
        Equal-width bins on [0, 1].

    Returns
    -------
    list of dict
        One ``{"lo", "hi", "confidence", "accuracy", "count"}`` per non-empty bin.

    Examples
    --------
    >>> reliability_bins([0.95, 0.9, 0.1], [1, 0, 0], bins=2)
    [{'lo': 0.0, 'hi': 0.5, 'confidence': 0.1, 'accuracy': 0.0, 'count': 1}, {'lo': 0.5, 'hi': 1.0, 'confidence': 0.925, 'accuracy': 0.5, 'count': 2}]
    """  # noqa: E501
    return [
        {
            "lo": round(b / bins, 4),
            "hi": round((b + 1) / bins, 4),
            "confidence": round(mean_conf, 4),
            "accuracy": round(mean_outcome, 4),
            "count": count,
        }
        for b, count, mean_conf, mean_outcome in _bins(conf, outcome, bins)
    ]


def _bins(conf: Any, outcome: Any, bins: int) -> Iterator[tuple[int, int, float, float]]:
    """Yield ``(bin, count, mean confidence, mean outcome)`` for every non-empty equal-width bin."""
    c, o = np.asarray(conf, dtype=float), np.asarray(outcome, dtype=float)
    idx = np.minimum((c * bins).astype(int), bins - 1)
    for b in range(bins):
        sel = idx == b
        if sel.any():
            yield b, int(sel.sum()), float(c[sel].mean()), float(o[sel].mean())


def _binned_gap(conf: np.ndarray, outcome: np.ndarray, bins: int) -> float:
    n = len(conf)
    return float(sum(count / n * abs(acc - mean) for _, count, mean, acc in _bins(conf, outcome, bins)))


def js_divergence(p: np.ndarray, q: np.ndarray) -> float:
    """Mean Jensen-Shannon divergence (base 2, so in [0, 1]) between rows of two label distributions.

    Parameters
    ----------
    p, q : ndarray of shape (n, classes)
        Distributions (rows are normalised to sum to 1).

    Returns
    -------
    float

    Examples
    --------
    >>> import numpy as np
    >>> js_divergence(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]]))
    1.0
    """
    try:
        from scipy.spatial.distance import jensenshannon
    except ImportError as exc:
        raise DependencyError("js_divergence needs scipy: pip install 'affectscope[eval]'.") from exc
    a, b = _check_pair(p, q)
    d = jensenshannon(a.astype(float), b.astype(float), axis=1, base=2)
    return float(np.mean(np.asarray(d) ** 2))


def js_votes(probs: np.ndarray, votes: np.ndarray, *, columns: Sequence[int] | None = None) -> float:
    """Mean Jensen-Shannon divergence (base 2) between a model's distributions and crowd vote distributions.

    The model's distribution is restricted to the classes the raters could choose (``columns``) and renormalised;
    items without votes (NaN rows of ``votes``) are left out. A prediction with no mass on those classes counts
    as the uniform distribution over them.

    Parameters
    ----------
    probs : ndarray of shape (n, classes)
        Model probabilities.
    votes : ndarray of shape (n, k)
        Share of raters choosing each of the ``k`` classes (or raw counts; rows are normalised); NaN rows for
        items without votes.
    columns : sequence of int, optional
        The column of ``probs`` matching each column of ``votes`` (default: the first ``k``), e.g. CREMA-D's
        anger, disgust, fear, happy, neutral, sad in Ekman-7 order ``[0, 1, 2, 3, 6, 4]`` (surprise dropped).

    Returns
    -------
    float
        In [0, 1]; 0 when every prediction matches its crowd distribution.

    Raises
    ------
    InputError
        Shapes that do not match, or no item with votes.

    Examples
    --------
    >>> import numpy as np
    >>> p = np.array([[0.4, 0.0, 0.6], [0.2, 0.8, 0.0], [0.5, 0.5, 0.0]])  # classes a, b, c (c not rated)
    >>> v = np.array([[1.0, 0.0], [0.0, 1.0], [np.nan, np.nan]])  # the third item has no votes
    >>> round(js_votes(p, v, columns=[0, 1]), 4)  # the first item matches exactly once c is dropped
    0.054
    """
    p, v = np.asarray(probs, dtype=float), np.asarray(votes, dtype=float)
    if p.ndim != 2 or v.ndim != 2 or len(p) != len(v):
        raise InputError(f"probs and votes must be (n, classes) arrays of equal n; got {p.shape} and {v.shape}.")
    cols = list(range(v.shape[1])) if columns is None else list(columns)
    if len(cols) != v.shape[1] or (cols and not 0 <= min(cols) <= max(cols) < p.shape[1]):
        raise InputError(
            f"columns {cols} must give a column of probs (0-{p.shape[1] - 1}) for each of votes' {v.shape[1]}."
        )
    rated = ~np.isnan(v).any(axis=1)
    if not rated.any():
        raise InputError("js_votes needs at least one item with votes; every row of votes is NaN.")
    q = np.clip(p[rated][:, cols], 0.0, None)
    mass = q.sum(axis=1, keepdims=True)
    q = np.where(mass > 0, q / np.where(mass > 0, mass, 1.0), 1.0 / len(cols))
    return js_divergence(q, v[rated])
