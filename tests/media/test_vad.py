"""Voice activity segmentation on synthetic voiced speech (formant-filtered pulse trains, 4 Hz syllables)."""

import numpy as np
import pytest
from scipy.signal import lfilter

from affectscope.errors import ConfigError
from affectscope.media import vad as mvad
from affectscope.media.vad import cut_segments, detect_speech, shape_segments

SR = 16000


def vowel(seconds, f0=130.0):
    t = np.arange(int(seconds * SR)) / SR
    phase = 2 * np.pi * np.cumsum(f0 * (1 + 0.1 * np.sin(2 * np.pi * 3 * t))) / SR
    y = sum(np.sin(k * phase) / k for k in range(1, 30))
    for formant, bandwidth in [(700, 130), (1220, 70), (2600, 160)]:
        r = np.exp(-np.pi * bandwidth / SR)
        y = lfilter([1 - r], [1, -2 * r * np.cos(2 * np.pi * formant / SR), r * r], y)
    env = 0.5 * (1 + np.sin(2 * np.pi * 4 * t - np.pi / 2))
    return (0.5 * y * env / np.abs(y).max()).astype(np.float32)


def recording(layout):
    """layout: list of (kind, seconds) with kind 'speech' or 'silence'."""
    rng = np.random.default_rng(0)
    parts = [vowel(sec) if kind == "speech" else np.zeros(int(sec * SR), np.float32) for kind, sec in layout]
    y = np.concatenate(parts)
    return y + 0.001 * rng.standard_normal(len(y)).astype(np.float32)


def blocks(y, seconds=7):
    step = int(seconds * SR)
    return [y[i : i + step] for i in range(0, len(y), step)]


def test_speech_is_found_where_it_is():
    y = recording([("silence", 2), ("speech", 3), ("silence", 3), ("speech", 2), ("silence", 1)])
    spans = detect_speech(blocks(y))
    assert len(spans) == 2
    (s1, e1), (s2, e2) = spans
    assert abs(s1 - 2) < 0.4
    assert abs(e1 - 5) < 0.4
    assert abs(s2 - 8) < 0.4
    assert abs(e2 - 10) < 0.4


def test_silence_and_noise_give_no_segments():
    assert detect_speech(blocks(np.zeros(5 * SR, np.float32))) == []
    noise = 0.01 * np.random.default_rng(1).standard_normal(5 * SR).astype(np.float32)
    assert detect_speech(blocks(noise)) == []


def test_streaming_windows_match_one_pass(monkeypatch):
    y = recording([("silence", 1), ("speech", 4), ("silence", 2), ("speech", 3), ("silence", 1), ("speech", 2)])
    monkeypatch.setattr(mvad, "_WINDOW_S", 5.0)  # force several windows with carried-over speech
    streamed = detect_speech(blocks(y, seconds=2))
    monkeypatch.setattr(mvad, "_WINDOW_S", 1e9)
    whole = detect_speech([y])
    assert len(streamed) == len(whole)
    assert np.allclose(np.array(streamed), np.array(whole), atol=0.15)


def test_shape_merges_splits_and_never_drops_speech():
    out = shape_segments([(0.0, 0.4), (0.6, 2.0), (3.5, 25.0), (40.0, 40.3)], duration=41.0)
    assert out[0] == (0.0, 2.0)
    assert all(e - s <= 10.0 + 1e-9 for s, e in out)
    assert out[-1] == (40.0, 40.3)  # isolated short speech is kept
    assert sum(e - s for s, e in out) == pytest.approx(2.0 + 21.5 + 0.3, abs=0.01)
    with pytest.raises(ConfigError):
        shape_segments([], duration=1.0, min_duration=5, max_duration=2)


def test_cut_segments_across_block_boundaries():
    y = np.arange(5 * SR, dtype=np.float32)
    cuts = list(cut_segments(blocks(y, seconds=0.7), [(0.5, 1.5), (2.0, 4.9)]))
    assert [(s, e) for s, e, _ in cuts] == [(0.5, 1.5), (2.0, 4.9)]
    assert np.array_equal(cuts[0][2], y[8000:24000])
    assert np.array_equal(cuts[1][2], y[32000:78400])
