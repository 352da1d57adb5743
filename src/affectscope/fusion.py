"""Fusion of modalities (issue 7, part 2 — groundwork): one distribution from whichever modalities are present.

:class:`LogLinearPooling` combines per-modality probability distributions over the same labels as

    p(y) ∝ exp(b_y + Σ_m w_m · log p_m(y))      over the modalities m present for the item,

a product of experts with a learned reliability ``w_m >= 0`` per modality and a label bias ``b``. A missing
modality simply drops out of the sum and the result is renormalised, so the same fitted model serves any subset
of modalities. Fitting minimises the negative log-likelihood (convex in ``w`` and ``b``) with numpy only.

:func:`incongruence` measures how much present modalities disagree (largest pairwise Jensen–Shannon divergence),
e.g. a smiling face with an angry voice. :func:`align_windows` puts the rows of a timeline Result onto fixed
windows, one mean distribution per modality and window.

Examples
--------
>>> import numpy as np
>>> face = np.array([[0.7, 0.2, 0.1]])
>>> voice = np.array([[0.6, 0.3, 0.1]])
>>> fused = LogLinearPooling.from_dict({"modalities": ["face", "voice"], "weights": [1.0, 1.0], "bias": [0, 0, 0]})
>>> fused.predict_proba({"face": face, "voice": voice}).round(2).tolist()
[[0.86, 0.12, 0.02]]
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from affectscope.errors import ConfigError, InputError, NotFittedError

__all__ = ["LogLinearPooling", "align_windows", "incongruence"]

_EPS = 1e-6


def _stack(probs: dict[str, Any], modalities: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(n, M, C) log-probabilities (0 where missing) and (n, M) presence mask; a NaN row marks a missing item."""
    missing = [m for m in probs if m not in modalities]
    if missing:
        raise InputError(f"Unknown modalities {missing}; this model fuses {modalities}.")
    arrays = {m: np.asarray(p, dtype=np.float64) for m, p in probs.items()}
    shapes = {a.shape for a in arrays.values()}
    if len(shapes) != 1 or len(next(iter(shapes))) != 2:
        raise InputError(f"Every modality needs an (n, labels) array of one shape; got {sorted(shapes)}.")
    n, c = next(iter(shapes))
    logp = np.zeros((n, len(modalities), c))
    present = np.zeros((n, len(modalities)), dtype=bool)
    for j, m in enumerate(modalities):
        if m not in arrays:
            continue
        a = arrays[m]
        ok = ~np.isnan(a).any(1)
        if ((a[ok] < 0) | (a[ok] > 1)).any():
            raise InputError(f"Probabilities of {m!r} must lie in [0, 1].")
        present[:, j] = ok
        logp[ok, j] = np.log(np.clip(a[ok], _EPS, 1.0))
    return logp, present


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


