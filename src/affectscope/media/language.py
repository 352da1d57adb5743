"""Which language a text or a recording is in, so that non-English input is never read silently as English.

affectscope's text model and speech-emotion head were trained on English, and its default transcriber (Whisper
tiny.en) writes only English. Until multilingual models land, rows and summaries carry a ``language`` code and,
when it is not English, a ``note`` saying that the scores may be unreliable; :func:`language_warning` gives the
one line a command-line front end prints.

* Text: :func:`identify_language` wraps py3langid (BSD-3-Clause; a naive Bayes byte n-gram model shipped in the
  wheel, nothing is downloaded), restricted to :data:`LANGUAGES` and with a probability threshold, so that short
  English lines ("ok", "Thanks!") come out as ``"und"`` (undetermined), not as a rare language.
* Speech: the speech recognizer asks the multilingual Whisper base it already runs for emotion features, and
  passes Whisper's language probabilities through :func:`best_language` (the same restriction and threshold).

Examples
--------
>>> identify_language("Das ist eine schöne Überraschung!")[0]
'de'
>>> identify_language("ok")[0]
'und'
>>> language_note("de", modality="text")
'language: de (German) — the text model was trained on English; scores may be unreliable'
"""

from __future__ import annotations

import os
import threading
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from affectscope.errors import DependencyError, InputError

__all__ = [
    "LANGUAGES",
    "THRESHOLD",
    "UNDETERMINED",
    "best_language",
    "dominant_language",
    "identify_language",
    "language_name",
    "language_note",
    "language_warning",
    "preload_language_model",
]

#: The languages told apart (ISO 639-1 → English name): widely written languages known to both py3langid and
#: Whisper. Restricting the choice to them keeps short English lines from being read as a rare language (on
#: 7,000 short English lines of GoEmotions and XED, 1 false alarm at :data:`THRESHOLD` instead of 7 with all
#: 142 py3langid languages; see docs/text.md).
LANGUAGES: dict[str, str] = {
    "ar": "Arabic",
    "bg": "Bulgarian",
    "bn": "Bengali",
    "ca": "Catalan",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "fa": "Persian",
    "fi": "Finnish",
    "fr": "French",
    "he": "Hebrew",
    "hi": "Hindi",
    "hr": "Croatian",
    "hu": "Hungarian",
    "id": "Indonesian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "ms": "Malay",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sr": "Serbian",
    "sv": "Swedish",
    "ta": "Tamil",
    "th": "Thai",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "ur": "Urdu",
    "vi": "Vietnamese",
    "zh": "Chinese",
}
#: Code of a text or segment whose language could not be told (too short, or no language above the threshold).
UNDETERMINED = "und"
#: Probability the most likely language needs, among :data:`LANGUAGES`, to be named.
THRESHOLD = 0.5
_MAX_CHARS = 2000  # the identifier reads at most this many characters (a pure-Python walk over the bytes)

_lock = threading.Lock()
_identifier: Any = None
_loader: threading.Thread | None = None
_load_error: BaseException | None = None
_fork_hook = False


def _imports() -> tuple[Any, ...] | None:
    """Import py3langid in the calling thread (a thread must not hold the import lock when the process forks)."""
    global _load_error
    try:
        import numpy as np
        from py3langid.langid import MODEL_DIR, MODEL_FILE, LanguageIdentifier
        from py3langid.modelio import load_model
    except ImportError as exc:
        _load_error = DependencyError(
            f"Language identification needs py3langid: pip install 'py3langid>=0.4,<0.5' ({exc})."
        )
        return None
    return np, MODEL_DIR / MODEL_FILE, LanguageIdentifier, load_model


def _load(parts: tuple[Any, ...]) -> None:
    """Load py3langid's shipped model restricted to :data:`LANGUAGES` (about 1 s: the model is LZMA-packed)."""
    global _identifier, _load_error
    np, path, identifier_class, load_model = parts
    try:
        ptc, pc, classes, nextmove, row, output = load_model(path)
        keep = [i for i, c in enumerate(classes) if c in LANGUAGES]
        _identifier = identifier_class(
            np.ascontiguousarray(np.asarray(ptc)[:, keep]),  # only the kept columns stay in memory
            np.asarray(pc)[keep],
            [classes[i] for i in keep],
            nextmove,
            output,
            norm_probs=True,
            tk_row=row,
        )
    except Exception as exc:  # a damaged installation: report it where the identifier is used
        _load_error = exc


