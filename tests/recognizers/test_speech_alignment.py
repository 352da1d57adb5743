"""Words land in the voice segment they were spoken in (issue 18, item 8), and speech rows stay inside the audio.

Whisper's word timestamps drift at pauses: on four RAVDESS utterances joined with 1-s pauses, faster-whisper put
a sentence's last word at the *start of the next utterance* (``'Kids are talking by the'`` then ``'door. Kids
are talking by the door.'``). Segments with a pause around them are therefore transcribed one by one, and only
the parts of one long stretch of speech share a transcription, with words placed by overlap.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import soundfile as sf

import affectscope.recognizers.speech.recognizer as speech
from affectscope.errors import ConfigError, InputError
from affectscope.recognizers.speech.recognizer import _assign_words, _units

SR = 16000


def _texts(groups):
    return ["".join(w[2] for w in g).strip() for g in groups]


def test_each_word_goes_to_the_segment_it_overlaps_most():
    bounds = [(0.0, 1.5), (1.5, 3.0), (3.0, 4.5)]  # one stretch of speech cut in three
    words = [(0.1, 0.6, " one"), (1.2, 1.9, " two"), (2.8, 3.1, " three"), (4.0, 4.6, " four")]
    assert _texts(_assign_words(words, bounds)) == ["one", "two three", "four"]  # "three": 0.2 s vs 0.1 s


def test_words_in_a_pause_go_to_the_utterance_before_never_to_a_later_one():
    bounds = [(0.0, 1.48), (4.32, 5.8)]
    # the drift faster-whisper showed: the last word of the first utterance stretched over the pause, and a
    # zero-length word in the middle of the pause; neither may reach the segment that starts after it
    words = [(0.0, 0.26, " Kids"), (0.76, 0.98, " by"), (0.98, 3.46, " the"), (3.46, 3.46, " door.")]
    words += [(4.4, 4.9, " Dogs"), (5.0, 5.5, " sit.")]
    assert _texts(_assign_words(words, bounds)) == ["Kids by the door.", "Dogs sit."]
    # the old rule (midpoint, else nearest) moved " door." into the second segment
    assert _texts(_assign_words([(3.46, 3.46, " door.")], bounds)) == ["door.", ""]
    # before every segment: the first; after every segment: the last; zero-length on a boundary: the one it opens
    assert _texts(_assign_words([(-0.5, -0.1, " early"), (9.0, 9.5, " late")], bounds)) == ["early", "late"]
    assert _texts(_assign_words([(1.5, 1.5, " x")], [(0.0, 1.5), (1.5, 3.0)])) == ["", "x"]
    assert _assign_words([(0.0, 1.0, " a")], []) == []


def test_pauses_split_transcription_units():
    assert _units([(0.0, 5.0), (5.0, 10.0), (10.0, 12.0), (13.0, 14.0), (14.5, 15.0)]) == [[0, 1, 2], [3], [4]]
    assert _units([]) == []


def test_each_paused_segment_is_transcribed_alone(monkeypatch, speech_recognizer):
    calls = []

    def fake(model, samples, *, language=None, word_timestamps=True):
        calls.append((len(samples), word_timestamps))
        n = len(calls)
        if word_timestamps:  # a touching run: words with (drifting) times
            half = len(samples) / SR / 2
            return [(0.0, half + 0.1, f" w{n}a"), (half + 0.1, 2 * half, f" w{n}b")]
        return [(0.0, len(samples) / SR, f" utterance{n}.")]

    monkeypatch.setattr(speech, "transcribe", fake)
    audio = np.zeros(12 * SR, np.float32)
    bounds = [(0.0, 1.5), (2.5, 4.0), (5.0, 8.0), (8.0, 11.0)]
    out = _texts(speech_recognizer._segment_words(audio, bounds))
    assert calls == [(24000, False), (24000, False), (96000, True)]
    assert out == ["utterance1.", "utterance2.", "w3a", "w3b"]


@pytest.fixture(scope="module")
def joined(tmp_path_factory, speech_fixture):
    """Three synthetic utterances (espeak-ng fixtures) joined with 1-s pauses, and their words."""
    loud, _ = sf.read(speech_fixture("loud_fast_en"), dtype="float32")
    quiet, _ = sf.read(speech_fixture("quiet_slow_en"), dtype="float32")
    first = quiet[: int(1.9 * SR)]  # "Everything is fine." (the quiet clip pauses after it)
    pause = np.zeros(SR, np.float32)
    y = np.concatenate([first, pause, loud, pause, first])
    f = tmp_path_factory.mktemp("joined") / "joined.wav"
    sf.write(f, y, SR)
    words = {
        "first": "everything is fine",
        "loud": "i cannot believe you did this again this is the last time i trust you",
    }
    return f, len(y) / SR, [words["first"], words["loud"], words["first"]]


def _norm(text: str) -> str:
    return " ".join(re.sub(r"[^a-z ]", " ", text.lower().replace("can not", "cannot")).split())


def test_real_whisper_gives_each_segment_exactly_its_utterance(speech_recognizer, joined):
    f, duration, expected = joined
    r = speech_recognizer.process_file(f)
    assert [_norm(t) for t in r.frame["text"]] == expected
    ends = r.frame.index.get_level_values("end")
    assert ends.max() <= duration


def test_span_options_are_checked_before_decoding(speech_recognizer, tmp_path):
    never = tmp_path / "never-read.wav"
    for bad in (math.nan, math.inf, -1):
        with pytest.raises(ConfigError, match=r"'start' parameter of SpeechRecognizer\.process_file"):
            speech_recognizer.process_file(never, start=bad)
    with pytest.raises(ConfigError, match="must be after 'start'"):
        speech_recognizer.process_file(never, start=2, end=1)
    with pytest.raises(ConfigError, match="'end' parameter"):
        speech_recognizer.process_signal(np.zeros(SR, np.float32), sampling_rate=SR, end=math.nan)


def test_start_past_the_end_and_nan_files(speech_recognizer, tmp_path):
    f = tmp_path / "short.wav"
    sf.write(f, np.zeros(int(3.3 * SR), np.float32), SR)
    with pytest.raises(InputError, match=r"start 50 s is past the end of the audio \(3\.30 s\)"):
        speech_recognizer.process_file(f, start=50)
    y = (0.1 * np.sin(np.arange(2 * SR) / 3)).astype(np.float32)
    y[::100] = np.nan
    nan = tmp_path / "nan.wav"
    sf.write(nan, y, SR, subtype="FLOAT")
    with pytest.raises(InputError, match="NaN or infinite samples"):  # not "no speech detected"
        speech_recognizer.process_file(nan)


def test_rows_end_by_the_requested_end(speech_recognizer, joined):
    f, _, _ = joined
    r = speech_recognizer.process_file(f, start=0.5, end=4.0)
    assert len(r) >= 1
    assert r.frame.index.get_level_values("end").max() <= 4.0
    assert r.frame.index.get_level_values("start").min() >= 0.5
