"""Audio input normalisation: any supported input → 16 kHz mono float32, streamed in blocks.

One normaliser, :func:`iter_audio_blocks`, accepts every supported form of audio input and yields mono
float32 blocks at the target rate, so an hour-long file never sits in memory whole; :func:`load_audio` collects
them into a :class:`Signal` for short inputs. Decoding uses soundfile (libsndfile: WAV, FLAC, OGG/Vorbis/Opus,
MP3, AIFF, ...), or PyAV (FFmpeg) for what libsndfile cannot read — m4a/aac and the audio track of video
files — when the ``speech`` extra is installed; resampling uses soxr's streaming resampler.

Accepted inputs
---------------
* ``pathlib.Path`` / ``str`` path / ``os.PathLike`` to an audio file;
* ``bytes`` or a binary file object holding an encoded audio file;
* a tuple ``(array, sampling_rate)`` or a dict ``{"array": ..., "sampling_rate": ...}`` (array of shape
  ``(samples,)`` or ``(samples, channels)``, float or int PCM);
* a dict ``{"path": ...}``.

Examples
--------
>>> import numpy as np
>>> sig = load_audio((np.zeros(8000, dtype=np.float32), 8000))
>>> sig.sampling_rate, sig.samples.shape, sig.duration
(16000, (16000,), 1.0)
"""

from __future__ import annotations

import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from affectscope.errors import ConfigError, DependencyError, InputError
from affectscope.media._files import existing_file

__all__ = ["ACCEPTED_AUDIO_INPUTS", "MEDIA_SUFFIXES", "SAMPLING_RATE", "Signal", "iter_audio_blocks", "load_audio"]

SAMPLING_RATE = 16_000
ACCEPTED_AUDIO_INPUTS = (
    "a path to an audio file (wav, flac, ogg, mp3, aiff, ...), bytes or a binary file object holding one, "
    "a tuple (array, sampling_rate), or a dict with 'array' and 'sampling_rate' (or 'path')"
)
_BLOCK_SECONDS = 30
#: File suffixes routed to the speech pipeline by ``affectscope analyze`` (audio, and video for its audio track).
MEDIA_SUFFIXES = frozenset(
    [
        ".wav",
        ".flac",
        ".ogg",
        ".oga",
        ".opus",
        ".mp3",
        ".aif",
        ".aiff",
        ".m4a",
        ".aac",
        ".wma",
        ".mp4",
        ".m4v",
        ".mov",
        ".mkv",
        ".webm",
        ".avi",
    ]
)


@dataclass(frozen=True)
class Signal:
    """A mono float32 signal.

    Attributes
    ----------
    samples : ndarray of shape (n,)
        Float32 samples in [-1, 1].
    sampling_rate : int
        Samples per second.
    source : str
        Name of the input (file path, or ``"array"`` / ``"bytes"``).
    """

    samples: np.ndarray
    sampling_rate: int
    source: str

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.sampling_rate


def _soundfile() -> Any:
    try:
        import soundfile
    except ImportError as exc:  # pragma: no cover - a base dependency
        raise DependencyError("Reading audio needs soundfile: pip install soundfile") from exc
    return soundfile


def _to_mono_float(block: np.ndarray) -> np.ndarray:
    a = np.asarray(block)
    if a.ndim == 2:
        a = a.mean(axis=1) if a.shape[1] > 1 else a[:, 0]
    if np.issubdtype(a.dtype, np.integer):
        a = a.astype(np.float32) / float(np.iinfo(a.dtype).max)
    return a.astype(np.float32, copy=False)


def _array_blocks(array: Any, sr: Any, name: str) -> tuple[int, Iterator[np.ndarray]]:
    a = np.asarray(array)
    if not isinstance(sr, int | np.integer) or isinstance(sr, bool) or sr <= 0:
        raise InputError(f"{name}: the sampling rate must be a positive int; got {sr!r}.")
    if a.ndim not in (1, 2) or a.size == 0:
        raise InputError(
            f"{name}: expected a non-empty array of shape (samples,) or (samples, channels); got {a.shape}."
        )
    if not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
        raise InputError(f"{name}: expected float or integer PCM samples; got dtype {a.dtype}.")
    if np.issubdtype(a.dtype, np.floating) and not np.isfinite(a).all():
        raise InputError(f"{name}: the array holds NaN or infinite values.")
    step = int(sr) * _BLOCK_SECONDS
    return int(sr), (a[i : i + step] for i in range(0, len(a), step))