class LogLinearPooling:
    """Product-of-experts fusion with a learned reliability per modality (scikit-learn estimator contract).

    Parameters
    ----------
    l2 : float
        Ridge penalty on the weights and biases.
    max_iter : int
        Gradient steps (Adam).
    lr : float
        Step size.

    Attributes
    ----------
    modalities_ : list of str
        Modalities seen in :meth:`fit`, in order.
    weights_ : ndarray of shape (modalities,)
        Reliability of each modality (>= 0; 0 ignores it).
    bias_ : ndarray of shape (labels,)
        Label bias.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> y = rng.integers(0, 3, 600)
    >>> good = np.eye(3)[y] * 0.6 + 0.4 / 3                      # informative
    >>> noise = rng.dirichlet(np.ones(3), 600)                   # uninformative
    >>> fit = LogLinearPooling().fit({"face": good, "voice": noise}, y)
    >>> bool(fit.weights_[0] > fit.weights_[1])
    True
    """

    def __init__(self, *, l2: float = 1e-3, max_iter: int = 500, lr: float = 0.05) -> None:
        self.l2 = l2
        self.max_iter = max_iter
        self.lr = lr

    def fit(self, probs: dict[str, Any], y: Any) -> LogLinearPooling:
        """Learn the weights and biases from per-modality probabilities (NaN rows: modality absent) and labels.

        Parameters
        ----------
        probs : dict
            Modality name → (n, labels) probabilities over the same labels.
        y : array-like of int
            True label indices.

        Returns
        -------
        LogLinearPooling
            ``self``.
        """
        if not probs:
            raise InputError("fit() needs at least one modality.")
        self.modalities_ = list(probs)
        logp, present = _stack(probs, self.modalities_)
        t = np.asarray(y)
        n, m, c = logp.shape
        if t.shape != (n,) or not np.issubdtype(t.dtype, np.integer) or t.min() < 0 or t.max() >= c:
            raise InputError(f"y must hold {n} label indices in [0, {c - 1}].")
        if not present.any(1).all():
            raise InputError("Every training item needs at least one modality present.")
        onehot = np.eye(c)[t]
        theta = np.concatenate([np.ones(m), np.zeros(c)])
        mom, vel = np.zeros_like(theta), np.zeros_like(theta)
        for step in range(1, self.max_iter + 1):
            w, b = theta[:m], theta[m:]
            q = _softmax(b + np.einsum("nmc,m->nc", logp, w))
            err = (q - onehot) / n
            grad = np.concatenate([np.einsum("nc,nmc->m", err, logp), err.sum(0)]) + 2 * self.l2 * theta
            mom = 0.9 * mom + 0.1 * grad
            vel = 0.999 * vel + 0.001 * grad**2
            theta -= self.lr * (mom / (1 - 0.9**step)) / (np.sqrt(vel / (1 - 0.999**step)) + 1e-8)
            theta[:m] = np.maximum(theta[:m], 0.0)
        self.weights_ = theta[:m]
        self.bias_ = theta[m:]
        return self

    def predict_proba(self, probs: dict[str, Any]) -> np.ndarray:
        """Fuse the modalities present for each item (a missing one drops out); rows sum to 1.

        An item with no modality present gets the label prior ``softmax(bias_)``.
        """
        if not hasattr(self, "weights_"):
            raise NotFittedError("This LogLinearPooling is not fitted yet; call fit(probs, y) first.")
        logp, _ = _stack(probs, self.modalities_)
        return _softmax(self.bias_ + np.einsum("nmc,m->nc", logp, self.weights_))

    def to_dict(self) -> dict[str, Any]:
        """Return the fitted model as a JSON-serialisable dict."""
        if not hasattr(self, "weights_"):
            raise NotFittedError("This LogLinearPooling is not fitted yet; call fit(probs, y) first.")
        return {
            "modalities": self.modalities_,
            "weights": [round(float(w), 6) for w in self.weights_],
            "bias": [round(float(b), 6) for b in self.bias_],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LogLinearPooling:
        """Rebuild a fitted model from :meth:`to_dict` output."""
        try:
            modalities, weights, bias = list(data["modalities"]), data["weights"], data["bias"]
        except (KeyError, TypeError) as exc:
            raise ConfigError(f"Not a LogLinearPooling dict: {data!r} ({exc}).") from None
        if len(weights) != len(modalities) or any(w < 0 for w in weights):
            raise ConfigError("LogLinearPooling needs one non-negative weight per modality.")
        model = cls()
        model.modalities_ = modalities
        model.weights_ = np.asarray(weights, dtype=np.float64)
        model.bias_ = np.asarray(bias, dtype=np.float64)
        return model


def incongruence(probs: dict[str, Any]) -> np.ndarray:
    """Largest pairwise Jensen–Shannon divergence (bits, in [0, 1]) between the modalities present per item.

    0 means the present modalities agree exactly; 1 means they put their mass on different labels. Items with
    fewer than two modalities present get 0.

    Examples
    --------
    >>> smile = np.array([[0.9, 0.05, 0.05]])
    >>> angry_voice = np.array([[0.05, 0.9, 0.05]])
    >>> float(incongruence({"face": smile, "voice": angry_voice})[0].round(2))
    0.67
    """
    names = list(probs)
    arrays = [np.asarray(probs[m], dtype=np.float64) for m in names]
    n = len(arrays[0])
    out = np.zeros(n)
    for a in range(len(arrays)):
        for b in range(a + 1, len(arrays)):
            p, q = arrays[a], arrays[b]
            ok = ~(np.isnan(p).any(1) | np.isnan(q).any(1))
            p, q = np.clip(p[ok], _EPS, 1), np.clip(q[ok], _EPS, 1)
            mid = (p + q) / 2
            js = 0.5 * (p * np.log2(p / mid)).sum(1) + 0.5 * (q * np.log2(q / mid)).sum(1)
            out[ok] = np.maximum(out[ok], js)
    return out


def align_windows(frame: pd.DataFrame, *, window: float, space: str = "ekman7") -> pd.DataFrame:
    """Mean probabilities of each modality over fixed time windows of a timeline Result's frame.

    A row counts towards every window it overlaps, weighted by the overlap. Windows a modality does not reach
    hold NaN for it.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows indexed by (source, start, end) in seconds, with ``modality`` and ``<space>:<label>`` columns.
    window : float
        Window length in seconds.
    space : str
        Label space whose columns are averaged.

    Returns
    -------
    pandas.DataFrame
        Indexed by (source, start, end) of the windows; columns ``<modality>:<label>``.

    Examples
    --------
    >>> idx = pd.MultiIndex.from_tuples([("v", 0.0, 1.0), ("v", 0.5, 2.0)], names=["source", "start", "end"])
    >>> f = pd.DataFrame({"modality": ["face", "speech"], "ekman7:joy": [0.8, 0.2]}, index=idx)
    >>> align_windows(f, window=1.0, space="ekman7").round(2).to_dict("list")
    {'face:joy': [0.8, nan], 'speech:joy': [0.2, 0.2]}
    """
    if not window > 0:
        raise ConfigError(f"'window' must be > 0 seconds; got {window!r}.")
    cols = [c for c in frame.columns if c.startswith(f"{space}:")]
    if not cols or "modality" not in frame.columns:
        raise InputError(f"align_windows needs a 'modality' column and '{space}:<label>' columns.")
    labels = [c.split(":", 1)[1] for c in cols]
    parts = []
    for source, rows in frame.groupby(level="source", sort=False):
        start = rows.index.get_level_values("start").to_numpy(dtype=float)
        end = rows.index.get_level_values("end").to_numpy(dtype=float)
        end = np.maximum(end, start + 1e-3)  # instants (a frame) still count
        n_win = max(1, int(np.ceil(end.max() / window)))
        lo = np.arange(n_win) * window
        data: dict[str, np.ndarray] = {}
        for modality in dict.fromkeys(rows["modality"]):
            sel = (rows["modality"] == modality).to_numpy()
            overlap = np.clip(np.minimum(end[sel, None], lo + window) - np.maximum(start[sel, None], lo), 0, None)
            weight = overlap.sum(0)
            mean = overlap.T @ rows.loc[sel, cols].to_numpy(dtype=float)
            with np.errstate(invalid="ignore", divide="ignore"):
                mean = mean / weight[:, None]
            for j, lab in enumerate(labels):
                data[f"{modality}:{lab}"] = np.where(weight > 0, mean[:, j], np.nan)
        index = pd.MultiIndex.from_arrays([[source] * n_win, lo, lo + window], names=["source", "start", "end"])
        parts.append(pd.DataFrame(data, index=index))
    return pd.concat(parts) if len(parts) > 1 else parts[0]
