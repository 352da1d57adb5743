from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from affectscope.errors import ConfigError, InputError
from affectscope.labels import convert, get_mapping, get_space, list_mappings

STORED = [
    ("carer6", "ekman7"),
    ("ekman7", "plutchik8"),
    ("ekman7_calm", "ekman7"),
    ("goemotions28", "ekman7"),
    ("goemotions28", "plutchik8"),
    ("plutchik8", "ekman7"),
    ("semeval2018_ec11", "ekman7"),
]
PUBLISHED_EKMAN = {
    "anger": ["anger", "annoyance", "disapproval"],
    "disgust": ["disgust"],
    "fear": ["fear", "nervousness"],
    "joy": [
        "joy",
        "amusement",
        "approval",
        "excitement",
        "gratitude",
        "love",
        "optimism",
        "relief",
        "pride",
        "admiration",
        "desire",
        "caring",
    ],
    "sadness": ["sadness", "disappointment", "embarrassment", "grief", "remorse"],
    "surprise": ["surprise", "realization", "confusion", "curiosity"],
    "neutral": ["neutral"],
}
DOCS = Path(__file__).resolve().parents[2] / "docs" / "labels.md"


def test_list_mappings_contains_stored_derived_and_identity():
    pairs = list_mappings()
    for pair in STORED:
        assert pair in pairs
    assert ("goemotions28", "russell4") in pairs
    assert ("ekman7", "russell4") in pairs
    assert ("ekman7", "ekman7") in pairs
    assert ("vad", "russell4") not in pairs
    assert pairs == sorted(pairs)


@pytest.mark.parametrize(("source", "target"), STORED)
def test_stored_mappings_are_complete_and_documented(source, target):
    mapping = get_mapping(source, target)
    src, tgt = get_space(source), get_space(target)
    assert set(mapping.map) == set(src.labels)
    for targets in mapping.map.values():
        assert all(t in tgt for t in targets)
    assert mapping.citation
    assert mapping.notes
    assert not mapping.derived
    text = DOCS.read_text(encoding="utf-8")
    assert f"{source} → {target}" in text


def test_goemotions_to_ekman_is_the_published_grouping():
    mapping = get_mapping("goemotions28", "ekman7")
    for label, targets in mapping.map.items():
        assert len(targets) == 1, label
    for ekman, members in PUBLISHED_EKMAN.items():
        for member in members:
            assert mapping.map[member] == (ekman,)
    assert sum(len(v) for v in PUBLISHED_EKMAN.values()) == 28


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("love", {"joy", "trust"}),
        ("optimism", {"anticipation", "joy"}),
        ("remorse", {"sadness", "disgust"}),
        ("disapproval", {"surprise", "sadness"}),
        ("pride", {"anger", "joy"}),
        ("curiosity", {"trust", "surprise"}),
        ("admiration", {"trust"}),
        ("annoyance", {"anger"}),
        ("grief", {"sadness"}),
        ("fear", {"fear"}),
        ("neutral", set()),
    ],
)
def test_goemotions_to_plutchik_dyads_and_intensities(label, expected):
    assert set(get_mapping("goemotions28", "plutchik8").map[label]) == expected


def test_goemotions_to_plutchik_has_a_rationale_per_label():
    mapping = get_mapping("goemotions28", "plutchik8")
    assert set(mapping.rationale) == set(get_space("goemotions28").labels)
    assert "Ours" in mapping.rationale["amusement"]


def test_ekman_plutchik_round_trip_on_shared_labels():
    forward = get_mapping("ekman7", "plutchik8").map
    backward = get_mapping("plutchik8", "ekman7").map
    for label in ("anger", "disgust", "fear", "joy", "sadness", "surprise"):
        assert forward[label] == (label,)
        assert backward[label] == (label,)
    assert forward["neutral"] == ()
    assert backward["trust"] == ()
    assert backward["anticipation"] == ()


def test_other_documented_choices():
    assert get_mapping("carer6", "ekman7").map["love"] == ("joy",)
    semeval = get_mapping("semeval2018_ec11", "ekman7").map
    assert semeval["optimism"] == ("joy",)
    assert semeval["pessimism"] == ("sadness",)
    assert semeval["trust"] == ()


def test_convert_one_hot_gratitude_gives_joy():
    out = convert({"gratitude": 1.0}, source="goemotions28", target="ekman7")
    assert list(out.columns) == list(get_space("ekman7").labels)
    assert out.loc[0, "joy"] == 1.0
    assert out.drop(columns="joy").to_numpy().sum() == 0.0


def test_default_reduce_is_max_for_multilabel_sources():
    out = convert({"anger": 0.2, "annoyance": 0.6, "disapproval": 0.5}, source="goemotions28", target="ekman7")
    assert out.loc[0, "anger"] == pytest.approx(0.6)


def test_noisy_or():
    out = convert({"anger": 0.2, "annoyance": 0.6}, source="goemotions28", target="ekman7", reduce="noisy_or")
    assert out.loc[0, "anger"] == pytest.approx(1 - 0.8 * 0.4)
    with pytest.raises(InputError, match="noisy_or"):
        convert({"anger": 1.5}, source="goemotions28", target="ekman7", reduce="noisy_or")


