import math

import numpy as np
import pytest

from affectscope.recognizers.speech.prosody import (
    PROSODY_FEATURES,
    pitch_track,
    prosody,
    prosody_features,
    relative_to_baseline,
)

T = np.arange(32000) / 16000


@pytest.mark.parametrize("f0", [70, 110, 150, 220, 330, 450])
def test_pitch_of_harmonic_tones(f0):
    y = 0.3 * np.sin(2 * np.pi * f0 * T) + 0.15 * np.sin(2 * np.pi * 2 * f0 * T) + 0.1 * np.sin(2 * np.pi * 3 * f0 * T)
    track = pitch_track(y.astype(np.float32))
    assert np.nanmedian(track) == pytest.approx(f0, rel=0.01)
    assert np.mean(np.isnan(track)) < 0.05


def test_noise_and_silence_are_unvoiced():
    assert np.isnan(pitch_track(np.zeros(16000))).all()
    noise = 0.1 * np.random.default_rng(1).standard_normal(32000)
    assert np.mean(np.isnan(pitch_track(noise))) > 0.9
    p = prosody(np.zeros(16000, np.float32))
    assert math.isnan(p["pitch_hz"])
    assert p["loudness_db"] == pytest.approx(-200)


def test_loudness_and_rate():
    assert prosody(0.5 * np.sin(2 * np.pi * 200 * T))["loudness_db"] == pytest.approx(
        20 * math.log10(0.5 / math.sqrt(2)), abs=0.1
    )
    # 4 "syllables" per second: a 150 Hz tone gated on and off every 125 ms
    gate = (np.floor(T * 8) % 2 == 0).astype(float)
    y = (0.3 * np.sin(2 * np.pi * 150 * T) * gate).astype(np.float32)
    assert prosody(y)["rate_sps"] == pytest.approx(4, abs=0.6)


def test_features_ignore_gain():
    y = (0.2 * np.sin(2 * np.pi * (150 + 30 * np.sin(2 * np.pi * 2 * T)) * T)).astype(np.float32)
    a, b = prosody_features(y), prosody_features(0.05 * y)
    assert a.shape == (len(PROSODY_FEATURES),)
    np.testing.assert_allclose(a, b, atol=1e-3)


def test_relative_to_baseline_handles_unvoiced():
    rows = [
        {"pitch_hz": 100.0, "loudness_db": -20.0, "rate_sps": 4.0},
        {"pitch_hz": math.nan, "loudness_db": -30.0, "rate_sps": 0.0},
        {"pitch_hz": 200.0, "loudness_db": -25.0, "rate_sps": 2.0},
    ]
    rel = relative_to_baseline(rows)
    assert math.isnan(rel[1]["pitch_rel_st"])
    assert rel[2]["pitch_rel_st"] == pytest.approx(12 * math.log2(200 / 150))
    assert rel[0]["loudness_rel_db"] == 5.0
