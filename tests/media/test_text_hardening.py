"""Text, subtitle and dialogue readers under malformed input: only AffectscopeError escapes, in bounded time/memory.

Issue 18 items 6, 8 and 12: a dialogue CSV field over the csv module's limit, a deeply nested .json dialogue,
UTF-16 without a byte-order mark, non-text codecs, an unclosed quote that merged turns, quadratic segmentation,
lone surrogates, NUL bytes, huge lines; plus bounded property-based tests of every reader.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import json
import time
import tracemalloc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from affectscope.errors import AffectscopeError, ConfigError, InputError
from affectscope.media import dialogue as dialogue_mod
from affectscope.media.dialogue import MAX_TURN_CHARS, DialogueReader
from affectscope.media.subtitles import read_subtitles
from affectscope.media.text import check_encoding, iter_segments, split_sentences

FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _all(obj, **kw):
    return [(s.start, s.end, s.text) for s in iter_segments(obj, **kw)]


# --- text -------------------------------------------------------------------------------------------------------
def test_utf16_without_bom_is_an_input_error_not_unicode_error():
    data = "hello there friend".encode("utf-16-le")
    with pytest.raises(InputError, match="utf-16-le or utf-16-be"):
        _all(data, encoding="utf-16")
    assert _all(data, encoding="utf-16-le") == [(0, 18, "hello there friend")]
    assert _all(codecs.BOM_UTF16_LE + data, encoding="utf-16") == [(0, 18, "hello there friend")]


@pytest.mark.parametrize(
    "name", ["rot13", "base64", "zlib", "hex", "bz2", "klingon", "", "undefined", "unicode_escape", "x" * 500]
)
def test_unknown_and_non_text_encodings_are_config_errors(name):
    with pytest.raises(ConfigError, match="must be the name of a Python text codec"):
        check_encoding(name)
    with pytest.raises(ConfigError, match="Python text codec"):
        _all(b"hello", encoding=name)


def test_bom_nul_and_lone_surrogates():
    assert _all(codecs.BOM_UTF8 + b"Hi there.") == [(0, 9, "Hi there.")]
    with pytest.raises(InputError, match="NUL characters"):
        _all(b"hello\x00world")
    with pytest.raises(InputError, match="lone surrogate"):
        _all("I am \ud800 happy.")
    with pytest.raises(InputError, match="lone surrogate"):  # a codec that can produce one
        _all(b"I am +2AA- happy.", encoding="utf-7")


@pytest.mark.parametrize(
    "text",
    [
        "e. " * 60_000,  # abbreviation checks scanned the whole buffer: quadratic (a 1.2 MB file took 325 s)
        "!" * 300_000,  # a run of punctuation without white space: regex backtracking, quadratic
        "." + '"' * 300_000,
        "Mr. " * 50_000,
        "\n" * 1_000_000,
    ],
)
def test_segmentation_is_linear_on_pathological_text(text):
    t = time.perf_counter()
    try:
        segments = _all(text.encode())
    except InputError:  # nothing but punctuation/white space
        segments = []
    assert time.perf_counter() - t < 3
    assert all(b - a <= 512 for a, b, _ in segments)


class _Endless(io.RawIOBase):
    """A file object serving ``size`` bytes of one long line without ever holding them."""

    def __init__(self, size: int, unit: bytes = b"abcdefgh") -> None:
        self.left, self.unit = size, unit

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        n = min(n if n >= 0 else self.left, self.left)
        self.left -= n
        return (self.unit * (n // len(self.unit) + 1))[:n]


def test_a_50_mb_single_line_streams_in_bounded_memory():
    n = max_len = 0
    t = time.perf_counter()
    for seg in iter_segments(_Endless(50 * 10**6), source="huge"):
        n += 1
        max_len = max(max_len, len(seg.text))
    assert n == 50 * 10**6 // 512 + 1
    assert max_len == 512
    assert time.perf_counter() - t < 10
    tracemalloc.start()  # memory, on a smaller line (tracing is slow): a few chunks at most, never the line
    try:
        assert sum(1 for _ in iter_segments(_Endless(8 * 10**6))) == 8 * 10**6 // 512
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * 2**20


# --- subtitles --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"1\n" + b"9" * 5000 + b":00:01,000 --> 00:00:02,000\nhi\n", "malformed cue timing"),  # int() digit limit
        (b"1\n00:00:05,000 --> 00:00:01,000\nhi\n", "ends before it starts"),
        (b"1\n00:61:00,000 --> 00:62:00,000\nhi\n", "below 60"),
        (b"WEBVTT\n\n00:01.000 --> 00:02.000\n\xff\xfe\n", "cannot be decoded"),
        (b"1\n00:00:01,000 --> 00:00:02,000\nhi\x00\n", "NUL"),
        (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4, "cannot be decoded"),
    ],
)
def test_bad_subtitles_are_input_errors(data, message):
    with pytest.raises(InputError, match=message):
        read_subtitles(data)


def test_subtitles_nested_tags_and_limits(tmp_path, monkeypatch):
    deep = b"1\n00:00:01,000 --> 00:00:02,000\n" + b"<i><b>" * 20_000 + b"Hello" + b"</b></i>" * 20_000 + b"\n"
    t = time.perf_counter()
    assert [c.text for c in read_subtitles(deep)] == ["Hello"]
    assert time.perf_counter() - t < 3
    with pytest.raises(ConfigError, match="text codec"):
        read_subtitles(b"1\n00:00:01,000 --> 00:00:02,000\nhi\n", encoding="base64")
    with pytest.raises(InputError, match="cannot be decoded as utf-16"):
        read_subtitles(b"abc", encoding="utf-16")
    monkeypatch.setattr("affectscope.media.subtitles.MAX_SUBTITLE_BYTES", 1000)
    big = tmp_path / "big.srt"
    big.write_bytes(b"1\n00:00:01,000 --> 00:00:02,000\n" + b"la " * 1000 + b"\n")
    with pytest.raises(InputError, match="larger than"):
        read_subtitles(big)


# --- dialogue ---------------------------------------------------------------------------------------------------
def _write(tmp_path, name, content):
    f = tmp_path / name
    f.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return f


def test_csv_field_over_the_csv_limit_is_a_turn_too_long(tmp_path):
    f = _write(tmp_path, "big.csv", "speaker,text\nAnn," + "a" * 200_000 + "\n")
    with pytest.raises(InputError, match=f"line 2: a turn longer than {MAX_TURN_CHARS:,} characters"):
        list(DialogueReader(f))
    # a multi-line quoted field growing past the csv limit
    f = _write(tmp_path, "tall.csv", 'speaker,text\nAnn,"' + ("word " * 20 + "\n") * 2000 + '"\n')
    with pytest.raises(InputError, match="line 2: a turn longer than"):
        list(DialogueReader(f))
    f = _write(tmp_path, "ok.csv", "speaker,text\nAnn," + "a" * (MAX_TURN_CHARS + 1) + "\n")
    with pytest.raises(InputError, match="a turn longer than"):
        list(DialogueReader(f))


def test_unclosed_quote_names_file_and_line_instead_of_merging_turns(tmp_path):
    f = _write(tmp_path, "dialogue.csv", 'speaker,text\nAnn,hi\nBob,"hello there\nAnn,I am fine\nBob,great\n')
    with pytest.raises(InputError, match=r"dialogue\.csv line 3: unclosed quote"):
        list(DialogueReader(f))
    f = _write(tmp_path, "stray.csv", 'speaker,text\nAnn,"hello\nBob,"fine" really\n')
    with pytest.raises(InputError, match=r"stray\.csv line 3: malformed CSV"):
        list(DialogueReader(f))
    # properly quoted multi-line turns and quotes inside fields are still fine
    f = _write(tmp_path, "good.csv", 'speaker,text\nAnn,"two\nlines, ok"\nBob,He said ""hi""\nCy,"a ""b"""\n')
    assert [(t.speaker, t.text, t.line) for t in DialogueReader(f)] == [
        ("Ann", "two\nlines, ok", 2),
        ("Bob", 'He said ""hi""', 4),
        ("Cy", 'a "b"', 5),
    ]


