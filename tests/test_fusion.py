"""Log-linear pooling: learns which modality to trust, beats the best single one, survives missing modalities."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from affectscope.errors import ConfigError, InputError, NotFittedError
from affectscope.fusion import Fuser, LogLinearPooling, align_windows, incongruence


def _noisy(y, rng, *, signal, classes=7):
    """A modality's probabilities: softmax of (signal on the true label + unit Gaussian noise)."""
    z = rng.normal(size=(len(y), classes))
    z[np.arange(len(y)), y] += signal
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


@pytest.fixture(scope="module")
def composite():
    rng = np.random.default_rng(1)
    y = rng.integers(0, 7, 4000)
    probs = {
        "face": _noisy(y, rng, signal=2.5),
        "speech": _noisy(y, rng, signal=1.8),
        "text": _noisy(y, rng, signal=1.0),
    }
    return probs, y


def _acc(p, y):
    return float((p.argmax(1) == y).mean())


def test_fusion_beats_the_best_single_modality_and_weights_reliability(composite):
    probs, y = composite
    tr, te = slice(0, 3000), slice(3000, None)
    model = LogLinearPooling().fit({m: p[tr] for m, p in probs.items()}, y[tr])
    w = dict(zip(model.modalities_, model.weights_, strict=True))
    assert w["face"] > w["speech"] > w["text"]
    fused = _acc(model.predict_proba({m: p[te] for m, p in probs.items()}), y[te])
    best = max(_acc(p[te], y[te]) for p in probs.values())
    assert fused >= best + 0.03


def test_missing_modalities_drop_out(composite):
    probs, y = composite
    model = LogLinearPooling().fit(probs, y)
    # without face: fused still at least the best remaining modality (minus a point)
    no_face = {"speech": probs["speech"], "text": probs["text"]}
    assert _acc(model.predict_proba(no_face), y) >= _acc(probs["speech"], y) - 0.01
    # a NaN row means that modality is absent for that item only
    holes = {m: p.copy() for m, p in probs.items()}
    holes["face"][:2000] = np.nan
    fused = model.predict_proba(holes)
    np.testing.assert_allclose(fused.sum(1), 1.0, atol=1e-9)
    assert _acc(fused[2000:], y[2000:]) == pytest.approx(_acc(model.predict_proba(probs)[2000:], y[2000:]))
    again = LogLinearPooling.from_dict(model.to_dict())
    np.testing.assert_allclose(again.predict_proba(probs), model.predict_proba(probs), atol=1e-5)


def test_incongruence_and_windows():
    agree = {"face": np.array([[0.8, 0.1, 0.1]]), "speech": np.array([[0.7, 0.2, 0.1]])}
    clash = {"face": np.array([[0.9, 0.05, 0.05]]), "speech": np.array([[0.05, 0.9, 0.05]])}
    assert incongruence(agree)[0] < 0.05 < 0.5 < incongruence(clash)[0]
    assert incongruence({"face": np.array([[0.9, 0.1]]), "speech": np.array([[np.nan, np.nan]])})[0] == 0
    idx = pd.MultiIndex.from_tuples(
        [("v", 0.0, 0.0), ("v", 0.4, 0.4), ("v", 0.5, 2.5)], names=["source", "start", "end"]
    )
    f = pd.DataFrame({"modality": ["face", "face", "speech"], "ekman7:joy": [1.0, 0.5, 0.2]}, index=idx)
    w = align_windows(f, window=1.0)
    assert list(w.index.get_level_values("start")) == [0.0, 1.0, 2.0]
    assert w["face:joy"].iloc[0] == pytest.approx(0.75)
    assert np.isnan(w["face:joy"].iloc[1])
    assert w["speech:joy"].tolist() == pytest.approx([0.2, 0.2, 0.2])


def test_errors():
    with pytest.raises(NotFittedError):
        LogLinearPooling().predict_proba({"face": np.ones((1, 2)) / 2})
    model = LogLinearPooling().fit({"face": np.array([[0.9, 0.1], [0.2, 0.8]])}, np.array([0, 1]))
    with pytest.raises(InputError, match="Unknown modalities"):
        model.predict_proba({"voice": np.ones((1, 2)) / 2})
    with pytest.raises(InputError, match="label indices"):
        LogLinearPooling().fit({"face": np.ones((2, 2)) / 2}, np.array([0, 5]))
    with pytest.raises(ConfigError, match="non-negative"):
        LogLinearPooling.from_dict({"modalities": ["a"], "weights": [-1], "bias": [0, 0]})
    with pytest.raises(ConfigError, match="window"):
        align_windows(pd.DataFrame(), window=0)


def test_modality_dropout_and_no_bias(composite):
    probs, y = composite
    # a 'constant' modality (always the same confident reading) learns weight ~0 and never blocks the others
    stuck = np.tile(np.eye(7)[6] * 0.9 + 0.1 / 7, (len(y), 1))
    fit = LogLinearPooling(modality_dropout=0.5, fit_bias=False).fit({**probs, "words": stuck}, y)
    assert fit.weights_[-1] < 0.1
    assert np.all(fit.bias_ == 0)
    alone = fit.predict_proba({"speech": probs["speech"][:2000]})
    assert _acc(alone, y[:2000]) == pytest.approx(_acc(probs["speech"][:2000], y[:2000]), abs=0.005)
    with pytest.raises(ConfigError, match="modality_dropout"):
        LogLinearPooling(modality_dropout=1.0).fit(probs, y)


def test_shipped_fuser_loads_and_rejects_bad_windows():
    from affectscope.fusion import Fuser

    f = Fuser()
    assert f.model_.modalities_ == ["face", "speech", "text"]
    assert 0 < f.threshold_ < 1
    assert f.fuse(pd.DataFrame()).empty
    assert f.summarize(pd.DataFrame())["label"] is None
    with pytest.raises(ConfigError, match="window"):
        Fuser(window=0)
    with pytest.raises(ConfigError, match="window"):
        Fuser(window="sentence")


@pytest.mark.parametrize("window", [1e-300, 1e-6, 0.1, float("nan"), float("inf"), -1, 1e9])
def test_fusion_windows_are_bounded(window):
    with pytest.raises(ConfigError, match="'window' parameter"):
        Fuser(window=window)
    idx = pd.MultiIndex.from_tuples([("v", 0.0, 3.3)], names=["source", "start", "end"])
    with pytest.raises(ConfigError, match="'window' parameter"):
        align_windows(pd.DataFrame({"modality": ["face"], "ekman7:joy": [1.0]}, index=idx), window=window)


def test_fusion_window_count_is_bounded():
    idx = pd.MultiIndex.from_tuples([("v", 0.0, 1e6)], names=["source", "start", "end"])
    with pytest.raises(ConfigError, match="fusion windows"):
        align_windows(pd.DataFrame({"modality": ["face"], "ekman7:joy": [1.0]}, index=idx), window=0.25)
