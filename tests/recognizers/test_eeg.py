"""EEG: band features on signals with a known alpha peak, training on your own data, EDF/CSV reading, errors."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("scipy")
pytest.importorskip("sklearn")

from affectscope.errors import InputError
from affectscope.recognizers.eeg import BANDS, EEGClassifier, eeg_features, read_eeg

SR = 128


def synthetic(state: str, seconds: float, rng: np.random.Generator, gain: float) -> np.ndarray:
    """Two channels (O1, Fz): 'relaxed' has a strong 10 Hz alpha rhythm, 'focused' a 20 Hz beta rhythm."""
    t = np.arange(int(seconds * SR)) / SR
    f = 10.0 if state == "relaxed" else 20.0
    rhythm = np.sin(2 * np.pi * (f + rng.normal(0, 0.3)) * t + rng.uniform(0, 6))
    noise = rng.standard_normal((2, len(t))) * 0.8
    pink = np.cumsum(rng.standard_normal((2, len(t))), axis=1) * 0.02
    return gain * (np.stack([1.5 * rhythm, 0.7 * rhythm]) + noise + pink)


def _csv(path, x):
    import pandas as pd

    t = np.arange(x.shape[1]) / SR
    pd.DataFrame({"timestamp": t, "O1": x[0], "Fz": x[1]}).to_csv(path, index=False)


def test_alpha_peak_shows_in_power_and_differential_entropy():
    x = synthetic("relaxed", 16, np.random.default_rng(0), 10.0)
    f, names = eeg_features(x, SR, channels=["O1", "Fz"], window=4.0)
    assert f.shape == (4, 2 * len(BANDS) * 3)
    col = {n: i for i, n in enumerate(names)}
    for band in ("delta", "theta", "beta", "gamma"):
        assert (f[:, col["O1:power_alpha"]] > f[:, col[f"O1:power_{band}"]]).all()
        assert (f[:, col["O1:de_alpha"]] > f[:, col[f"O1:de_{band}"]]).all()
    assert (f[:, col["O1:rel_alpha"]] > 0.5).all()
    assert (f[:, col["O1:power_alpha"]] > f[:, col["Fz:power_alpha"]]).all()  # the rhythm is stronger at O1
    rel = f[:, [col[f"O1:rel_{b}"] for b in BANDS]].sum(1)
    np.testing.assert_allclose(rel, 1.0, atol=0.05)


def test_train_on_your_own_recordings_and_analyze(tmp_path):
    import json

    import pandas as pd
    from typer.testing import CliRunner

    from affectscope.cli import app

    rng = np.random.default_rng(1)
    rows = []
    for subject in range(6):
        gain = rng.uniform(2, 40)  # subjects differ in amplitude: per-subject scaling must absorb it
        for state in ("relaxed", "focused"):
            f = tmp_path / f"s{subject}_{state}.csv"
            _csv(f, synthetic(state, 24, rng, gain))
            rows.append({"path": f.name, "label": state, "subject": f"s{subject}"})
    pd.DataFrame(rows).to_csv(tmp_path / "labels.csv", index=False)
    out = CliRunner().invoke(
        app, ["train", "--modality", "eeg", "--data", str(tmp_path / "labels.csv"), "--out", str(tmp_path / "m")]
    )
    assert out.exit_code == 0, out.output
    assert "subject-grouped CV accuracy" in out.stdout
    meta = json.loads((tmp_path / "m" / "bundle.json").read_text())
    assert meta["metrics"]["cv_balanced_accuracy"]["value"] >= 0.9
    new = tmp_path / "new_relaxed.csv"
    _csv(new, np.hstack([synthetic("relaxed", 16, rng, 25.0), synthetic("focused", 16, rng, 25.0)]))
    res = CliRunner().invoke(
        app, ["analyze", str(new), "--modality", "eeg", "--model", str(tmp_path / "m"), "-f", "json"]
    )
    assert res.exit_code == 0, res.output
    segs = json.loads(res.stdout)["segments"]
    assert [s["label"] for s in segs] == ["relaxed"] * 4 + ["focused"] * 4
    assert segs[0]["evidence"].startswith("alpha")
    assert segs[-1]["evidence"].startswith("beta")
    none = CliRunner().invoke(app, ["analyze", str(new), "--modality", "eeg"])
    assert none.exit_code == 2
    assert "ships no EEG model" in none.output


def test_edf_reading_and_bad_inputs(tmp_path):
    pyedflib = pytest.importorskip("pyedflib")
    x = synthetic("relaxed", 8, np.random.default_rng(2), 20.0)
    edf = tmp_path / "rec.edf"
    with pyedflib.EdfWriter(str(edf), 2, file_type=pyedflib.FILETYPE_EDFPLUS) as w:
        heads = []
        for name in ("O1", "Fz"):
            heads.append(
                {
                    "label": name,
                    "dimension": "uV",
                    "sample_frequency": SR,
                    "physical_max": 500,
                    "physical_min": -500,
                    "digital_max": 32767,
                    "digital_min": -32768,
                }
            )
        w.setSignalHeaders(heads)
        w.writeSamples([x[0], x[1]])
    rec = read_eeg(edf)
    assert rec.channels == ["O1", "Fz"]
    assert rec.rate == SR
    np.testing.assert_allclose(rec.data[0, :100], x[0, :100], atol=0.05)
    with pytest.raises(InputError, match="at least 90 Hz"):
        eeg_features(rec.data, 64, channels=rec.channels)
    with pytest.raises(InputError, match="one window needs"):
        eeg_features(rec.data[:, :100], SR, channels=rec.channels)
    bad = tmp_path / "bad.edf"
    bad.write_bytes(b"0" * 300)
    with pytest.raises(InputError, match="EDF/BDF"):
        read_eeg(bad)
    nots = tmp_path / "x.csv"
    nots.write_text("a,b\n1,2\n3,4\n", encoding="utf-8")
    with pytest.raises(InputError, match="sampling rate"):
        read_eeg(nots)
    assert read_eeg(nots, rate=256).rate == 256
    with pytest.raises(InputError, match="two labels"):
        EEGClassifier().fit(np.zeros((4, 3)), ["a"] * 4, ["s"] * 4)


def test_eval_scores_your_recordings_by_subject_grouped_cv_or_with_a_model(tmp_path):
    """`affectscope eval --dataset eeg`: grouped CV without a model; a model trained on 4 subjects, on 2 others."""
    import json

    import pandas as pd
    from typer.testing import CliRunner

    from affectscope.cli import app
    from affectscope.evaluate import evaluate

    rng = np.random.default_rng(3)
    rows = []
    for subject in range(6):
        gain = rng.uniform(2, 40)
        for state in ("relaxed", "focused"):
            for take in range(2):
                f = tmp_path / f"s{subject}_{state}_{take}.csv"
                _csv(f, synthetic(state, 12, rng, gain))
                rows.append({"path": f.name, "label": state, "subject": f"s{subject}"})
    pd.DataFrame(rows).to_csv(tmp_path / "labels.csv", index=False)
    cv = evaluate("eeg", tmp_path / "labels.csv", split="all")
    assert cv["n"] == 24
    assert cv["protocol"] == "5-fold subject-grouped cross-validation"
    assert cv["metrics"]["uar"] >= 0.9
    # train on s0-s3, score the unseen s4 and s5 through the CLI
    pd.DataFrame(rows[:16]).to_csv(tmp_path / "train.csv", index=False)
    runner = CliRunner()
    out = runner.invoke(
        app, ["train", "--modality", "eeg", "--data", str(tmp_path / "train.csv"), "--out", str(tmp_path / "m")]
    )
    assert out.exit_code == 0, out.output
    res = runner.invoke(
        app,
        [
            "eval",
            "--dataset",
            "eeg",
            "--path",
            str(tmp_path / "labels.csv"),
            "--split",
            "s4,s5",
            "--model",
            str(tmp_path / "m"),
            "--json",
            "-",
        ],
    )
    assert res.exit_code == 0, res.output
    report = json.loads(res.stdout)
    assert report["n"] == 8
    assert report["metrics"]["accuracy"] >= 0.85
    assert report["model"] == "m"
    bad = runner.invoke(app, ["eval", "--dataset", "eeg", "--path", str(tmp_path / "labels.csv"), "--split", "s9"])
    assert bad.exit_code == 2
    assert "s9" in bad.output


def _labelled(tmp_path, subjects: int = 3) -> str:
    import pandas as pd

    rng = np.random.default_rng(5)
    rows = []
    for subject in range(subjects):
        for state in ("relaxed", "focused"):
            f = tmp_path / f"s{subject}_{state}.csv"
            _csv(f, synthetic(state, 12, rng, 10.0))
            rows.append({"path": f.name, "label": state, "subject": f"s{subject}"})
    pd.DataFrame(rows).to_csv(tmp_path / "labels.csv", index=False)
    return str(tmp_path / "labels.csv")


def test_train_records_the_declared_data_licence_and_commercial_use(tmp_path, monkeypatch):
    import json

    from typer.testing import CliRunner

    from affectscope.cli import app
    from affectscope.errors import ConfigError
    from affectscope.models import get_bundle, resolve_model

    labels = _labelled(tmp_path)
    runner = CliRunner()

    def train(name: str, *flags: str):
        r = runner.invoke(app, ["train", "--modality", "eeg", "--data", labels, "--out", str(tmp_path / name), *flags])
        assert r.exit_code == 0, r.output
        return r, json.loads((tmp_path / name / "bundle.json").read_text(encoding="utf-8"))

    out, meta = train("free", "--data-licence", " CC-BY-4.0 ", "--commercial")
    assert "data licence CC-BY-4.0, commercial use allowed" in out.stdout
    (data,) = meta["training_data"]
    assert (data["licence"], data["licence_id"], data["commercial_use"]) == ("CC-BY-4.0", "CC-BY-4.0", True)
    assert get_bundle(tmp_path / "free").data_licences == ["CC-BY-4.0"]
    assert "CC-BY-4.0" in (tmp_path / "free" / "MODEL_CARD.md").read_text(encoding="utf-8")

    out, meta = train("closed", "--data-licence", "CC-BY-NC-4.0", "--no-commercial")
    assert meta["training_data"][0]["commercial_use"] is False
    out, meta = train("unsaid")
    assert "data licence unknown, commercial use unknown" in out.stdout
    assert (meta["training_data"][0]["licence_id"], meta["training_data"][0]["commercial_use"]) == ("unknown", None)

    assert get_bundle(tmp_path / "free").commercial_use is True
    assert get_bundle(tmp_path / "closed").commercial_use is False
    assert get_bundle(tmp_path / "unsaid").commercial_use is None
    monkeypatch.setenv("AFFECTSCOPE_PROFILE", "commercial")
    assert resolve_model("eeg", tmp_path / "free").name == "free"
    with pytest.raises(ConfigError, match=r"does not allow closed: closed was trained on your recordings \(CC-BY-NC"):
        resolve_model("eeg", tmp_path / "closed")
    with pytest.raises(ConfigError, match=r"does not allow unsaid: .*\(unknown, commercial use unknown\)"):
        resolve_model("eeg", tmp_path / "unsaid")
    rec = tmp_path / "s0_relaxed.csv"
    ok = runner.invoke(app, ["analyze", str(rec), "--modality", "eeg", "--model", str(tmp_path / "free"), "-f", "json"])
    assert ok.exit_code == 0, ok.output
    refused = runner.invoke(app, ["analyze", str(rec), "--modality", "eeg", "--model", str(tmp_path / "closed")])
    assert refused.exit_code == 2
    assert "commercial profile" in refused.output


@pytest.mark.parametrize("licence", ["", "   ", "x" * 101, "CC-BY\n4.0"])
def test_a_bad_data_licence_is_refused_before_any_recording_is_read(tmp_path, licence):
    from typer.testing import CliRunner

    from affectscope.cli import app
    from affectscope.errors import ConfigError

    r = CliRunner().invoke(
        app,
        [
            "train",
            "--modality",
            "eeg",
            "--data",
            str(tmp_path / "absent.csv"),
            "--out",
            str(tmp_path / "m"),
            "--data-licence",
            licence,
        ],
    )
    assert r.exit_code == 2
    assert "'data_licence' parameter" in r.output
    assert not (tmp_path / "m").exists()
    with pytest.raises(ConfigError, match="commercial_use"):
        EEGClassifier().save(tmp_path / "m", features=[], metrics={}, commercial_use="yes")
