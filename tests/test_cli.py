import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from affectscope.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args))


def test_analyze_text_as_json():
    r = run("analyze", "I can't believe you did this again.", "--format", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert set(d) == {"summary", "segments", "failures"}
    assert d["segments"][0]["end"] == 35
    assert d["summary"]["label"] in d["summary"]["scores"]["ekman7"]
    r = run("analyze", "This makes me so mad.", "--format", "json")
    assert json.loads(r.stdout)["summary"]["label"] == "anger"


def test_analyze_file_as_table_and_csv(notes_file):
    r = run("analyze", str(notes_file))
    assert r.exit_code == 0, r.output
    assert "overall" in r.stdout
    r = run("analyze", str(notes_file), "-f", "csv")
    assert r.exit_code == 0
    assert r.stdout.splitlines()[0].startswith("source,start,end,modality")
    assert len(r.stdout.strip().splitlines()) == 4  # header + 3 sentences


@pytest.mark.parametrize("suffix", [".parquet", ".csv", ".json"])
def test_analyze_writes_output_file(notes_file, tmp_path, suffix):
    out = tmp_path / f"r{suffix}"
    r = run("analyze", str(notes_file), "-o", str(out), "-f", "json")
    assert r.exit_code == 0, r.output
    if suffix == ".parquet":
        assert len(pd.read_parquet(out)) == 3


def test_missing_file_is_a_clean_error(tmp_path):
    r = run("analyze", str(tmp_path / "notes.txt"))
    assert r.exit_code == 2
    assert "File not found" in r.output
    assert "Traceback" not in r.output


def test_bad_encoding_is_a_clean_error(tmp_path):
    p = tmp_path / "latin.txt"
    p.write_bytes("très fâché".encode("latin-1"))
    r = run("analyze", str(p))
    assert r.exit_code == 2
    assert "utf-8" in r.output
    assert "Traceback" not in r.output
    assert run("analyze", str(p), "--encoding", "latin-1").exit_code == 0


def test_empty_text_and_bad_output_suffix_are_clean_errors(tmp_path):
    r = run("analyze", "   ")
    assert r.exit_code == 2
    assert "no text" in r.output
    r = run("analyze", "hello there", "-o", str(tmp_path / "x.xlsx"))
    assert r.exit_code == 2
    assert ".parquet" in r.output


def test_batch_of_files_reports_failures_and_exits_1(notes_file, tmp_path):
    r = run("analyze", str(notes_file), str(tmp_path / "missing.txt"), "-f", "json")
    assert r.exit_code == 1
    d = json.loads(r.stdout)
    assert len(d["segments"]) == 3
    assert d["failures"][0]["source"].endswith("missing.txt")


def test_text_flag_forces_literal_text():
    r = run("analyze", "--text", "notes.txt", "-f", "json")
    assert r.exit_code == 0
    assert json.loads(r.stdout)["segments"][0]["text"] == "notes.txt"


def test_models_lists_registry():
    r = run("models")
    assert r.exit_code == 0
    assert "text-minilm-goemotions" in r.stdout
    r = run("models", "-f", "json")
    d = {m["name"]: m for m in json.loads(r.stdout)}
    assert {"text-minilm-goemotions", "speech-whisper-ser"} <= set(d)
    for m in d.values():
        assert m["licence"]
        assert m["metrics"]
        assert m["training_data"]
    assert d["speech-whisper-ser"]["modality"] == "speech"


def test_table_output_is_capped_for_long_inputs(tmp_path):
    p = tmp_path / "long.txt"
    p.write_text("I am happy. I am sad. " * 150, encoding="utf-8")
    r = run("analyze", str(p))
    assert r.exit_code == 0
    assert "100 more rows" in r.stdout
    r = run("analyze", str(p), "-f", "csv")
    assert len(r.stdout.strip().splitlines()) == 301


def test_analyze_audio_file(speech_fixture):
    f = str(speech_fixture("loud_fast_en"))
    r = run("analyze", f)
    assert r.exit_code == 0, r.output
    assert "overall" in r.stdout
    assert "voice" in r.stdout
    assert "believe" in r.stdout
    r = run("analyze", f, "--no-transcript", "-f", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert d["summary"]["modality"] == "speech"
    assert d["segments"][0]["text"] is None
    assert d["segments"][0]["end"] <= 5.0  # seconds, not characters


def test_analyze_audio_errors(speech_fixture, notes_file, tmp_path):
    r = run("analyze", str(tmp_path / "call.wav"))
    assert r.exit_code == 2
    assert "File not found" in r.output
    assert "Traceback" not in r.output
    r = run("analyze", str(speech_fixture("loud_fast_en")), str(notes_file))
    assert r.exit_code == 2
    assert "one kind of input per call" in r.output
    bad = tmp_path / "bad.m4a"
    bad.write_bytes(b"\x00\x01garbage")
    r = run("analyze", str(speech_fixture("quiet_slow_en")), str(bad), "--no-transcript", "-f", "csv")
    assert r.exit_code == 1  # one of two files failed; the other is written
    assert "bad.m4a" in r.output
    assert r.stdout.startswith("source,start,end,modality")


def test_analyze_image_and_video(astronaut, tmp_path):
    pytest.importorskip("mediapipe")
    from PIL import Image

    from affectscope.media.video import write_test_video

    jpg = tmp_path / "astro.jpg"
    Image.fromarray(astronaut).save(jpg)
    r = run("analyze", str(jpg))
    assert r.exit_code == 0, r.output
    assert "joy" in r.stdout
    assert "smile" in r.stdout
    r = run("analyze", str(jpg), "-f", "json")
    seg = json.loads(r.stdout)["segments"][0]
    assert seg["modality"] == "face"
    assert seg["track"] == "face1"
    video = write_test_video(tmp_path / "clip.mp4", [astronaut] * 20, fps=10)
    r = run("analyze", str(video), "--fps", "2", "--start", "0.5", "-f", "json")
    assert r.exit_code == 0, r.output
    d = json.loads(r.stdout)
    assert [s["start"] for s in d["segments"] if s["modality"] == "face"] == [0.5, 1.0, 1.5]
    assert [s["modality"] for s in d["segments"]].count("fusion") == 1
    assert d["summary"]["modality"] == "video"
    r = run("analyze", str(video), "--fps", "2")
    assert r.exit_code == 0, r.output
    assert "face1" in r.stdout


def test_analyze_image_and_video_errors(tmp_path, astronaut):
    pytest.importorskip("mediapipe")
    zero = tmp_path / "zero.mp4"
    zero.write_bytes(b"")
    r = run("analyze", str(zero))
    assert r.exit_code == 2
    assert "empty" in r.output
    assert "Traceback" not in r.output
    cut = tmp_path / "cut.png"
    cut.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00")
    r = run("analyze", str(cut))
    assert r.exit_code == 2
    assert "cut.png" in r.output
    assert "Traceback" not in r.output
    r = run("analyze", str(cut), str(zero))
    assert r.exit_code == 2
    assert "one kind of input per call" in r.output
    r = run("analyze", str(cut), "--start", "1")
    assert r.exit_code == 2
    assert "--start/--end" in r.output


def test_error_messages_keep_their_brackets(monkeypatch, capsys):
    from affectscope.cli import _err

    _err("pip install 'affectscope[service]'")
    assert "affectscope[service]" in capsys.readouterr().err
