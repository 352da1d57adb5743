"""Video input: probe a file and stream its frames at the analysis rate, in constant memory.

:func:`iter_frames` decodes a video with PyAV (FFmpeg) as a stream and yields only the frames nearest to the
analysis times ``start, start + 1/fps, ...`` as upright RGB arrays; no frame is kept after it is yielded, so
memory does not grow with the length of the video. :func:`probe_video` reads the header (size, frame rate,
duration, whether there is an audio track) without decoding. Needs the ``video`` extra
(``pip install 'affectscope[video]'``).

Examples
--------
>>> import tempfile, pathlib, numpy as np
>>> f = pathlib.Path(tempfile.mkdtemp()) / "grey.mp4"
>>> _ = write_test_video(f, [np.full((48, 64, 3), 128, np.uint8)] * 10, fps=10)
>>> info = probe_video(f)
>>> (info.width, info.height, info.has_audio)
(64, 48, False)
>>> [round(fr.time, 1) for fr in iter_frames(f, fps=5)]
[0.0, 0.2, 0.4, 0.6, 0.8]
"""

from __future__ import annotations

import math
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from affectscope._validation import MAX_SECONDS, check_number, check_span
from affectscope.errors import ConfigError, DependencyError, InputError
from affectscope.media._files import DECODER_ERRORS, existing_file
from affectscope.media.image import MAX_PIXELS, MAX_SIDE

__all__ = [
    "ACCEPTED_VIDEO_INPUTS",
    "VIDEO_SUFFIXES",
    "Frame",
    "FrameStream",
    "VideoInfo",
    "iter_frames",
    "probe_video",
    "write_test_video",
]

#: File suffixes treated as video (faces + voice + subtitles) by ``affectscope analyze``.
VIDEO_SUFFIXES = frozenset([".mp4", ".m4v", ".mov", ".mkv", ".webm", ".avi", ".mpg", ".mpeg", ".wmv", ".flv"])
ACCEPTED_VIDEO_INPUTS = "a path to a video file that FFmpeg can decode (mp4, mov, mkv, webm, avi, ...)"
# What FFmpeg/PyAV and numpy raise on bad bytes besides av.error.FFmpegError.
_FOREIGN = DECODER_ERRORS


@dataclass(frozen=True)
class VideoInfo:
    """What the container header says about a video.

    Attributes
    ----------
    width, height : int
        Frame size in pixels as displayed (a display rotation stored in the file, as phones write, applied).
    fps : float
        Average frame rate.
    duration : float
        Length in seconds (0 when the container does not say).
    has_audio : bool
        Whether there is an audio track.
    codec : str
        Video codec name.
    """

    width: int
    height: int
    fps: float
    duration: float
    has_audio: bool
    codec: str


@dataclass(frozen=True)
class Frame:
    """One analysed frame.

    Attributes
    ----------
    time : float
        Presentation time in seconds from the start of the video.
    pixels : ndarray of shape (height, width, 3)
        uint8 RGB.
    """

    time: float
    pixels: np.ndarray


def _av() -> Any:
    try:
        import av
    except ImportError as exc:
        raise DependencyError("Reading video needs PyAV: pip install 'affectscope[video]'.") from exc
    return av


def _foreign(av: Any) -> tuple[type[BaseException], ...]:
    """Return what FFmpeg/PyAV raise on bad bytes: turned into :class:`InputError` at this module's boundary."""
    return (av.error.FFmpegError, *_FOREIGN)


def _open(path: Path) -> Any:
    av = _av()
    if path.stat().st_size == 0:
        raise InputError(f"{path} is empty (0 bytes). Expected {ACCEPTED_VIDEO_INPUTS}.")
    container = None
    try:
        container = av.open(str(path), mode="r", metadata_errors="ignore")
        if not container.streams.video:
            raise InputError(f"{path} has no video track. Expected {ACCEPTED_VIDEO_INPUTS}.")
        ctx = container.streams.video[0].codec_context
        width, height = int(ctx.width or 0), int(ctx.height or 0)
    except InputError:
        if container is not None:
            container.close()
        raise
    except _foreign(av) as exc:
        if container is not None:
            container.close()
        raise InputError(
            f"{path} could not be opened as a video ({exc}). Expected {ACCEPTED_VIDEO_INPUTS}; an MP4 cut off "
            "before its index (written at the end unless made with faststart) cannot be read."
        ) from None
    if width <= 0 or height <= 0 or width * height > MAX_PIXELS or max(width, height) > MAX_SIDE:
        container.close()
        raise InputError(
            f"{path} declares {width}×{height} frames; expected frames of 1–{MAX_SIDE:,} pixels a side and at most "
            f"{MAX_PIXELS:,} pixels (a corrupt header?)."
        )
    return container


