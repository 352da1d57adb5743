import json
from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

from affectscope.errors import ConfigError, InputError
from affectscope.labels import expected_vad, get_space, list_spaces, russell_quadrant, vad_of

VAD_JSON = json.loads(files("affectscope.labels").joinpath("data", "vad_coordinates.json").read_text(encoding="utf-8"))
CATEGORICAL = [n for n in list_spaces() if get_space(n).kind == "categorical"]


def _all_labels():
    return sorted({(name, label) for name in CATEGORICAL for label in get_space(name).labels})


@pytest.mark.parametrize(("space", "label"), _all_labels())
def test_every_categorical_label_has_sourced_coordinates(space, label):
    point = vad_of(label, space=space)
    assert len(point) == 3
    assert all(isinstance(x, float) and -1.0 <= x <= 1.0 for x in point)
    entry = VAD_JSON["coordinates"][label]
    assert entry["source"] in VAD_JSON["sources"]
    if label == "neutral":
        assert point == (0.0, 0.0, 0.0)
        assert entry["source"] == "midpoint"
    else:
        assert entry["source"] == "warriner2013"
        assert entry["word"]
        raw = entry["raw"]
        assert raw["scale"] == [1, 9]
        for dim, value in zip(("valence", "arousal", "dominance"), point, strict=True):
            assert value == pytest.approx((raw[dim] - 5) / 4, abs=1e-9)


def test_sources_have_citation_and_licence():
    for key, source in VAD_JSON["sources"].items():
        assert source["citation"], key
        assert source["license"], key
    warriner = VAD_JSON["sources"]["warriner2013"]
    assert "Behavior Research Methods" in warriner["citation"]
    assert "CC BY-NC-ND" in warriner["license"]
    assert warriner["retrieved_from"]["commit"]


def test_substituted_words_are_recorded():
    coords = VAD_JSON["coordinates"]
    assert coords["caring"]["word"] == "care"
    assert coords["pessimism"]["word"] == "pessimist"
    assert coords["q4_calm"]["word"] == "calm"
    assert "note" in coords["caring"]
    assert "note" in coords["pessimism"]


def test_psychological_sanity():
    joy = vad_of("joy", space="ekman7")
    sadness = vad_of("sadness", space="ekman7")
    fear = vad_of("fear", space="ekman7")
    anger = vad_of("anger", space="ekman7")
    assert joy[0] > 0 > sadness[0]
    assert fear[1] > sadness[1]
    assert anger[0] < 0 < anger[1]
    assert fear[2] < joy[2]  # fear feels less in control than joy


def test_same_label_same_point_across_spaces():
    assert vad_of("joy", space="ekman7") == vad_of("joy", space="plutchik8") == vad_of("joy", space="carer6")


@pytest.mark.parametrize(
    ("label", "quadrant"),
    [("anger", "q2_angry"), ("fear", "q2_angry"), ("joy", "q1_happy"), ("sadness", "q3_sad")],
)
def test_ekman_quadrants(label, quadrant):
    valence, arousal, _ = vad_of(label, space="ekman7")
    assert russell_quadrant(valence, arousal) == quadrant


def test_russell_prototypes_fall_in_their_own_quadrant():
    for label in get_space("russell4").labels:
        valence, arousal, _ = vad_of(label, space="russell4")
        assert russell_quadrant(valence, arousal) == label


def test_russell_quadrant_scalar_vector_and_ties():
    assert russell_quadrant(0.5, 0.5) == "q1_happy"
    assert russell_quadrant(-0.5, 0.5) == "q2_angry"
    assert russell_quadrant(-0.5, -0.5) == "q3_sad"
    assert russell_quadrant(0.5, -0.5) == "q4_calm"
    assert russell_quadrant(0.0, 0.0) == "q1_happy"
    assert isinstance(russell_quadrant(0.1, 0.1), str)
    out = russell_quadrant(np.array([[0.1, -0.1]]), np.array([[-0.2, 0.3]]))
    assert out.shape == (1, 2)
    assert out.tolist() == [["q4_calm", "q2_angry"]]
    assert russell_quadrant([0.2, -0.2], 0.4).tolist() == ["q1_happy", "q2_angry"]


def test_russell_quadrant_rejects_bad_input():
    with pytest.raises(InputError):
        russell_quadrant(float("nan"), 0.2)
    with pytest.raises(InputError):
        russell_quadrant([0.1, 0.2], [0.1, 0.2, 0.3])
    with pytest.raises(InputError):
        russell_quadrant("high", 0.2)


def test_vad_of_errors():
    with pytest.raises(ConfigError, match=r"'label' parameter of vad_of must be one of .*Got 'trust'"):
        vad_of("trust", space="ekman7")
    with pytest.raises(ConfigError, match=r"'space' parameter of vad_of must be one of \['carer6'.*Got 'vad'"):
        vad_of("valence", space="vad")
    with pytest.raises(ConfigError, match=r"Got 'nope' instead"):
        vad_of("joy", space="nope")
    with pytest.raises(TypeError):
        vad_of("joy", "ekman7")  # type: ignore[misc]


def test_expected_vad_one_hot_equals_label_point():
    frame = expected_vad({"fear": 1.0}, space="ekman7")
    assert list(frame.columns) == ["valence", "arousal", "dominance"]
    assert tuple(frame.iloc[0]) == pytest.approx(vad_of("fear", space="ekman7"))


def test_expected_vad_normalises_and_handles_zero_rows():
    space = get_space("ekman7")
    scores = np.zeros((3, len(space)))
    scores[0, space.index("joy")] = 2.0  # unnormalised
    scores[1, space.index("joy")] = 0.5
    scores[1, space.index("sadness")] = 0.5
    frame = expected_vad(scores, space="ekman7")
    joy, sadness = np.array(vad_of("joy", space=space)), np.array(vad_of("sadness", space=space))
    assert frame.iloc[0].to_numpy() == pytest.approx(joy)
    assert frame.iloc[1].to_numpy() == pytest.approx((joy + sadness) / 2)
    assert frame.iloc[2].tolist() == [0.0, 0.0, 0.0]


def test_expected_vad_keeps_dataframe_index():
    space = get_space("plutchik8")
    frame = pd.DataFrame(np.eye(len(space))[::-1], columns=list(space.labels)[::-1], index=list("abcdefgh"))
    out = expected_vad(frame, space="plutchik8")
    assert list(out.index) == list("abcdefgh")
    # column order of the input does not matter: row 'a' is the one-hot of the last reversed column
    assert tuple(out.loc["a"]) == pytest.approx(vad_of("joy", space="plutchik8"))


def test_expected_vad_multilabel_neutral_pulls_to_origin():
    only_joy = expected_vad({"joy": 0.8}, space="goemotions28").iloc[0]
    with_neutral = expected_vad({"joy": 0.8, "neutral": 0.8}, space="goemotions28").iloc[0]
    assert with_neutral["valence"] == pytest.approx(only_joy["valence"] / 2)
