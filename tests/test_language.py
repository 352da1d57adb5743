"""Non-English input is never read silently as English (issue 19, item 8).

Before: a German sentence was read as "neutral 0.78" and German speech was transcribed by Whisper tiny.en as
English nonsense, both without a word. Now rows and summaries carry ``language`` and, when it is not English, a
``note``; :func:`affectscope.media.language.language_warning` gives the command line's one warning line.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from affectscope.errors import InputError
from affectscope.media.language import (
    LANGUAGES,
    UNDETERMINED,
    best_language,
    dominant_language,
    identify_language,
    language_note,
    language_warning,
)
from affectscope.result import INDEX_NAMES, Result

# Short English lines a user may well type or say; none may be named as another language.
SHORT_ENGLISH = [
    "ok",
    "Ok.",
    "yes",
    "Thanks!",
    "lol",
    "Hi",
    "Wow",
    "Sorry",
    "I am furious.",
    "This makes me so mad.",
    "I love it.",
    "But I miss you.",
    "Good morning",
    "Hello there",
    "He died.",
    "What a lovely surprise!",
]
GERMAN = ["Ich bin so wütend.", "Das ist eine schöne Überraschung!", "Warum hast du das getan?"]


@pytest.mark.parametrize("text", SHORT_ENGLISH)
def test_short_english_is_never_named_another_language(text):
    code, p = identify_language(text)
    assert code in ("en", UNDETERMINED), (text, code, p)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        *((t, "de") for t in GERMAN),
        ("Je suis très en colère contre toi.", "fr"),
        ("Estoy muy feliz hoy.", "es"),
        ("Я очень зол.", "ru"),
        ("我很生气。", "zh"),
    ],
)
def test_other_languages_are_named(text, code):
    got, p = identify_language(text)
    assert got == code
    assert p >= 0.5


def test_identify_language_validates_and_handles_edge_texts():
    assert identify_language("") == (UNDETERMINED, 0.0)
    assert identify_language("1234 !!! :-)") == (UNDETERMINED, 0.0)
    assert identify_language("Ich bin so wütend. " * 1000)[0] == "de"  # long input: only the start is read
    with pytest.raises(InputError, match="takes a str"):
        identify_language(b"bytes")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="threshold"):
        identify_language("hello", threshold=1.5)


def test_whisper_distributions_keep_only_known_languages():
    assert best_language({"nn": 0.9, "de": 0.05, "en": 0.05}) == ("de", 0.5)  # nn: Whisper's "no speech"
    assert best_language({"haw": 1.0}) == (UNDETERMINED, 0.0)
    assert best_language({"en": 0.7, "de": 0.3}, threshold=0.8)[0] == UNDETERMINED
    assert set(LANGUAGES) >= {"en", "de", "fr", "es", "zh"}
    assert dominant_language(["en", "de", "und"], [10, 30, 100]) == "de"
    assert dominant_language([], []) == UNDETERMINED


def test_notes_and_the_warning_line():
    assert language_note("en") is None
    assert language_note(UNDETERMINED) is None
    assert "German" in language_note("de")
    assert "text model" in language_note("de")
    speech = language_note("de", modality="speech", transcriber_english=True)
    assert "tiny.en" in speech
    assert "language='de'" in speech
    with pytest.raises(InputError):
        language_note("de", modality="face")
    assert language_warning({"language": "en"}) is None
    assert language_warning({"modality": "face", "label": "joy"}) is None
    assert language_warning(None) is None
    # a video: the voice is German, the subtitles French; one line names both
    video = {"modality": "video", "modalities": {"speech": {"language": "de"}, "subtitles": {"language": "fr"}}}
    line = language_warning(video)
    assert line.startswith("warning: ")
    assert "German (de)" in line
    assert "French (fr)" in line
    assert "\n" not in line
    empty = pd.DataFrame(index=pd.MultiIndex.from_arrays([[], [], []], names=INDEX_NAMES))
    assert language_warning(Result(empty, {"modality": "text", "language": "de"})) == language_warning(
        {"language": "de"}
    )


def test_a_german_sentence_gets_the_note_in_rows_and_summary(text_recognizer):
    r = text_recognizer.process_text("Ich bin so wütend auf dich. Das ist wirklich das letzte Mal!")
    assert list(r.frame["language"]) == ["de", "de"]
    assert all("language: de (German)" in n for n in r.frame["note"])
    assert r.summary["language"] == "de"
    assert "language: de (German)" in r.summary["note"]
    assert "German (de)" in language_warning(r)
    assert r.serialize()["summary"]["language"] == "de"


def test_english_text_has_no_note_and_keeps_its_columns(text_recognizer):
    r = text_recognizer.process_text("I finally got the job! I am so happy. ok")
    assert list(r.frame["language"]) == ["en", "en", UNDETERMINED]
    assert r.frame["note"].isna().all()
    assert r.summary["language"] == "en"
    assert "note" not in r.summary
    assert language_warning(r) is None
    cols = list(r.frame.columns)
    assert cols[:6] == ["modality", "track", "text", "label", "labels", "confidence"]
    assert cols[-3:] == ["rationale", "language", "note"]


def test_short_german_lines_are_told_together_in_the_summary(text_recognizer):
    r = text_recognizer.process_text("Ja, gut.\nNein, danke.\nWarum nicht?\nMach das bitte.", source="chat")
    assert r.summary["language"] == "de", r.frame["language"].tolist()
    assert "note" in r.summary


def test_the_batch_entry_adds_language_columns(text_recognizer):
    out = text_recognizer({"text": ["Ich bin so wütend.", "I am so happy!"]})
    assert list(out["language"]) == ["de", "en"]
    assert out["note"][0].startswith("language: de")
    assert out["note"][1] != out["note"][1]


class _Heard:
    """Stands in for the speech recognizer's language logic without loading Whisper."""

    def __init__(self, language, transcript=True):
        from affectscope.recognizers.speech.recognizer import SpeechRecognizer

        self.language, self.transcript = language, transcript
        self._segment_language = SpeechRecognizer._segment_language.__get__(self)
        self._language_note = SpeechRecognizer._language_note.__get__(self)


