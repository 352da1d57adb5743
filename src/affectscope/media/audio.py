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

import contextlib
import importlib.util
import io
import os
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from affectscope._validation import check_span
from affectscope.errors import ConfigError, DependencyError, InputError
from affectscope.media._files import DECODER_ERRORS, existing_file

__all__ = ["ACCEPTED_AUDIO_INPUTS", "MEDIA_SUFFIXES", "SAMPLING_RATE", "Signal", "iter_audio_blocks", "load_audio"]

SAMPLING_RATE = 16_000
ACCEPTED_AUDIO_INPUTS = (
    "a path to an audio file (wav, flac, ogg, mp3, aiff, ...), bytes or a binary file object holding one, "
    "a tuple (array, sampling_rate), or a dict with 'array' and 'sampling_rate' (or 'path')"
)
_BLOCK_SECONDS = 30
_BLOCK_VALUES = 30 * 48_000 * 2  # at most this many samples (all channels) per decoded block
_MAX_RATE = 768_000  # the highest sampling rate a real file uses (DXD is 352.8 kHz)
_MAX_CHANNELS = 64
# What decoders raise on bad bytes (libsndfile, PyAV/FFmpeg, struct unpacking, short reads): turned into InputError.
_FOREIGN = DECODER_ERRORS
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
    note : str or None
        Where a damaged file broke off (the samples are the audio before the damage), else ``None``.
    """

    samples: np.ndarray
    sampling_rate: int
    source: str
    note: str | None = None

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
    try:
        a = np.asarray(array)
    except (ValueError, TypeError, MemoryError) as exc:
        raise InputError(f"{name}: could not be read as an array of samples ({exc}).") from None
    if not isinstance(sr, int | np.integer) or isinstance(sr, bool) or not 1 <= sr <= _MAX_RATE:
        raise InputError(f"{name}: the sampling rate must be a positive int up to {_MAX_RATE}; got {sr!r}.")
    if a.ndim not in (1, 2) or a.size == 0:
        raise InputError(
            f"{name}: expected a non-empty array of shape (samples,) or (samples, channels); got {a.shape}."
        )
    if a.ndim == 2 and a.shape[1] > _MAX_CHANNELS:
        raise InputError(f"{name}: {a.shape[1]} channels; at most {_MAX_CHANNELS} (shape (samples, channels)).")
    if not (np.issubdtype(a.dtype, np.floating) or np.issubdtype(a.dtype, np.integer)):
        raise InputError(f"{name}: expected float or integer PCM samples; got dtype {a.dtype}.")
    if np.issubdtype(a.dtype, np.floating) and not np.isfinite(a).all():
        raise InputError(f"{name}: the array holds NaN or infinite values.")
    step = int(sr) * _BLOCK_SECONDS
    return int(sr), (a[i : i + step] for i in range(0, len(a), step))


class _Blocks:
    """An iterator of decoded blocks that remembers where (and why) the decoding of a damaged file stopped.

    ``damage`` is ``None`` while the stream is sound; a file that breaks off after some audio was decoded keeps
    that audio (the iteration just ends) and ``damage`` says where it broke off. A file that is damaged before
    its first sample raises :class:`InputError` instead.
    """

    def __init__(self, gen: Callable[[_Blocks], Iterator[np.ndarray]], closer: Callable[[], Any]) -> None:
        self.damage: str | None = None
        self._it = gen(self)
        self._closer = closer

    def __iter__(self) -> _Blocks:
        return self

    def __next__(self) -> np.ndarray:
        return next(self._it)

    def close(self) -> None:
        """Stop decoding and close the file (also when the iteration never started)."""
        self._it.close()  # type: ignore[attr-defined]
        with contextlib.suppress(*_FOREIGN):  # already closed, or the decoder is in a bad state
            self._closer()


def _checked(block: np.ndarray, name: str, pos: int, rate: int) -> np.ndarray:
    """Refuse a decoded block holding NaN or infinite samples (float files can store them)."""
    if block.dtype.kind == "f" and not np.isfinite(block).all():
        bad = int(np.flatnonzero(~np.isfinite(block).all(axis=-1) if block.ndim == 2 else ~np.isfinite(block))[0])
        raise InputError(
            f"{name} holds NaN or infinite samples (the first at {(pos + bad) / rate:.3f} s); "
            "expected finite audio samples."
        )
    return block


def _wav_declared_bytes(obj: Any) -> int | None:
    """Return the size of a WAV file's ``data`` chunk as its header declares it (None: not a WAV, or unknown).

    libsndfile sizes a cut-off WAV by what is there, so this is how a truncated WAV is told from a short one.
    """
    try:
        if isinstance(obj, str):
            with open(obj, "rb") as fh:
                head = fh.read(1 << 16)
        elif hasattr(obj, "getbuffer"):
            head = bytes(obj.getbuffer()[: 1 << 16])
        else:
            return None
    except OSError:
        return None
    if head[:4] != b"RIFF" or head[8:12] != b"WAVE":
        return None
    pos = 12
    while pos + 8 <= len(head):
        kind, size = head[pos : pos + 4], struct.unpack("<I", head[pos + 4 : pos + 8])[0]
        if kind == b"data":
            return None if size in (0, 0xFFFFFFFF) else size  # 0/-1: written by a streaming encoder
        pos += 8 + size + (size & 1)
    return None


def _is_mp3(obj: Any) -> bool:
    """Whether ``obj`` (a path or a seekable binary file) is named or starts like MP3 (ID3 tag or frame sync)."""
    try:
        if isinstance(obj, str | os.PathLike):
            if Path(obj).suffix.lower() in (".mp3", ".mp2", ".mpga"):
                return True
            with open(obj, "rb") as fh:
                head = fh.read(3)
        elif hasattr(obj, "seek") and hasattr(obj, "tell"):
            at = obj.tell()
            head = obj.read(3)
            obj.seek(at)
        else:
            return False
    except _FOREIGN:
        return False
    return head[:3] == b"ID3" or (len(head) >= 2 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0)


def _file_blocks(obj: Any, name: str) -> tuple[int, Iterator[np.ndarray]]:
    # MP3 goes to FFmpeg when PyAV is installed: libsndfile's mpg123 writes its warnings about damaged streams
    # straight to the process's stderr, which no caller can catch (and a CLI must print one line).
    if _is_mp3(obj) and importlib.util.find_spec("av") is not None:
        return _av_blocks(obj, name, reason="MP3 is decoded by FFmpeg")
    sf = _soundfile()
    try:
        f = sf.SoundFile(obj)
    except _FOREIGN as exc:
        try:
            if hasattr(obj, "seek"):
                obj.seek(0)
        except _FOREIGN:
            raise InputError(f"{name} could not be decoded as audio ({exc}).") from None
        return _av_blocks(obj, name, reason=str(exc))
    try:
        rate, frames, channels = int(f.samplerate), int(f.frames), int(f.channels)
    except _FOREIGN as exc:
        f.close()
        raise InputError(f"{name} could not be decoded as audio ({exc}). Expected {ACCEPTED_AUDIO_INPUTS}.") from None
    if not 1 <= rate <= _MAX_RATE or not 1 <= channels <= _MAX_CHANNELS:
        f.close()
        raise InputError(
            f"{name} declares {rate} Hz and {channels} channel(s); expected 1–{_MAX_RATE} Hz and 1–{_MAX_CHANNELS} "
            "channels (a corrupt header?)."
        )
    if frames == 0:
        f.close()
        raise InputError(f"{name} holds no audio samples (0 frames).")
    declared = _wav_declared_bytes(obj)
    width = {"PCM_U8": 1, "PCM_S8": 1, "PCM_16": 2, "PCM_24": 3, "PCM_32": 4, "FLOAT": 4, "DOUBLE": 8}
    per_frame = width.get(str(getattr(f, "subtype", "")), 0) * channels
    declared_frames = declared // per_frame if declared and per_frame else frames

    def gen(state: _Blocks) -> Iterator[np.ndarray]:
        step = min(rate * _BLOCK_SECONDS, max(1, _BLOCK_VALUES // channels))
        pos = 0
        with f:
            while True:
                try:
                    block = f.read(step, dtype="float32", always_2d=True)
                except _FOREIGN as exc:
                    if pos == 0:
                        raise InputError(f"{name} is corrupt or truncated: {exc}") from None
                    state.damage = f"the audio breaks off at {pos / rate:.2f} s (corrupt or truncated: {exc})"
                    return
                if not len(block):
                    if pos == 0:
                        raise InputError(f"{name} holds no audio samples (0 frames decoded).")
                    promised = max(frames, declared_frames)
                    if pos < promised - rate // 10:  # the header promised more than the data holds
                        state.damage = (
                            f"the audio breaks off at {pos / rate:.2f} s of the {promised / rate:.2f} s its header "
                            "declares (truncated?)"
                        )
                    return
                yield _checked(block, name, pos, rate)
                pos += len(block)

    return rate, _Blocks(gen, f.close)


def _av_blocks(obj: Any, name: str, *, reason: str) -> tuple[int, Iterator[np.ndarray]]:
    """Decode the first audio stream of any container FFmpeg reads (m4a/aac, mp4, mkv, webm, ...) with PyAV."""
    try:
        import av
    except ImportError:
        raise InputError(
            f"{name} could not be decoded as audio ({reason}). Expected {ACCEPTED_AUDIO_INPUTS}; m4a/aac and "
            "video containers need PyAV: pip install 'affectscope[speech]'."
        ) from None
    container = None
    try:
        container = av.open(obj, mode="r", metadata_errors="ignore")
        stream = next((st for st in container.streams if st.type == "audio"), None)
        if stream is None:
            raise InputError(f"{name} has no audio track (a video without sound, or not a media file).")
        ctx = stream.codec_context
        rate = int(getattr(ctx, "sample_rate", 0) or getattr(stream, "sample_rate", 0) or 0)
        channels = int(getattr(ctx, "channels", 0) or 1)
        if not 1 <= rate <= _MAX_RATE:
            raise InputError(
                f"{name}: the audio track declares {rate} Hz; expected 1–{_MAX_RATE} Hz "
                "(a corrupt file, or a format this decoder does not support)."
            )
        if channels > _MAX_CHANNELS:
            raise InputError(f"{name}: the audio track declares {channels} channels; at most {_MAX_CHANNELS}.")
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
    except InputError:
        if container is not None:
            container.close()
        raise
    except (av.error.FFmpegError, *_FOREIGN) as exc:
        if container is not None:
            container.close()
        raise InputError(
            f"{name} could not be decoded as audio or video ({exc}). Expected {ACCEPTED_AUDIO_INPUTS}."
        ) from None

    def gen(state: _Blocks) -> Iterator[np.ndarray]:
        n = 0

        def frames() -> Iterator[Any]:
            for frame in container.decode(stream):
                yield from resampler.resample(frame)
            yield from resampler.resample(None)

        with container:
            it = frames()
            while True:
                try:
                    out = next(it, None)
                    if out is None:
                        break
                    block = np.asarray(out.to_ndarray(), dtype=np.float32).reshape(-1)
                except (av.error.FFmpegError, *_FOREIGN) as exc:
                    if n == 0:
                        raise InputError(f"{name} is corrupt or truncated: {exc}") from None
                    state.damage = f"the audio breaks off at {n / rate:.2f} s (corrupt or truncated: {exc})"
                    return
                yield _checked(block, name, n, rate)
                n += len(block)
        if n == 0:
            raise InputError(f"{name} holds no audio samples (0 frames).")

    return rate, _Blocks(gen, container.close)


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
        path = existing_file(obj, accepted=ACCEPTED_AUDIO_INPUTS, allow_empty=False)
        name = source or str(path)
        return (name, *_file_blocks(str(path), name))
    if isinstance(obj, bytes | bytearray | memoryview):
        name = source or "bytes"
        if not len(obj):
            raise InputError(f"{name} is empty (0 bytes). Expected {ACCEPTED_AUDIO_INPUTS}.")
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
        The input's name and its blocks (about 30 s each). The file's header is read here, so a missing, empty
        or undecodable file fails at once; the samples are decoded as the blocks are consumed. A file damaged
        part-way yields the audio before the damage and then stops: the iterator's ``damage`` attribute is
        ``None``, or says where the file broke off (read it after the iteration).

    Raises
    ------
    InputError
        Missing, undecodable, empty or malformed input, or samples that are NaN or infinite (raised by the
        iterator, at the block that holds them).

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
    return name, _Resampled(blocks, rate, sampling_rate)


class _Resampled:
    """Mono float32 blocks at the target rate; ``damage`` is the decoder's (see :func:`iter_audio_blocks`)."""

    def __init__(self, blocks: Iterator[np.ndarray], rate: int, target: int) -> None:
        self._blocks = blocks
        self._it = _resampled(blocks, rate, target)

    @property
    def damage(self) -> str | None:
        """Where a damaged file broke off, or ``None``."""
        return getattr(self._blocks, "damage", None)

    def __iter__(self) -> _Resampled:
        return self

    def __next__(self) -> np.ndarray:
        return next(self._it)

    def close(self) -> None:
        """Stop decoding and close the file."""
        self._it.close()  # type: ignore[attr-defined]
        close = getattr(self._blocks, "close", None)
        if close is not None:
            close()


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
        Keep only this span, in seconds (finite, ``0 <= start < end``).

    Returns
    -------
    Signal

    Raises
    ------
    ConfigError
        ``start``/``end`` NaN, infinite, negative or out of order.
    InputError
        Bad input (see :func:`iter_audio_blocks`), or ``start`` past the end of the audio.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(16000) / 16000
    >>> load_audio((np.sin(2 * np.pi * 440 * t), 16000), start=0.25, end=0.75).duration
    0.5
    """
    lo_s, hi_s = check_span(start, end, func="load_audio")
    name, blocks = iter_audio_blocks(obj, sampling_rate=sampling_rate, source=source)
    lo = 0 if lo_s is None else round(lo_s * sampling_rate)
    hi = None if hi_s is None else round(hi_s * sampling_rate)
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
        raise InputError(
            f"{name}: start {lo_s:g} s is past the end of the audio ({pos / sampling_rate:.2f} s); "
            "expected a start inside the recording."
        )
    return Signal(samples, sampling_rate, name, note=getattr(blocks, "damage", None))
