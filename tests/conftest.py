"""Shared fixtures: small inputs generated on the fly (no ../shared data needed)."""

from __future__ import annotations

import pytest


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
