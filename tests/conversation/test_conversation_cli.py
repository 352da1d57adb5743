"""`affectscope analyze --conversation` and `affectscope eval` on conversation sets."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from affectscope.cli import app
from affectscope.errors import ConfigError
from affectscope.evaluate import evaluate

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args])


@pytest.fixture
def chat(tmp_path):
    p = tmp_path / "chat.txt"
    p.write_text(
        "Ann: I got the job!\nBob: That's wonderful, congratulations!\n"
        "Ann: But it's in Tokyo, so I'll have to move.\nBob: Oh. I'll miss you so much.\n",
        encoding="utf-8",
    )
    return p


def test_analyze_conversation_table_json_and_streaming(chat):
    r = run("analyze", chat, "--conversation")
    assert r.exit_code == 0, r.output
    assert "Ann:" in r.stdout
    assert "overall" in r.stdout
    r = run("analyze", chat, "--conversation", "--format", "json")
    d = json.loads(r.stdout)
    assert [s["track"] for s in d["segments"]] == ["Ann", "Bob", "Ann", "Bob"]
    assert d["summary"]["mode"] == "offline"
    assert set(d["summary"]["speakers"]) == {"Ann", "Bob"}
    r = run("analyze", chat, "--conversation", "--streaming", "--format", "json")
    assert json.loads(r.stdout)["summary"]["mode"] == "streaming"


def test_analyze_conversation_bad_input_exits_cleanly(tmp_path, chat):
    bad = tmp_path / "bad.csv"
    bad.write_text("speaker,text\nAnn,hello\n,no speaker here\n", encoding="utf-8")
    r = run("analyze", bad, "--conversation")
    assert r.exit_code == 2
    assert "line 3" in r.output
    assert "Traceback" not in r.output
    r = run("analyze", "Ann: hi", "--conversation")
    assert r.exit_code == 2
    assert "dialogue files" in r.output
    r = run("analyze", chat, "--streaming")
    assert r.exit_code == 2
    # several files: the bad one is reported, the good one analysed
    r = run("analyze", chat, bad, "--conversation", "--format", "json")
    assert r.exit_code == 1
    assert len(json.loads(r.stdout)["segments"]) == 4


@pytest.fixture
def meld(tmp_path):
    rows = [
        (0, 0, "Ross", "I got tenure! They gave me tenure!", "joy"),
        (0, 1, "Rachel", "Oh my God, Ross, that's amazing!", "joy"),
        (0, 2, "Ross", "I know! I can't believe it.", "surprise"),
        (1, 0, "Monica", "Someone ate my cake. The whole cake.", "anger"),
        (1, 1, "Joey", "It wasn't me, I swear.", "neutral"),
        (1, 2, "Monica", "You have frosting on your face, Joey!", "anger"),
    ]
    lines = ["Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime"]
    for i, (d, u, spk, text, emo) in enumerate(rows, 1):
        lines.append(f'{i},"{text}",{spk},{emo},neutral,{d},{u},1,1,"00:00:01,000","00:00:02,000"')
    (tmp_path / "dev_sent_emo.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_eval_conversation_modes_and_text_baseline(meld):
    off = evaluate("meld", meld, split="dev")
    assert off["model"] == "conversation-minilm-context"
    assert off["mode"] == "offline"
    assert off["n"] == 6
    assert off["metrics"]["accuracy"] >= 0.5
    live = evaluate("meld", meld, split="dev", mode="streaming")
    assert live["mode"] == "streaming"
    alone = evaluate("meld", meld, split="dev", model="text-minilm-goemotions")
    assert "mode" not in alone
    assert alone["model"] == "text-minilm-goemotions"
    with pytest.raises(ConfigError, match="conversation sets"):
        evaluate("carer", meld, split="dev", mode="streaming")
    r = run("eval", "--dataset", "meld", "--path", meld, "--split", "dev", "--streaming", "--json", "-")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["mode"] == "streaming"


def test_audio_transcript_as_conversation(speech_fixture):
    pytest.importorskip("faster_whisper")
    r = run("analyze", speech_fixture("loud_fast_en"), "--conversation", "--format", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["segments"]
    assert {s["track"] for s in d["segments"]} == {"speaker"}
    assert all(s["modality"] == "conversation" and s["text"] for s in d["segments"])
    assert d["summary"]["media"]["modality"] == "speech"
    r = run("analyze", speech_fixture("loud_fast_en"), "--conversation", "--no-transcript")
    assert r.exit_code == 2
    assert "transcript" in r.output
