"""Subtitle reader: SRT and WebVTT parsing, markup removal, tolerated quirks, clear errors, sidecar lookup."""

import dataclasses

import pytest

from affectscope.errors import ConfigError, InputError
from affectscope.media.subtitles import SUBTITLE_SUFFIXES, Cue, find_sidecar, read_subtitles

SRT = """1
00:00:01,000 --> 00:00:02,500
Hello there.

2
00:00:03,250 --> 00:00:05,000
Two lines
of text.

3
01:02:03,004 --> 01:02:04,000
Late.
"""

VTT = """WEBVTT - a title
Kind: captions
Language: en

intro
00:00:01.000 --> 00:00:02.500 align:start position:10%
Hello there.

00:00:03.250 --> 00:00:05.000
Two lines
of text.
"""


def write(tmp_path, name, content):
    p = tmp_path / name
    p.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return p


def triples(cues):
    return [(c.start, c.end, c.text) for c in cues]


def test_srt_file(tmp_path):
    cues = read_subtitles(write(tmp_path, "a.srt", SRT))
    assert triples(cues) == [
        (1.0, 2.5, "Hello there."),
        (3.25, 5.0, "Two lines of text."),
        (3723.004, 3724.0, "Late."),
    ]
    assert all(c.speaker is None for c in cues)


def test_vtt_file_with_header_identifier_and_settings(tmp_path):
    cues = read_subtitles(write(tmp_path, "a.vtt", VTT))
    assert triples(cues) == [(1.0, 2.5, "Hello there."), (3.25, 5.0, "Two lines of text.")]


def test_str_path_bytes_and_uppercase_suffix_agree(tmp_path):
    p = write(tmp_path, "A.SRT", SRT)
    assert (
        read_subtitles(str(p))
        == read_subtitles(p)
        == read_subtitles(SRT.encode())
        == read_subtitles(bytearray(SRT.encode()))
    )


