"""Music emotion on synthetic music: a 120 BPM major-chord loop against a slow, quiet minor drone."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("librosa")

SR = 16000


def _note(f: float, t: np.ndarray) -> np.ndarray:
    return sum(np.sin(2 * np.pi * f * k * t) / k for k in (1, 2, 3))  # a few harmonics


def major_loop(seconds: float = 20.0) -> np.ndarray:
    """C major chord plucked on every beat at 120 BPM, with a kick and a hi-hat."""
    rng = np.random.default_rng(0)
    n = int(seconds * SR)
    y = np.zeros(n)
    beat = int(0.5 * SR)
    t = np.arange(beat) / SR
    pluck = sum(_note(f, t) for f in (261.63, 329.63, 392.0, 130.81)) * np.exp(-6 * t)
    kick = np.sin(2 * np.pi * 60 * t) * np.exp(-25 * t)
    hat = rng.standard_normal(beat) * np.exp(-80 * t) * 0.3
    for i in range(0, n - beat, beat):
        y[i : i + beat] += 0.25 * pluck + 0.8 * kick
        y[i + beat // 2 : i + beat] += hat[: beat - beat // 2]
    return (0.5 * y / np.abs(y).max()).astype(np.float32)


def minor_drone(seconds: float = 20.0) -> np.ndarray:
    """A minor chord held softly, swelling slowly."""
    t = np.arange(int(seconds * SR)) / SR
    y = sum(_note(f, t) for f in (110.0, 130.81, 164.81)) * (0.6 + 0.4 * np.sin(2 * np.pi * 0.1 * t))
    return (0.05 * y / np.abs(y).max()).astype(np.float32)


@pytest.fixture(scope="module")
def music():
    from affectscope.recognizers.music import MusicRecognizer

    return MusicRecognizer(num_threads=2)


def test_evidence_hears_tempo_and_mode():
    from affectscope.recognizers.music.features import musical_evidence

    loop = musical_evidence(major_loop(10), SR)
    drone = musical_evidence(minor_drone(10), SR)
    assert loop["tempo_bpm"] == pytest.approx(120, abs=5)
    assert (loop["key"], loop["mode"]) == ("C", "major")
    assert (drone["key"], drone["mode"]) == ("A", "minor")
    assert loop["pulse_clarity"] > drone["pulse_clarity"]
    assert loop["loudness_db"] > drone["loudness_db"] + 10
    assert loop["brightness_hz"] > drone["brightness_hz"]


def test_the_loop_is_more_aroused_than_the_drone(music):
    loop = music.process_signal(major_loop(), sampling_rate=SR, source="loop")
    drone = music.process_signal(minor_drone(), sampling_rate=SR, source="drone")
    assert len(loop) == 2  # two 10-s windows
    assert loop.summary["arousal"] > drone.summary["arousal"] + 0.3
    assert loop.summary["label"] in ("q1_happy", "q2_angry")
    assert drone.summary["label"] in ("q3_sad", "q4_calm")
    f = loop.frame
    np.testing.assert_allclose(f.filter(like="russell4:").sum(axis=1), 1.0, atol=1e-6)
    assert f[["valence", "arousal", "dominance"]].abs().le(1).all().all()
    assert f["tempo_bpm"].between(115, 125).all()
    assert f["evidence"].str.contains(r"\d+ BPM \(steady pulse\)").all()
    assert f["evidence"].str.contains("C major").all()
    assert f["rationale"].str.startswith("Cues:").all()
    assert loop.summary["evidence"]["key"] == "C major"
    assert len(loop.summary["moods"]) >= 3


def test_bad_music_input(music, tmp_path):
    import soundfile as sf

    from affectscope.errors import ConfigError, InputError

    with pytest.raises(InputError, match="at least 5 s"):
        music.process_signal(major_loop(3), sampling_rate=SR)
    with pytest.raises(InputError, match="silent"):
        music.process_signal(np.zeros(SR * 8, dtype=np.float32), sampling_rate=SR)
    good = tmp_path / "loop.wav"
    sf.write(good, major_loop(12), SR)
    bad = tmp_path / "broken.mp3"
    bad.write_bytes(b"ID3 not really")
    r = music.process_files([good, bad])
    assert [f["source"] for f in r.failures] == [str(bad)]
    assert set(r.summary["sources"]) == {str(good)}
    with pytest.raises(ConfigError, match="window"):
        type(music)(window=2)


def test_cli_reads_a_song(tmp_path):
    import json

    import soundfile as sf
    from typer.testing import CliRunner

    from affectscope.cli import app

    f = tmp_path / "song.flac"
    sf.write(f, major_loop(12), SR)
    out = CliRunner().invoke(app, ["analyze", str(f), "--modality", "music", "-f", "json"])
    assert out.exit_code == 0, out.output
    d = json.loads(out.stdout)
    assert d["summary"]["modality"] == "music"
    assert d["segments"][0]["tempo_bpm"] == pytest.approx(120, abs=5)
    table = CliRunner().invoke(app, ["analyze", str(f), "--modality", "music"], env={"COLUMNS": "200"})
    assert "BPM" in table.stdout
    bad = CliRunner().invoke(app, ["analyze", "some text", "--modality", "music"])
    assert bad.exit_code == 2


def test_music_span_is_checked(music, tmp_path):
    import math

    import soundfile as sf

    from affectscope.errors import ConfigError, InputError

    f = tmp_path / "loop.wav"
    sf.write(f, major_loop(8), SR)
    for bad in (math.nan, math.inf, -2):
        with pytest.raises(ConfigError, match=r"'start' parameter of MusicRecognizer\.process_file"):
            music.process_file(tmp_path / "never-read.wav", start=bad)
    with pytest.raises(InputError, match=r"start 50 s is past the end of the audio \(8\.00 s\)"):
        music.process_file(f, start=50)
    with pytest.raises(ConfigError, match=r"'window' parameter of MusicRecognizer must be a float in \[5, 30\]"):
        type(music)(window=math.nan)
