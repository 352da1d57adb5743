"""Hostile and careless inputs to the audio, video and image readers (issue 18, items 6, 8, 11, 12).

Every case is generated here (tiny, synthetic): bad bytes of any kind must end in an ``AffectscopeError``
subclass with a message that says what was wrong, quickly, and a video or audio file damaged part-way keeps
what was decoded before the damage.
"""

from __future__ import annotations

import io
import math
import os
import struct
import time

import numpy as np
import pytest
import soundfile as sf
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from affectscope.errors import AffectscopeError, ConfigError, InputError
from affectscope.media.audio import iter_audio_blocks, load_audio
from affectscope.media.image import load_image

av = pytest.importorskip("av")
PIL = pytest.importorskip("PIL.Image")

from affectscope.media.video import iter_frames, probe_video, write_test_video  # noqa: E402

SR = 16000


def _tone(seconds: float = 0.5, sr: int = SR) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def _audio_bytes(fmt: str, subtype: str | None = None, seconds: float = 0.5) -> bytes:
    buf = io.BytesIO()
    sf.write(buf, _tone(seconds), SR, format=fmt, subtype=subtype)
    return buf.getvalue()


def _image_bytes(fmt: str) -> bytes:
    buf = io.BytesIO()
    rng = np.random.default_rng(0)
    PIL.fromarray(rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)).save(buf, format=fmt)
    return buf.getvalue()


@pytest.fixture(scope="module")
def small_video(tmp_path_factory) -> bytes:
    f = tmp_path_factory.mktemp("v") / "v.mp4"
    rng = np.random.default_rng(1)
    write_test_video(f, [rng.integers(0, 255, (32, 32, 3), dtype=np.uint8) for _ in range(10)], fps=10)
    return f.read_bytes()


def _wav_with_header(*, tag: int, bits: int, data: bytes = b"\x00\x01" * 800) -> bytes:
    """A WAV whose fmt chunk says ``tag`` (1 PCM, 3 float, ...) and ``bits`` per sample."""
    align = max(bits // 8, 1)
    fmt = struct.pack("<HHIIHH", tag, 1, SR, SR * align, align, bits)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt + b"data" + struct.pack("<I", len(data)) + data
    return b"RIFF" + struct.pack("<I", len(body)) + body


def _outcome(fn, *args):
    """``(result, None)``, or ``(None, message)`` when ``fn`` raised an InputError."""
    try:
        return fn(*args), None
    except InputError as exc:
        return None, str(exc)


# --- issue item 6 / 8 / 11: typed, clear errors -------------------------------------------------------------------
@pytest.mark.parametrize("bad", [math.nan, math.inf, -1.0, "abc"])
def test_bad_start_is_a_config_error_before_decoding(bad, tmp_path):
    missing = tmp_path / "never-read.wav"  # the span is checked first: the file is not even looked at
    with pytest.raises(ConfigError, match="'start' parameter of load_audio"):
        load_audio(missing, start=bad)
    with pytest.raises(ConfigError, match="'start' parameter of iter_frames"):
        iter_frames(missing, start=bad)
    with pytest.raises(ConfigError, match="must be after 'start'"):
        load_audio(missing, start=2, end=2)


def test_start_past_the_end_says_so(tmp_path):
    f = tmp_path / "short.wav"
    sf.write(f, _tone(3.3), SR)
    with pytest.raises(InputError, match=r"start 50 s is past the end of the audio \(3\.30 s\)"):
        load_audio(f, start=50)


@pytest.mark.parametrize(
    ("tag", "bits"),
    [(1, 12), (3, 24), (3, 12), (0x55, 16), (0xFFFE, 16), (2, 4), (1, 0), (1, 2000)],
)
def test_wav_with_an_odd_bit_depth_or_format_tag(tag, bits):
    sig, error = _outcome(load_audio, _wav_with_header(tag=tag, bits=bits))
    if error is not None:
        assert "bytes" in error
    else:  # libsndfile reads some odd depths; then the samples must be sane
        assert np.isfinite(sig.samples).all()
        assert len(sig.samples) > 0


@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_float_wav_with_non_finite_samples_is_refused(tmp_path, value):
    y = _tone(2.0)
    y[::100] = value
    f = tmp_path / "nan.wav"
    sf.write(f, y, SR, subtype="FLOAT")
    with pytest.raises(InputError, match="NaN or infinite samples"):
        load_audio(f)
    _, blocks = iter_audio_blocks(f)
    with pytest.raises(InputError, match="NaN or infinite samples"):
        list(blocks)


def test_nan_in_a_later_block_is_found(tmp_path):
    y = np.zeros(SR * 35, np.float32)  # blocks are 30 s: the NaN is in the second one
    y[SR * 33] = np.nan
    f = tmp_path / "late.wav"
    sf.write(f, y, SR, subtype="FLOAT")
    with pytest.raises(InputError, match=r"first at 33\.000 s"):
        load_audio(f)


def test_zero_byte_and_non_regular_files(tmp_path):
    for suffix in (".flac", ".wav", ".mp3"):
        empty = tmp_path / f"empty{suffix}"
        empty.write_bytes(b"")
        with pytest.raises(InputError, match=r"is empty \(0 bytes\)"):
            load_audio(empty)
    with pytest.raises(InputError, match=r"empty \(0 bytes\)"):
        load_audio(b"")
    folder = tmp_path / "clip.wav"
    folder.mkdir()
    for reader in (load_audio, probe_video, load_image, lambda p: list(iter_frames(p))):
        with pytest.raises(InputError, match="is a folder, not a regular file"):
            reader(folder)
    if os.path.exists("/dev/zero"):
        for reader in (load_audio, probe_video, load_image):
            with pytest.raises(InputError, match="not a regular file"):
                reader("/dev/zero")
    loop = tmp_path / "loop.wav"
    loop.symlink_to(loop)
    with pytest.raises(InputError, match="symbolic link loop"):
        load_audio(loop)
    with pytest.raises(InputError, match="not a valid file name"):
        load_audio("bad\x00name.wav")


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".ogg", ".mp3", ".m4a", ".mp4"])
def test_random_bytes_with_a_media_suffix(tmp_path, suffix):
    f = tmp_path / f"noise{suffix}"
    f.write_bytes(np.random.default_rng(3).bytes(4096))
    t0 = time.perf_counter()
    with pytest.raises(InputError):
        load_audio(f)
    with pytest.raises(InputError):
        probe_video(f)
    assert time.perf_counter() - t0 < 5


