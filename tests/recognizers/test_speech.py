"""SpeechRecognizer on generated audio: synthetic speech (espeak-ng fixtures), tones, noise and silence."""

import math

import numpy as np
import pytest
import soundfile as sf

from affectscope.errors import ConfigError, InputError
from affectscope.labels import get_space
from affectscope.recognizers.speech import SpeechRecognizer
from affectscope.recognizers.speech.recognizer import _assign_words, _chunks
from affectscope.result import INDEX_NAMES

SPACE = list(get_space("ekman7_calm").labels)


@pytest.fixture(scope="module")
def voice_only():
    return SpeechRecognizer(transcript=False, num_threads=2)


@pytest.fixture(scope="module")
def loud(speech_recognizer, speech_fixture):
    return speech_recognizer.process_file(speech_fixture("loud_fast_en"))


def test_rows_schema_and_timeline(loud, speech_fixture):
    f = loud.frame
    assert f.index.names == list(INDEX_NAMES)
    assert len(f) >= 1
    assert set(f.index.get_level_values("source")) == {str(speech_fixture("loud_fast_en"))}
    starts = f.index.get_level_values("start").to_numpy()
    ends = f.index.get_level_values("end").to_numpy()
    assert (ends > starts).all()
    assert (starts[1:] >= ends[:-1]).all()
    assert ends.max() <= sf.info(speech_fixture("loud_fast_en")).duration + 0.01
    probs = f[[f"ekman7_calm:{lab}" for lab in SPACE]].to_numpy()
    np.testing.assert_allclose(probs.sum(1), 1, atol=1e-4)
    ek = f[[f"ekman7:{lab}" for lab in get_space("ekman7").labels]].to_numpy()
    np.testing.assert_allclose(ek.sum(1), 1, atol=1e-4)
    assert set(f["label"]) <= set(SPACE)
    assert (f["modality"] == "speech").all()
    assert f[["valence", "arousal", "dominance"]].abs().le(1).all().all()
    for col in ("pitch_hz", "pitch_range_st", "loudness_db", "rate_sps", "pitch_rel_st", "loudness_rel_db"):
        assert col in f
    assert f["pitch_hz"].between(60, 500).all()


def test_transcript_and_text_emotion(loud):
    words = " ".join(loud.frame["text"]).lower()
    assert "believe" in words
    assert "trust" in words
    assert loud.frame["text_label"].notna().all()
    assert set(loud.frame["text_label"]) <= set(get_space("ekman7").labels)
    assert "believe" in loud.summary["transcript"].lower()


def test_summary(loud):
    s = loud.summary
    assert s["modality"] == "speech"
    assert s["model"] == "speech-whisper-ser"
    assert s["label"] in SPACE
    assert s["n_segments"] == len(loud.frame)
    assert 0 < s["speech_duration"] <= s["duration"]
    assert s["baseline"] == "none"  # too few segments for a recording baseline
    assert math.isclose(sum(s["scores"]["ekman7_calm"].values()), 1, abs_tol=1e-3)
    assert s["rationale"].startswith("Voice:")
    loud.to_json()  # serialisable


def test_loud_fast_voice_is_more_aroused_than_quiet_slow(voice_only, speech_fixture):
    loud = voice_only.process_file(speech_fixture("loud_fast_en")).summary
    quiet = voice_only.process_file(speech_fixture("quiet_slow_en")).summary
    assert loud["arousal"] > quiet["arousal"]


def test_no_transcript(voice_only, speech_fixture):
    r = voice_only.process_file(speech_fixture("quiet_slow_en"))
    assert r.frame["text"].isna().all()
    assert r.frame["text_label"].isna().all()
    assert r.summary["transcript"] is None


def test_start_end_window_shifts_times(voice_only, speech_fixture):
    full = voice_only.process_file(speech_fixture("quiet_slow_en"))
    part = voice_only.process_file(speech_fixture("quiet_slow_en"), start=2.0, end=5.0)
    starts = part.frame.index.get_level_values("start")
    assert len(part) >= 1
    assert starts.min() >= 2.0
    assert part.frame.index.get_level_values("end").max() <= 5.0
    assert part.summary["duration"] == pytest.approx(3.0, abs=0.01)
    assert full.summary["duration"] > part.summary["duration"]


def test_silence_and_noise_give_no_segments(voice_only):
    for y in (np.zeros(48000, np.float32), 0.01 * np.random.default_rng(0).standard_normal(48000).astype(np.float32)):
        r = voice_only.process_signal(y, sampling_rate=16000)
        assert len(r) == 0
        assert r.summary["note"] == "no speech detected"
        assert r.summary["duration"] == pytest.approx(3.0)


def test_process_signal_any_rate_and_channels(voice_only, speech_fixture):
    y, sr = sf.read(speech_fixture("loud_fast_en"), dtype="float32")
    import soxr

    stereo = np.stack([soxr.resample(y, sr, 44100)] * 2, axis=1)
    a = voice_only.process_signal(stereo, sampling_rate=44100, source="call")
    b = voice_only.process_file(speech_fixture("loud_fast_en"))
    assert set(a.frame.index.get_level_values("source")) == {"call"}
    assert a.frame.index.droplevel("source").tolist() == b.frame.index.droplevel("source").tolist()
    cols = [f"ekman7_calm:{lab}" for lab in SPACE]
    # 16 kHz mono -> 44.1 kHz stereo -> 16 kHz mono changes the samples a little, the probabilities barely
    assert np.abs(a.frame[cols].to_numpy() - b.frame[cols].to_numpy()).max() < 0.1


