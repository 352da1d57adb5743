"""Conversation recognizer: context, speakers, shifts, streaming, long dialogues, files and bad input."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from affectscope.conversation import ConversationRecognizer, as_turns, turns_from_result
from affectscope.errors import ConfigError, InputError
from affectscope.result import INDEX_NAMES, Result

GOOD_NEWS = [
    ("Ann", "Guess what? I got the job at the hospital!"),
    ("Bob", "No way! That's amazing, congratulations!"),
    ("Ann", "Thank you! I'm so happy, I start on Monday."),
    ("Bob", "We have to celebrate tonight."),
]


@pytest.fixture(scope="module")
def rec():
    return ConversationRecognizer(num_threads=2)


def _label(rec, turns, i=-1):
    return rec.process_turns(turns).frame["label"].iloc[i]


def test_rows_columns_and_index(rec):
    r = rec.process_turns(GOOD_NEWS)
    f = r.frame
    assert list(f["track"]) == ["Ann", "Bob", "Ann", "Bob"]
    assert list(f["turn"]) == [0, 1, 2, 3]
    assert f.index.names == list(INDEX_NAMES)
    # no times given: start/end are turn numbers
    assert list(f.index.get_level_values("start")) == [0.0, 1.0, 2.0, 3.0]
    probs = f[[f"ekman7:{lab}" for lab in rec.labels_["ekman7"]]].to_numpy()
    np.testing.assert_allclose(probs.sum(1), 1.0, atol=1e-5)
    assert (f["confidence"] == probs.max(1)).all()
    assert {"goemotions28:gratitude", "valence", "label_without_context", "shift", "shift_from"} <= set(f.columns)
    # good news, read as good news
    assert (f["label"] == "joy").sum() >= 2
    assert set(f["label"]) <= {"joy", "neutral", "surprise"}
    assert f["valence"].mean() > 0.2
    json.loads(r.to_json())  # serialisable


def test_context_changes_the_reading_of_the_same_words(rec):
    reply = ("Bob", "I can't believe it.")
    labels = rec.labels_["ekman7"]
    sad, anger = labels.index("sadness"), labels.index("anger")
    after = {
        news: rec.predict([("Ann", text), reply])["ekman7"][-1]
        for news, text in [
            ("happy", "We're getting married! He proposed last night!"),
            ("sad", "My mother passed away this morning."),
            ("angry", "You read my diary? How dare you!"),
        ]
    }
    alone = rec.predict([reply])["ekman7"][-1]
    assert labels[int(after["sad"].argmax())] == "sadness"
    assert labels[int(after["angry"].argmax())] == "anger"
    assert after["sad"][sad] > max(alone[sad], after["happy"][sad]) + 0.15
    assert after["angry"][anger] > max(alone[anger], after["happy"][anger]) + 0.15
    r = rec.process_turns([("Ann", "My mother passed away this morning."), reply])
    assert r.frame["label_without_context"].iloc[-1] != r.frame["label"].iloc[-1]
    assert r.summary["n_changed_by_context"] >= 1


def test_per_speaker_summary_and_shifts(rec):
    turns = [
        ("Ann", "I passed all my exams, I'm thrilled!"),
        ("Bob", "My grandmother died this morning."),
        ("Ann", "This is the best day of my life!"),
        ("Bob", "I can't stop crying, I miss her so much."),
        ("Ann", "Oh no, Bob. I'm so sorry for your loss."),
    ]
    r = rec.process_turns(turns)
    s = r.summary
    assert s["n_speakers"] == 2
    assert s["n_turns"] == 5
    assert s["speakers"]["Ann"]["dominant"][0] == "joy"
    assert s["speakers"]["Bob"]["dominant"][0] == "sadness"
    assert s["speakers"]["Bob"]["valence"] < s["speakers"]["Ann"]["valence"]
    assert s["speakers"]["Ann"]["valence_trend"] == "falling"
    f = r.frame
    # a shift is a change from the same speaker's previous label
    assert not f["shift"].iloc[0]
    assert not f["shift"].iloc[1]
    ann = f[f["track"] == "Ann"]
    assert ann["shift"].iloc[-1] == (ann["label"].iloc[-1] != ann["label"].iloc[-2])
    if ann["shift"].iloc[-1]:
        assert ann["shift_from"].iloc[-1] == ann["label"].iloc[-2]
    assert s["n_shifts"] == int(f["shift"].sum())
    assert s["dialogues"]["dialogue"]["speakers"] == ["Ann", "Bob"]
    assert s["peak"]["label"] != "neutral"
    assert "Ann" in s["rationale"]


def test_block_processing_equals_one_pass(rec):
    turns = [(("A", "B", "C")[i % 3], text) for i, (_, text) in enumerate(GOOD_NEWS * 6)]
    one = ConversationRecognizer(batch_size=1, num_threads=2).predict(turns)["ekman7"]
    blocks = ConversationRecognizer(batch_size=1, block=5, num_threads=2).predict(turns)["ekman7"]
    np.testing.assert_allclose(blocks, one, atol=1e-5)


def test_streaming_uses_past_turns_only(rec):
    live = ConversationRecognizer(mode="streaming", batch_size=1, num_threads=2)
    turns = GOOD_NEWS * 3
    offline_streaming = live.predict(turns)["ekman7"]
    stream = live.stream()
    rows = [stream.add(s, t) for s, t in turns]
    got = np.array([[row[f"ekman7:{lab}"] for lab in live.labels_["ekman7"]] for row in rows])
    np.testing.assert_allclose(got, offline_streaming, atol=1e-5)
    assert [row["turn"] for row in rows] == list(range(len(turns)))
    # a later turn never changes an earlier streamed row
    first = live.predict(turns[:3])["ekman7"]
    np.testing.assert_allclose(first, offline_streaming[:3], atol=1e-5)
    with pytest.raises(InputError, match="speaker"):
        stream.add("", "hello")
    with pytest.raises(InputError, match="non-empty"):
        stream.add("Ann", "   ")


def test_offline_mode_looks_ahead():
    rec = ConversationRecognizer(batch_size=1, num_threads=2)
    a = rec.predict([("A", "Oh my God."), ("B", "Your car was stolen last night.")])["ekman7"][0]
    b = rec.predict([("A", "Oh my God."), ("B", "You won the lottery!")])["ekman7"][0]
    assert np.abs(a - b).max() > 1e-3
    live = ConversationRecognizer(mode="streaming", batch_size=1, num_threads=2)
    a = live.predict([("A", "Oh my God."), ("B", "Your car was stolen last night.")])["ekman7"][0]
    b = live.predict([("A", "Oh my God."), ("B", "You won the lottery!")])["ekman7"][0]
    np.testing.assert_allclose(a, b, atol=1e-6)


def test_long_dialogue_runs_in_bounded_windows(monkeypatch):
    rec = ConversationRecognizer(num_threads=2, block=128)
    rng = np.random.default_rng(0)

    def fake_encode(texts):  # skip the text encoder: this test is about the sliding window
        n = len(texts)
        return {
            "utterances": rng.standard_normal((n, rec.dim_)).astype(np.float32),
            "text:goemotions28": np.full((n, 28), 0.1, np.float32),
            "text:ekman7": np.full((n, 7), 1 / 7, np.float32),
            "text:vad": np.zeros((n, 3), np.float32),
        }

    windows = []
    forward = rec.forward

    def spy(inputs, **kw):
        windows.append(len(inputs["speakers"]))
        return forward(inputs, **kw)

    monkeypatch.setattr(rec, "_encode", fake_encode)
    monkeypatch.setattr(rec, "forward", spy)
    turns = ((f"S{i % 4}", f"turn {i}") for i in range(10_000))
    r = rec.process_turns(list(turns))
    assert len(r) == 10_000
    assert list(r.frame["turn"].iloc[[0, -1]]) == [0, 9_999]
    assert max(windows) <= rec.reach_past_ + rec.block + rec.reach_future_
    assert len(windows) >= 10_000 // rec.block


def test_files_dialogue_ids_times_and_skipped_turns(rec, tmp_path):
    f = tmp_path / "support.csv"
    f.write_text(
        "dialogue_id,speaker,text,start,end\n"
        "t1,customer,My order never arrived and nobody answers my emails.,0,4\n"
        "t2,customer,Thanks so much for the quick refund!,0,3\n"
        "t1,agent,I'm very sorry. Let me check that for you right away.,4,8\n"
        "t1,customer,,8,9\n"
        "t1,customer,This is the third time. I'm furious.,9,12\n",
        encoding="utf-8",
    )
    r = rec.process_file(f)
    fr = r.frame
    # interleaved dialogues are grouped; each keeps its own turn numbers and context
    assert list(fr["dialogue"]) == ["t1", "t1", "t1", "t2"]
    assert list(fr["turn"]) == [0, 1, 2, 0]
    assert list(fr.index.get_level_values("source").unique()) == [f"{f}#t1", f"{f}#t2"]
    assert list(fr.index.get_level_values("start")) == [0.0, 4.0, 9.0, 0.0]
    assert r.summary["skipped_turns"] == 1
    assert r.summary["n_dialogues"] == 2
    assert fr["label"].iloc[2] == "anger"
    assert fr["label"].iloc[3] == "joy"
    part = rec.process_file(f, start=3, end=9)
    assert list(part.frame["turn"]) == [1]
    with pytest.raises(ConfigError, match="greater"):
        rec.process_file(f, start=5, end=1)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("a.csv", "speaker,text\nAnn,hi\n,who said this?\n", "line 3: the turn has no speaker"),
        ("b.csv", "who,what\nAnn,hi\n", "speaker"),
        ("c.txt", "", "no non-empty turn"),
        ("d.jsonl", '{"speaker": "A", "text": "hi"}\n{broken\n', "line 2"),
        ("e.json", '{"speaker": "A"}', "turn"),
    ],
)
def test_malformed_dialogue_files(rec, tmp_path, name, content, message):
    p = tmp_path / name
    p.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        rec.process_file(p)


def test_batch_records_failures_and_goes_on(rec, tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Ann: I love you.\nBob: I love you too.\n", encoding="utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"speaker,text\nAnn,\xff\xfe broken\n")
    r = rec.process_files([good, bad])
    assert len(r) == 2
    assert r.failures[0]["source"] == str(bad)
    assert "utf-8" in r.failures[0]["message"]
    out = rec({"path": [good, bad]})
    assert out["label"][0] == "joy"
    assert out["error"][1]


def test_turn_inputs_are_validated():
    turns, skipped = as_turns(pd.DataFrame({"speaker": ["A", "B"], "text": ["hi", None]}))
    assert [t.text for t in turns] == ["hi"]
    assert skipped == 1
    with pytest.raises(InputError, match="no speaker"):
        as_turns([("", "hello")])
    with pytest.raises(InputError, match="not a single string"):
        as_turns("Ann: hello")
    with pytest.raises(InputError, match="end"):
        as_turns([{"speaker": "A", "text": "x", "start": 5, "end": 1}])
    with pytest.raises(InputError, match="needs columns"):
        as_turns(pd.DataFrame({"who": ["A"], "text": ["x"]}))
    with pytest.raises(ConfigError, match="mode"):
        ConversationRecognizer(mode="live")


def test_speech_transcript_as_conversation(rec):
    idx = pd.MultiIndex.from_tuples(
        [("call.wav", 0.0, 2.0), ("call.wav", 2.5, 5.0), ("call.wav", 6.0, 6.5)], names=INDEX_NAMES
    )
    speech = Result(
        pd.DataFrame(
            {
                "modality": ["speech", "speech", "speech"],
                "track": ["main", "main", "main"],
                "text": ["I can't believe you lost my luggage again.", "This is unacceptable!", ""],
            },
            index=idx,
        ),
        {},
    )
    turns = turns_from_result(speech)
    assert [t.start for t in turns] == [0.0, 2.5]
    r = rec.process_result(speech)
    assert list(r.frame["track"]) == ["speaker", "speaker"]
    assert list(r.frame.index.get_level_values("source")) == ["call.wav", "call.wav"]
    assert r.frame["label"].iloc[1] == "anger"
    empty = Result(speech.frame.assign(text=""), {})
    with pytest.raises(InputError, match="no transcribed speech"):
        rec.process_result(empty)


def test_evidence_names_the_supporting_turn():
    rec = ConversationRecognizer(evidence=True, batch_size=1, num_threads=2)
    for news, label in [
        ("My mother passed away this morning.", "sadness"),
        ("You read my diary? How dare you!", "anger"),
    ]:
        f = rec.process_turns([("Ann", news), ("Bob", "I can't believe it.")]).frame
        assert f["evidence"].map(bool).all()
        # the reply is read as the news makes it, and the evidence cites the news
        assert f["label"].iloc[1] == label
        assert f["label_without_context"].iloc[1] != label
        assert f["evidence"].iloc[1].startswith(f'Ann, turn 0: "{news[:20]}')
        assert float(f["evidence"].iloc[1].rsplit("(", 1)[1].rstrip(")")) > 0.1
    cheap = ConversationRecognizer(num_threads=2).process_turns([("A", "hi")]).frame["evidence"].iloc[0]
    assert cheap.startswith("alone it reads ")