def test_truncated_audio_keeps_what_decodes_or_fails_clearly(tmp_path):
    wav = _audio_bytes("WAV", "PCM_16", seconds=3.0)
    cut = tmp_path / "cut.wav"
    cut.write_bytes(wav[: len(wav) // 2])  # the header still says 3 s
    _, blocks = iter_audio_blocks(cut)
    n = sum(len(b) for b in blocks)
    assert 0.5 * SR < n < 2 * SR
    assert "breaks off at 1.50 s of the 3.00 s" in blocks.damage
    assert load_audio(cut).note == blocks.damage
    sound = tmp_path / "sound.wav"
    sound.write_bytes(wav)
    _, blocks = iter_audio_blocks(sound)
    assert sum(len(b) for b in blocks) == 3 * SR
    assert blocks.damage is None
    flac = _audio_bytes("FLAC", seconds=1.0)
    (tmp_path / "cut.flac").write_bytes(flac[: len(flac) // 2])
    sig, error = _outcome(load_audio, tmp_path / "cut.flac")
    if error is not None:
        assert "corrupt or truncated" in error
    else:
        assert sig.note
        assert 0 < sig.duration < 1.0


# --- video: a file cut off half-way keeps the frames before the damage -------------------------------------------
def test_video_truncated_half_way_keeps_the_frames_before_the_damage(tmp_path):
    rng = np.random.default_rng(2)  # noise: every frame weighs about the same, so half the bytes is half the frames
    frames = [rng.integers(0, 255, (32, 48, 3), dtype=np.uint8) for _ in range(50)]
    f = write_test_video(tmp_path / "whole.mp4", frames, fps=10)
    data = f.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    assert probe_video(cut).duration == pytest.approx(5.0, abs=0.1)  # the header survives the cut
    stream = iter_frames(cut, fps=10)
    kept = list(stream)
    assert 15 <= len(kept) < 35
    assert [round(fr.time, 1) for fr in kept] == [round(0.1 * i, 1) for i in range(len(kept))]
    assert "breaks off at" in (stream.damage or "")
    assert "5.00 s" in stream.damage
    whole = iter_frames(f, fps=10)
    assert len(list(whole)) == 50
    assert whole.damage is None


def test_mp4_cut_before_its_index_is_a_clear_error(tmp_path):
    f = tmp_path / "plain.mp4"
    with av.open(str(f), mode="w") as out:  # no faststart: the index is written at the end
        vs = out.add_stream("libx264", rate=10)
        vs.width, vs.height, vs.pix_fmt = 32, 32, "yuv420p"
        for i in range(20):
            fr = av.VideoFrame.from_ndarray(np.full((32, 32, 3), i, np.uint8), format="rgb24")
            fr.pts = i
            out.mux(vs.encode(fr))
        out.mux(vs.encode(None))
    data = f.read_bytes()
    f.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match="cut off before its index"):
        probe_video(f)


def test_video_declaring_a_huge_frame_is_refused(tmp_path, small_video):
    # patch the width/height of the avc1 sample entry (16-bit fields) in the header
    data = bytearray(small_video)
    i = data.find(b"avc1")
    assert i > 0
    struct.pack_into(">HH", data, i + 28, 60000, 60000)
    f = tmp_path / "huge.mp4"
    f.write_bytes(bytes(data))
    info, error = _outcome(probe_video, f)
    if error is not None:
        assert "huge.mp4" in error
    else:  # FFmpeg took the size from the H.264 stream itself
        assert info.width * info.height <= 100_000_000


def test_image_bomb_is_refused_from_its_header():
    # a PNG whose header declares 100,000 × 100,000 pixels (no pixel data needed to be refused)
    import zlib

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(b"\x00" * 100)) + chunk(b"IEND", b"")
    t0 = time.perf_counter()
    with pytest.raises(InputError, match=r"100000×100000 pixels|too many pixels"):
        load_image(png)
    assert time.perf_counter() - t0 < 1


def test_truncated_images_are_input_errors():
    for fmt in ("PNG", "JPEG", "GIF", "BMP", "TIFF", "WEBP"):
        data = _image_bytes(fmt)
        for cut in (len(data) // 2, 30, 8):
            with pytest.raises(InputError):
                load_image(data[:cut])


def test_vad_on_odd_arrays():
    from affectscope.media.vad import cut_segments, detect_speech, shape_segments

    assert detect_speech([np.zeros(0, np.float32)]) == []
    assert detect_speech([np.zeros(10, np.float32)]) == []
    assert shape_segments([(5.0, 1.0), (-3.0, -1.0)], duration=2.0) == []
    assert list(cut_segments([], [(0.0, 1.0)])) == []


# --- property-based: only AffectscopeError escapes -----------------------------------------------------------------
SEEDS = {
    "wav": lambda: _audio_bytes("WAV", "PCM_16"),
    "float_wav": lambda: _audio_bytes("WAV", "FLOAT"),
    "flac": lambda: _audio_bytes("FLAC"),
    "ogg": lambda: _audio_bytes("OGG", "VORBIS"),
}
_AUDIO_SEEDS = {k: v() for k, v in SEEDS.items()}
_IMAGE_SEEDS = {fmt: _image_bytes(fmt) for fmt in ("PNG", "JPEG", "GIF", "TIFF")}


def _mutate(data: bytes, edits: list[tuple[int, int]], cut: int | None) -> bytes:
    b = bytearray(data)
    for pos, value in edits:
        b[pos % len(b)] = value
    return bytes(b[:cut] if cut else b)


_edits = st.lists(st.tuples(st.integers(0, 1 << 20), st.integers(0, 255)), max_size=12)
_cut = st.one_of(st.none(), st.integers(1, 4096))


def _only_ours(fn, *args) -> None:
    t0 = time.perf_counter()
    try:
        result = fn(*args)
        if hasattr(result, "__next__"):
            for _ in zip(range(100), result, strict=False):
                pass
    except AffectscopeError:
        pass
    assert time.perf_counter() - t0 < 5


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(_AUDIO_SEEDS)), edits=_edits, cut=_cut)
def test_mutated_audio_raises_only_affectscope_errors(kind, edits, cut):
    data = _mutate(_AUDIO_SEEDS[kind], edits, cut)
    _only_ours(load_audio, data)


@settings(max_examples=30, deadline=None)
@given(data=st.binary(min_size=0, max_size=2048), head=st.sampled_from([b"", b"RIFF", b"fLaC", b"OggS", b"ID3"]))
def test_random_audio_bytes_raise_only_affectscope_errors(data, head):
    _only_ours(load_audio, head + data)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from(sorted(_IMAGE_SEEDS)), edits=_edits, cut=_cut)
def test_mutated_images_raise_only_affectscope_errors(kind, edits, cut):
    _only_ours(load_image, _mutate(_IMAGE_SEEDS[kind], edits, cut))


@settings(max_examples=30, deadline=None)
@given(
    data=st.binary(min_size=0, max_size=2048),
    head=st.sampled_from([b"", b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF89a"]),
)
def test_random_image_bytes_raise_only_affectscope_errors(data, head):
    _only_ours(load_image, head + data)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(edits=_edits, cut=st.one_of(st.none(), st.integers(1, 8192)))
def test_mutated_videos_raise_only_affectscope_errors(small_video, tmp_path, edits, cut):
    f = tmp_path / "m.mp4"
    f.write_bytes(_mutate(small_video, edits, cut))
    _only_ours(probe_video, f)
    _only_ours(iter_frames, f)
    _only_ours(load_audio, f)