def test_deep_json_big_json_and_jsonl(tmp_path, monkeypatch):
    f = _write(tmp_path, "deep.json", "[" * 100_000 + "]" * 100_000)
    with pytest.raises(InputError, match="nested too deeply"):
        list(DialogueReader(f))
    f = _write(tmp_path, "deep.jsonl", "[" * 50_000 + "]" * 50_000 + "\n")
    with pytest.raises(InputError, match="line 1: the JSON is nested too deeply"):
        list(DialogueReader(f))
    monkeypatch.setattr(dialogue_mod, "MAX_JSON_BYTES", 100)
    f = _write(tmp_path, "big.json", json.dumps([{"speaker": "A", "text": "hello " * 50}]))
    with pytest.raises(InputError, match=r"at most 0 MB is accepted.*\.jsonl"):
        list(DialogueReader(f))


def test_columns_speakers_and_encodings(tmp_path):
    f = _write(tmp_path, "wide.csv", ",".join(f"c{i}" for i in range(5000)) + ",speaker,text\n")
    with pytest.raises(InputError, match="5,002 columns"):
        list(DialogueReader(f))
    f = _write(tmp_path, "nums.jsonl", '{"speaker": 7, "text": 3.5}\n{"speaker": "B", "text": "ok", "start": 1}\n')
    assert [(t.speaker, t.text) for t in DialogueReader(f)] == [("7", "3.5"), ("B", "ok")]
    f = _write(tmp_path, "obj.jsonl", '{"speaker": {"a": 1}, "text": "hi"}\n')
    with pytest.raises(InputError, match="line 1: speaker must be a string or a number; got dict"):
        list(DialogueReader(f))
    f = _write(tmp_path, "time.jsonl", '{"speaker": "A", "text": "hi", "start": [1]}\n')
    with pytest.raises(InputError, match="start/end must be seconds"):
        list(DialogueReader(f))
    f = _write(tmp_path, "bom.csv", codecs.BOM_UTF8 + b"speaker,text\nAnn,hi\n")
    assert [(t.speaker, t.text) for t in DialogueReader(f)] == [("Ann", "hi")]
    f = _write(tmp_path, "u16.csv", "speaker,text\nAnn,hi\n".encode("utf-16-le"))
    with pytest.raises(InputError, match="NUL characters"):
        list(DialogueReader(f))
    with pytest.raises(InputError, match="not valid utf-16"):
        list(DialogueReader(f, encoding="utf-16"))
    assert [(t.speaker, t.text) for t in DialogueReader(f, encoding="utf-16-le")] == [("Ann", "hi")]
    with pytest.raises(ConfigError, match="text codec"):
        DialogueReader(f, encoding="rot13")


