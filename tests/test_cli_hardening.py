"""The CLI under malformed input and options (issue 18 items 6, 8, 9, 11): one line on stderr, exit 2, no traceback,
no model loaded for an input that fails validation, and no terminal control sequences from input in table output.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import wave

import pandas as pd
import pytest
from typer.testing import CliRunner

from affectscope.cli import app
from affectscope.render import _safe
from affectscope.result import INDEX_NAMES, Result

runner = CliRunner()
# Bytes that must never reach a terminal from input text: ESC (CSI/OSC), BEL, BS, C1 CSI, bidi override.
_CONTROL = ("\x1b", "\x07", "\x08", "\x9b", "\u202e")


def run(*args: str):
    return runner.invoke(app, list(args))


def _one_line_error(r, *needles: str) -> None:
    assert r.exit_code == 2, r.output
    assert "Traceback" not in r.output
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    assert lines[0].startswith("error: ")
    for needle in needles:
        assert needle in lines[0], lines[0]


@pytest.fixture
def no_models(monkeypatch):
    """Fail the test if any recognizer is constructed (inputs must be refused before a model loads)."""

    def boom(self, *args, **kwargs):
        raise AssertionError(f"{type(self).__name__} was constructed for an invalid input")

    for target in (
        "affectscope.recognizers.text.TextRecognizer.__init__",
        "affectscope.recognizers.speech.SpeechRecognizer.__init__",
        "affectscope.recognizers.face.FaceRecognizer.__init__",
        "affectscope.recognizers.video.VideoRecognizer.__init__",
        "affectscope.recognizers.music.MusicRecognizer.__init__",
        "affectscope.conversation.ConversationRecognizer.__init__",
    ):
        monkeypatch.setattr(target, boom)


def _wav(path, seconds=0.5, rate=16000):
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(b"\x00\x01" * int(seconds * rate))
    return path


# --- item 6 and 9: options ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (["--window", "1e-300"], "The 'window' parameter of analyze must be 'utterance' or a float in [0.25, 3600]"),
        (["--window", "1e-6"], "'window'"),
        (["--window", "soon"], "'window'"),
        (["--start", "nan"], "The 'start' parameter of analyze must be a float in [0, "),
        (["--end", "inf"], "'end'"),
        (["--start", "-1"], "'start'"),
        (["--start", "5", "--end", "2"], "must be after 'start' (5 s)"),
        (["--start", "2", "--end", "2"], "must be after 'start'"),
        (["--fps", "0"], "The 'fps' parameter of analyze must be a float in (0, 60]. Got 0"),
        (["--fps", "1e9"], "'fps'"),
        (["--fps", "nan"], "'fps'"),
        (["--max-faces", "0"], "The 'max_faces' parameter of analyze must be an int in [1, 100]"),
        (["--min-face-size", "4"], "[8, 4096]"),
        (["--batch-size", "0"], "The 'batch_size' parameter of analyze must be an int in [1, 4096]"),
        (["--uncertain-below", "1.5"], "The 'uncertain_below' parameter of analyze must be a float in [0, 1]"),
        (["--uncertain-below", "nan"], "'uncertain_below'"),
        (["--encoding", "klingon"], "The 'encoding' parameter of analyze must be the name of a Python text codec"),
        (["--encoding", "rot13"], "Python text codec"),
        (["--encoding", "base64"], "Python text codec"),
        (["--segment", "word"], "The 'segment' parameter of analyze must be one of ['sentence', 'line']"),
        (["--baseline", "sometimes"], "'baseline'"),
    ],
)
def test_bad_analyze_options_are_one_line_before_anything_loads(tmp_path, no_models, args, needle):
    clip = _wav(tmp_path / "clip.wav")
    _one_line_error(run("analyze", str(clip), *args), needle)


@pytest.mark.parametrize(
    ("args", "needle"),
    [
        (
            ["batch", "{d}", "-o", "{d}/out", "--workers", "0"],
            "'workers' parameter of run_batch must be an int in [1, 256]",
        ),
        (["batch", "{d}", "-o", "{d}/out", "--part-size", "0"], "'part_size'"),
        (["batch", "{d}", "-o", "{d}/out", "--fps", "-1"], "'fps' parameter of run_batch"),
        (["batch", "{d}", "-o", "{d}/out", "--threads-per-worker", "0"], "'threads_per_worker'"),
        (["serve", "--port", "0"], "The 'port' parameter of serve must be an int in [1, 65535]"),
        (["serve", "--port", "70000"], "'port'"),
        (["train", "--modality", "eeg", "--data", "{d}/x.csv", "--out", "{d}/m", "--window", "1e-300"], "'window'"),
        (["train", "--modality", "eeg", "--data", "{d}/x.csv", "--out", "{d}/m", "--rate", "nan"], "'rate'"),
    ],
)
def test_bad_options_of_other_commands(tmp_path, args, needle):
    _one_line_error(run(*[a.format(d=tmp_path) for a in args]), needle)
    assert not (tmp_path / "out").exists()


def test_python_api_applies_the_same_checks():
    import affectscope
    from affectscope.errors import ConfigError

    for kwargs, needle in [
        ({"window": 1e-300}, "'window' parameter of analyze"),
        ({"fps": 0}, "'fps' parameter of analyze must be a float in (0, 60]"),
        ({"batch_size": 0}, "'batch_size'"),
        ({"encoding": "rot13"}, "Python text codec"),
        ({"num_threads": 0}, "'num_threads'"),
    ]:
        with pytest.raises(ConfigError) as exc:
            affectscope.analyze("hello", **kwargs)
        assert needle in str(exc.value)


# --- item 6, 8, 12: text and dialogue inputs ---------------------------------------------------------------------
def test_dialogue_reproductions(tmp_path, no_models):
    big = tmp_path / "big.csv"
    big.write_text("speaker,text\nAnn," + "a" * 200_000 + "\n", encoding="utf-8")
    _one_line_error(run("analyze", str(big), "--conversation"), "line 2: a turn longer than 100,000 characters")
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    _one_line_error(run("analyze", str(deep), "--conversation"), "nested too deeply")
    unclosed = tmp_path / "dialogue.csv"
    unclosed.write_text('speaker,text\nAnn,hi\nBob,"hello there\nAnn,I am fine\nBob,great\n', encoding="utf-8")
    _one_line_error(run("analyze", str(unclosed), "--conversation"), "dialogue.csv line 3: unclosed quote")
    folder = tmp_path / "chats"
    folder.mkdir()
    _one_line_error(run("analyze", str(folder), "--conversation"), "is a folder")


def test_text_reproductions(tmp_path, no_models):
    u16 = tmp_path / "u16.txt"
    u16.write_bytes("hello there friend".encode("utf-16-le"))
    _one_line_error(run("analyze", str(u16), "--encoding", "utf-16"), "not valid utf-16", "utf-16-le")
    _one_line_error(run("analyze", str(u16)), "NUL characters")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    _one_line_error(run("analyze", str(empty)), "is empty (0 bytes)")
    _one_line_error(run("analyze", str(tmp_path)), "is a folder, not a regular file")
    e4 = tmp_path / "S01"
    e4.mkdir()
    for name in ("EDA.csv", "BVP.csv", "TEMP.csv"):
        (e4 / name).write_text("1644227574.0\n4.0\n0.5\n", encoding="utf-8")
    # an E4 export is detected by its content and read as physio (this one's BVP is too slow to read)
    _one_line_error(run("analyze", str(e4)), "BVP needs a rate above 16 Hz")
    loop = tmp_path / "loop.txt"
    os.symlink(loop, loop)
    _one_line_error(run("analyze", str(loop)), "symbolic link loop")


def test_media_is_validated_before_its_model_loads(tmp_path, no_models):
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x24\x00\x00\x00WAVEfmt " + os.urandom(3000))
    _one_line_error(run("analyze", str(bad)), "bad.wav")
    empty = tmp_path / "empty.flac"
    empty.write_bytes(b"")
    _one_line_error(run("analyze", str(empty)), "is empty (0 bytes)")
    _one_line_error(run("analyze", str(empty), "--modality", "music"), "is empty (0 bytes)")
    folder = tmp_path / "clip.mp4"
    folder.mkdir()
    _one_line_error(run("analyze", str(folder)), "is a folder")
    png = tmp_path / "face.png"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    _one_line_error(run("analyze", str(png)), "face.png")
    # several files, all invalid: one line each, exit 2, still no model
    r = run("analyze", str(bad), str(empty))
    assert r.exit_code == 2
    assert len(r.stderr.strip().splitlines()) == 2


def test_a_long_single_word_is_text_not_a_file_name_error(text_recognizer, monkeypatch):
    monkeypatch.setattr("affectscope.recognizers.text.TextRecognizer", lambda *a, **k: text_recognizer)
    r = run("analyze", "a" * 300, "--format", "json", "--no-evidence")
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["segments"][0]["text"] == "a" * 300


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_fifo_dev_zero_and_usage_errors_as_a_user_sees_them(tmp_path):
    """The real console script: exit 2, one line on stderr, and no hang on a FIFO or /dev/zero."""
    fifo = tmp_path / "talk.wav"
    os.mkfifo(fifo)
    clip = _wav(tmp_path / "clip.wav")
    cases = [
        (["analyze", str(fifo)], "is not a regular file"),
        (["analyze", "/dev/zero", "--conversation"], "is not a regular file"),
        (["analyze", str(clip), "--start", "nan"], "'start'"),
        (["analyze", "hi", "--fps", "abc"], "Invalid value for '--fps'"),
    ]
    script = "import sys; from affectscope.cli import main; sys.argv[0] = 'affectscope'; main()"
    for args, needle in cases:
        p = subprocess.run(
            [sys.executable, "-c", script, *args], capture_output=True, text=True, timeout=60, cwd=tmp_path
        )
        assert p.returncode == 2, (args, p.stderr)
        assert "Traceback" not in p.stderr
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1, (args, p.stderr)
        assert needle in lines[0]


# --- item 11: no terminal control sequences in table output ------------------------------------------------------
_EVIL = "I am so happy \x1b]0;pwned\x07\x1b[2J\x9b31m today [bold red]x[/] [/bold] \u202eevil\x08."


def test_safe_escapes_controls_and_markup():
    out = _safe(_EVIL + "\nnext\tcell")
    assert not any(c in out for c in _CONTROL)
    assert "\\x1b]0;pwned\\x07" in out
    assert "\\[bold red]" in out
    assert out.endswith("next cell")


def test_text_table_prints_no_control_sequences(tmp_path, text_recognizer, monkeypatch):
    monkeypatch.setattr("affectscope.recognizers.text.TextRecognizer", lambda *a, **k: text_recognizer)
    f = tmp_path / "note\x1b[2J.txt"
    f.write_text(_EVIL, encoding="utf-8")
    r = run("analyze", str(f), "--format", "table", "--no-evidence")
    assert r.exit_code == 0, r.output
    assert not any(c in r.stdout for c in _CONTROL)
    assert "\\x1b" in r.stdout
    assert "[bold red]x[/]" in r.stdout.replace("\n", "")  # markup shown as text, not applied
    # JSON keeps the data (escaped by JSON itself)
    r = run("analyze", str(f), "--format", "json", "--no-evidence")
    assert "\x1b" in json.loads(r.stdout)["segments"][0]["text"]
    # error messages quoting a file name
    r = run("analyze", str(tmp_path / "gone\x1b]0;t\x07.txt"))
    assert r.exit_code == 2
    assert not any(c in r.stderr for c in _CONTROL)


def _frame(rows: list[dict], source: str = "in\x1b[2J.wav") -> pd.DataFrame:
    index = pd.MultiIndex.from_tuples([(source, float(i), float(i + 1)) for i in range(len(rows))], names=INDEX_NAMES)
    return pd.DataFrame(rows, index=index)


def _printers():
    from affectscope import render

    speech = Result(
        _frame(
            [
                {
                    "text": _EVIL,
                    "label": "happy",
                    "confidence": 0.9,
                    "valence": 0.5,
                    "arousal": 0.1,
                    "pitch_rel_st": 1.0,
                    "loudness_rel_db": float("nan"),
                    "text_label": "joy\x1b[0m",
                }
            ]
        ),
        {"label": "happy", "confidence": 0.9, "valence": 0.5, "arousal": 0.1, "n_segments": 1}
        | {"speech_duration": 1.0, "baseline": "never", "rationale": _EVIL},
    )
    music = Result(
        _frame([{"label": "Q1", "confidence": 0.8, "valence": 0.3, "arousal": 0.4, "moods": _EVIL, "evidence": _EVIL}]),
        {"label": "Q1", "confidence": 0.8, "valence": 0.3, "arousal": 0.4, "moods": [_EVIL], "rationale": _EVIL},
    )
    physio = Result(
        _frame([{"label": "stress", "stress2:stress": 0.7, "evidence": _EVIL}]),
        {"label": "stress", "rationale": _EVIL},
    )
    timeline = Result(
        _frame(
            [
                {
                    "modality": "subtitle",
                    "track": "Ann\x1b[2J",
                    "label": "joy",
                    "confidence": 0.6,
                    "valence": 0.2,
                    "arousal": 0.1,
                    "text": _EVIL,
                }
            ]
        ),
        {"label": "joy", "confidence": 0.6, "valence": 0.2, "arousal": 0.1, "rationale": _EVIL},
    )
    return [
        (render._print_speech_table, speech),
        (render._print_music_table, music),
        (render._print_physio_table, physio),
        (render._print_timeline_table, timeline),
    ]


@pytest.mark.parametrize("case", range(4), ids=["speech", "music", "physio", "timeline"])
def test_media_table_printers_print_no_control_sequences(capsys, case):
    printer, result = _printers()[case]
    printer(result)
    out = capsys.readouterr().out
    assert not any(c in out for c in _CONTROL), out
    assert "\\x1b" in out


def test_conversation_table_prints_no_control_sequences(tmp_path):
    chat = tmp_path / "chat.csv"
    chat.write_text(
        'speaker,text\n"Ann\x1b]0;x\x07",I got the job [/] [bold]!\nBob\u202e,"No way\x1b[2J, congratulations!"\n',
        encoding="utf-8",
    )
    r = run("analyze", str(chat), "--conversation")
    assert r.exit_code == 0, r.output
    assert not any(c in r.stdout for c in _CONTROL)
    assert "Ann\\x1b]0;x\\x07" in r.stdout.replace("\n", "")


def test_bad_output_path_fails_before_the_analysis(tmp_path, no_models):
    _one_line_error(run("analyze", "I am happy.", "-o", str(tmp_path / "r.txt")), "must end in one of")
    _one_line_error(run("analyze", "I am happy.", "-o", str(tmp_path / "no" / "r.json")), "Cannot write")
