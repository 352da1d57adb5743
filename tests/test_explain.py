"""Word evidence by occlusion: the cited words are real, and removing them lowers the prediction."""

from __future__ import annotations

import pytest

from affectscope.errors import InputError
from affectscope.explain import word_evidence

TEXTS = ["I am scared of the dark.", "Ugh, that smell is disgusting.", "I am furious about the delay."]


def test_cited_words_drive_the_prediction(text_recognizer):
    evidence = word_evidence(text_recognizer, TEXTS)
    assert [e.label for e in evidence] == ["fear", "disgust", "anger"]
    assert [e.words[0].word for e in evidence] == ["scared", "disgusting", "furious"]
    labels = text_recognizer.labels_["ekman7"]
    for text, ev in zip(TEXTS, evidence, strict=True):
        top = ev.words[0]
        assert text[top.start : top.end] == top.word
        assert [w.effect for w in ev.words] == sorted((w.effect for w in ev.words), reverse=True)
        # the deletion test: without the top word the predicted label loses probability, by the stated effect
        without = (text[: top.start] + text[top.end :]).replace("  ", " ").strip()
        p = text_recognizer.predict([text, without])["ekman7"][:, labels.index(ev.label)]
        assert p[1] < p[0] - 0.1
        assert p[0] - p[1] == pytest.approx(top.effect, abs=0.05)  # int8 activations scale per batch
    assert "scared (+" in evidence[0].describe()


def test_limits_and_errors(text_recognizer):
    ev = word_evidence(text_recognizer, ["I love you, thank you so much!"], top=1)[0]
    assert len(ev.words) <= 1
    assert (
        word_evidence(text_recognizer, ["ok"], space="goemotions28")[0].label in text_recognizer.labels_["goemotions28"]
    )
    with pytest.raises(InputError, match="non-empty"):
        word_evidence(text_recognizer, [])


def test_text_rows_cite_their_words():
    import json

    from typer.testing import CliRunner

    from affectscope.cli import app
    from affectscope.recognizers.text import TextRecognizer

    r = TextRecognizer(evidence=True, num_threads=2).process_text("I am scared of the dark. What a lovely gift!")
    assert r.frame["evidence"].iloc[0].startswith("scared (+")
    assert "lovely" in r.frame["evidence"].iloc[1]
    assert "cued by" in r.summary["rationale"]
    out = CliRunner().invoke(app, ["analyze", "This is disgusting.", "--evidence", "-f", "json"])
    assert json.loads(out.stdout)["segments"][0]["evidence"].startswith("disgusting")
    table = CliRunner().invoke(app, ["analyze", "This is disgusting.", "--evidence"], env={"COLUMNS": "200"})
    assert "evidence" in table.stdout
    assert "disgusting (+" in table.stdout
    # evidence is on by default and never empty; off, the column says so
    assert TextRecognizer(num_threads=2).process_text("ok").frame["evidence"].iloc[0].startswith("no single word")
    off = TextRecognizer(evidence=False, num_threads=2).process_text("I am scared.").frame["evidence"].iloc[0]
    assert off.startswith("not computed")
    no = CliRunner().invoke(app, ["analyze", "This is disgusting.", "--no-evidence", "-f", "json"])
    assert json.loads(no.stdout)["segments"][0]["evidence"].startswith("not computed")


def test_face_rows_cite_facial_actions(face_recognizer, astronaut):
    from affectscope.explain import face_evidence

    row = face_recognizer.process_image(astronaut).frame.iloc[0]
    assert row["label"] == "joy"
    assert row["evidence"].startswith("smile ")
    assert face_evidence("anger", {"smile": 0.8, "brow_lowerer": 0.05}) == "no anger action; strongest: smile 0.80"
    assert face_evidence("surprise", {"jaw_drop": 0.5, "brow_raiser": 0.7}) == "brow_raiser 0.70, jaw_drop 0.50"


def test_speech_rows_cite_prosody(speech_recognizer, speech_fixture):
    from affectscope.explain import prosody_evidence

    frame = speech_recognizer.process_file(speech_fixture("loud_fast_en")).frame
    assert frame["evidence"].map(bool).all()
    assert prosody_evidence(-1.5, -4.0, 0.8) == "slower x0.80, softer -4.0 dB, lower pitch -1.5 st (vs this recording)"
    nan = float("nan")
    assert prosody_evidence(nan, nan, nan, 180.0) == "pitch 180 Hz (no baseline)"


def test_rationale_goes_from_cues_to_reasoning_to_label():
    from affectscope.explain import compose_rationale

    face = {"modality": "face", "label": "joy", "probability": 0.9, "cue": "smile 0.83", "at": 2.0, "weight": 1.0}
    voice = {"modality": "speech", "label": "joy", "probability": 0.6, "cue": "higher pitch +2.0 st", "weight": 1.0}
    words = {"modality": "text", "label": "neutral", "probability": 0.8, "cue": "", "weight": 0.0}
    agree = compose_rationale([face, voice, words], "joy", 0.93)
    cues, rest = agree.split(". Reasoning: ")
    reasoning, label = rest.split(". Label: ")
    assert cues == "Cues: face smile 0.83 at 2.0 s; voice higher pitch +2.0 st; words (no cue)"
    assert reasoning.startswith("face and voice agree on joy")
    assert reasoning.endswith("words read neutral (0.80) (not weighted in fusion)")
    assert label == "joy (0.93)."
    clash = compose_rationale([face, {**voice, "label": "anger"}], "joy", 0.51, incongruent=True)
    assert "face reads joy (0.90) but voice reads anger (0.60), an incongruent mix; joy wins on face" in clash
    assert compose_rationale([], "neutral", 0.4) == "No cues. Label: neutral (0.40)."
    assert "only face reads joy" in compose_rationale([face], "joy", 0.9)


def test_segment_rows_carry_a_rationale():
    from affectscope.conversation import ConversationRecognizer
    from affectscope.recognizers.text import TextRecognizer

    text = TextRecognizer(num_threads=2).process_text("I am scared of the dark.").frame
    assert text["rationale"].iloc[0].startswith("Cues: words scared (+")
    assert text["rationale"].iloc[0].endswith(f"Label: fear ({text['confidence'].iloc[0]:.2f}).")
    turns = ConversationRecognizer(num_threads=2).process_turns([("A", "I got the job!"), ("B", "Great!")]).frame
    assert turns["rationale"].str.contains("read with its neighbouring turns").all()
