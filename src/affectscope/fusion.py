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

from affectscope._validation import check_number
from affectscope.errors import ConfigError, InputError, NotFittedError

__all__ = ["MAX_N_WINDOWS", "MAX_WINDOW", "MIN_WINDOW", "Fuser", "LogLinearPooling", "align_windows", "incongruence"]

MIN_WINDOW, MAX_WINDOW = 0.25, 3600.0  # fixed fusion windows, seconds
MAX_N_WINDOWS = 100_000  # windows per source: a 7-hour video at 0.25 s

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


def _with_dropout(
    logp: np.ndarray, present: np.ndarray, y: np.ndarray, rate: float, copies: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return the items plus ``copies`` copies with present modalities hidden at ``rate`` (one always kept)."""
    rng = np.random.default_rng(seed)
    parts, labels = [logp], [y]
    for _ in range(copies):
        keep = present & (rng.random(present.shape) >= rate)
        empty = ~keep.any(1)
        for i in np.flatnonzero(empty):  # keep one present modality at random
            keep[i, rng.choice(np.flatnonzero(present[i]))] = True
        parts.append(logp * keep[:, :, None])
        labels.append(y)
    return np.concatenate(parts), np.concatenate(labels)


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
    modality_dropout : float
        During :meth:`fit`, each item is also seen ``dropout_copies`` more times with every present modality
        hidden with this probability (at least one kept), so the weights suit any subset of modalities.
    dropout_copies : int
        Extra copies of the training items with modalities dropped (0 with ``modality_dropout=0``).
    random_state : int
        Seed of the dropout masks.
    fit_bias : bool
        Learn the label bias ``b``. It absorbs the training set's label frequencies, so leave it off when those
        differ from where the model is used (``bias_`` is then 0).

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

    def __init__(
        self,
        *,
        l2: float = 1e-3,
        max_iter: int = 500,
        lr: float = 0.05,
        modality_dropout: float = 0.0,
        dropout_copies: int = 3,
        random_state: int = 0,
        fit_bias: bool = True,
    ) -> None:
        self.l2 = l2
        self.max_iter = max_iter
        self.lr = lr
        self.modality_dropout = modality_dropout
        self.dropout_copies = dropout_copies
        self.random_state = random_state
        self.fit_bias = fit_bias

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
        if not 0.0 <= self.modality_dropout < 1.0:
            raise ConfigError(f"'modality_dropout' must be in [0, 1); got {self.modality_dropout!r}.")
        if self.modality_dropout > 0 and self.dropout_copies > 0:
            logp, t = _with_dropout(logp, present, t, self.modality_dropout, self.dropout_copies, self.random_state)
            n = len(t)
        onehot = np.eye(c)[t]
        theta = np.concatenate([np.ones(m), np.zeros(c)])
        mom, vel = np.zeros_like(theta), np.zeros_like(theta)
        for step in range(1, self.max_iter + 1):
            w, b = theta[:m], theta[m:]
            q = _softmax(b + np.einsum("nmc,m->nc", logp, w))
            err = (q - onehot) / n
            grad = np.concatenate([np.einsum("nc,nmc->m", err, logp), err.sum(0)]) + 2 * self.l2 * theta
            if not self.fit_bias:
                grad[m:] = 0.0
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


def _n_windows(extent: float, window: float) -> int:
    """Count the fixed windows covering ``[0, extent]``; refuse more than :data:`MAX_N_WINDOWS` (bounded memory)."""
    if not np.isfinite(extent):
        raise InputError("The timeline has rows without a finite end time.")
    n = max(1, int(np.ceil(extent / window)))
    if n > MAX_N_WINDOWS:
        raise ConfigError(
            f"{n:,} fusion windows of {window:g} s for {extent:,.1f} s of timeline; at most {MAX_N_WINDOWS:,}. "
            f"Use a window of at least {extent / MAX_N_WINDOWS:.2f} s."
        )
    return n


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
    window = check_number(window, name="window", func="align_windows", low=MIN_WINDOW, high=MAX_WINDOW)
    cols = [c for c in frame.columns if c.startswith(f"{space}:")]
    if not cols or "modality" not in frame.columns:
        raise InputError(f"align_windows needs a 'modality' column and '{space}:<label>' columns.")
    labels = [c.split(":", 1)[1] for c in cols]
    parts = []
    for source, rows in frame.groupby(level="source", sort=False):
        start = rows.index.get_level_values("start").to_numpy(dtype=float)
        end = rows.index.get_level_values("end").to_numpy(dtype=float)
        end = np.maximum(end, start + 1e-3)  # instants (a frame) still count
        n_win = _n_windows(end.max(), window)
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


_VAD = ("valence", "arousal", "dominance")


class Fuser:
    """Fuse a multimodal timeline: one calibrated Ekman-7 reading per window from whichever modalities are there.

    Wraps the shipped ``fusion-loglinear`` bundle (a fitted :class:`LogLinearPooling` and an incongruence
    threshold). Windows are the voice segments (``window="utterance"``; fixed 2 s windows where a source has no
    voice) or fixed windows of ``window`` seconds.

    Parameters
    ----------
    model : str or path-like, optional
        Registry name or bundle folder (default ``"fusion-loglinear"``).
    window : float or "utterance"
        Window length in seconds, or ``"utterance"``.

    Examples
    --------
    >>> import pandas as pd
    >>> idx = pd.MultiIndex.from_tuples(
    ...     [("v", 0.0, 0.2), ("v", 0.4, 0.6), ("v", 0.0, 1.0)], names=["source", "start", "end"])
    >>> cols = [f"ekman7:{c}" for c in ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral")]
    >>> f = pd.DataFrame([[.02, 0, 0, .96, 0, 0, .02]] * 2 + [[.9, 0, 0, .06, 0, 0, .04]], index=idx, columns=cols)
    >>> f["modality"] = ["face", "face", "speech"]
    >>> fused = Fuser().fuse(f)
    >>> fused[["label", "modalities", "incongruent"]].values.tolist()
    [['joy', 'face+speech', True]]
    """

    def __init__(self, model: str | Any = None, *, window: float | str = "utterance") -> None:
        from affectscope.models import resolve_model

        if window != "utterance":
            if not isinstance(window, int | float) or isinstance(window, bool):
                raise ConfigError(
                    f"The 'window' parameter of Fuser must be 'utterance' or a float in [{MIN_WINDOW:g}, "
                    f"{MAX_WINDOW:g}] seconds. Got {window!r} instead."
                )
            window = check_number(window, name="window", func="Fuser", low=MIN_WINDOW, high=MAX_WINDOW)
        self.bundle = resolve_model("fusion", model or None)
        spec = self.bundle.extra.get("fusion")
        if not spec:
            raise ConfigError(f"Model {self.bundle.name!r} holds no fusion model (no 'fusion' entry).")
        self.model_ = LogLinearPooling.from_dict(spec)
        self.space_ = spec.get("space", "ekman7")
        self.labels_ = list(spec["labels"])
        self.threshold_ = float(self.bundle.extra.get("incongruence_threshold", 0.5))
        self.window = window

    @property
    def _weighted(self) -> list[str]:
        """Modalities that count in the fusion (weight > 0); only these can be incongruent."""
        return [m for m, w in zip(self.model_.modalities_, self.model_.weights_, strict=True) if w > 0]

    def _windows(self, rows: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        start = rows.index.get_level_values("start").to_numpy(dtype=float)
        end = np.maximum(rows.index.get_level_values("end").to_numpy(dtype=float), start + 1e-3)
        if self.window == "utterance" and (rows["modality"] == "speech").any():
            voice = (rows["modality"] == "speech").to_numpy()
            spans = sorted(set(zip(start[voice], end[voice], strict=True)))
            return np.array([s for s, _ in spans]), np.array([e for _, e in spans])
        width = 2.0 if self.window == "utterance" else float(self.window)
        n = _n_windows(end.max(), width)
        lo = np.arange(n) * width
        return lo, lo + width

    def fuse(self, frame: pd.DataFrame) -> pd.DataFrame:
        """Return one fused row per window that any fused modality reaches.

        Parameters
        ----------
        frame : pandas.DataFrame
            Timeline rows (any modalities; ``modality`` and ``ekman7:<label>`` columns; index in seconds).

        Returns
        -------
        pandas.DataFrame
            Indexed by (source, start, end); ``modality="fusion"``, ``track="fused"``, ``label``,
            ``confidence``, ``ekman7:*``, ``modalities`` (present, joined by ``+``), ``incongruence`` (largest
            Jensen–Shannon divergence between the fused modalities, bits), ``incongruent`` (above the bundle's
            threshold), ``evidence`` (each modality's reading and its own cue) and ``rationale``.
        """
        from affectscope.explain import compose_rationale

        cols = [f"{self.space_}:{lab}" for lab in self.labels_]
        empty = pd.DataFrame(index=pd.MultiIndex.from_arrays([[], [], []], names=["source", "start", "end"]))
        if frame.empty or "modality" not in frame.columns or not set(cols) <= set(frame.columns):
            return empty
        use = frame[frame["modality"].isin(self.model_.modalities_)].dropna(subset=cols)
        if use.empty:
            return empty
        out = []
        for source, rows in use.groupby(level="source", sort=False):
            lo, hi = self._windows(rows)
            start = rows.index.get_level_values("start").to_numpy(dtype=float)
            end = np.maximum(rows.index.get_level_values("end").to_numpy(dtype=float), start + 1e-3)
            overlap = np.clip(np.minimum(end[:, None], hi) - np.maximum(start[:, None], lo), 0, None)  # rows × win
            probs, cue_rows = {}, {}
            for m in self.model_.modalities_:
                sel = (rows["modality"] == m).to_numpy()
                ov = overlap[sel]
                weight = ov.sum(0)
                with np.errstate(invalid="ignore", divide="ignore"):
                    mean = (ov.T @ _dist(rows.loc[sel, cols])) / weight[:, None]
                mean[weight == 0] = np.nan
                probs[m] = mean
                cue_rows[m] = (rows[sel], ov)
            reached = ~np.all([np.isnan(probs[m]).any(1) for m in self._weighted], axis=0)
            if not reached.any():
                continue
            keep = np.flatnonzero(reached)
            sub = {m: p[keep] for m, p in probs.items()}
            fused = self.model_.predict_proba(sub)
            incon = incongruence({m: sub[m] for m in self._weighted})
            for j, w in enumerate(keep):
                k = int(np.argmax(fused[j]))
                label = self.labels_[k]
                readings = []
                for m in self.model_.modalities_:
                    if np.isnan(sub[m][j]).any():
                        continue
                    mrows, ov = cue_rows[m]
                    inside = ov[:, w] > 0
                    top = int(np.argmax(sub[m][j]))
                    best = mrows[inside].iloc[int(np.argmax(mrows.loc[inside, cols[top]].to_numpy()))]
                    readings.append(
                        {
                            "modality": m,
                            "label": self.labels_[top],
                            "probability": float(sub[m][j, top]),
                            "cue": str(best.get("evidence", "") or ""),
                            "at": float(best.name[1]),
                            "weight": float(self.model_.weights_[self.model_.modalities_.index(m)]),
                        }
                    )
                row = {
                    "source": source,
                    "start": round(float(lo[w]), 3),
                    "end": round(float(hi[w]), 3),
                    "modality": "fusion",
                    "track": "fused",
                    "label": label,
                    "confidence": float(fused[j, k]),
                    **{c: float(fused[j, i]) for i, c in enumerate(cols)},
                    "modalities": "+".join(r["modality"] for r in readings),
                    "incongruence": round(float(incon[j]), 4),
                    "incongruent": bool(incon[j] > self.threshold_),
                    "evidence": "; ".join(_reading(r) for r in readings),
                    "rationale": compose_rationale(
                        readings, label, float(fused[j, k]), incongruent=bool(incon[j] > self.threshold_)
                    ),
                }
                out.append(row)
        if not out:
            return empty
        return pd.DataFrame(out).set_index(["source", "start", "end"])

    def summarize(self, frame: pd.DataFrame, fused: pd.DataFrame | None = None) -> dict[str, Any]:
        """Fuse a whole source: each modality's mean Ekman-7 scores pooled by the model, plus incongruence.

        Parameters
        ----------
        frame : pandas.DataFrame
            Timeline rows (as for :meth:`fuse`).
        fused : pandas.DataFrame, optional
            The output of :meth:`fuse` on ``frame``, for counting incongruent windows.

        Returns
        -------
        dict
            ``label``, ``confidence``, ``scores``, VAD means, ``labels_by_modality``, ``incongruence``,
            ``incongruent``, ``incongruent_windows``, ``fusion`` (how) and ``rationale``.
        """
        from affectscope.explain import compose_rationale

        cols = [f"{self.space_}:{lab}" for lab in self.labels_]
        if frame.empty or "modality" not in frame.columns or not set(cols) <= set(frame.columns):
            return {"label": None, "note": "no face, voice or words found"}
        means, vad, readings = {}, [], []
        for m in self.model_.modalities_:
            g = frame[frame["modality"] == m].dropna(subset=cols)
            if g.empty:
                continue
            means[m] = _dist(g[cols]).mean(0, keepdims=True)
            if set(_VAD) <= set(g.columns):
                vad.append(g[list(_VAD)].to_numpy(dtype=float).mean(0))
            top = int(np.argmax(means[m][0]))
            best = g.iloc[int(np.argmax(g[cols[top]].to_numpy()))]
            readings.append(
                {
                    "modality": m,
                    "label": self.labels_[top],
                    "probability": float(means[m][0, top]),
                    "cue": str(best.get("evidence", "") or ""),
                    "at": float(best.name[1]),
                    "weight": float(self.model_.weights_[self.model_.modalities_.index(m)]),
                }
            )
        if not means:
            return {"label": None, "note": "no face, voice or words found"}
        p = self.model_.predict_proba(means)[0]
        weighted = {m: v for m, v in means.items() if m in self._weighted}
        incon = float(incongruence(weighted)[0]) if len(weighted) > 1 else 0.0
        k = int(np.argmax(p))
        out: dict[str, Any] = {
            "label": self.labels_[k],
            "confidence": round(float(p[k]), 4),
            "scores": {self.space_: dict(zip(self.labels_, p.round(4).tolist(), strict=True))},
        }
        if vad:
            out |= dict(zip(_VAD, np.mean(vad, axis=0).round(4).tolist(), strict=True))
        out |= {
            "labels_by_modality": {r["modality"]: r["label"] for r in readings},
            "agree": len({r["label"] for r in readings if r["modality"] in weighted}) <= 1,
            "incongruence": round(incon, 4),
            "incongruent": incon > self.threshold_,
        }
        if fused is not None and len(fused):
            flagged = fused[fused["incongruent"]]
            out["windows"] = len(fused)
            out["incongruent_windows"] = [
                {"start": float(s), "end": float(e), "modalities": flagged.loc[(src, s, e), "modalities"]}
                for src, s, e in flagged.index[:20]
            ]
        out["fusion"] = f"{self.bundle.name}: log-linear pooling, weights " + ", ".join(
            f"{m} {w:.2f}" for m, w in zip(self.model_.modalities_, self.model_.weights_, strict=True)
        )
        out["rationale"] = compose_rationale(readings, out["label"], float(p[k]), incongruent=out["incongruent"])
        return out

    def __repr__(self) -> str:
        return f"Fuser(model={self.bundle.name!r}, window={self.window!r})"


def _dist(scores: pd.DataFrame) -> np.ndarray:
    """Rows as distributions (multi-label text scores are independent sigmoids; rescale them to sum to 1)."""
    a = np.clip(scores.to_numpy(dtype=float), 0.0, None)
    return a / np.maximum(a.sum(1, keepdims=True), _EPS)


def _reading(r: dict[str, Any]) -> str:
    cue = f" ({r['cue']})" if r["cue"] else ""
    return f"{r['modality']} {r['label']} {r['probability']:.2f}{cue}"
