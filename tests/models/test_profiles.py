"""Profiles: AFFECTSCOPE_PROFILE=commercial allows only models whose every training set permits commercial use."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from affectscope.cli import app
from affectscope.errors import ConfigError
from affectscope.models import current_profile, default_model, get_bundle, list_models, resolve_model

# modality -> its default model, refused under the commercial profile (no commercially usable model ships yet)
REFUSED = {
    "face": "face-cnn-fer",
    "music": "music-4q-quadrants",
    "conversation": "conversation-minilm-context",
    "fusion": "fusion-loglinear",
}


@pytest.fixture
def commercial(monkeypatch):
    monkeypatch.setenv("AFFECTSCOPE_PROFILE", "commercial")


@pytest.mark.parametrize("modality", sorted(REFUSED))
def test_commercial_profile_refuses_each_non_commercial_default(modality, commercial):
    with pytest.raises(ConfigError) as exc:
        resolve_model(modality)
    msg = str(exc.value)
    assert msg.startswith(f"The commercial profile allows no {modality} model: {REFUSED[modality]} was trained on ")
    assert f"Allowed {modality} models: none." in msg
    assert "AFFECTSCOPE_PROFILE" in msg
    assert "\n" not in msg
    for d in get_bundle(REFUSED[modality]).training_data:
        assert d["short_name"] in msg
    with pytest.raises(ConfigError, match=f"allows no {modality} model"):
        default_model(modality)


def test_the_face_message_is_the_one_users_read(commercial):
    with pytest.raises(ConfigError) as exc:
        resolve_model("face")
    assert str(exc.value) == (
        "The commercial profile allows no face model: face-cnn-fer was trained on FER2013 (research-only). "
        "Allowed face models: none. Unset AFFECTSCOPE_PROFILE or pass a commercially usable model."
    )


@pytest.mark.parametrize(
    ("modality", "name"),
    [("text", "text-minilm-goemotions"), ("physio", "physio-stress-e4"), ("speech", "speech-whisper-ser-cremad")],
)
def test_commercial_profile_accepts_commercially_usable_models(modality, name, commercial):
    assert default_model(modality) == name
    assert resolve_model(modality).name == name
    assert resolve_model(modality, name).name == name


def test_explicitly_named_non_commercial_models_are_refused_too():
    with pytest.raises(ConfigError, match=r"does not allow speech-whisper-ser: .*RAVDESS \(CC-BY-NC-SA-4\.0\)"):
        resolve_model("speech", "speech-whisper-ser", profile="commercial")
    assert resolve_model("speech", "speech-whisper-ser").name == "speech-whisper-ser"  # default profile


def test_allowed_models_are_listed_and_the_keyword_wins_over_the_environment(monkeypatch):
    with pytest.raises(ConfigError, match=r"Allowed text models: text-minilm-goemotions\."):
        resolve_model("text", "conversation-minilm-context", profile="commercial")
    monkeypatch.setenv("AFFECTSCOPE_PROFILE", "commercial")
    assert resolve_model("face", profile="default").name == "face-cnn-fer"
    monkeypatch.setenv("AFFECTSCOPE_PROFILE", "")
    assert current_profile() == "default"
    assert resolve_model("face").name == "face-cnn-fer"


def test_unknown_profiles_list_the_choices(monkeypatch):
    with pytest.raises(ConfigError, match=r"must be one of \['default', 'commercial'\]\. Got 'free' instead"):
        resolve_model("text", profile="free")
    monkeypatch.setenv("AFFECTSCOPE_PROFILE", "Commercial")
    with pytest.raises(ConfigError, match="AFFECTSCOPE_PROFILE"):
        default_model("text")


def test_every_commercial_default_is_commercially_usable():
    modalities = {get_bundle(n).modality for n in list_models()}
    for m in sorted(modalities - set(REFUSED)):
        assert resolve_model(m, profile="commercial").commercial_use is True
    assert set(REFUSED) <= modalities


def test_recognizers_and_fusion_resolve_through_the_profile(commercial):
    from affectscope.fusion import Fuser
    from affectscope.recognizers.face import FaceRecognizer

    with pytest.raises(ConfigError, match="allows no face model"):
        FaceRecognizer()
    with pytest.raises(ConfigError, match="allows no fusion model"):
        Fuser()
    with pytest.raises(ConfigError, match="does not allow face-cnn-fer"):
        FaceRecognizer("face-cnn-fer")


def test_cli_analyze_photo_under_the_commercial_profile_exits_2_naming_profile_and_modality(tmp_path):
    from PIL import Image

    photo = tmp_path / "photo.jpg"
    Image.fromarray(np.full((64, 64, 3), 120, np.uint8)).save(photo)
    r = CliRunner().invoke(app, ["analyze", str(photo)], env={"AFFECTSCOPE_PROFILE": "commercial"})
    assert r.exit_code == 2
    lines = [ln for ln in r.output.splitlines() if ln.strip()]
    assert len(lines) == 1, r.output
    assert "commercial profile" in lines[0]
    assert "face model" in lines[0]
    assert "Traceback" not in r.output
    ok = CliRunner().invoke(
        app, ["analyze", "What a lovely day.", "-f", "json"], env={"AFFECTSCOPE_PROFILE": "commercial"}
    )
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)["summary"]["model"] == "text-minilm-goemotions"


def test_cli_models_lists_one_line_per_model_and_json(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    r = CliRunner().invoke(app, ["models"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert max(len(ln) for ln in lines) <= 80
    starts = [ln.split()[0] for ln in lines if ln and not ln[0].isspace()]
    assert set(list_models()) <= set(starts)
    row = next(ln for ln in lines if ln.startswith("physio-stress-e4"))
    assert "yes" in row
    assert "MIT" in row
    row = next(ln for ln in lines if ln.startswith("face-cnn-fer"))
    assert " no " in row
    assert "research-only" in row
    for args in (["models", "--json"], ["models", "--format", "json"]):
        d = {m["name"]: m for m in json.loads(CliRunner().invoke(app, args).stdout)}
        assert set(d) == set(list_models())
        for m in d.values():
            assert {"name", "modality", "data_licences", "commercial_use"} <= set(m)
        assert d["physio-stress-e4"]["commercial_use"] is True
        assert d["speech-whisper-ser"]["commercial_use"] is False


def test_cli_models_name_shows_one_model_in_full():
    r = CliRunner().invoke(app, ["models", "speech-whisper-ser"], env={"COLUMNS": "120"})
    assert r.exit_code == 0, r.output
    for word in ("speech-whisper-ser", "CC-BY-NC-SA-4.0", "commercial use", "ravdess_loso_uar_alone", "MODEL_CARD"):
        assert word in r.stdout
    assert "text-minilm-goemotions" not in r.stdout
    one = json.loads(CliRunner().invoke(app, ["models", "physio-stress-e4", "--json"]).stdout)
    assert one["name"] == "physio-stress-e4"
    assert one["data_licences"] == ["MIT"]
    bad = CliRunner().invoke(app, ["models", "gpt-17"])
    assert bad.exit_code == 2
    assert "text-minilm-goemotions" in bad.output


def test_user_trained_eeg_bundles_load_by_default_and_are_refused_under_the_commercial_profile(tmp_path, monkeypatch):
    pytest.importorskip("sklearn")
    from affectscope.recognizers.eeg import EEGClassifier, analyze_eeg

    rng = np.random.default_rng(0)
    x = rng.standard_normal((12, 3))
    clf = EEGClassifier().fit(x, ["a", "b"] * 6, [0] * 6 + [1] * 6)
    metrics = {"balanced_accuracy": 0.5, "folds": 2, "subjects": 2}
    folder = clf.save(tmp_path / "mine", features=["f1", "f2", "f3"], metrics=metrics)
    meta = json.loads((folder / "bundle.json").read_text(encoding="utf-8"))
    assert meta["training_data"][0]["commercial_use"] is None
    assert get_bundle(folder).commercial_use is None
    assert resolve_model("eeg", folder).name == "mine"
    monkeypatch.setenv("AFFECTSCOPE_PROFILE", "commercial")
    with pytest.raises(ConfigError, match=r"does not allow mine: .*commercial use unknown.*'commercial_use'"):
        analyze_eeg(tmp_path / "never_read.csv", folder)
    allowed = clf.save(tmp_path / "ours", features=["f1", "f2", "f3"], metrics=metrics, commercial_use=True)
    assert resolve_model("eeg", allowed).commercial_use is True