def test_cue_is_frozen():
    cue = Cue(1.0, 2.0, "x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        cue.text = "y"


def test_markup_is_removed_and_entities_unescaped():
    data = (
        '1\n00:00:01,000 --> 00:00:02,000\n{\\an8}<i>Hi</i>, <b>you</b> &amp; <font color="#ff0">me</font>\n'
        "&lt;3&nbsp;&nbsp;x &gt; y\n"
    )
    assert triples(read_subtitles(data.encode())) == [(1.0, 2.0, "Hi, you & me <3 x > y")]


def test_vtt_class_voice_and_timestamp_tags():
    data = (
        "WEBVTT\n\n00:01.000 --> 00:02.000\n<v.loud Roger Bingham>We are <c.yellow.bg_blue>in</c> "
        "<00:01.500>New York</v>\n\n00:03.000 --> 00:04.000\n<v Mary>Yes.</v> <i>No.</i>\n\n"
        "00:05.000 --> 00:06.000\nNobody speaks.\n"
    )
    cues = read_subtitles(data.encode())
    assert [(c.text, c.speaker) for c in cues] == [
        ("We are in New York", "Roger Bingham"),
        ("Yes. No.", "Mary"),
        ("Nobody speaks.", None),
    ]


def test_crlf_and_bom(tmp_path):
    data = b"\xef\xbb\xbf" + SRT.replace("\n", "\r\n").encode()
    assert read_subtitles(write(tmp_path, "w.srt", data)) == read_subtitles(SRT.encode())
    vtt = b"\xef\xbb\xbf" + VTT.replace("\n", "\r\n").encode()
    assert read_subtitles(vtt) == read_subtitles(VTT.encode())


def test_other_encodings():
    data = "1\n00:00:01,000 --> 00:00:02,000\nCafé\n".encode("latin-1")
    assert read_subtitles(data, encoding="latin-1")[0].text == "Café"
    assert read_subtitles(SRT.encode("utf-16"), encoding="utf-16") == read_subtitles(SRT.encode())


def test_srt_missing_and_unordered_indexes_extra_blank_lines_no_final_newline():
    data = (
        "\n\n00:00:05,000 --> 00:00:06,000\nthird\n\n\n\n7\n00:00:01,000 --> 00:00:02,000\nfirst\n"
        "2\n00:00:03,000 --> 00:00:04,000\nsecond\n\nstill second\n\n"
        "9\n\n00:00:07,000 --> 00:00:08,000\nlast"
    )
    assert triples(read_subtitles(data.encode())) == [
        (1.0, 2.0, "first"),
        (3.0, 4.0, "second still second"),
        (5.0, 6.0, "third"),
        (7.0, 8.0, "last"),
    ]


def test_srt_tolerates_dot_millis_one_digit_hours_and_coordinates():
    data = b"1\n0:00:01.000 --> 0:00:02.000  X1:40 X2:600 Y1:20 Y2:50\nok\n"
    assert triples(read_subtitles(data)) == [(1.0, 2.0, "ok")]


def test_vtt_note_style_region_blocks_are_skipped():
    data = (
        "WEBVTT\n\nSTYLE\n::cue { color: red }\n\nREGION\nid:fred width:40%\n\n"
        "NOTE a comment\nspanning lines\n\n00:01.000 --> 00:02.000\none\n\nNOTE\nbetween cues\n\n"
        "00:03.000 --> 00:04.000\ntwo\n"
    )
    assert triples(read_subtitles(data.encode())) == [(1.0, 2.0, "one"), (3.0, 4.0, "two")]


def test_vtt_hourless_and_mixed_timestamps():
    data = b"WEBVTT\n\n00:01.500 --> 01:00:00.250\nlong\n\n59:59.999 --> 01:00:00.000\nmixed\n"
    assert triples(read_subtitles(data)) == [(1.5, 3600.25, "long"), (3599.999, 3600.0, "mixed")]


def test_sorted_by_start_and_empty_cues_dropped():
    data = (
        "1\n00:00:09,000 --> 00:00:10,000\nlater\n\n2\n00:00:01,000 --> 00:00:02,000\n<i></i> {\\an8}\n\n"
        "3\n00:00:03,000 --> 00:00:03,000\nearlier\n"
    )
    assert triples(read_subtitles(data.encode())) == [(3.0, 3.0, "earlier"), (9.0, 10.0, "later")]


def test_only_blank_cues_give_an_empty_list():
    assert read_subtitles(b"WEBVTT\n\n00:01.000 --> 00:02.000\n<i> </i>\n") == []


# --- errors ---------------------------------------------------------------------------------------------------


def test_undecodable_bytes_name_the_line_and_suggest_encoding(tmp_path):
    p = write(tmp_path, "bad.srt", "1\n00:00:01,000 --> 00:00:02,000\nCafé\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"bad\.srt, line 3: .*cannot be decoded as utf-8.*encoding="):
        read_subtitles(p)


def test_utf16_without_encoding_suggests_utf16():
    with pytest.raises(InputError, match="encoding='utf-16'"):
        read_subtitles(SRT.encode("utf-16"))


def test_nul_characters():
    with pytest.raises(InputError, match=r"line 2: NUL.*utf-16"):
        read_subtitles(b"1\n\x00\x00 --> x\n")


def test_no_cues(tmp_path):
    for content in ("just some text\nno timings\n", "WEBVTT\n\nNOTE only a note\n", "   \n\n"):
        with pytest.raises(InputError, match=r"x\.vtt: no subtitle cues found; expected SRT \(`00:00:01,000"):
            read_subtitles(write(tmp_path, "x.vtt", content))


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"1\n00:00:01 --> 00:00:02\nx\n", r"line 2: malformed cue timing '00:00:01 --> 00:00:02'.*SRT"),
        (b"1\n00:00:01,000 -> 00:00:02,000\nx\n", r"line 2: malformed.*HH:MM:SS,mmm"),
        (b"\n00:01.000 --> 00:02.000\nx\n", r"line 2: malformed.*WEBVTT"),
        (b"1\n00:61:00,000 --> 00:62:00,000\nx\n", r"line 2: malformed.*below 60"),
        (b"WEBVTT\n\n00:00:01 --> 00:00:02\nx\n", r"line 3: malformed.*MM:SS\.mmm"),
        (b"WEBVTT\n\n00:01,000 --> 00:02,000\nx\n", r"line 3: malformed.*WebVTT"),
        (b"WEBVTT\n\n00:01.000 --> 00:02.000\nok\n\nid\n1.000 --> 2.000\nx\n", r"line 7: malformed"),
        (b"WEBVTT\n\n00:01.000-->00:02.000\nx\n", r"line 3: malformed"),
    ],
)
def test_malformed_timing_lines(data, match):
    with pytest.raises(InputError, match=match):
        read_subtitles(data, source="clip")


