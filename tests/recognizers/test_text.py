"""Behaviour of the shipped text model on real sentences (these fail if the model is random or broken)."""

import numpy as np
import pandas as pd
import pytest

from affectscope.errors import ConfigError, InputError
from affectscope.result import INDEX_NAMES, Result

ANGER_FAMILY = ["anger", "annoyance", "disapproval"]


def scores(rec, text):
    p = rec.predict([text])
    labels = rec.labels_
    return {space: dict(zip(labels[space], p[space][0], strict=True)) for space in ("goemotions28", "ekman7")} | {
        "vad": p["vad"][0]
    }


def test_furious_is_anger_not_joy(text_recognizer):
    s = scores(text_recognizer, "I am furious")
    assert max(s["goemotions28"][k] for k in ANGER_FAMILY) > s["goemotions28"]["joy"]
    assert max(s["ekman7"], key=s["ekman7"].get) == "anger"


def test_lovely_surprise_is_joy_or_surprise(text_recognizer):
    s = scores(text_recognizer, "what a lovely surprise")
    top = max(s["ekman7"], key=s["ekman7"].get)
    assert top in {"joy", "surprise"}
    assert s["ekman7"]["joy"] + s["ekman7"]["surprise"] > s["ekman7"]["anger"] + s["ekman7"]["sadness"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thank you so much for your help!", "gratitude"),
        ("I'm so sorry, it was my fault.", "remorse"),
        ("I am terrified of what comes next.", "fear"),
        ("That is disgusting.", "disgust"),
    ],
)
def test_clear_sentences_get_their_label(text_recognizer, text, expected):
    (labels,) = text_recognizer.decide(text_recognizer.predict([text])["goemotions28"])
    assert expected in labels


def test_valence_of_happy_above_sad_and_arousal_of_rage_above_calm(text_recognizer):
    v = text_recognizer.predict(
        [
            "I am so happy today, everything is wonderful!",
            "I am so sad and lonely, I cried all night.",
            "I am absolutely enraged, this is outrageous!",
            "I sat quietly by the lake and relaxed.",
        ]
    )["vad"]
    assert v[0, 0] > v[1, 0] + 0.2
    assert v[2, 1] > v[3, 1]
    assert np.all(np.abs(v) <= 1.5)


def test_predict_keeps_input_order_and_is_batch_invariant(text_recognizer):
    texts = [
        "ok",
        "I love this so much, thank you!",
        "no",
        "This is the worst day of my whole life, I hate it.",
    ]
    a = text_recognizer.predict(texts)["goemotions28"]
    b = text_recognizer.predict(texts[::-1])["goemotions28"][::-1]
    assert np.allclose(a, b, atol=1e-4)


def test_probabilities_are_probabilities(text_recognizer):
    p = text_recognizer.predict(["hello", "I hate you", "yay!!"])
    for space in ("goemotions28", "ekman7"):
        assert p[space].shape[0] == 3
        assert np.all((p[space] >= 0) & (p[space] <= 1))


def test_process_text_builds_the_result_schema(text_recognizer):
    doc = "This makes me so mad. Thank you anyway!"
    r = text_recognizer.process_text(doc)
    assert isinstance(r, Result)
    assert tuple(r.frame.index.names) == INDEX_NAMES
    assert [doc[s:e] for _, s, e in r.frame.index] == list(r.frame["text"])
    assert {"modality", "track", "label", "labels", "confidence", "valence", "arousal", "dominance"} <= set(
        r.frame.columns
    )
    assert len([c for c in r.frame.columns if c.startswith("goemotions28:")]) == 28
    assert len([c for c in r.frame.columns if c.startswith("ekman7:")]) == 7
    assert r.frame["label"].iloc[0] == "anger"
    assert "gratitude" in r.frame["labels"].iloc[1].split(",")
    s = r.summary
    assert s["n_segments"] == 2
    assert s["label"] in s["scores"]["ekman7"]
    assert "strongest" in s["rationale"]


