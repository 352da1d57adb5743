"""Dialogue files: every accepted format, dialogue ids, empty turns, and clear errors for malformed files."""

from __future__ import annotations

import json
import math

import pytest

from affectscope.errors import ConfigError, InputError
from affectscope.media.dialogue import DialogueReader


def _turns(path, **kw):
    return [(t.dialogue_id, t.index, t.speaker, t.text) for t in DialogueReader(path, **kw)]


def test_csv_with_dialogue_ids_times_and_empty_turns(tmp_path):
    f = tmp_path / "d.csv"
    f.write_text(
        "Dialogue_ID,Speaker,Utterance,Start,End\n"
        "7,Ann,I got the job!,0.0,1.5\n"
        "7,Bob,,1.6,2.0\n"
        "7,Bob,That's wonderful.,2.0,3.1\n"
        "8,Cy,Who ate my lunch?,,\n",
        encoding="utf-8",
    )
    reader = DialogueReader(f)
    turns = list(reader)
    assert [(t.dialogue_id, t.index, t.speaker, t.text) for t in turns] == [
        ("7", 0, "Ann", "I got the job!"),
        ("7", 1, "Bob", "That's wonderful."),
        ("8", 0, "Cy", "Who ate my lunch?"),
    ]
    assert reader.skipped == 1
    assert (turns[1].start, turns[1].end, turns[1].line) == (2.0, 3.1, 4)
    assert math.isnan(turns[2].start)


def test_jsonl_json_and_tsv(tmp_path):
    rows = [{"speaker": "A", "text": "hi"}, {"speaker": "B", "text": "hello"}]
    jl = tmp_path / "d.jsonl"
    jl.write_text("\n".join(json.dumps(r) for r in rows) + "\n\n", encoding="utf-8")
    js = tmp_path / "d.json"
    js.write_text(json.dumps({"turns": rows}), encoding="utf-8")
    tsv = tmp_path / "d.tsv"
    tsv.write_text("speaker\ttext\nA\thi\nB\thello\n", encoding="utf-8")
    expected = [("dialogue", 0, "A", "hi"), ("dialogue", 1, "B", "hello")]
    assert _turns(jl) == _turns(js) == _turns(tsv) == expected


def test_plain_transcript_with_wrapped_lines(tmp_path):
    f = tmp_path / "call.txt"
    f.write_text("Agent: How can I help?\n\nCustomer: My order never came\nand nobody answers.\n", encoding="utf-8")
    assert _turns(f) == [
        ("dialogue", 0, "Agent", "How can I help?"),
        ("dialogue", 1, "Customer", "My order never came and nobody answers."),
    ]


def test_long_dialogue_is_streamed(tmp_path):
    f = tmp_path / "long.jsonl"
    f.write_text("".join(json.dumps({"speaker": f"s{i % 2}", "text": f"turn {i}"}) + "\n" for i in range(10_000)))
    it = iter(DialogueReader(f))
    assert next(it).text == "turn 0"
    assert sum(1 for _ in it) == 9_999


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("d.csv", "who,text\nA,hi\n", "no speaker column"),
        ("d.csv", "speaker,text\n,hi\n", "line 2: the turn has no speaker"),
        ("d.csv", "speaker,text,start,end\nA,hi,2,1\n", "before start"),
        ("d.csv", "speaker,text,start\nA,hi,soon\n", "must be seconds"),
        ("d.jsonl", '{"speaker": "A", "text": "hi"}\n{oops\n', "line 2: not valid JSON"),
        ("d.json", '{"speaker": "A"}', "expected a list of turns"),
        ("d.json", '["hi"]', "record 1: expected an object"),
        ("d.txt", "hello there\nA: hi\n", "line 1: expected 'Speaker: text'"),
        ("d.xml", "<turns/>", "unsupported dialogue format"),
    ],
)
def test_malformed_files_are_clear_input_errors(tmp_path, name, content, message):
    f = tmp_path / name
    f.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=message):
        list(DialogueReader(f))


def test_wrong_encoding_and_missing_file(tmp_path):
    f = tmp_path / "d.txt"
    f.write_bytes("A: caf\u00e9\n".encode("latin-1"))
    with pytest.raises(InputError, match="not valid utf-8"):
        list(DialogueReader(f))
    assert _turns(f, encoding="latin-1") == [("dialogue", 0, "A", "caf\u00e9")]
    with pytest.raises(ConfigError, match="must be the name of a Python text codec"):
        DialogueReader(f, encoding="klingon")
    with pytest.raises(InputError, match="File not found"):
        DialogueReader(tmp_path / "none.csv")
