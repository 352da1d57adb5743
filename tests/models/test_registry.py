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