def test_end_before_start():
    with pytest.raises(InputError, match=r"clip, line 5: the cue ends before it starts"):
        read_subtitles(b"WEBVTT\n\n00:01.000 --> 00:02.000\nok\n00:05.000 --> 00:04.000\nx\n", source="clip")
    with pytest.raises(InputError, match=r"bytes, line 2: the cue ends before it starts"):
        read_subtitles(b"1\n00:00:05,000 --> 00:00:04,999\nx\n")


def test_zero_byte_file(tmp_path):
    with pytest.raises(InputError, match=r"empty\.srt is empty \(0 bytes\)"):
        read_subtitles(write(tmp_path, "empty.srt", b""))
    with pytest.raises(InputError, match="is empty"):
        read_subtitles(b"")


def test_unsupported_suffix_lists_the_accepted_ones(tmp_path):
    p = write(tmp_path, "subs.ass", SRT)
    with pytest.raises(InputError, match=r"unsupported subtitle file suffix '\.ass'.*\['\.srt', '\.vtt'\]"):
        read_subtitles(p)
    with pytest.raises(InputError, match=r"'\(none\)'"):
        read_subtitles(tmp_path / "noext")
    assert SUBTITLE_SUFFIXES == (".srt", ".vtt")


def test_missing_file_folder_and_bad_types(tmp_path):
    with pytest.raises(InputError, match="File not found"):
        read_subtitles(tmp_path / "missing.srt")
    (tmp_path / "dir.vtt").mkdir()
    with pytest.raises(InputError, match="not a regular file"):
        read_subtitles(tmp_path / "dir.vtt")
    with pytest.raises(InputError, match="Unsupported subtitle input of type int"):
        read_subtitles(3)
    with pytest.raises(InputError, match=r"looks like subtitle text.*bytes"):
        read_subtitles(SRT)


def test_bad_encoding_option():
    with pytest.raises(ConfigError, match="'encoding'"):
        read_subtitles(SRT.encode(), encoding="no-such-codec")


# --- sidecars ---------------------------------------------------------------------------------------------------


def touch(folder, *names):
    for name in names:
        (folder / name).write_bytes(b"")


def test_sidecar_exact_stem_preferred(tmp_path):
    touch(tmp_path, "video.mp4", "video.en.srt", "video.vtt", "video.srt", "other.srt")
    assert find_sidecar(tmp_path / "video.mp4") == tmp_path / "video.srt"
    (tmp_path / "video.srt").unlink()
    assert find_sidecar(str(tmp_path / "video.mp4")) == tmp_path / "video.vtt"


def test_sidecar_language_tagged_sorted(tmp_path):
    touch(tmp_path, "my.video.mp4", "my.video.fr.vtt", "my.video.en.srt", "my.video.pt-BR.srt", "my.video.txt")
    assert find_sidecar(tmp_path / "my.video.mp4") == tmp_path / "my.video.en.srt"


def test_sidecar_uppercase_suffix(tmp_path):
    touch(tmp_path, "clip.MP4", "clip.SRT")
    assert find_sidecar(tmp_path / "clip.MP4") == tmp_path / "clip.SRT"


def test_sidecar_none(tmp_path):
    touch(tmp_path, "video.mp4", "video2.srt", "videos.en.srt", "video.en.forced.srt", "video.txt", "video..srt")
    (tmp_path / "video.de.srt").mkdir()
    assert find_sidecar(tmp_path / "video.mp4") is None
    assert find_sidecar(tmp_path / "missing" / "video.mp4") is None
    assert find_sidecar(tmp_path / "video.srt") is None  # a subtitle file is not its own sidecar