def test_txt_turn_growing_past_the_limit(tmp_path):
    f = _write(tmp_path, "long.txt", "Ann: hi\n" + ("more words here " * 100 + "\n") * 70)
    with pytest.raises(InputError, match="line 1: a turn longer than"):
        list(DialogueReader(f))


# --- property-based: only AffectscopeError, quickly -------------------------------------------------------------
_ENCODINGS = st.sampled_from(["utf-8", "utf-16", "utf-16-le", "latin-1", "cp1252", "utf-7", "cp037", "ascii"])
_CSVISH = st.lists(st.sampled_from([*list('ab ,"\t\n\r:.{}[]\\\x00é'), "\ud7ff", "Ann", "speaker"]), max_size=80).map(
    "".join
)


def _only_affectscope_errors(fn):
    t = time.perf_counter()
    with contextlib.suppress(AffectscopeError):
        fn()
    assert time.perf_counter() - t < 2


@FUZZ
@given(data=st.binary(max_size=400), encoding=_ENCODINGS, segment=st.sampled_from(["sentence", "line"]))
def test_fuzz_iter_segments_bytes(data, encoding, segment):
    _only_affectscope_errors(lambda: list(iter_segments(data, encoding=encoding, segment=segment, max_chars=16)))


@FUZZ
@given(text=st.text(max_size=300), mode=st.sampled_from(["sentence", "line"]), max_chars=st.integers(16, 64))
def test_fuzz_split_sentences_text(text, mode, max_chars):
    try:
        pieces = split_sentences(text, mode=mode, max_chars=max_chars)
    except AffectscopeError:
        return
    for start, end, piece in pieces:
        assert text[start:end] == piece
        assert 0 < len(piece) <= max_chars


_SRT_PARTS = st.sampled_from(
    [
        "1\n",
        "00:00:01,000 --> 00:00:02,000\n",
        "00:01.000 --> 00:02.000 align:start\n",
        "WEBVTT\n",
        "\n",
        "NOTE x\n",
        "<v Ann>hi</v>\n",
        "<i>",
        "&amp;",
        "{\\an8}",
        "99:99:99,999 --> 1:00:00,000\n",
        "-->",
        "ÿ",
        "\x00",
    ]
)


@FUZZ
@given(parts=st.lists(_SRT_PARTS, max_size=30), noise=st.binary(max_size=50), encoding=_ENCODINGS)
def test_fuzz_read_subtitles(parts, noise, encoding):
    data = "".join(parts).encode("utf-8", "surrogatepass") + noise
    _only_affectscope_errors(lambda: read_subtitles(data, encoding=encoding))


@FUZZ
@given(
    content=st.one_of(_CSVISH.map(lambda s: s.encode("utf-8")), st.binary(max_size=300)),
    fmt=st.sampled_from(["csv", "tsv", "jsonl", "json", "txt"]),
    encoding=_ENCODINGS,
)
def test_fuzz_dialogue_reader(tmp_path_factory, content, fmt, encoding):
    f = tmp_path_factory.mktemp("d") / f"d.{fmt}"
    header = b"speaker,text\n" if fmt == "csv" else b"speaker\ttext\n" if fmt == "tsv" else b""
    f.write_bytes(header + content)
    _only_affectscope_errors(lambda: list(DialogueReader(f, encoding=encoding)))


@FUZZ
@given(
    turns=st.lists(
        st.dictionaries(
            st.sampled_from(["speaker", "text", "start", "end", "dialogue_id", "x"]),
            st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=20), st.lists(st.none())),
            max_size=6,
        ),
        max_size=6,
    ),
    wrap=st.booleans(),
)
def test_fuzz_dialogue_json_values(tmp_path_factory, turns, wrap):
    folder = tmp_path_factory.mktemp("j")
    (folder / "d.json").write_text(json.dumps({"turns": turns} if wrap else turns), encoding="utf-8")
    (folder / "d.jsonl").write_text("".join(json.dumps(t) + "\n" for t in turns), encoding="utf-8")
    for name in ("d.json", "d.jsonl"):
        _only_affectscope_errors(lambda name=name: list(DialogueReader(folder / name)))


def test_zero_width_characters_alone_are_no_text():
    with pytest.raises(InputError, match="holds no text"):
        _all("\u200b\u200c\ufeff\u2060".encode() * 100)
    assert _all("😊 \u200b great") == [(0, 9, "😊 \u200b great")]