def test_output_shape_does_not_depend_on_input_form(text_recognizer, notes_file):
    a = text_recognizer.process_file(notes_file).frame
    b = text_recognizer.process_text(notes_file.read_bytes(), source=str(notes_file)).frame
    pd.testing.assert_frame_equal(a, b, atol=1e-4)


def test_process_file_start_end_restricts_segments(text_recognizer, notes_file):
    full = text_recognizer.process_file(notes_file)
    part = text_recognizer.process_file(notes_file, start=0, end=40)
    assert len(part) < len(full)
    assert part.frame.index.get_level_values("end").max() <= 40
    with pytest.raises(ConfigError):
        text_recognizer.process_file(notes_file, start=10, end=5)
    with pytest.raises(InputError, match="No text"):
        text_recognizer.process_file(notes_file, start=10_000)


def test_process_files_records_failures_and_carries_on(text_recognizer, notes_file, tmp_path):
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xff\xfe\x00broken")
    empty = tmp_path / "empty.txt"
    empty.write_text("   ", encoding="utf-8")
    r = text_recognizer.process_files([notes_file, bad, tmp_path / "missing.txt", empty])
    assert set(r.frame.index.get_level_values("source")) == {str(notes_file)}
    assert [f["source"] for f in r.failures] == [str(bad), str(tmp_path / "missing.txt"), str(empty)]
    assert all(f["error"] == "InputError" for f in r.failures)
    assert r.serialize()["failures"][0]["message"]


def test_process_folder(text_recognizer, tmp_path):
    (tmp_path / "a.txt").write_text("I am happy.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("I am sad.", encoding="utf-8")
    (tmp_path / "c.md").write_text("ignored", encoding="utf-8")
    r = text_recognizer.process_folder(tmp_path, pattern="*.txt")
    assert len(r) == 2
    assert r.summary["n_sources"] == 2
    with pytest.raises(InputError, match="No files"):
        text_recognizer.process_folder(tmp_path, pattern="*.csv")


def test_batch_callable_maps_rows_one_to_one(text_recognizer):
    out = text_recognizer({"text": np.array(["I am terrified.", "Thanks a lot!", "meh"]), "id": [1, 2, 3]})
    assert list(out["id"]) == [1, 2, 3]
    assert len(out["label"]) == 3
    assert out["label"][0] == "fear"
    with pytest.raises(InputError, match="'text' column"):
        text_recognizer({"body": ["x"]})


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"batch_size": 0}, "'batch_size'"),
        ({"num_threads": -1}, "'num_threads'"),
        ({"segment": "paragraph"}, "'segment'"),
        ({"max_chars": 3}, "'max_chars'"),
        ({"encoding": "klingon"}, "'encoding'"),
        ({"model": "no-such-model"}, "one of"),
    ],
)
def test_bad_options_raise_config_errors(kwargs, match):
    from affectscope.recognizers.text import TextRecognizer

    with pytest.raises(ConfigError, match=match):
        TextRecognizer(**kwargs)


def test_predict_rejects_bad_input(text_recognizer):
    with pytest.raises(InputError):
        text_recognizer.predict([])
    with pytest.raises(InputError):
        text_recognizer.predict([1, 2])


def test_corrupt_bundle_files_are_model_errors(tmp_path):
    import json
    import shutil

    from affectscope.errors import ModelError
    from affectscope.models import get_bundle
    from affectscope.recognizers.text import TextRecognizer

    src = get_bundle("text-minilm-goemotions")
    for f in ("bundle.json", "tokenizer.json"):
        shutil.copy(src.path / f, tmp_path / f)
    (tmp_path / "model.int8.onnx").write_bytes(b"not an onnx file")
    with pytest.raises(ModelError, match="Could not load the ONNX model"):
        TextRecognizer(tmp_path)
    (tmp_path / "tokenizer.json").write_text("{}", encoding="utf-8")
    with pytest.raises(ModelError, match="tokenizer"):
        TextRecognizer(tmp_path)
    meta = json.loads((tmp_path / "bundle.json").read_text(encoding="utf-8"))
    meta["modality"] = "speech"
    (tmp_path / "bundle.json").write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(ConfigError, match="speech model"):
        TextRecognizer(tmp_path)