def probe_video(file: str | os.PathLike[str]) -> VideoInfo:
    """Read a video's header: size, frame rate, duration and whether it has audio (decodes one frame at most).

    Fast and strict enough to validate an input before any model is loaded.

    Parameters
    ----------
    file : path-like
        Video file.

    Returns
    -------
    VideoInfo

    Raises
    ------
    InputError
        Missing, empty, undecodable file, no video track, or an implausible frame size.

    Examples
    --------
    >>> probe_video("missing.mp4")
    Traceback (most recent call last):
    ...
    affectscope.errors.InputError: File not found: missing.mp4. Expected a path to a video file ...
    """
    path = existing_file(file, accepted=ACCEPTED_VIDEO_INPUTS)
    av = _av()
    container = _open(path)
    try:
        v = container.streams.video[0]
        rate = v.average_rate or v.guessed_rate or v.base_rate
        duration = 0.0
        if container.duration and container.duration > 0:
            duration = container.duration / 1_000_000
        elif v.duration and v.time_base:
            duration = float(v.duration * v.time_base)
        width, height = int(v.codec_context.width), int(v.codec_context.height)
        if _stream_rotation(container) % 180 == 90:
            width, height = height, width
        fps = float(rate) if rate else 0.0
        return VideoInfo(
            width=width,
            height=height,
            fps=fps if math.isfinite(fps) and fps > 0 else 0.0,
            duration=float(duration) if math.isfinite(duration) and 0 < duration <= MAX_SECONDS else 0.0,
            has_audio=bool(container.streams.audio),
            codec=str(v.codec_context.name),
        )
    except _foreign(av) as exc:
        raise InputError(f"{path} could not be read as a video ({exc}). Expected {ACCEPTED_VIDEO_INPUTS}.") from None
    finally:
        container.close()


def _stream_rotation(container: Any) -> int:
    """Display rotation of the first video frame in degrees (0 when none); the container is rewound after."""
    try:
        frame = next(container.decode(container.streams.video[0]), None)
        return round(getattr(frame, "rotation", 0) or 0) % 360 if frame is not None else 0
    except Exception:  # probing only: an undecodable first frame is reported by iter_frames
        return 0


class FrameStream:
    """The iterator :func:`iter_frames` returns: frames one by one, then where a damaged file broke off.

    Attributes
    ----------
    damage : str or None
        ``None`` while the file is sound; once the iteration is over, a sentence saying where a truncated or
        corrupt file broke off (the frames before the damage were yielded).
    """

    def __init__(self, gen: Iterator[Frame], state: dict[str, Any]) -> None:
        self._gen = gen
        self._state = state

    @property
    def damage(self) -> str | None:
        """Where a damaged file broke off, or ``None``."""
        return self._state.get("damage")

    def __iter__(self) -> FrameStream:
        return self

    def __next__(self) -> Frame:
        return next(self._gen)

    def close(self) -> None:
        """Stop decoding and close the file."""
        self._gen.close()


def iter_frames(
    file: str | os.PathLike[str],
    *,
    fps: float = 5.0,
    start: float | None = None,
    end: float | None = None,
    max_side: int | None = None,
) -> FrameStream:
    """Yield the frames of a video nearest to the times ``start + k / fps``, decoded as a stream.

    Parameters
    ----------
    file : path-like
        Video file.
    fps : float
        Analysis frames per second in (0, 1000] (at most the video's own rate is useful).
    start, end : float, optional
        Analyse only ``[start, end)`` seconds.
    max_side : int, optional
        Downscale frames whose longer side exceeds this (the decoder's scaler; keeps aspect ratio).

    Returns
    -------
    FrameStream
        An iterator of :class:`Frame`; its ``damage`` says, after the iteration, where a damaged file broke off.

    Raises
    ------
    ConfigError
        A bad option.
    InputError
        Missing/empty/undecodable file or a file that breaks off before its first frame (raised when the
        iteration starts). A file truncated or damaged later yields the frames before the damage, and
        ``damage`` says where it broke off.
    """
    fps = check_number(fps, name="fps", func="iter_frames", low=0, high=1000, low_open=True)
    s, e = check_span(start, end, func="iter_frames")
    lo = 0.0 if s is None else s
    hi = math.inf if e is None else e
    if max_side is not None and (not isinstance(max_side, int) or isinstance(max_side, bool) or max_side < 16):
        raise ConfigError(f"The 'max_side' parameter must be an int >= 16 or None. Got {max_side!r} instead.")
    path = existing_file(file, accepted=ACCEPTED_VIDEO_INPUTS)
    state: dict[str, Any] = {"damage": None}
    return FrameStream(_frames(path, fps, lo, hi, max_side, state), state)


