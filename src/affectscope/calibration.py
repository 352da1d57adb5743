"""Confidence calibration: make a 0.8 mean "right about 80 % of the time" (issue 7, part 1 — groundwork).

:class:`TemperatureScaling` (Guo et al., 2017) rescales a model's logits by one learned temperature ``T``: for
single-label (softmax) outputs ``softmax(log p / T)``, for multi-label (sigmoid) outputs ``sigmoid(logit(p) / T)``.
One parameter cannot change which label ranks first, so accuracy and F1 at the arg-max are untouched; only the
confidence moves. ``T`` is fitted by minimising the negative log-likelihood on held-out data (a dev split) with
a golden-section search over ``log T`` — numpy only, so fitted calibrators apply in the base install. A fitted
calibrator serialises to a small dict stored in a model's ``bundle.json``.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> z = rng.normal(size=(2000, 4)) * 2
>>> y = np.array([rng.choice(4, p=np.exp(r) / np.exp(r).sum()) for r in z])
>>> over = np.exp(3 * z) / np.exp(3 * z).sum(1, keepdims=True)   # three times too sharp
>>> ts = TemperatureScaling().fit(over, y)
>>> 2.5 < ts.temperature_ < 3.5
True
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from affectscope.errors import ConfigError, InputError, NotFittedError

__all__ = ["KINDS", "TemperatureScaling", "cross_fitted", "top_label_ece"]

KINDS = ("auto", "softmax", "sigmoid")
_EPS = 1e-7
_GOLDEN = (math.sqrt(5) - 1) / 2


class TemperatureScaling:
    """One-parameter confidence calibration of probability outputs (scikit-learn estimator contract).

    Parameters
    ----------
    kind : {"auto", "softmax", "sigmoid"}
        ``"softmax"`` for single-label distributions (rows sum to 1), ``"sigmoid"`` for independent per-label
        probabilities; ``"auto"`` decides from ``y`` in :meth:`fit` (class indices → softmax, a 0/1 matrix →
        sigmoid).
    bounds : tuple of float
        Smallest and largest temperature searched.
    tol : float
        Search precision on ``log T``.

    Attributes
    ----------
    temperature_ : float
        The fitted temperature (> 1 softens over-confident outputs).
    kind_ : str
        ``"softmax"`` or ``"sigmoid"``.
    nll_before_, nll_after_ : float
        Mean negative log-likelihood on the fitting data at ``T = 1`` and at ``temperature_``.

    Examples
    --------
    >>> ts = TemperatureScaling(kind="softmax").fit([[0.9, 0.1], [0.9, 0.1], [0.8, 0.2]], [0, 1, 0])
    >>> ts.transform([[0.9, 0.1]]).round(2).tolist()[0][0] < 0.9
    True
    """

    def __init__(self, *, kind: str = "auto", bounds: tuple[float, float] = (0.05, 20.0), tol: float = 1e-4) -> None:
        self.kind = kind
        self.bounds = bounds
        self.tol = tol

    # --- helpers ------------------------------------------------------------------------------------------------
    def _check_params(self) -> None:
        if self.kind not in KINDS:
            raise ConfigError(
                f"The 'kind' parameter of TemperatureScaling must be one of {list(KINDS)}. Got {self.kind!r}."
            )
        lo, hi = self.bounds
        if not 0 < lo < 1 < hi:
            raise ConfigError(f"The 'bounds' of TemperatureScaling must satisfy 0 < low < 1 < high; got {self.bounds}.")

    @staticmethod
    def _probs(probs: Any) -> np.ndarray:
        p = np.asarray(probs, dtype=np.float64)
        if p.ndim != 2 or p.size == 0:
            raise InputError(f"Probabilities must be a non-empty (n, labels) array; got shape {p.shape}.")
        if not np.isfinite(p).all() or (p < 0).any() or (p > 1).any():
            raise InputError("Probabilities must be finite and in [0, 1].")
        return np.clip(p, _EPS, 1 - _EPS)

    @staticmethod
    def _scale(p: np.ndarray, t: float, kind: str) -> np.ndarray:
        if kind == "softmax":
            z = np.log(p) / t
            z -= z.max(1, keepdims=True)
            e = np.exp(z)
            return e / e.sum(1, keepdims=True)
        z = np.log(p) - np.log1p(-p)
        return 1.0 / (1.0 + np.exp(-z / t))

    def _nll(self, p: np.ndarray, y: np.ndarray, t: float, kind: str) -> float:
        q = np.clip(self._scale(p, t, kind), _EPS, 1 - _EPS)
        if kind == "softmax":
            return float(-np.log(q[np.arange(len(y)), y]).mean())
        return float(-(y * np.log(q) + (1 - y) * np.log1p(-q)).mean())

    # --- estimator API ------------------------------------------------------------------------------------------
    def fit(self, probs: Any, y: Any) -> TemperatureScaling:
        """Fit the temperature on held-out probabilities and their targets.

        Parameters
        ----------
        probs : array-like of shape (n, labels)
            The model's probabilities.
        y : array-like
            Class indices of shape (n,) (single-label) or a 0/1 matrix of shape (n, labels) (multi-label).

        Returns
        -------
        TemperatureScaling
            ``self``.

        Examples
        --------
        >>> TemperatureScaling().fit([[0.6, 0.4], [0.3, 0.7]], [0, 1]).kind_
        'softmax'
        """
        self._check_params()
        p = self._probs(probs)
        t = np.asarray(y)
        kind = self.kind
        if kind == "auto":
            kind = "softmax" if t.ndim == 1 else "sigmoid"
        if kind == "softmax":
            if t.ndim != 1 or len(t) != len(p):
                raise InputError(f"Single-label targets must be {len(p)} class indices; got shape {t.shape}.")
            if not np.issubdtype(t.dtype, np.integer) or t.min() < 0 or t.max() >= p.shape[1]:
                raise InputError(f"Class indices must be integers in [0, {p.shape[1] - 1}].")
        elif t.shape != p.shape or not np.isin(t, (0, 1)).all():
            raise InputError(f"Multi-label targets must be a 0/1 matrix of shape {p.shape}; got shape {t.shape}.")
        t = t.astype(np.int64 if kind == "softmax" else np.float64)
        lo, hi = math.log(self.bounds[0]), math.log(self.bounds[1])
        a, b = lo + (1 - _GOLDEN) * (hi - lo), lo + _GOLDEN * (hi - lo)
        fa, fb = self._nll(p, t, math.exp(a), kind), self._nll(p, t, math.exp(b), kind)
        while hi - lo > self.tol:
            if fa <= fb:
                hi, b, fb = b, a, fa
                a = lo + (1 - _GOLDEN) * (hi - lo)
                fa = self._nll(p, t, math.exp(a), kind)
            else:
                lo, a, fa = a, b, fb
                b = lo + _GOLDEN * (hi - lo)
                fb = self._nll(p, t, math.exp(b), kind)
        self.temperature_ = float(math.exp((lo + hi) / 2))
        self.kind_ = kind
        self.nll_before_ = self._nll(p, t, 1.0, kind)
        self.nll_after_ = self._nll(p, t, self.temperature_, kind)
        return self

    def transform(self, probs: Any) -> np.ndarray:
        """Return calibrated probabilities (same shape; arg-max unchanged).

        Examples
        --------
        >>> ts = TemperatureScaling.from_dict({"method": "temperature", "kind": "softmax", "temperature": 2.0})
        >>> [round(float(v), 3) for v in ts.transform([[0.8, 0.2]])[0]]
        [0.667, 0.333]
        """
        if not hasattr(self, "temperature_"):
            raise NotFittedError("This TemperatureScaling is not fitted yet; call fit(probs, y) first.")
        return self._scale(self._probs(probs), self.temperature_, self.kind_).astype(np.float32)

    def fit_transform(self, probs: Any, y: Any) -> np.ndarray:
        """Fit, then transform the same probabilities.

        Examples
        --------
        >>> TemperatureScaling().fit_transform([[0.6, 0.4], [0.3, 0.7]], [0, 1]).shape
        (2, 2)
        """
        return self.fit(probs, y).transform(probs)

    def to_dict(self) -> dict[str, Any]:
        """Return the fitted calibrator as a JSON-serialisable dict (what a bundle stores).

        Examples
        --------
        >>> TemperatureScaling().fit([[0.6, 0.4], [0.3, 0.7]], [0, 1]).to_dict()["method"]
        'temperature'
        """
        if not hasattr(self, "temperature_"):
            raise NotFittedError("This TemperatureScaling is not fitted yet; call fit(probs, y) first.")
        return {
            "method": "temperature",
            "kind": self.kind_,
            "temperature": round(self.temperature_, 6),
            "nll_before": round(self.nll_before_, 6),
            "nll_after": round(self.nll_after_, 6),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TemperatureScaling:
        """Rebuild a fitted calibrator from :meth:`to_dict` output.

        Raises
        ------
        ConfigError
            The dict is not a temperature calibrator.

        Examples
        --------
        >>> TemperatureScaling.from_dict({"method": "temperature", "kind": "sigmoid", "temperature": 1.5}).kind_
        'sigmoid'
        """
        try:
            if data["method"] != "temperature" or data["kind"] not in ("softmax", "sigmoid"):
                raise KeyError("method/kind")
            t = float(data["temperature"])
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"Not a temperature calibrator: {data!r} ({exc}).") from None
        if not t > 0:
            raise ConfigError(f"A temperature must be > 0; got {t}.")
        ts = cls(kind=data["kind"])
        ts.temperature_ = t
        ts.kind_ = data["kind"]
        ts.nll_before_ = float(data.get("nll_before", math.nan))
        ts.nll_after_ = float(data.get("nll_after", math.nan))
        return ts

    def __repr__(self) -> str:
        fitted = f", temperature_={self.temperature_:.3f}" if hasattr(self, "temperature_") else ""
        return f"TemperatureScaling(kind={self.kind!r}{fitted})"


def top_label_ece(probs: Any, y: Any, *, bins: int = 15) -> float:
    """Return the expected calibration error of the top label (is a row's ``confidence`` right that often?).

    Parameters
    ----------
    probs : array-like of shape (n, labels)
        Probabilities (a distribution, or independent per-label probabilities).
    y : array-like
        Class indices (n,), or a 0/1 label matrix (n, labels) — the top label is right when it is one of them.
    bins : int
        Equal-width confidence bins (15, as in Guo et al., 2017).

    Returns
    -------
    float

    Examples
    --------
    >>> round(top_label_ece([[0.9, 0.1], [0.8, 0.2]], [0, 1]), 3)   # right at 0.9, wrong at 0.8
    0.45
    """
    from affectscope.evaluate.metrics import _binned_gap

    p = np.asarray(probs, dtype=np.float64)
    t = np.asarray(y)
    top = p.argmax(1)
    right = t[np.arange(len(t)), top] if t.ndim == 2 else top == t
    return _binned_gap(p.max(1), right.astype(np.float64), bins)


def cross_fitted(probs: Any, y: Any, groups: Any, *, seed: int = 0) -> np.ndarray:
    """Calibrated probabilities where each half of the groups is scaled by a temperature fitted on the other half.

    Used to report the calibration error *after* temperature scaling without scoring an item with a temperature
    fitted on it. Groups (dialogues, speakers, or one id per item) never straddle the halves.

    Examples
    --------
    >>> p = np.array([[0.9, 0.1], [0.8, 0.2], [0.7, 0.3], [0.95, 0.05]])
    >>> cross_fitted(p, np.array([0, 1, 0, 0]), np.arange(4)).shape
    (4, 2)
    """
    p = np.asarray(probs, dtype=np.float64)
    t = np.asarray(y)
    g = np.asarray(groups)
    keys = np.unique(g)
    half = np.random.default_rng(seed).permutation(keys)[: len(keys) // 2]
    in_a = np.isin(g, half)
    out = np.empty(p.shape, dtype=np.float32)
    for fit_on, apply_to in ((in_a, ~in_a), (~in_a, in_a)):
        out[apply_to] = TemperatureScaling().fit(p[fit_on], t[fit_on]).transform(p[apply_to])
    return out
