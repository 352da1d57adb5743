"""Audio normalisation on generated signals (no files from ../shared, nothing downloaded)."""

import io

import numpy as np
import pytest
import soundfile as sf

from affectscope.errors import ConfigError, InputError
from affectscope.media import audio as maudio
from affectscope.media.audio import iter_audio_blocks, load_audio


def tone(seconds=1.0, sr=44100, freq=440.0, channels=1):
    t = np.arange(int(seconds * sr)) / sr
    y = 0.5 * np.sin(2 * np.pi * freq * t).astype(np.float32)
    return np.stack([y] * channels, axis=1) if channels > 1 else y


@pytest.mark.parametrize(("fmt", "suffix"), [("WAV", ".wav"), ("FLAC", ".flac"), ("OGG", ".ogg")])
def test_files_of_any_rate_and_channels_become_16k_mono(tmp_path, fmt, suffix):
    p = tmp_path / f"a{suffix}"
    sf.write(p, tone(channels=2), 44100, format=fmt)
    sig = load_audio(p)
    assert sig.sampling_rate == 16000
    assert sig.samples.dtype == np.float32
    assert sig.samples.ndim == 1
    assert abs(sig.duration - 1.0) < 0.01
    # the 440 Hz tone survives resampling: its spectral peak stays at 440 Hz
    spec = np.abs(np.fft.rfft(sig.samples[:16000]))
    assert abs(np.argmax(spec) * 16000 / len(sig.samples[:16000]) - 440) < 2
    assert sig.source == str(p)


def test_bytes_file_objects_and_arrays_agree(tmp_path):
    buf = io.BytesIO()
    sf.write(buf, tone(sr=16000), 16000, format="WAV", subtype="PCM_16")
    data = buf.getvalue()
    a = load_audio(data).samples
    b = load_audio(io.BytesIO(data)).samples
    c = load_audio({"array": sf.read(io.BytesIO(data), dtype="int16")[0], "sampling_rate": 16000}).samples
    assert np.allclose(a, b)
    assert np.allclose(a, c, atol=1e-3)


def test_long_inputs_are_streamed_in_blocks(monkeypatch):
    monkeypatch.setattr(maudio, "_BLOCK_SECONDS", 1)
    _name, blocks = iter_audio_blocks((tone(seconds=5.5, sr=22050), 22050))
    sizes = [len(b) for b in blocks]
    assert len(sizes) >= 5
    assert abs(sum(sizes) - 5.5 * 16000) < 50
    assert max(sizes) <= 16000 + 200


def test_start_end_and_silence():
    sig = load_audio((np.zeros(32000, dtype=np.float32), 16000), start=0.5, end=1.5)
    assert sig.duration == 1.0
    assert not sig.samples.any()  # silence is a valid signal, not an error
    with pytest.raises(InputError, match=r"start 5 s is past the end of the audio \(1\.00 s\)"):
        load_audio((np.zeros(16000, dtype=np.float32), 16000), start=5)
    with pytest.raises(ConfigError, match="must be after 'start'"):
        load_audio((np.zeros(16000, dtype=np.float32), 16000), start=1, end=0.5)


def test_bad_inputs_have_clear_errors(tmp_path):
    with pytest.raises(InputError, match="File not found"):
        load_audio(tmp_path / "nope.wav")
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"RIFF\x00\x00not really a wave file")
    with pytest.raises(InputError, match="could not be decoded as audio"):
        load_audio(bad)
    empty = tmp_path / "empty.wav"
    sf.write(empty, np.zeros(0, dtype=np.float32), 16000)
    with pytest.raises(InputError, match="0 frames"):
        load_audio(empty)
    with pytest.raises(InputError, match="no sampling rate"):
        load_audio(np.zeros(10))
    with pytest.raises(InputError, match="NaN"):
        load_audio((np.array([0.0, np.nan]), 16000))
    with pytest.raises(InputError, match="sampling rate"):
        load_audio((np.zeros(10), -5))
    with pytest.raises(InputError, match="Unsupported audio input of type int"):
        load_audio(3)
    with pytest.raises(ConfigError, match="'sampling_rate'"):
        load_audio((np.zeros(10), 16000), sampling_rate=10)


def test_truncated_file_is_reported(tmp_path):
    p = tmp_path / "t.flac"
    sf.write(p, tone(seconds=3, sr=16000), 16000, format="FLAC")
    data = p.read_bytes()
    p.write_bytes(data[: len(data) // 3])
    with pytest.raises(InputError, match="corrupt or truncated"):
        load_audio(p)


def _encode_with_pyav(path, y, sr, *, container_fmt=None, video=False, audio=True):
    av = pytest.importorskip("av")
    c = av.open(str(path), "w", format=container_fmt)
    if video:
        v = c.add_stream("mpeg4", rate=10)
        v.width, v.height, v.pix_fmt = 32, 32, "yuv420p"
    a = c.add_stream("aac", rate=sr) if audio else None
    if audio:
        a.layout = "mono"
        frame = av.AudioFrame.from_ndarray(y[None, :].astype(np.float32), format="fltp", layout="mono")
        frame.sample_rate = sr
        for p in (*a.encode(frame), *a.encode(None)):
            c.mux(p)
    if video:
        for _ in range(5):
            img = av.VideoFrame.from_ndarray(np.zeros((32, 32, 3), np.uint8), format="rgb24")
            for p in v.encode(img):
                c.mux(p)
        for p in v.encode(None):
            c.mux(p)
    c.close()


def test_m4a_and_video_audio_tracks_via_pyav(tmp_path):
    y = tone(seconds=2, sr=44100)
    if y.ndim == 2:
        y = y[:, 0]
    m4a = tmp_path / "a.m4a"
    _encode_with_pyav(m4a, y, 44100)
    sig = load_audio(m4a)
    assert sig.sampling_rate == 16000
    assert sig.duration == pytest.approx(2.0, abs=0.1)
    mp4 = tmp_path / "v.mp4"
    _encode_with_pyav(mp4, y, 44100, video=True)
    assert load_audio(mp4).duration == pytest.approx(2.0, abs=0.1)
    mute = tmp_path / "mute.mp4"
    _encode_with_pyav(mute, y, 44100, video=True, audio=False)
    with pytest.raises(InputError, match="no audio track"):
        load_audio(mute)