def _after_fork_in_child() -> None:
    """Forget the loader thread (and its lock) in a forked child, which then loads the model itself."""
    global _lock, _loader
    _lock = threading.Lock()
    if _identifier is None:
        _loader = None


def preload_language_model() -> None:
    """Start loading the text language identifier in a background thread (returns at once).

    Recognizers call this while they load their own model, so the identifier's second of unpacking overlaps
    with it; :func:`identify_language` waits for the load to finish. Calling it again does nothing.

    Examples
    --------
    >>> preload_language_model()
    >>> identify_language("Ich bin heute sehr glücklich.")[0]
    'de'
    """
    global _loader, _fork_hook
    with _lock:
        if _identifier is not None or _loader is not None or _load_error is not None:
            return
        if not _fork_hook and hasattr(os, "register_at_fork"):
            os.register_at_fork(after_in_child=_after_fork_in_child)
            _fork_hook = True
        parts = _imports()
        if parts is None:
            return
        _loader = threading.Thread(target=_load, args=(parts,), name="affectscope-langid", daemon=True)
        _loader.start()


def _get_identifier() -> Any:
    preload_language_model()
    loader = _loader
    if loader is not None:
        loader.join()
    if _identifier is None:
        err = _load_error
        if isinstance(err, DependencyError):
            raise err
        raise DependencyError(f"The py3langid language model could not be loaded: {err}") from err
    return _identifier


def _letters(text: str) -> tuple[int, bool]:
    """Count the letters, and tell whether most are outside the Latin script (CJK, Cyrillic, Arabic, ...)."""
    n = latin = 0
    for ch in text:
        if ch.isalpha():
            n += 1
            latin += ch.isascii() or unicodedata.name(ch, "").startswith("LATIN")
    return n, n > 0 and latin < n / 2


def identify_language(text: str, *, threshold: float = THRESHOLD) -> tuple[str, float]:
    """Identify the language of a text: ``(ISO 639-1 code, probability)``, or ``("und", p)`` when unsure.

    The choice is among :data:`LANGUAGES`; the probability is py3langid's, normalised with a temperature that
    grows with the text's length, so a few words rarely reach ``threshold``. Texts with fewer than 3 letters
    (in a Latin script) are undetermined. On 7,000 short English lines (GoEmotions and XED subtitles) one was
    named as another language; German, French and Spanish subtitle lines of 10-20 letters are named 70-83 %
    of the time, longer ones 97-99 %.

    Parameters
    ----------
    text : str
        The text (only its first 2,000 characters are read).
    threshold : float
        Probability in [0, 1) the best language needs; below it the code is ``"und"``.

    Returns
    -------
    tuple of (str, float)
        The code and its probability (``0.0`` for a text without letters).

    Raises
    ------
    InputError
        When ``text`` is not a ``str`` or ``threshold`` is outside [0, 1).

    Examples
    --------
    >>> identify_language("This makes me so mad.")[0]
    'en'
    >>> code, p = identify_language("Je suis très en colère contre toi.")
    >>> code, p > 0.5
    ('fr', True)
    >>> identify_language("Thanks!")[0]
    'und'
    """
    if not isinstance(text, str):
        raise InputError(f"identify_language() takes a str; got {type(text).__name__}.")
    if not 0 <= threshold < 1:
        raise InputError(f"The 'threshold' parameter must be in [0, 1). Got {threshold!r} instead.")
    text = text[:_MAX_CHARS]
    n, other_script = _letters(text)
    if n == 0 or (n < 3 and not other_script):
        return UNDETERMINED, 0.0
    code, p = _get_identifier().classify(text)
    p = float(p)
    return (str(code) if p >= threshold else UNDETERMINED), round(p, 4)


def best_language(probabilities: Mapping[str, float], *, threshold: float = THRESHOLD) -> tuple[str, float]:
    """Pick the most likely of :data:`LANGUAGES` in a distribution over languages (e.g. Whisper's), renormalised.

    Whisper names languages that are rarely spoken in recordings of our users for non-speech and short or
    noisy speech (``nn`` for laughter, ``cy`` for some English); keeping only :data:`LANGUAGES` and asking
    for ``threshold`` took the rate of English voice segments of RAVDESS, TESS and CREMA-D named as another
    language from 1.4 % to 0.3 % (1 of 360).

    Parameters
    ----------
    probabilities : mapping of str to float
        Language code → probability (any other codes are dropped).
    threshold : float
        Probability in [0, 1) the best language needs after renormalising; below it the code is ``"und"``.

    Returns
    -------
    tuple of (str, float)

    Examples
    --------
    >>> best_language({"de": 0.6, "nn": 0.3, "en": 0.1})
    ('de', 0.8571)
    >>> best_language({"en": 0.3, "de": 0.25, "fr": 0.2, "nn": 0.25})
    ('und', 0.4)
    """
    kept = {c: float(p) for c, p in probabilities.items() if c in LANGUAGES and p > 0}
    total = sum(kept.values())
    if total <= 0:
        return UNDETERMINED, 0.0
    code = max(kept, key=kept.__getitem__)
    p = round(kept[code] / total, 4)
    return (code if p >= threshold else UNDETERMINED), p


