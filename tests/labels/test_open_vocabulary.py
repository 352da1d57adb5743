"""Open emotion vocabulary: tiers, VAD points, naming readings, wheel-grouped set scoring, CLI and eval."""

from __future__ import annotations

import json

import numpy as np
import pytest

from affectscope.errors import ConfigError, InputError
from affectscope.labels.open_vocabulary import (
    add_open_words,
    closest_words,
    get_open_vocabulary,
    open_set_scores,
)

EKMAN = ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral")


def test_vocabulary_has_tiers_vad_and_covers_benchmark_labels():
    v = get_open_vocabulary()
    assert len(v.words) >= 150
    assert len(set(v.words)) == len(v.words)
    assert set(v.primary) == {"love", "joy", "surprise", "anger", "sadness", "fear", "neutral"}
    assert len(set(v.secondary)) >= 25
    assert set(v.ekman7) == set(EKMAN)
    assert v.vad.shape == (len(v.words), 3)
    assert np.all(np.abs(v.vad) <= 1)
    # valence polarity follows the primary emotion
    val = dict(zip(v.words, v.vad[:, 0], strict=True))
    assert all(val[w] > 0 for w in ("joy", "delight", "love", "euphoria", "relief"))
    assert all(val[w] < 0 for w in ("fury", "grief", "terror", "shame", "disgust"))
    assert val["neutral"] == 0
    # every label of the word-labelled benchmarks is a vocabulary word
    from affectscope.labels import get_space

    for space in ("goemotions28", "carer6", "ekman7", "semeval2018_ec11", "ekman7_calm"):
        assert set(get_space(space).labels) <= set(v.words), space
    assert v.group("irritation") == "anger"
    assert v.group("disgust") == "anger"  # Parrott files disgust under anger ...
    assert v.ekman7[v.words.index("disgust")] == "disgust"  # ... Ekman keeps it apart
    with pytest.raises(InputError, match="not in the open vocabulary"):
        v.group("hangry")
    with pytest.raises(ConfigError, match="level"):
        v.group("joy", level="tertiary")


def test_vad_shades_the_words_within_a_category():
    p = np.tile(np.eye(7)[EKMAN.index("anger")] * 0.9 + 0.1 / 7, (2, 1))
    hot = np.array([[-0.7, 0.3, 0.3], [-0.1, -0.2, 0.0]])
    words = [[w for w, _ in r] for r in closest_words(p, hot, k=3)]
    v = get_open_vocabulary()
    for row in words:
        assert all(v.ekman7[v.words.index(w)] == "anger" for w in row)
    assert words[0] != words[1]
    vad = dict(zip(v.words, v.vad, strict=True))
    # the first reading's words lie closer to its VAD point than the second reading's words do
    assert np.mean([np.linalg.norm(vad[w] - hot[0]) for w in words[0]]) < np.mean(
        [np.linalg.norm(vad[w] - hot[0]) for w in words[1]]
    )


def test_first_words_lead_and_unknown_ones_are_dropped():
    p = np.array([np.eye(7)[EKMAN.index("joy")]])
    out = closest_words(p, np.array([[0.5, 0.2, 0.3]]), k=3, first=[["gratitude", "not-a-word"]])[0]
    assert out[0] == ("gratitude", 1.0)
    assert len(out) == 3
    assert "not-a-word" not in [w for w, _ in out]
    nan = closest_words(p, np.full((1, 3), np.nan), k=2)[0]  # no VAD: the category alone decides
    assert len(nan) == 2
    with pytest.raises(InputError, match="one word list per reading"):
        closest_words(p, np.zeros((1, 3)), first=[[], []])
    with pytest.raises(InputError, match=r"\(n, 7\)"):
        closest_words(np.ones((1, 6)), np.zeros((1, 3)))
    with pytest.raises(ConfigError, match="'k'"):
        closest_words(p, np.zeros((1, 3)), k=0)


def test_open_set_scores_group_on_the_wheel():
    pred = [["fury", "delight"], ["grief"], ["hangry"]]
    gold = [["anger"], ["sadness", "fear"], ["joy"]]
    s = open_set_scores(pred, gold, level="primary")
    assert s["precision"] == pytest.approx((0.5 + 1 + 0) / 3, abs=1e-4)
    assert s["recall"] == pytest.approx((1 + 0.5 + 0) / 3, abs=1e-4)
    assert s["unknown"] == ["hangry"]
    # at the secondary tier fury (rage) and anger (rage) still match; at the word tier they do not
    assert open_set_scores([["fury"]], [["anger"]], level="secondary")["f1"] == 1.0
    assert open_set_scores([["fury"]], [["anger"]], level="word")["f1"] == 0.0
    with pytest.raises(InputError, match="not in the open vocabulary"):
        open_set_scores([["joy"]], [["hangry"]])
    with pytest.raises(InputError, match="2 predicted sets but 1"):
        open_set_scores([["joy"], ["joy"]], [["joy"]])