def test_errors(voice_only, tmp_path):
    with pytest.raises(InputError, match="File not found"):
        voice_only.process_file(tmp_path / "missing.wav")
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF....WAVEfmt garbage")
    with pytest.raises(InputError, match="could not be decoded"):
        voice_only.process_file(bad)
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0, np.float32), 16000)
    with pytest.raises(InputError):
        voice_only.process_file(empty)
    with pytest.raises(ConfigError, match="'normalize' parameter"):
        SpeechRecognizer(normalize="sometimes")
    with pytest.raises(ConfigError, match="'language' parameter"):
        SpeechRecognizer(language="en-US!")
    with pytest.raises(ConfigError, match="Whisper's codes"):
        SpeechRecognizer(language="xx")
    with pytest.raises(ConfigError, match="text model"):
        SpeechRecognizer("text-minilm-goemotions")
    with pytest.raises(ConfigError, match="start"):
        voice_only.process_file(bad, start=3, end=1)


def test_batch_records_failures_and_goes_on(voice_only, speech_fixture, tmp_path):
    bad = tmp_path / "bad.mp3"
    bad.write_bytes(b"\x00" * 100)
    r = voice_only.process_files([speech_fixture("quiet_slow_en"), bad])
    assert len(r) >= 1
    assert [f["source"] for f in r.failures] == [str(bad)]
    assert r.summary["baseline"] == "per source"
    assert r.failures[0]["error"] == "InputError"


def test_recording_baseline_switches_head(speech_fixture):
    y, _ = sf.read(speech_fixture("quiet_slow_en"), dtype="float32")
    rec = SpeechRecognizer(transcript=False, normalize="always", num_threads=2, max_duration=2.0)
    r = rec.process_signal(y, sampling_rate=16000)
    assert r.summary["baseline"] == ("recording" if len(r) >= 2 else "none")
    never = SpeechRecognizer(transcript=False, normalize="never", num_threads=2, max_duration=2.0)
    assert never.process_signal(y, sampling_rate=16000).summary["baseline"] == "none"


def test_predict_signals_groups(voice_only, speech_fixture):
    y, _ = sf.read(speech_fixture("loud_fast_en"), dtype="float32")
    z, _ = sf.read(speech_fixture("quiet_slow_en"), dtype="float32")
    alone = voice_only.predict_signals([y, z])
    assert alone["ekman7_calm"].shape == (2, 8)
    assert alone["vad"].shape == (2, 3)
    grouped = SpeechRecognizer(transcript=False, normalize="always", num_threads=2).predict_signals(
        iter([y, z, y, z]), groups=["a", "a", "b", "b"]
    )
    np.testing.assert_allclose(grouped["ekman7_calm"][:2], grouped["ekman7_calm"][2:], atol=1e-5)
    with pytest.raises(InputError, match="'groups' has 1 entries"):
        voice_only.predict_signals([y, z], groups=["a"])
    with pytest.raises(InputError, match="at least one"):
        voice_only.predict_signals([])


def test_ray_callable(voice_only, speech_fixture):
    out = voice_only({"path": [str(speech_fixture("loud_fast_en")), "nope.wav"]})
    assert out["label"][0] in SPACE
    assert out["error"][0] is None
    assert out["label"][1] is None
    assert "File not found" in out["error"][1]


def test_chunks_and_word_assignment():
    segs = [(0.0, 8.0), (9.0, 18.0), (19.0, 29.5), (31.0, 35.0)]
    assert _chunks(segs) == [(0.0, 29.5, [0, 1, 2]), (31.0, 35.0, [3])]
    words = [(0.5, 0.9, " a"), (8.2, 8.6, " b"), (9.5, 9.9, " c")]
    assert _assign_words(words, [(0.0, 8.0), (9.0, 18.0)]) == [[words[0], words[1]], [words[2]]]


def test_analyze_routes_audio_paths(speech_fixture):
    import affectscope

    r = affectscope.analyze(speech_fixture("quiet_slow_en"), transcript=False, num_threads=2)
    assert r.summary["modality"] == "speech"
    assert len(r) >= 1


def test_multilingual_asr_and_m4a_input(speech_fixture, tmp_path):
    av = pytest.importorskip("av")
    y, sr = sf.read(speech_fixture("loud_fast_en"), dtype="float32")
    m4a = tmp_path / "call.m4a"
    with av.open(str(m4a), "w") as c:
        stream = c.add_stream("aac", rate=sr)
        stream.layout = "mono"
        frame = av.AudioFrame.from_ndarray(y[None, :], format="fltp", layout="mono")
        frame.sample_rate = sr
        for p in (*stream.encode(frame), *stream.encode(None)):
            c.mux(p)
    rec = SpeechRecognizer(language="auto", num_threads=2)  # Whisper base, language detected
    r = rec.process_file(m4a)
    assert len(r) >= 1
    assert "trust" in r.summary["transcript"].lower()