def dominant_language(codes: Iterable[Any], weights: Iterable[float]) -> str:
    """Return the language of most of the input (weights: characters or seconds); ``"und"`` when none is known.

    Undetermined rows do not vote.

    Examples
    --------
    >>> dominant_language(["de", "und", "en", "de"], [10, 50, 12, 5])
    'de'
    >>> dominant_language(["und"], [3])
    'und'
    """
    votes: dict[str, float] = {}
    for code, w in zip(codes, weights, strict=True):
        if isinstance(code, str) and code != UNDETERMINED:
            votes[code] = votes.get(code, 0.0) + float(w)
    return max(votes, key=votes.__getitem__) if votes else UNDETERMINED


def language_name(code: str) -> str:
    """English name of a language code (the code itself when unknown).

    Examples
    --------
    >>> language_name("de"), language_name("xx")
    ('German', 'xx')
    """
    if code == UNDETERMINED:
        return "undetermined"
    return LANGUAGES.get(code, code)


_WHY = {
    "text": "the text model was trained on English",
    "speech": "the voice and text models were trained on English",
    "speech-en": "the voice and text models were trained on English and Whisper tiny.en transcribes English "
    "only (pass language='{code}' or 'auto')",
}


def language_note(code: Any, *, modality: str = "text", transcriber_english: bool = False) -> str | None:
    """Write the note of a row or summary whose language is not English; ``None`` for English or undetermined.

    Parameters
    ----------
    code : str
        ISO 639-1 code (or ``"und"``).
    modality : {"text", "speech"}
        What was read: the note names the models concerned.
    transcriber_english : bool
        Speech transcribed by the English-only Whisper tiny.en (the default): the note says so.

    Returns
    -------
    str or None

    Examples
    --------
    >>> language_note("en") is None, language_note("und") is None
    (True, True)
    >>> language_note("fr", modality="speech")
    'language: fr (French) — the voice and text models were trained on English; scores may be unreliable'
    """
    if not isinstance(code, str) or code in ("en", UNDETERMINED, ""):
        return None
    if modality not in ("text", "speech"):
        raise InputError(f"The 'modality' parameter must be 'text' or 'speech'. Got {modality!r} instead.")
    why = _WHY["speech-en" if modality == "speech" and transcriber_english else modality].format(code=code)
    return f"language: {code} ({language_name(code)}) — {why}; scores may be unreliable"


def _summaries(summary: Mapping[str, Any]) -> Iterable[tuple[str, Mapping[str, Any]]]:
    yield str(summary.get("modality", "")), summary
    for name, sub in (summary.get("modalities") or {}).items():
        if isinstance(sub, Mapping):
            yield str(name), sub


def language_warning(result: Any) -> str | None:
    """One warning line for a result whose text or speech is not English (``None`` when there is nothing to say).

    Looks at ``summary["language"]`` and at the per-modality summaries of a video or fused result
    (``summary["modalities"]``).

    Parameters
    ----------
    result : Result or dict
        A :class:`~affectscope.result.Result`, or its summary.

    Returns
    -------
    str or None

    Examples
    --------
    >>> language_warning({"modality": "text", "language": "de"})
    "warning: the input looks German (de); affectscope's text and speech models read English, scores may be unreliable"
    >>> language_warning({"modality": "text", "language": "en"}) is None
    True
    """
    summary = result if isinstance(result, Mapping) else getattr(result, "summary", None)
    if not isinstance(summary, Mapping):
        return None
    found: list[str] = []
    for _, s in _summaries(summary):
        code = s.get("language")
        if isinstance(code, str) and code not in ("en", UNDETERMINED, "") and code not in found:
            found.append(code)
    if not found:
        return None
    what = " and ".join(f"{language_name(c)} ({c})" for c in found)
    return (
        f"warning: the input looks {what}; affectscope's text and speech models read English, scores may be unreliable"
    )