def _frames(
    path: Path, fps: float, lo: float, hi: float, max_side: int | None, state: dict[str, Any]
) -> Iterator[Frame]:
    av = _av()
    container = _open(path)
    try:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        declared = 0.0
        if container.duration and container.duration > 0:
            declared = container.duration / 1_000_000
        elif stream.duration and stream.time_base:
            declared = float(stream.duration * stream.time_base)
        step = 1.0 / fps
        rate = float(stream.average_rate or 0) or fps
        tol = 0.49 / max(rate, fps)  # just under half a source frame: the frame nearest to each analysis time
        target = lo
        decoded, last = 0, None
        frames = None
        try:
            if lo > 0:
                container.seek(int(lo * 1_000_000), any_frame=False, backward=True)
            frames = container.decode(stream)
            while True:
                frame = next(frames, None)
                if frame is None:
                    break
                decoded += 1
                t = frame.time
                if t is None or not math.isfinite(t):
                    continue
                if t >= hi:
                    break
                last = t
                if t < target - tol:
                    continue  # before the next analysis time
                if max_side and max(frame.width, frame.height) > max_side:
                    scale = max_side / max(frame.width, frame.height)
                    w, h = max(round(frame.width * scale) // 2 * 2, 2), max(round(frame.height * scale) // 2 * 2, 2)
                    frame = frame.reformat(width=w, height=h)
                target = lo + (math.floor((t - lo + tol) / step + 1e-6) + 1) * step
                pixels = frame.to_ndarray(format="rgb24")
                quarter = round((getattr(frame, "rotation", 0) or 0) / 90) % 4
                if quarter:  # a display matrix (phone videos): rotate counter-clockwise to show it upright
                    pixels = np.ascontiguousarray(np.rot90(pixels, k=quarter))
                yield Frame(time=float(t), pixels=pixels)
        except _foreign(av) as exc:
            if decoded == 0:
                raise InputError(f"{path} could not be decoded ({exc}). Expected {ACCEPTED_VIDEO_INPUTS}.") from None
            # a file damaged part-way: keep what was decoded, say where it broke off
            state["damage"] = f"the video breaks off at {last or 0.0:.2f} s (corrupt or truncated: {exc})"
            return
        if decoded == 0 and lo == 0:
            raise InputError(f"{path} holds no decodable video frame. Expected {ACCEPTED_VIDEO_INPUTS}.")
        # FFmpeg ends a cut-off file quietly: compare the last frame with the length the header declares
        until = min(hi, declared) if declared > 0 else hi
        if last is not None and math.isfinite(until) and last < until - max(3.0 / rate, 0.5):
            state["damage"] = (
                f"the video breaks off at {last:.2f} s of the {declared:.2f} s its header declares (truncated?)"
            )
    finally:
        container.close()


def write_test_video(
    file: str | os.PathLike[str],
    frames: Iterable[np.ndarray],
    *,
    fps: int = 25,
    audio: np.ndarray | None = None,
    sampling_rate: int = 16_000,
    rotation: int = 0,
) -> Path:
    """Write RGB frames (and optionally mono float audio) to an H.264/AAC MP4 — for tests, demos and benchmarks.

    Parameters
    ----------
    file : path-like
        Output ``.mp4``.
    frames : iterable of ndarray (height, width, 3) uint8
        Frames; height and width must be even.
    fps : int
        Frame rate.
    audio : ndarray of shape (n,), optional
        Mono float audio in [-1, 1].
    sampling_rate : int
        Rate of ``audio``.
    rotation : int
        Display rotation to store (degrees counter-clockwise, as phones write for portrait videos).

    Returns
    -------
    pathlib.Path
    """
    av = _av()
    path = Path(file)
    pcm = None if audio is None else np.clip(np.asarray(audio, dtype=np.float32), -1, 1)
    # faststart: the index goes before the frames, so a copy cut off part-way still plays up to the cut
    with av.open(str(path), mode="w", options={"movflags": "faststart"}) as out:
        vs = None
        a_stream = out.add_stream("aac", rate=sampling_rate, layout="mono") if pcm is not None else None
        written = 0  # audio samples muxed so far: audio is interleaved with the video, frame by frame

        def mux_audio(upto: int) -> None:
            nonlocal written
            if a_stream is None or pcm is None:
                return
            while written < min(upto, len(pcm)):
                k = min(written + 1024, len(pcm), upto)
                af = av.AudioFrame.from_ndarray(pcm[None, written:k].copy(), format="fltp", layout="mono")
                af.sample_rate, af.pts = sampling_rate, written
                out.mux(a_stream.encode(af))
                written = k

        for i, px in enumerate(frames):
            if vs is None:
                vs = out.add_stream("libx264", rate=fps)
                vs.width, vs.height, vs.pix_fmt = px.shape[1], px.shape[0], "yuv420p"
                vs.options = {"preset": "ultrafast", "crf": "28"}
                if rotation:
                    vs.set_display_rotation(rotation)
            frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(px), format="rgb24")
            frame.pts = i
            out.mux(vs.encode(frame))
            mux_audio(round((i + 1) / fps * sampling_rate))
        if vs is not None:
            out.mux(vs.encode(None))
        if a_stream is not None and pcm is not None:
            mux_audio(len(pcm))
            out.mux(a_stream.encode(None))
    return path
