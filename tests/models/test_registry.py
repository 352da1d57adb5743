import json

import pytest

from affectscope.errors import ConfigError, ModelError
from affectscope.labels import get_space
from affectscope.models import default_model, get_bundle, list_models


def test_registry_lists_the_text_model():
    assert default_model("text") in list_models(modality="text")
    with pytest.raises(ConfigError, match="'modality'"):
        default_model("smell")


def test_unknown_model_lists_choices():
    with pytest.raises(ConfigError, match="text-minilm-goemotions"):
        get_bundle("gpt-17")


@pytest.mark.parametrize("name", list_models())
def test_every_bundle_is_complete_small_and_documented(name):
    b = get_bundle(name)
    for role in b.files:
        assert b.file(role).stat().st_size > 0
    assert b.size_bytes < 25 * 1024 * 1024
    card = b.card.read_text(encoding="utf-8")
    for word in ("Licence", "Training data", "Metrics", "Limitations"):
        assert word.lower() in card.lower()
    for d in b.training_data:
        assert d["licence"]
    for metric in b.metrics.values():
        assert {"value", "dataset", "split", "command"} <= set(metric)
    json.dumps(b.to_dict())


@pytest.mark.parametrize("name", list_models())
def test_head_labels_match_the_label_spaces(name):
    b = get_bundle(name)
    for head in b.heads.values():
        space = get_space(head["space"])
        assert list(head["labels"]) == list(space.labels)


def test_bundle_folder_errors(tmp_path):
    from affectscope.models.registry import _load

    with pytest.raises(ModelError, match=r"bundle\.json"):
        _load(tmp_path)
    (tmp_path / "bundle.json").write_text("{broken", encoding="utf-8")
    with pytest.raises(ModelError, match="not valid JSON"):
        get_bundle(tmp_path)
    (tmp_path / "bundle.json").write_text('{"name": "x"}', encoding="utf-8")
    with pytest.raises(ModelError, match="required keys"):
        get_bundle(tmp_path)


def test_missing_weight_file_is_a_model_error(tmp_path):
    src = get_bundle(default_model("text"))
    meta = json.loads((src.path / "bundle.json").read_text(encoding="utf-8"))
    (tmp_path / "bundle.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="missing its file"):
        get_bundle(tmp_path).file("onnx")


# --- licences ------------------------------------------------------------------------------------------------------
_COMMERCIAL = {"text-minilm-goemotions": True, "physio-stress-e4": True, "speech-whisper-ser-cremad": True}


@pytest.mark.parametrize("name", list_models())
def test_every_bundle_states_its_data_licences_and_commercial_use(name):
    b = get_bundle(name)
    assert b.training_data
    for d in b.training_data:
        assert isinstance(d["commercial_use"], bool)
        assert d["licence_id"]
        assert " " not in d["licence_id"]
        assert d["short_name"]
    assert b.data_licences == [d["licence_id"] for d in b.training_data]
    assert b.commercial_use is _COMMERCIAL.get(name, False)
    assert b.commercial_use is all(d["commercial_use"] for d in b.training_data)
    d = b.to_dict()
    assert (d["data_licences"], d["commercial_use"]) == (b.data_licences, b.commercial_use)
    if not b.commercial_use:  # honest licence lines: the data caveat on the same line as "Apache-2.0"
        assert "not for commercial use" in b.licence
        for data in b.training_data:
            if not data["commercial_use"]:
                assert data["short_name"] in b.licence
        card = b.card.read_text(encoding="utf-8").splitlines()
        assert any("Apache-2.0" in ln and "not for commercial use" in ln for ln in card)


def test_data_licences_of_the_shipped_models():
    assert get_bundle("text-minilm-goemotions").data_licences == ["CC-BY-4.0", "CC-BY-SA-4.0"]
    assert get_bundle("speech-whisper-ser").data_licences == ["CC-BY-NC-SA-4.0", "CC-BY-NC-ND-4.0"]
    assert get_bundle("face-cnn-fer").data_licences == ["research-only"]
    assert get_bundle("music-4q-quadrants").data_licences == ["research-only"]
    assert get_bundle("conversation-minilm-context").data_licences == ["GPL-3.0", "GPL-3.0", "research-only"]
    assert get_bundle("physio-stress-e4").data_licences == ["MIT"]


def _copy_bundle(tmp_path, name="text-minilm-goemotions", **changes):
    meta = json.loads((get_bundle(name).path / "bundle.json").read_text(encoding="utf-8"))
    meta.update(changes)
    folder = tmp_path / "b"
    folder.mkdir(exist_ok=True)
    (folder / "bundle.json").write_text(json.dumps(meta), encoding="utf-8")
    return folder, meta


def test_a_training_set_without_commercial_use_is_a_model_error_in_a_shipped_bundle(tmp_path):
    from affectscope.models.registry import _load

    folder, meta = _copy_bundle(tmp_path)
    del meta["training_data"][1]["commercial_use"]
    (folder / "bundle.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match=r"text-minilm-goemotions.*EmoBank.*'commercial_use'"):
        _load(folder, shipped=True)
    b = get_bundle(folder)  # a bundle of the user's own: loads, with commercial use unknown
    assert b.commercial_use is None
    assert b.to_dict()["commercial_use"] is None


def test_a_malformed_commercial_use_is_a_model_error(tmp_path):
    folder, meta = _copy_bundle(tmp_path)
    meta["training_data"][0]["commercial_use"] = "yes"
    (folder / "bundle.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match=r"text-minilm-goemotions.*true, false or null"):
        get_bundle(folder)
    meta["training_data"] = "GoEmotions"
    (folder / "bundle.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ModelError, match="list of objects"):
        get_bundle(folder)


def test_a_bundle_without_training_data_is_judged_by_its_weights_licence(tmp_path):
    folder, _ = _copy_bundle(tmp_path, training_data=[], licence_id="Apache-2.0")
    assert get_bundle(folder).commercial_use is True
    folder, _ = _copy_bundle(tmp_path, training_data=[], licence_id="CC-BY-NC-4.0")
    assert get_bundle(folder).commercial_use is False
