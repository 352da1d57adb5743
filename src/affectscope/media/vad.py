"""Voice activity segmentation: where in a recording someone speaks, as 1–10 s segments.

Three small steps, each bounded in memory whatever the recording's length:

1. :func:`detect_speech` runs the Silero VAD model shipped inside faster-whisper on ~30 s windows of the
   streamed audio (a rolling buffer carries an unfinished segment into the next window) and returns speech
   spans in seconds;
2. :func:`shape_segments` merges spans separated by short pauses and splits long ones, so segments last
   between ``min_duration`` and ``max_duration`` where the speech allows;
3. :func:`cut_segments` streams the audio a second time and yields each segment's samples.

Examples
--------
>>> shape_segments([(0.0, 0.4), (0.6, 2.0), (3.5, 25.0)], duration=30.0)
[(0.0, 2.0), (3.5, 10.667), (10.667, 17.833), (17.833, 25.0)]
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator

import numpy as np

from affectscope.errors import ConfigError, DependencyError

__all__ = ["cut_segments", "detect_speech", "shape_segments", "trim_silence"]

_WINDOW_S = 30.0
_MARGIN_S = 2.0
_MAX_CARRY_S = 60.0


def _vad():
    try:
        from faster_whisper.vad import VadOptions, get_speech_timestamps
    except ImportError as exc:
        raise DependencyError(
            "Voice activity detection needs faster-whisper: pip install 'affectscope[speech]'."
        ) from exc
    return VadOptions, get_speech_timestamps


def detect_speech(
    blocks: Iterable[np.ndarray],
    *,
    sampling_rate: int = 16_000,
    threshold: float = 0.5,
    min_silence: float = 0.3,
) -> list[tuple[float, float]]:
    """Return the speech spans ``(start, end)`` in seconds of a stream of mono float32 blocks.

    Parameters
    ----------
    blocks : iterable of ndarray
        Mono float32 audio at ``sampling_rate`` (e.g. from :func:`affectscope.media.audio.iter_audio_blocks`).
    sampling_rate : int
        16000 (Silero VAD's rate).
    threshold : float
        Speech probability threshold in (0, 1).
    min_silence : float
        Pauses shorter than this (seconds) do not end a span.

    Returns
    -------
    list of tuple of (float, float)

    Examples
    --------
    >>> import numpy as np
    >>> detect_speech([np.zeros(16000, dtype=np.float32)])
    []
    """
    if sampling_rate != 16_000:
        raise ConfigError(f"The 'sampling_rate' parameter of detect_speech must be 16000. Got {sampling_rate!r}.")
    if not 0 < threshold < 1:
        raise ConfigError(f"The 'threshold' parameter must be a float in (0, 1). Got {threshold!r} instead.")
    vad_options, get_speech_timestamps = _vad()
    opts = vad_options(threshold=threshold, min_silence_duration_ms=int(min_silence * 1000), speech_pad_ms=100)
    sr = sampling_rate
    spans: list[tuple[float, float]] = []
    buf = np.zeros(0, dtype=np.float32)
    offset = 0  # sample index of buf[0] in the recording

    def run(final: bool) -> None:
        nonlocal buf, offset
        stamps = get_speech_timestamps(buf, opts, sampling_rate=sr) if len(buf) else []
        horizon = len(buf) if final else len(buf) - int(_MARGIN_S * sr)
        keep_from = max(horizon, 0)
        for s in stamps:
            if s["end"] < horizon or final:
                spans.append(((offset + s["start"]) / sr, (offset + s["end"]) / sr))
            else:
                keep_from = min(keep_from, s["start"])
                break
        if not final and len(buf) - keep_from > _MAX_CARRY_S * sr:  # endless speech: close it here
            spans.extend(
                ((offset + s["start"]) / sr, (offset + horizon) / sr) for s in stamps if s["start"] >= keep_from
            )
            keep_from = horizon
        buf, offset = buf[keep_from:], offset + keep_from

    for block in blocks:
        buf = np.concatenate([buf, np.asarray(block, dtype=np.float32)])
        if len(buf) >= _WINDOW_S * sr:
            run(final=False)
    run(final=True)
    return _merge_touching(spans)


def _merge_touching(spans: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for s, e in sorted(spans):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out


def shape_segments(
    spans: Iterable[tuple[float, float]],
    *,
    duration: float,
    min_duration: float = 1.0,
    max_duration: float = 10.0,
    merge_gap: float = 0.5,
) -> list[tuple[float, float]]:
    """Merge short pauses and split long speech so segments last ``min_duration``–``max_duration`` seconds.

    Spans closer than ``merge_gap`` are joined while the result stays within ``max_duration``; a span still
    shorter than ``min_duration`` is joined to a neighbour within ``2 * merge_gap`` if that fits, and otherwise
    kept (speech is never dropped); spans longer than ``max_duration`` are cut into equal parts.

    Parameters
    ----------
    spans : iterable of (float, float)
        Speech spans in seconds, sorted.
    duration : float
        Length of the recording (segments are clipped to it).
    min_duration, max_duration : float
        Target segment length bounds.
    merge_gap : float
        Longest pause (seconds) bridged when merging.

    Returns
    -------
    list of tuple of (float, float)
        Rounded to milliseconds.

    Examples
    --------
    >>> shape_segments([(1.0, 1.5)], duration=3.0)
    [(1.0, 1.5)]
    """
    if not 0 < min_duration <= max_duration:
        raise ConfigError(f"Need 0 < min_duration <= max_duration; got {min_duration}, {max_duration}.")
    merged: list[list[float]] = []
    for s, e in spans:
        s, e = max(0.0, s), min(duration, e)
        if e <= s:
            continue
        if merged and s - merged[-1][1] <= merge_gap and e - merged[-1][0] <= max_duration:
            merged[-1][1] = e
        else:
            merged.append([s, e])
    i = 0
    while i < len(merged):  # absorb isolated short spans into a close neighbour when that fits
        s, e = merged[i]
        if e - s < min_duration:
            if i + 1 < len(merged) and merged[i + 1][0] - e <= 2 * merge_gap and merged[i + 1][1] - s <= max_duration:
                merged[i + 1][0] = s
                del merged[i]
                continue
            if i > 0 and s - merged[i - 1][1] <= 2 * merge_gap and e - merged[i - 1][0] <= max_duration:
                merged[i - 1][1] = e
                del merged[i]
                continue
        i += 1
    out = []
    for s, e in merged:
        parts = max(1, math.ceil((e - s) / max_duration - 1e-9))
        step = (e - s) / parts
        out.extend((round(s + k * step, 3), round(s + (k + 1) * step, 3)) for k in range(parts))
    return out


def cut_segments(
    blocks: Iterable[np.ndarray], segments: list[tuple[float, float]], *, sampling_rate: int = 16_000
) -> Iterator[tuple[float, float, np.ndarray]]:
    """Yield ``(start, end, samples)`` for sorted, non-overlapping segments of a stream of audio blocks.

    Parameters
    ----------
    blocks : iterable of ndarray
        Mono audio at ``sampling_rate``.
    segments : list of (float, float)
        Sorted, non-overlapping spans in seconds.
    sampling_rate : int
        Samples per second.

    Yields
    ------
    tuple of (float, float, ndarray)

    Examples
    --------
    >>> import numpy as np
    >>> [(s, e, len(y)) for s, e, y in cut_segments([np.ones(16000), np.ones(16000)], [(0.5, 1.5)])]
    [(0.5, 1.5, 16000)]
    """
    sr = sampling_rate
    bounds = [(s, e, round(s * sr), round(e * sr)) for s, e in segments]
    parts: list[np.ndarray] = []
    pos, k = 0, 0
    for block in blocks:
        b = np.asarray(block, dtype=np.float32)
        end_pos = pos + len(b)
        while k < len(bounds):
            s, e, lo, hi = bounds[k]
            if lo >= end_pos:
                break
            parts.append(b[max(lo - pos, 0) : min(hi - pos, len(b))])
            if hi > end_pos:
                break
            yield s, e, np.concatenate(parts)
            parts, k = [], k + 1
        pos = end_pos
    if k < len(bounds) and parts:
        s, e, _, _ = bounds[k]
        yield s, round(pos / sr, 3), np.concatenate(parts)


def trim_silence(samples: np.ndarray, *, sampling_rate: int = 16_000, threshold: float = 0.5) -> np.ndarray:
    """Cut leading and trailing non-speech from a short utterance (whole array when no speech is found).

    This is how single-utterance corpora (RAVDESS, TESS, ...) are brought to what the product sees: a voice
    segment starts and ends with speech (plus the VAD's 100 ms padding).

    Parameters
    ----------
    samples : ndarray of shape (n,)
        Mono float32 audio at 16 kHz.
    sampling_rate : int
        16000.
    threshold : float
        Speech probability threshold.

    Returns
    -------
    ndarray
        A view of ``samples`` from the first speech onset to the last speech offset.

    Examples
    --------
    >>> import numpy as np
    >>> len(trim_silence(np.zeros(16000, dtype=np.float32)))
    16000
    """
    spans = detect_speech([samples], sampling_rate=sampling_rate, threshold=threshold)
    if not spans:
        return samples
    lo, hi = round(spans[0][0] * sampling_rate), round(spans[-1][1] * sampling_rate)
    return samples[lo:hi] if hi - lo >= sampling_rate // 4 else samples
