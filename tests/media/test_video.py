"""Video input: probing, streamed frame sampling, and clear errors for broken files (videos generated here)."""

from __future__ import annotations

import numpy as np
import pytest

from affectscope.errors import ConfigError, InputError

av = pytest.importorskip("av")

from affectscope.media.video import iter_frames, probe_video, write_test_video  # noqa: E402


def _frames(n, h=64, w=96):
    # a bar that moves one column per frame, so each frame is recognisably different
    out = []
    for i in range(n):
        f = np.zeros((h, w, 3), np.uint8)
        f[:, i % w] = 255
        out.append(f)
    return out


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    p = tmp_path_factory.mktemp("video") / "clip.mp4"
    return write_test_video(p, _frames(50), fps=25)  # 2 s


@pytest.fixture(scope="module")
def clip_with_audio(tmp_path_factory):
    p = tmp_path_factory.mktemp("video") / "voice.mp4"
    t = np.arange(32000) / 16000
    return write_test_video(p, _frames(50), fps=25, audio=0.2 * np.sin(2 * np.pi * 220 * t))


def test_probe_reads_the_header(clip, clip_with_audio):
    info = probe_video(clip)
    assert (info.width, info.height, info.fps, info.has_audio) == (96, 64, 25.0, False)
    assert info.duration == pytest.approx(2.0, abs=0.05)
    assert probe_video(clip_with_audio).has_audio


def test_frames_are_sampled_at_the_analysis_rate(clip):
    frames = list(iter_frames(clip, fps=5))
    assert [round(f.time, 2) for f in frames] == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8]
    # the moving bar says which source frame was decoded: frame k has its bar at column k
    assert [int(np.argmax(f.pixels[10, :, 0])) for f in frames] == [0, 5, 10, 15, 20, 25, 30, 35, 40, 45]
    assert frames[0].pixels.shape == (64, 96, 3)
    assert frames[0].pixels.dtype == np.uint8


def test_a_rate_above_the_source_rate_yields_each_frame_once(clip):
    assert len(list(iter_frames(clip, fps=100))) == 50


def test_start_end_and_downscaling(clip):
    frames = list(iter_frames(clip, fps=5, start=1.0, end=1.5, max_side=48))
    assert [round(f.time, 2) for f in frames] == [1.0, 1.2, 1.4]
    assert frames[0].pixels.shape == (32, 48, 3)


def test_display_rotation_is_applied(tmp_path):
    # stored landscape 96×64 with a bar in column 0; the display matrix says "turn 90° counter-clockwise"
    f = write_test_video(tmp_path / "phone.mp4", _frames(5), fps=25, rotation=90)
    info = probe_video(f)
    assert (info.width, info.height) == (64, 96)
    frame = next(iter(iter_frames(f, fps=25))).pixels
    assert frame.shape == (96, 64, 3)
    assert int(np.argmax(frame[:, 10, 0])) == 95  # column 0 became the bottom row


def test_iteration_is_lazy(clip):
    it = iter_frames(clip, fps=25)
    first = next(it)
    assert first.time == 0.0
    it.close()  # the container is closed by the generator's finally block


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"fps": 0}, "'fps'"), ({"start": 2, "end": 1}, "must be after 'start'"), ({"max_side": 3}, "max_side")],
)
def test_bad_options_are_config_errors(clip, kwargs, message):
    with pytest.raises(ConfigError, match=message):
        list(iter_frames(clip, **kwargs))


def test_zero_byte_missing_and_non_video_files(tmp_path):
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        probe_video(empty)
    with pytest.raises(InputError, match="File not found"):
        list(iter_frames(tmp_path / "nope.mp4"))
    text = tmp_path / "notes.mp4"
    text.write_text("this is not a video\n" * 20)
    with pytest.raises(InputError, match="could not be opened as a video"):
        probe_video(text)


def test_audio_only_file_has_no_video_track(tmp_path):
    import soundfile as sf

    wav = tmp_path / "tone.wav"
    sf.write(wav, np.zeros(1600, np.float32), 16000)
    with pytest.raises(InputError, match="no video track"):
        probe_video(wav)


def test_truncated_file_is_an_error_or_yields_the_frames_before_the_cut(clip, tmp_path):
    data = clip.read_bytes()
    head = tmp_path / "head.mp4"  # cut inside the header: nothing decodable
    head.write_bytes(data[:200])
    with pytest.raises(InputError):
        list(iter_frames(head))
    # an mp4 whose end is cut off: either refused with a clear error, or the frames before the damage
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) * 2 // 3])
    frames, error = [], None
    try:
        frames = list(iter_frames(cut, fps=25))
    except InputError as exc:
        error = str(exc)
    assert (error is not None and str(cut) in error) or 0 < len(frames) < 50