def _file_blocks(obj: Any, name: str) -> tuple[int, Iterator[np.ndarray]]:
    sf = _soundfile()
    try:
        f = sf.SoundFile(obj)
    except (sf.LibsndfileError, RuntimeError, TypeError) as exc:
        if hasattr(obj, "seek"):
            obj.seek(0)
        return _av_blocks(obj, name, reason=str(exc))
    if f.frames == 0:
        f.close()
        raise InputError(f"{name} holds no audio samples (0 frames).")

    def gen() -> Iterator[np.ndarray]:
        with f:
            step = f.samplerate * _BLOCK_SECONDS
            while True:
                try:
                    block = f.read(step, dtype="float32", always_2d=True)
                except (sf.LibsndfileError, RuntimeError) as exc:
                    raise InputError(f"{name} is corrupt or truncated: {exc}") from None
                if not len(block):
                    return
                yield block

    return f.samplerate, gen()


def _av_blocks(obj: Any, name: str, *, reason: str) -> tuple[int, Iterator[np.ndarray]]:
    """Decode the first audio stream of any container FFmpeg reads (m4a/aac, mp4, mkv, webm, ...) with PyAV."""
    try:
        import av
    except ImportError:
        raise InputError(
            f"{name} could not be decoded as audio ({reason}). Expected {ACCEPTED_AUDIO_INPUTS}; m4a/aac and "
            "video containers need PyAV: pip install 'affectscope[speech]'."
        ) from None
    try:
        container = av.open(obj)
        stream = next((st for st in container.streams if st.type == "audio"), None)
    except (av.error.FFmpegError, OSError, ValueError) as exc:
        raise InputError(
            f"{name} could not be decoded as audio or video ({exc}). Expected {ACCEPTED_AUDIO_INPUTS}."
        ) from None
    if stream is None:
        container.close()
        raise InputError(f"{name} has no audio track (a video without sound, or not a media file).")
    rate = int(stream.rate or stream.codec_context.sample_rate or 0)
    if rate <= 0:
        container.close()
        raise InputError(f"{name}: the audio track has no sampling rate.")
    resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)

    def gen() -> Iterator[np.ndarray]:
        n = 0
        try:
            with container:
                for frame in container.decode(stream):
                    for out in resampler.resample(frame):
                        block = out.to_ndarray().reshape(-1)
                        n += len(block)
                        yield block
                for out in resampler.resample(None):
                    block = out.to_ndarray().reshape(-1)
                    n += len(block)
                    yield block
        except av.error.FFmpegError as exc:
            raise InputError(f"{name} is corrupt or truncated: {exc}") from None
        if n == 0:
            raise InputError(f"{name} holds no audio samples (0 frames).")

    return rate, gen()


def _open(obj: Any, source: str | None) -> tuple[str, int, Iterator[np.ndarray]]:
    if isinstance(obj, dict):
        if "array" in obj:
            name = source or obj.get("source", "array")
            return (name, *_array_blocks(obj["array"], obj.get("sampling_rate"), name))
        if "path" in obj:
            return _open(Path(obj["path"]), source or obj.get("source"))
        raise InputError(f"An audio dict needs 'array' + 'sampling_rate' or 'path'; got keys {sorted(obj)}.")
    if isinstance(obj, tuple) and len(obj) == 2:
        name = source or "array"
        return (name, *_array_blocks(obj[0], obj[1], name))
    if isinstance(obj, np.ndarray):
        raise InputError("A bare array has no sampling rate: pass (array, sampling_rate).")
    if isinstance(obj, str | os.PathLike):
        path = existing_file(obj, accepted=ACCEPTED_AUDIO_INPUTS)
        name = source or str(path)
        return (name, *_file_blocks(str(path), name))
    if isinstance(obj, bytes | bytearray | memoryview):
        name = source or "bytes"
        return (name, *_file_blocks(io.BytesIO(bytes(obj)), name))
    if hasattr(obj, "read"):
        name = source or str(getattr(obj, "name", "stream"))
        return (name, *_file_blocks(obj, name))
    raise InputError(f"Unsupported audio input of type {type(obj).__name__}. Expected {ACCEPTED_AUDIO_INPUTS}.")


