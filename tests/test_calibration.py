"""Temperature scaling: recovers a known temperature, lowers ECE, keeps the arg-max, serialises, validates."""

from __future__ import annotations

import numpy as np
import pytest

from affectscope.calibration import TemperatureScaling
from affectscope.errors import ConfigError, InputError, NotFittedError
from affectscope.evaluate.metrics import ece, multilabel_ece


def _softmax(z):
    e = np.exp(z - z.max(1, keepdims=True))
    return e / e.sum(1, keepdims=True)


@pytest.fixture(scope="module")
def single_label():
    rng = np.random.default_rng(7)
    z = rng.normal(size=(5000, 7)) * 1.5
    p_true = _softmax(z)
    y = np.array([rng.choice(7, p=row) for row in p_true])
    return z, y


@pytest.mark.parametrize("sharpness", [0.5, 2.0, 3.0])
def test_recovers_the_temperature_and_fixes_ece(single_label, sharpness):
    z, y = single_label
    model = _softmax(z * sharpness)  # over-confident (> 1) or under-confident (< 1)
    ts = TemperatureScaling().fit(model, y)
    assert ts.kind_ == "softmax"
    assert ts.temperature_ == pytest.approx(sharpness, rel=0.12)
    cal = ts.transform(model)
    assert ece(cal, y) < 0.03 < ece(model, y)
    assert (cal.argmax(1) == model.argmax(1)).all()
    np.testing.assert_allclose(cal.sum(1), 1.0, atol=1e-5)
    assert ts.nll_after_ < ts.nll_before_


def test_sigmoid_outputs(single_label):
    rng = np.random.default_rng(3)
    z = rng.normal(size=(4000, 5)) * 2 - 1
    y = (rng.random(z.shape) < 1 / (1 + np.exp(-z))).astype(int)
    model = 1 / (1 + np.exp(-2.5 * z))
    ts = TemperatureScaling().fit(model, y)
    assert ts.kind_ == "sigmoid"
    assert ts.temperature_ == pytest.approx(2.5, rel=0.12)
    assert multilabel_ece(ts.transform(model), y) < multilabel_ece(model, y) / 3


def test_calibrated_model_is_left_alone(single_label):
    z, y = single_label
    ts = TemperatureScaling().fit(_softmax(z), y)
    assert ts.temperature_ == pytest.approx(1.0, abs=0.08)


def test_round_trip_and_errors():
    ts = TemperatureScaling().fit([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3]], [0, 1, 1])
    again = TemperatureScaling.from_dict(ts.to_dict())
    np.testing.assert_allclose(again.transform([[0.6, 0.4]]), ts.transform([[0.6, 0.4]]), atol=1e-5)
    with pytest.raises(NotFittedError, match="fit"):
        TemperatureScaling().transform([[0.5, 0.5]])
    with pytest.raises(ConfigError, match="kind"):
        TemperatureScaling(kind="platt").fit([[0.5, 0.5]], [0])
    with pytest.raises(InputError, match="Class indices"):
        TemperatureScaling().fit([[0.5, 0.5]], [2])
    with pytest.raises(InputError, match="0/1 matrix"):
        TemperatureScaling(kind="sigmoid").fit([[0.5, 0.5]], [[1, 2]])
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        TemperatureScaling().fit([[1.5, -0.5]], [0])
    with pytest.raises(ConfigError, match="temperature"):
        TemperatureScaling.from_dict({"method": "isotonic"})


def test_text_model_applies_its_stored_temperature_and_keeps_decisions():
    from affectscope.recognizers.text import TextRecognizer

    rec = TextRecognizer(num_threads=2)
    assert "ekman7" in rec.calibrators_
    texts = ["I am furious with you.", "What a lovely day!", "ok", "I miss her so much."]
    cal = rec.predict(texts)["ekman7"]
    raw_rec = TextRecognizer(num_threads=2)
    raw_rec.calibrators_ = {}
    raw_rec.thresholds_ = {s: np.asarray(t, dtype=np.float32) for s, t in raw_rec.bundle.extra["thresholds"].items()}
    raw = raw_rec.predict(texts)["ekman7"]
    np.testing.assert_allclose(cal, rec.calibrators_["ekman7"].transform(raw), atol=1e-6)
    assert (cal.argmax(1) == raw.argmax(1)).all()
    assert rec.decide(cal, space="ekman7") == raw_rec.decide(raw, space="ekman7")
    assert rec.bundle.extra["calibration"]["ekman7"]["ece_top_after_crossfit"] <= 0.05


def test_mark_uncertain_on_results_and_cli():
    import json

    from typer.testing import CliRunner

    import affectscope
    from affectscope.cli import app

    r = affectscope.analyze("I am so happy today! The meeting is at noon.")
    flagged = r.mark_uncertain(0.99)
    assert flagged.frame["uncertain"].tolist() == (r.frame["confidence"] < 0.99).tolist()
    assert flagged.summary["n_uncertain"] == int((r.frame["confidence"] < 0.99).sum())
    assert "uncertain" not in r.frame.columns  # the original is untouched
    assert not r.mark_uncertain(0.0).summary["uncertain"]
    with pytest.raises(ConfigError, match=r"\[0, 1\]"):
        r.mark_uncertain(1.5)
    out = CliRunner().invoke(app, ["analyze", "I am so happy today!", "--uncertain-below", "1", "-f", "json"])
    d = json.loads(out.stdout)
    assert d["summary"]["uncertain"] is True
    assert d["segments"][0]["uncertain"] is True
    bad = CliRunner().invoke(app, ["analyze", "hi", "--uncertain-below", "2"])
    assert bad.exit_code == 2
