"""Window sequences of one recording: normalisation against the wearer, context, reactivity, temporal smoothing.

Stress is judged against the wearer's own recording, window by window in time order. The same functions serve
the recognizer and the training scripts (``training/physio``), so the model sees at run time exactly what it
was fitted on.

* :func:`zscore`: each feature z-scored over the recording (the wearer's baseline);
* :func:`context_features`: z-scores, their centred rolling mean and their change from the preceding windows;
* :func:`smooth`: P(stress) smoothed over time, by a centred mean or a two-state hidden Markov model
  (forward-backward), since stress episodes last minutes, not seconds.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

__all__ = ["context_features", "hmm_smooth", "reactivity", "rolling_mean", "smooth", "zscore"]


def zscore(x: np.ndarray) -> np.ndarray:
    """z-score columns over the windows, ignoring NaN; an all-NaN column (a missing channel) stays NaN.

    Examples
    --------
    >>> zscore(np.array([[1.0], [3.0]])).ravel().tolist()
    [-1.0, 1.0]
    """
    x = np.asarray(x, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        sd = np.nanstd(x, 0)
        return (x - np.nanmean(x, 0)) / np.where(sd > 0, sd, 1)


def rolling_mean(x: np.ndarray, k: int) -> np.ndarray:
    """Centred mean over ``k`` windows (fewer at the edges); rows are windows in time order.

    Examples
    --------
    >>> rolling_mean(np.array([[0.0], [3.0], [0.0]]), 3).ravel().tolist()
    [1.5, 1.0, 1.5]
    """
    return pd.DataFrame(x).rolling(k, center=True, min_periods=1).mean().to_numpy().reshape(np.shape(x))


def reactivity(x: np.ndarray, k: int) -> np.ndarray:
    """Each window minus the mean of the ``k`` windows before it (the first window: minus the one after it).

    Examples
    --------
    >>> reactivity(np.array([[0.0], [0.0], [2.0]]), 2).ravel().tolist()
    [0.0, 0.0, 2.0]
    """
    before = pd.DataFrame(x).shift(1).rolling(k, min_periods=1).mean().bfill().to_numpy()
    return np.asarray(x) - before.reshape(np.shape(x))


def context_features(x: np.ndarray, *, context: int, baseline: int) -> np.ndarray:
    """Model input of one recording: z-scores, their ``context``-window mean, their reactivity over ``baseline``.

    Examples
    --------
    >>> context_features(np.random.default_rng(0).normal(size=(10, 4)), context=5, baseline=12).shape
    (10, 12)
    """
    z = zscore(x)
    return np.hstack([z, rolling_mean(z, context), reactivity(z, baseline)])


def hmm_smooth(p: np.ndarray, switch: float) -> np.ndarray:
    """Posterior P(stress) of a two-state HMM whose emissions are the window probabilities ``p``.

    The states stay with probability ``1 - switch`` from one window to the next (forward-backward, uniform
    start), so an isolated window has to be confident to flip the state.

    Examples
    --------
    >>> hmm_smooth(np.array([0.1, 0.1, 0.6, 0.1, 0.1]), 0.1).round(2).tolist()
    [0.02, 0.01, 0.03, 0.01, 0.02]
    """
    p = np.asarray(p, dtype=np.float64)
    if len(p) == 0:
        return p
    e = np.clip(np.stack([1 - p, p], axis=1), 1e-4, 1.0)
    t = np.array([[1 - switch, switch], [switch, 1 - switch]])
    fwd = np.empty_like(e)
    bwd = np.ones_like(e)
    fwd[0] = e[0] / e[0].sum()
    for i in range(1, len(p)):
        f = (fwd[i - 1] @ t) * e[i]
        fwd[i] = f / f.sum()
    for i in range(len(p) - 2, -1, -1):
        b = t @ (e[i + 1] * bwd[i + 1])
        bwd[i] = b / b.sum()
    post = fwd * bwd
    return post[:, 1] / post.sum(axis=1)


def smooth(p: np.ndarray, method: str, param: float) -> np.ndarray:
    """Smooth window probabilities over time: ``"mean"`` over ``param`` windows, or ``"hmm"`` with switch ``param``.

    Examples
    --------
    >>> smooth(np.array([0.0, 0.9, 0.0]), "mean", 3).round(2).tolist()
    [0.45, 0.3, 0.45]
    """
    if method == "mean":
        return rolling_mean(np.asarray(p, dtype=np.float64)[:, None], int(param))[:, 0]
    if method == "hmm":
        return hmm_smooth(p, float(param))
    raise ValueError(f"Unknown smoothing {method!r}; use 'mean' or 'hmm'.")