def iter_audio_blocks(
    obj: Any, *, sampling_rate: int = SAMPLING_RATE, source: str | None = None
) -> tuple[str, Iterator[np.ndarray]]:
    """Open an audio input and return its name and an iterator of mono float32 blocks at ``sampling_rate``.

    Parameters
    ----------
    obj : path, bytes, file object, (array, rate) tuple or dict
        The input; see the module docstring.
    sampling_rate : int
        Target rate in Hz (16 kHz by default).
    source : str, optional
        Name used in results.

    Returns
    -------
    tuple of (str, iterator of ndarray)
        The input's name and its blocks (about 30 s each).

    Raises
    ------
    InputError
        Missing, undecodable, empty or malformed input.

    Examples
    --------
    >>> import numpy as np
    >>> name, blocks = iter_audio_blocks((np.ones((48000, 2), dtype=np.int16), 48000))
    >>> name, sum(len(b) for b in blocks)
    ('array', 16000)
    """
    if not isinstance(sampling_rate, int) or isinstance(sampling_rate, bool) or not 1000 <= sampling_rate <= 192000:
        raise ConfigError(f"The 'sampling_rate' parameter must be an int in [1000, 192000]. Got {sampling_rate!r}.")
    name, rate, blocks = _open(obj, source)
    return name, _resampled(blocks, rate, sampling_rate)


def _resampled(blocks: Iterator[np.ndarray], rate: int, target: int) -> Iterator[np.ndarray]:
    if rate == target:
        for b in blocks:
            yield _to_mono_float(b)
        return
    import soxr

    stream = soxr.ResampleStream(rate, target, 1, dtype="float32", quality="HQ")
    for b in blocks:
        out = stream.resample_chunk(_to_mono_float(b))
        if len(out):
            yield out
    tail = stream.resample_chunk(np.zeros(0, dtype=np.float32), last=True)
    if len(tail):
        yield tail


def load_audio(
    obj: Any,
    *,
    sampling_rate: int = SAMPLING_RATE,
    source: str | None = None,
    start: float | None = None,
    end: float | None = None,
) -> Signal:
    """Read a whole audio input (or ``[start, end)`` seconds of it) as one mono float32 :class:`Signal`.

    Parameters
    ----------
    obj : path, bytes, file object, (array, rate) tuple or dict
        The input; see the module docstring.
    sampling_rate : int
        Target rate in Hz.
    source : str, optional
        Name used in results.
    start, end : float, optional
        Keep only this span, in seconds.

    Returns
    -------
    Signal

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(16000) / 16000
    >>> load_audio((np.sin(2 * np.pi * 440 * t), 16000), start=0.25, end=0.75).duration
    0.5
    """
    name, blocks = iter_audio_blocks(obj, sampling_rate=sampling_rate, source=source)
    lo = 0 if start is None else round(start * sampling_rate)
    hi = None if end is None else round(end * sampling_rate)
    if lo < 0 or (hi is not None and hi <= lo):
        raise ConfigError(f"'start' and 'end' must satisfy 0 <= start < end. Got start={start}, end={end}.")
    parts, pos = [], 0
    for b in blocks:
        a, z = max(lo - pos, 0), len(b) if hi is None else min(hi - pos, len(b))
        if z > a:
            parts.append(b[a:z])
        pos += len(b)
        if hi is not None and pos >= hi:
            break
    samples = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    if not len(samples):
        raise InputError(f"{name}: no samples between {start} s and {end} s (it lasts {pos / sampling_rate:.2f} s).")
    return Signal(samples, sampling_rate, name)