def test_default_reduce_is_sum_for_single_label_sources():
    dist = {"sadness": 0.1, "joy": 0.3, "love": 0.4, "anger": 0.1, "fear": 0.05, "surprise": 0.05}
    out = convert(dist, source="carer6", target="ekman7")
    assert out.loc[0, "joy"] == pytest.approx(0.7)
    assert out.to_numpy().sum() == pytest.approx(1.0)


def test_sum_splits_dyads_between_components():
    out = convert({"love": 1.0}, source="goemotions28", target="plutchik8", reduce="sum")
    assert out.loc[0, "joy"] == pytest.approx(0.5)
    assert out.loc[0, "trust"] == pytest.approx(0.5)


def test_sum_renormalises_after_dropping_unmapped_mass():
    space = get_space("plutchik8")
    scores = np.zeros((3, len(space)))
    scores[0, [space.index("joy"), space.index("trust")]] = 0.5  # distribution, trust has no counterpart
    scores[1, space.index("anticipation")] = 1.0  # all mass dropped
    scores[2, [space.index("joy"), space.index("trust")]] = 0.25  # not a distribution: no renormalisation
    out = convert(scores, source="plutchik8", target="ekman7")
    assert out.loc[0, "joy"] == pytest.approx(1.0)
    assert out.iloc[1].sum() == 0.0
    assert out.loc[2, "joy"] == pytest.approx(0.25)


def test_convert_to_russell4_uses_vad_route():
    assert get_mapping("ekman7", "russell4").derived
    out = convert({"anger": 1.0}, source="ekman7", target="russell4")
    assert out.loc[0, "q2_angry"] == pytest.approx(1.0)
    neutral = convert({"neutral": 1.0}, source="ekman7", target="russell4")
    assert neutral.to_numpy().sum() == 0.0
    sad = convert({"sadness": 0.9, "grief": 0.7}, source="goemotions28", target="russell4")
    assert sad.loc[0, "q3_sad"] == pytest.approx(0.9)


def test_identity_conversion():
    frame = pd.DataFrame([[0.1, 0.2, 0.3, 0.4]], columns=list(get_space("russell4").labels))
    out = convert(frame, source="russell4", target="russell4")
    pd.testing.assert_frame_equal(out, frame.astype(float))


def test_input_forms_agree():
    space = get_space("goemotions28")
    rng = np.random.default_rng(0)
    values = rng.random((4, len(space)))
    frame = pd.DataFrame(values, columns=list(space.labels), index=["w", "x", "y", "z"])
    shuffled = frame[list(space.labels)[::-1]]
    from_frame = convert(shuffled, source="goemotions28", target="ekman7")
    from_array = convert(values, source="goemotions28", target="ekman7")
    assert list(from_frame.index) == ["w", "x", "y", "z"]
    np.testing.assert_allclose(from_frame.to_numpy(), from_array.to_numpy())
    one = convert(values[1], source="goemotions28", target="ekman7")
    series = convert(pd.Series(values[1], index=list(space.labels)), source="goemotions28", target="ekman7")
    np.testing.assert_allclose(one.to_numpy(), from_array.iloc[[1]].to_numpy())
    np.testing.assert_allclose(series.to_numpy(), one.to_numpy())


def test_empty_table():
    space = get_space("ekman7")
    out = convert(pd.DataFrame(columns=list(space.labels), dtype=float), source="ekman7", target="plutchik8")
    assert out.shape == (0, 8)
    assert list(out.columns) == list(get_space("plutchik8").labels)


@pytest.mark.parametrize(
    "bad",
    [
        {"happiness": 1.0},
        np.ones((2, 5)),
        np.ones((2, 3, 28)),
        [-0.1] + [0.0] * 27,
        [float("nan")] + [0.0] * 27,
        {"joy": "lots"},
        pd.DataFrame([[0.5]], columns=["joy"]),
    ],
)
def test_bad_scores_raise_input_error(bad):
    with pytest.raises(InputError):
        convert(bad, source="goemotions28", target="ekman7")


def test_unknown_target_lists_spaces():
    with pytest.raises(ConfigError) as info:
        convert({"joy": 1.0}, source="ekman7", target="foo")
    message = str(info.value)
    assert "The 'target' parameter of convert must be one of ['carer6', 'ekman7'" in message
    assert "Got 'foo' instead." in message


def test_unsupported_pair_lists_supported_pairs():
    with pytest.raises(ConfigError) as info:
        convert({"joy": 1.0}, source="ekman7", target="goemotions28")
    message = str(info.value)
    assert "('goemotions28', 'ekman7')" in message
    assert "Got ('ekman7', 'goemotions28') instead." in message
    with pytest.raises(ConfigError, match="get_mapping"):
        get_mapping("ekman7", "vad")


def test_bad_reduce_lists_choices():
    with pytest.raises(ConfigError, match=r"\['max', 'sum', 'noisy_or'\]. Got 'mean' instead"):
        convert({"joy": 1.0}, source="ekman7", target="plutchik8", reduce="mean")


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        convert({"joy": 1.0}, "ekman7", "plutchik8")  # type: ignore[misc]
