"""The physio stress head as arrays, and the temporal helpers shared by training and the recognizer."""

from __future__ import annotations

import numpy as np
import pytest

from affectscope.recognizers.physio.head import export_logistic, export_trees, stress_logit
from affectscope.recognizers.physio.sequence import context_features, hmm_smooth, smooth

sklearn = pytest.importorskip("sklearn")


def _data(n=400, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, 5))
    y = ((x[:, 0] > 0.3) ^ (x[:, 1] * x[:, 2] > 0.5)).astype(int)
    x[rng.random(x.shape) < 0.05] = np.nan  # missing samples are imputed by the head
    return x, y


def test_exported_trees_reproduce_scikit_learn(monkeypatch):
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.impute import SimpleImputer

    x, y = _data()
    imputer = SimpleImputer().fit(x)
    model = HistGradientBoostingClassifier(max_depth=3, max_iter=60, class_weight="balanced").fit(
        imputer.transform(x), y
    )
    w = export_trees(imputer, model, check=x)
    xt, _ = _data(seed=1)
    np.testing.assert_allclose(stress_logit(w, xt), model.decision_function(imputer.transform(xt)), atol=1e-9)
    assert len(w["roots"]) == 60
    assert w["leaf"][w["roots"]].sum() == 0
    # an export that drifts from scikit-learn is refused
    from affectscope.recognizers.physio import head

    monkeypatch.setattr(head, "stress_logit", lambda w_, v: stress_logit(w_, v) + 1e-3)
    with pytest.raises(AssertionError, match="differ"):
        export_trees(imputer, model, check=x)


def test_exported_logistic_reproduces_scikit_learn():
    from sklearn.impute import SimpleImputer
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x, y = _data()
    imputer = SimpleImputer().fit(x)
    scaler = StandardScaler().fit(imputer.transform(x))
    lr = LogisticRegression().fit(scaler.transform(imputer.transform(x)), y)
    w = {k: v.astype(np.float64) for k, v in export_logistic(imputer, scaler, lr).items()}
    want = lr.decision_function(scaler.transform(imputer.transform(x)))
    np.testing.assert_allclose(stress_logit(w, x), want, atol=1e-4)


def test_hmm_keeps_episodes_and_drops_blips():
    p = np.r_[np.full(20, 0.3), np.full(10, 0.7), np.full(20, 0.3)]
    p[5] = 0.8  # one confident-looking blip in a calm stretch
    h = hmm_smooth(p, 0.1)
    assert h[5] < 0.5  # the blip does not flip the state
    assert (h[22:28] > 0.5).all()
    assert (h[:18] < 0.5).all()
    assert (h[32:] < 0.5).all()
    np.testing.assert_allclose(hmm_smooth(p, 0.5), p, atol=1e-3)  # switch 0.5: no memory, p unchanged
    with pytest.raises(ValueError, match="mean' or 'hmm"):
        smooth(p, "median", 3)


def test_context_features_are_per_recording_z_scores():
    x = np.c_[np.arange(20.0), np.full(20, np.nan)]  # second channel missing
    v = context_features(x, context=5, baseline=12)
    assert v.shape == (20, 6)
    assert abs(np.nanmean(v[:, 0])) < 1e-12
    assert np.isnan(v[:, 1]).all()
    assert (v[1:, 4] > 0).all()  # a rising signal is above its past: positive reactivity