def test_add_open_words_to_text_face_and_fused_rows(astronaut):
    from affectscope.recognizers.face import FaceRecognizer
    from affectscope.recognizers.text import TextRecognizer

    r = add_open_words(TextRecognizer(evidence=False, num_threads=2).process_text("Thank you so much!"))
    assert r.frame["open_words"].iloc[0].startswith("gratitude")
    assert len(r.summary["open_words"]) == 3
    face = add_open_words(FaceRecognizer(num_threads=2).process_image(astronaut))
    v = get_open_vocabulary()
    first = face.frame["open_words"].iloc[0].split(", ")[0]
    assert v.ekman7[v.words.index(first)] == "joy"


def test_cli_and_eval_with_open_labels(tmp_path):
    from typer.testing import CliRunner

    from affectscope.cli import app
    from affectscope.evaluate import evaluate

    out = CliRunner().invoke(app, ["analyze", "I am furious!", "--labels", "open", "-f", "json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert d["segments"][0]["open_words"]
    assert d["summary"]["open_words"]
    bad = CliRunner().invoke(app, ["analyze", "x", "--labels", "plutchik8"])
    assert bad.exit_code == 2
    assert "takes 'open'" in bad.output
    (tmp_path / "val.txt").write_text(
        "i feel so happy and cheerful today;joy\ni am terrified of the dark;fear\nwhat a shock;surprise\n",
        encoding="utf-8",
    )
    rep = evaluate("carer", tmp_path, split="dev", labels="open")
    assert rep["labels"] == "open"
    assert rep["metrics"]["primary_recall"] >= 2 / 3
    assert set(rep["metrics"]) >= {"primary_f1", "secondary_f1", "word_f1", "primary_f1_ekman_label_only"}
    (tmp_path / "emobank.csv").write_text("id,split,V,A,D,text\n1,dev,3,3,3,ok\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="categorical"):
        evaluate("emobank", tmp_path / "emobank.csv", split="dev", labels="open")


def test_eval_scores_a_file_of_open_vocabulary_words(tmp_path):
    from typer.testing import CliRunner

    from affectscope.cli import app
    from affectscope.evaluate import evaluate

    (tmp_path / "val.txt").write_text("i am glad;joy\ni am terrified;fear\n", encoding="utf-8")
    words = tmp_path / "llm.txt"
    words.write_text("delight, hangry\nsadness\n", encoding="utf-8")
    rep = evaluate("carer", tmp_path, split="dev", labels="open", predictions=words)
    assert rep["model"] == "predictions: llm.txt"
    assert rep["metrics"]["primary_precision"] == pytest.approx(0.25)  # 1/2 for the first item, 0 for the second
    assert rep["metrics"]["primary_recall"] == pytest.approx(0.5)
    assert rep["unknown_words"] == ["hangry"]
    words.write_text("joy\n", encoding="utf-8")
    with pytest.raises(InputError, match="has 1 lines; the split has 2 items"):
        evaluate("carer", tmp_path, split="dev", labels="open", predictions=words)
    with pytest.raises(ConfigError, match="needs labels='open'"):
        evaluate("carer", tmp_path, split="dev", predictions=words)
    words.write_text("joy\nfear\n", encoding="utf-8")
    out = CliRunner().invoke(
        app,
        [
            "eval",
            "--dataset",
            "carer",
            "--path",
            str(tmp_path),
            "--split",
            "dev",
            "--labels",
            "open",
            "--predictions",
            str(words),
            "--json",
            "-",
        ],
    )
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["metrics"]["word_f1"] == 1.0


def test_a_mixed_summary_is_named_by_its_own_label_first():
    """Joy and fear almost tied: the averaged VAD picks joy words, but the summary says fear, so fear leads."""
    from affectscope.labels.open_vocabulary import get_open_vocabulary
    from affectscope.recognizers.text import TextRecognizer

    r = TextRecognizer(evidence=False, num_threads=2).process_text(
        "I am thrilled about the news. But I am scared of the interview."
    )
    words = add_open_words(r).summary["open_words"]
    category = dict(zip(get_open_vocabulary().words, get_open_vocabulary().ekman7, strict=True))
    assert category[words[0]] == r.summary["label"]
    assert len(words) == 3
    assert len(set(words)) == 3
    assert {category[w] for w in words} >= {"fear", "joy"}  # the mixture still shows
