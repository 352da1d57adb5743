import dataclasses
import json
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import pytest

from affectscope.errors import ConfigError
from affectscope.labels import LabelSpace, get_space, list_spaces

GOEMOTIONS = [
    "admiration", "amusement", "anger", "annoyance", "approval", "caring", "confusion", "curiosity",
    "desire", "disappointment", "disapproval", "disgust", "embarrassment", "excitement", "fear",
    "gratitude", "grief", "joy", "love", "nervousness", "optimism", "pride", "realization", "relief",
    "remorse", "sadness", "surprise", "neutral",
]  # fmt: skip

DATA_DIR = files("affectscope.labels").joinpath("data")
DOCS = Path(__file__).resolve().parents[2] / "docs" / "labels.md"


def test_list_spaces_has_all_builtin_spaces():
    assert list_spaces() == [
        "carer6",
        "ekman7",
        "ekman7_calm",
        "emorynlp7",
        "goemotions28",
        "iemocap6",
        "plutchik8",
        "russell4",
        "semeval2018_ec11",
        "stress2",
        "vad",
    ]


def test_goemotions_order_matches_dataset_ids():
    space = get_space("goemotions28")
    assert list(space.labels) == GOEMOTIONS
    assert len(space) == 28
    assert space.multi_label is True
    assert space.index("admiration") == 0
    assert space.index("neutral") == 27
    assert "Demszky" in space.citation


@pytest.mark.parametrize(
    ("name", "labels", "multi_label", "cited"),
    [
        ("ekman7", ["anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"], False, "Ekman"),
        (
            "plutchik8",
            ["joy", "trust", "fear", "surprise", "sadness", "disgust", "anger", "anticipation"],
            False,
            "Plutchik",
        ),
        ("russell4", ["q1_happy", "q2_angry", "q3_sad", "q4_calm"], False, "Russell"),
        ("carer6", ["sadness", "joy", "love", "anger", "fear", "surprise"], False, "Saravia"),
        (
            "semeval2018_ec11",
            [
                "anger",
                "anticipation",
                "disgust",
                "fear",
                "joy",
                "love",
                "optimism",
                "pessimism",
                "sadness",
                "surprise",
                "trust",
            ],
            True,
            "Mohammad",
        ),
    ],
)
def test_categorical_spaces(name, labels, multi_label, cited):
    space = get_space(name)
    assert space.kind == "categorical"
    assert list(space.labels) == labels
    assert space.multi_label is multi_label
    assert cited in space.citation
    assert space.description
    assert space.value_range is None


def test_vad_space_is_dimensional_on_minus_one_to_one():
    space = get_space("vad")
    assert space.kind == "dimensional"
    assert space.labels == ("valence", "arousal", "dominance")
    assert space.value_range == (-1.0, 1.0)
    assert "(x - 3) / 2" in space.description
    assert "(x - 5) / 4" in space.description


def test_get_space_is_cached_and_accepts_a_space():
    space = get_space("ekman7")
    assert get_space("ekman7") is space
    assert get_space(space) is space


def test_unknown_space_lists_choices():
    with pytest.raises(ConfigError) as info:
        get_space("ekman6")
    message = str(info.value)
    assert "The 'name' parameter of get_space must be one of" in message
    assert "'ekman7'" in message
    assert "'goemotions28'" in message
    assert "Got 'ekman6' instead." in message
    assert isinstance(info.value, ValueError)


def test_index_unknown_label_lists_labels():
    with pytest.raises(ConfigError, match=r"must be one of \['anger', 'disgust'.*Got 'happiness' instead"):
        get_space("ekman7").index("happiness")


def test_space_is_frozen_and_supports_len_and_in():
    space = get_space("plutchik8")
    assert len(space) == 8
    assert "trust" in space
    assert "neutral" not in space
    with pytest.raises(dataclasses.FrozenInstanceError):
        space.name = "other"  # type: ignore[misc]
    assert isinstance(space, LabelSpace)


def test_every_data_file_is_valid_json():
    names = [p.name for p in DATA_DIR.iterdir() if p.name.endswith(".json")]
    assert len(names) >= 14
    for name in names:
        data = json.loads(DATA_DIR.joinpath(name).read_text(encoding="utf-8"))
        assert isinstance(data, dict), name
        if name.startswith("space_"):
            for key in ("name", "kind", "multi_label", "labels", "description", "citation"):
                assert key in data, (name, key)
            assert name == f"space_{data['name']}.json"
        elif name.startswith("mapping_"):
            for key in ("source", "target", "map", "citation", "notes"):
                assert key in data, (name, key)
            assert name == f"mapping_{data['source']}__{data['target']}.json"
        else:
            assert name in ("vad_coordinates.json", "open_vocabulary.json")


def test_importing_labels_is_light():
    code = "import sys, affectscope.labels; print('pandas' in sys.modules, 'numpy' in sys.modules)"
    src = Path(__file__).resolve().parents[2] / "src"
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        check=True,
        env={"PYTHONPATH": str(src)},
    )
    assert out.stdout.split() == ["False", "False"]


def test_docs_cover_every_space():
    text = DOCS.read_text(encoding="utf-8")
    for name in list_spaces():
        assert f"`{name}`" in text, name
