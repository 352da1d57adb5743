"""Shared fixtures: small inputs generated on the fly (no ../shared data needed)."""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _fresh_recognizers_after_monkeypatching(request):
    """A test that monkeypatches may have put a stand-in recognizer into the router's cache: drop it after."""
    yield
    if "monkeypatch" in request.fixturenames:
        from affectscope.pipeline import default_cache

        default_cache().clear()


@pytest.fixture(scope="session")
def text_recognizer():
    from affectscope.recognizers.text import TextRecognizer

    return TextRecognizer(batch_size=16, num_threads=2)


@pytest.fixture
def notes_file(tmp_path):
    p = tmp_path / "notes.txt"
    p.write_text(
        "I finally got the job! I am so happy.\nBut my cat died last night and I miss her terribly.\n",
        encoding="utf-8",
    )
    return p


SPEECH_DATA = __import__("pathlib").Path(__file__).parent / "data" / "speech"


@pytest.fixture(scope="session")
def speech_fixture():
    """Path of a synthetic speech clip (espeak-ng, see tests/data/speech/make_fixtures.sh)."""
    return lambda name: SPEECH_DATA / f"{name}.flac"


@pytest.fixture(scope="session")
def speech_recognizer():
    from affectscope.recognizers.speech import SpeechRecognizer

    return SpeechRecognizer(num_threads=2)


@pytest.fixture(scope="session")
def astronaut():
    """scikit-image's astronaut photo (Eileen Collins, NASA, public domain): a real, clearly smiling face; 256 px."""
    data = pytest.importorskip("skimage.data")
    from PIL import Image

    return __import__("numpy").asarray(Image.fromarray(data.astronaut()).resize((256, 256), Image.BILINEAR))


@pytest.fixture(scope="session")
def face_recognizer():
    pytest.importorskip("mediapipe")
    from affectscope.recognizers.face import FaceRecognizer

    rec = FaceRecognizer(num_threads=2)
    yield rec
    rec.close()