def test_speech_language_logic_with_stub_probabilities():
    from affectscope.recognizers.speech.recognizer import _chunk_language

    default = _Heard(None)
    assert default._segment_language({"de": 0.95, "en": 0.05}) == "de"
    assert default._segment_language({"de": 0.5, "en": 0.45, "nl": 0.05}) == UNDETERMINED  # unsure
    assert default._segment_language({"nn": 0.9, "en": 0.1}) == "en"  # Whisper's "nn" is dropped
    assert default._segment_language(None) == UNDETERMINED
    assert "tiny.en" in default._language_note("de")  # the default transcriber cannot write German
    assert default._language_note("en") is None
    assert _Heard("de")._segment_language({"en": 1.0}) == "de"  # asked for: taken as said
    assert "tiny.en" not in _Heard("de")._language_note("de")
    assert "tiny.en" not in _Heard(None, transcript=False)._language_note("de")
    assert _chunk_language([{"de": 0.9, "en": 0.1}, {"en": 0.6, "de": 0.4}], [(0, 4), (5, 6)]) == "de"


def test_a_german_recording_gets_the_note(speech_recognizer, speech_fixture):
    # synthetic German (espeak-ng, tests/data/speech/make_fixtures.sh): Whisper base hears German in the
    # states it already computes for the emotion features
    r = speech_recognizer.process_file(speech_fixture("angry_de"))
    assert len(r) >= 1
    assert set(r.frame["language"]) == {"de"}
    assert all("language: de (German)" in n for n in r.frame["note"])
    assert r.summary["language"] == "de"
    assert "tiny.en" in r.summary["note"]
    assert "German (de)" in language_warning(r)


def test_an_english_recording_has_no_note(speech_recognizer, speech_fixture):
    r = speech_recognizer.process_file(speech_fixture("loud_fast_en"))
    assert set(r.frame["language"]) == {"en"}
    assert r.frame["note"].isna().all()
    assert r.summary["language"] == "en"
    assert "note" not in r.summary
    assert language_warning(r) is None


def test_silence_has_no_language(speech_recognizer):
    r = speech_recognizer.process_signal(np.zeros(16000, dtype=np.float32), sampling_rate=16000)
    assert r.summary["language"] == UNDETERMINED
    assert r.summary["note"] == "no speech detected"
    assert language_warning(r) is None


def test_a_german_conversation_gets_the_note_from_the_router():
    import affectscope

    turns = [("Anna", "Ich habe die Stelle bekommen, ich freue mich so sehr!"), ("Ben", "Herzlichen Glückwunsch!")]
    r = affectscope.analyze(turns, modality="conversation")
    assert r.summary["language"] == "de"
    assert "German" in r.summary["note"]
    english = affectscope.analyze([("Ann", "I got the job!"), ("Bob", "Congratulations!")], modality="conversation")
    assert english.summary["language"] == "en"
    assert "note" not in english.summary
