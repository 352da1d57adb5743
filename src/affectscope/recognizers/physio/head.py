"""The stress head as plain arrays: a logistic regression or a gradient-boosted tree ensemble, run with numpy.

Training (``training/physio/train.py``) fits scikit-learn models and exports them with :func:`export_logistic` or
:func:`export_trees` into ``head.npz``; the recognizer applies them with :func:`stress_logit`. No pickle is
shipped or loaded, and inference does not need scikit-learn, so a model file keeps working across scikit-learn
versions. Export checks that the arrays reproduce scikit-learn's own output.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["export_logistic", "export_trees", "stress_logit"]


def stress_logit(weights: dict[str, np.ndarray], v: np.ndarray) -> np.ndarray:
    """Stress logit per row of ``v`` (windows × features; NaN is imputed with the training means).

    ``weights`` holds ``fill`` and either ``coef``/``intercept``/``mean``/``scale`` (logistic regression) or the
    flattened trees ``feature``/``threshold``/``left``/``right``/``leaf``/``value``/``roots``/``baseline``.

    Examples
    --------
    >>> w = {"fill": np.zeros(2), "mean": np.zeros(2), "scale": np.ones(2),
    ...      "coef": np.array([[1.0, -1.0]]), "intercept": np.array([0.5])}
    >>> stress_logit(w, np.array([[2.0, np.nan]])).tolist()
    [2.5]
    """
    v = np.where(np.isnan(v), weights["fill"], v)
    if "coef" in weights:
        return ((v - weights["mean"]) / weights["scale"]) @ weights["coef"][0] + weights["intercept"][0]
    feature, threshold = weights["feature"].astype(np.int64), weights["threshold"]
    left, right = weights["left"].astype(np.int64), weights["right"].astype(np.int64)
    leaf, value = weights["leaf"].astype(bool), weights["value"]
    node = np.broadcast_to(weights["roots"].astype(np.int64), (len(v), len(weights["roots"]))).copy()
    rows = np.arange(len(v))[:, None]
    while not leaf[node].all():
        go_left = v[rows, feature[node]] <= threshold[node]
        node = np.where(leaf[node], node, np.where(go_left, left[node], right[node]))
    return value[node].sum(axis=1) + float(weights["baseline"][0])


def export_logistic(imputer: Any, scaler: Any, model: Any) -> dict[str, np.ndarray]:
    """Arrays of a fitted ``SimpleImputer`` → ``StandardScaler`` → binary ``LogisticRegression`` (float32)."""
    return {
        "fill": imputer.statistics_.astype(np.float32),
        "mean": scaler.mean_.astype(np.float32),
        "scale": scaler.scale_.astype(np.float32),
        "coef": model.coef_.astype(np.float32),
        "intercept": model.intercept_.astype(np.float32),
    }


def export_trees(imputer: Any, model: Any, check: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Arrays of a fitted ``SimpleImputer`` → binary ``HistGradientBoostingClassifier`` (numeric features only).

    Every tree's nodes are concatenated; ``roots`` holds each tree's first node. With ``check`` (raw feature
    rows), the export is verified against scikit-learn's ``decision_function``.
    """
    parts, roots, offset = [], [], 0
    for (predictor,) in model._predictors:  # binary: one tree per iteration
        nodes = predictor.nodes
        if nodes["is_categorical"].any():
            raise ValueError("Categorical splits are not supported by the exported head.")
        parts.append((nodes, offset))
        roots.append(offset)
        offset += len(nodes)
    out = {
        "fill": imputer.statistics_.astype(np.float64),
        "feature": np.concatenate([n["feature_idx"] for n, _ in parts]).astype(np.int32),
        "threshold": np.concatenate([n["num_threshold"] for n, _ in parts]).astype(np.float64),
        "left": np.concatenate([n["left"].astype(np.int64) + o for n, o in parts]).astype(np.int32),
        "right": np.concatenate([n["right"].astype(np.int64) + o for n, o in parts]).astype(np.int32),
        "leaf": np.concatenate([n["is_leaf"] for n, _ in parts]).astype(np.uint8),
        "value": np.concatenate([n["value"] for n, _ in parts]).astype(np.float64),
        "roots": np.asarray(roots, dtype=np.int32),
        "baseline": np.asarray(model._baseline_prediction, dtype=np.float64).ravel()[:1],
    }
    if check is not None:
        want = model.decision_function(imputer.transform(check))
        got = stress_logit(out, np.asarray(check, dtype=np.float64))
        if not np.allclose(want, got, atol=1e-6):
            raise AssertionError(f"exported trees differ from scikit-learn by {np.abs(want - got).max():.3g}")
    return out
