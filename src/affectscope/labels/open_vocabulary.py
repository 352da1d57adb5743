"""Open emotion vocabulary: name a prediction with fine-grained words, and score word sets against the wheel.

The vocabulary (``data/open_vocabulary.json``, built by ``training/labels/open_vocabulary.py``) holds 159 emotion
words in three tiers after Parrott's (2001) tree — ``primary`` (love, joy, surprise, anger, sadness, fear, plus
neutral), ``secondary`` (30 groups such as *cheerfulness*, *irritation*, *nervousness*) and the words themselves
— each with its Ekman-7 label and a valence-arousal-dominance point.

:func:`closest_words` maps any recognizer's reading (an Ekman-7 distribution and a VAD point) onto the
vocabulary: a word scores ``p(its Ekman label) · exp(-d² / 2σ²)`` with ``d`` the VAD distance, so the category
picks the region and VAD picks the shade (*irritation* vs *fury*; *contentment* vs *elation*).

:func:`open_set_scores` scores predicted word sets against reference word sets the way open-vocabulary emotion
benchmarks do (OV-MER, Lian et al. 2024): both sets are mapped to their groups on the wheel at one tier, and
set precision/recall are averaged over items.

Examples
--------
>>> import numpy as np
>>> p = np.array([[0.7, 0, 0, 0, 0, 0, 0.3]])                 # mostly anger
>>> [w for w, _ in closest_words(p, np.array([[-0.3, 0.0, 0.1]]), k=3)[0]]
['fury', 'spite', 'vengefulness']
>>> open_set_scores([["delight"]], [["joy", "love"]], level="primary")["recall"]
0.5
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import numpy as np

from affectscope.errors import ConfigError, InputError
from affectscope.labels._data import load_json

__all__ = [
    "OpenVocabulary",
    "add_open_words",
    "closest_words",
    "get_open_vocabulary",
    "open_set_scores",
    "open_words",
]

_FILE = "open_vocabulary.json"
_EKMAN = ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral")
LEVELS = ("primary", "secondary", "word")


@dataclass(frozen=True)
class OpenVocabulary:
    """The words, their tiers, Ekman-7 labels and VAD points.

    Attributes
    ----------
    words : tuple of str
        All words.
    primary, secondary, ekman7 : tuple of str
        Per word: its primary emotion, secondary group and Ekman-7 label.
    vad : numpy.ndarray of shape (words, 3)
        Valence, arousal, dominance on the label VAD scale (``[-1, 1]``).
    text_to_label_scale : dict
        ``{dim: {"slope", "intercept"}}`` mapping the text model's VAD head onto that scale.
    meta : dict
        Sources and method, as stored.
    """

    words: tuple[str, ...]
    primary: tuple[str, ...]
    secondary: tuple[str, ...]
    ekman7: tuple[str, ...]
    vad: np.ndarray
    text_to_label_scale: dict[str, dict[str, float]]
    meta: dict[str, Any]

    def group(self, word: str, *, level: str = "primary") -> str:
        """Return the group of a vocabulary word at a tier (``primary``, ``secondary`` or ``word``).

        Examples
        --------
        >>> v = get_open_vocabulary()
        >>> v.group("fury"), v.group("fury", level="secondary")
        ('anger', 'rage')
        """
        if level not in LEVELS:
            raise ConfigError(f"'level' must be one of {list(LEVELS)}; got {level!r}.")
        try:
            i = self.words.index(word.strip().lower())
        except ValueError:
            raise InputError(f"{word!r} is not in the open vocabulary ({len(self.words)} words).") from None
        return {"primary": self.primary, "secondary": self.secondary, "word": self.words}[level][i]


@cache
def get_open_vocabulary() -> OpenVocabulary:
    """Load the shipped open vocabulary (cached).

    Returns
    -------
    OpenVocabulary

    Examples
    --------
    >>> v = get_open_vocabulary()
    >>> len(v.words) >= 150, sorted(set(v.primary))[:3]
    (True, ['anger', 'fear', 'joy'])
    """
    data = load_json(_FILE)
    entries = data["words"]
    words = tuple(entries)
    try:
        vad = np.array([[float(entries[w][d]) for d in ("valence", "arousal", "dominance")] for w in words])
        ekman = tuple(entries[w]["ekman7"] for w in words)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"{_FILE}: every word needs ekman7, valence, arousal and dominance ({exc}).") from exc
    if not set(ekman) <= set(_EKMAN):
        raise ConfigError(f"{_FILE}: unknown Ekman-7 labels {sorted(set(ekman) - set(_EKMAN))}.")
    return OpenVocabulary(
        words=words,
        primary=tuple(entries[w]["primary"] for w in words),
        secondary=tuple(entries[w]["secondary"] for w in words),
        ekman7=ekman,
        vad=vad,
        text_to_label_scale=data["vad"]["text_head_to_label_scale"],
        meta={k: v for k, v in data.items() if k != "words"},
    )


def closest_words(
    ekman7: Any,
    vad: Any,
    *,
    k: int = 3,
    sigma: float = 0.6,
    vad_scale: str = "label",
    first: Sequence[Iterable[str]] | None = None,
) -> list[list[tuple[str, float]]]:
    """Name each reading with the ``k`` closest vocabulary words.

    Parameters
    ----------
    ekman7 : array-like of shape (n, 7)
        Ekman-7 scores (anger, disgust, fear, joy, sadness, surprise, neutral); rows are rescaled to sum to 1.
    vad : array-like of shape (n, 3)
        Valence, arousal, dominance of each reading (NaN rows: the category alone decides, words in
        vocabulary order).
    k : int
        Words per reading.
    sigma : float
        Width of the VAD kernel (the label scale spans [-1, 1]).
        (0.6 was chosen on GoEmotions *train* among 0.2/0.35/0.6; the VAD shading matters little there.)
    vad_scale : {"label", "text"}
        ``"text"`` when ``vad`` comes from the text model's VAD head (it is mapped onto the label scale first);
        ``"label"`` for face/speech rows, whose VAD is the expected VAD of their labels.
    first : sequence of iterables of str, optional
        Per reading, words a finer model already decided (e.g. the text model's GoEmotions labels); those in the
        vocabulary come first (score 1.0), then the closest words fill up to ``k``.

    Returns
    -------
    list of list of (str, float)
        Per reading, ``k`` words with their share of the vocabulary score (summing to at most 1).

    Examples
    --------
    >>> p = np.array([[0, 0, 0, 0.9, 0, 0, 0.1]])
    >>> [w for w, _ in closest_words(p, np.array([[0.8, 0.6, 0.4]]), k=2)[0]]
    ['excitement', 'joy']
    """
    if not isinstance(k, int) or k < 1:
        raise ConfigError(f"'k' must be an int >= 1; got {k!r}.")
    if not sigma > 0:
        raise ConfigError(f"'sigma' must be > 0; got {sigma!r}.")
    if vad_scale not in ("label", "text"):
        raise ConfigError(f"'vad_scale' must be 'label' or 'text'; got {vad_scale!r}.")
    voc = get_open_vocabulary()
    p = np.asarray(ekman7, dtype=np.float64)
    v = np.asarray(vad, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != len(_EKMAN) or v.shape != (len(p), 3):
        raise InputError(f"closest_words needs (n, 7) Ekman-7 scores and (n, 3) VAD; got {p.shape} and {v.shape}.")
    p = np.clip(p, 0, None)
    p = p / np.maximum(p.sum(1, keepdims=True), 1e-12)
    if vad_scale == "text":
        fit = voc.text_to_label_scale
        v = np.stack([fit[d]["slope"] * v[:, j] + fit[d]["intercept"] for j, d in enumerate(fit)], axis=1)
    category = p[:, [_EKMAN.index(e) for e in voc.ekman7]]  # (n, words)
    d2 = ((v[:, None, :] - voc.vad[None]) ** 2).sum(-1)
    closeness = np.where(np.isnan(d2), 1.0, np.exp(-np.nan_to_num(d2) / (2 * sigma**2)))
    score = category * closeness
    score = score / np.maximum(score.sum(1, keepdims=True), 1e-300)
    top = np.argsort(-score, axis=1, kind="stable")[:, :k]
    out = [[(voc.words[j], round(float(score[i, j]), 4)) for j in row] for i, row in enumerate(top)]
    if first is not None:
        if len(first) != len(out):
            raise InputError(f"'first' needs one word list per reading ({len(out)}); got {len(first)}.")
        known = set(voc.words)
        for i, words in enumerate(first):
            lead = [(w, 1.0) for w in dict.fromkeys(x.strip().lower() for x in words) if w in known]
            out[i] = (lead + [c for c in out[i] if c[0] not in {w for w, _ in lead}])[:k]
    return out


def open_words(frame: Any, *, k: int = 3) -> list[str]:
    """Name every row of a Result frame with its ``k`` closest vocabulary words (``"delight, joy, bliss"``).

    Rows need ``ekman7:<label>`` columns; ``valence``/``arousal``/``dominance`` refine the choice where present
    (text and conversation rows are on the text model's VAD scale). Text rows put the GoEmotions labels the
    model decided (``labels``) first.

    Parameters
    ----------
    frame : pandas.DataFrame
        A Result's frame.
    k : int
        Words per row.

    Returns
    -------
    list of str
        One comma-joined line per row ("" where a row has no Ekman-7 scores).

    Examples
    --------
    >>> from affectscope.recognizers.text import TextRecognizer
    >>> r = TextRecognizer(evidence=False).process_text("Thank you so much, this is wonderful!")
    >>> open_words(r.frame, k=2)
    ['gratitude, admiration']
    """
    cols = [f"ekman7:{lab}" for lab in _EKMAN]
    if frame.empty or not set(cols) <= set(frame.columns):
        return [""] * len(frame)
    p = frame[cols].to_numpy(dtype=float)
    dims = ["valence", "arousal", "dominance"]
    v = frame[dims].to_numpy(dtype=float) if set(dims) <= set(frame.columns) else np.full((len(frame), 3), np.nan)
    modality = (
        frame["modality"].astype(str).to_numpy() if "modality" in frame.columns else np.array(["text"] * len(frame))
    )
    out = [""] * len(frame)
    ok = ~np.isnan(p).any(1)
    for scale, mods in (("text", ("text", "conversation")), ("label", None)):
        sel = ok & (np.isin(modality, mods) if mods else ~np.isin(modality, ("text", "conversation")))
        if not sel.any():
            continue
        first = None
        if scale == "text" and "labels" in frame.columns:
            first = [str(x).split(",") if isinstance(x, str) and x else [] for x in frame["labels"].to_numpy()[sel]]
            first = [f if m == "text" else [] for f, m in zip(first, modality[sel], strict=True)]
        words = closest_words(p[sel], v[sel], k=k, vad_scale=scale, first=first)
        for i, w in zip(np.flatnonzero(sel), words, strict=True):
            out[i] = ", ".join(x for x, _ in w)
    return out


def open_set_scores(
    predicted: Sequence[Iterable[str]], reference: Sequence[Iterable[str]], *, level: str = "primary"
) -> dict[str, Any]:
    """Wheel-grouped set precision, recall and F1 of open-vocabulary predictions (OV-MER style).

    Each item's predicted and reference words are mapped to their groups at ``level``. Precision is the share
    of predicted groups found in the reference, recall the share of reference groups predicted; both are
    averaged over items and F1 is their harmonic mean. Words outside the vocabulary count as wrong predictions
    (they are listed under ``unknown``); unknown reference words are an error.

    Parameters
    ----------
    predicted, reference : sequence of iterables of str
        One set of words per item.
    level : {"primary", "secondary", "word"}
        Wheel tier the words are grouped at.

    Returns
    -------
    dict
        ``{"precision", "recall", "f1", "level", "n", "unknown"}``.

    Examples
    --------
    >>> open_set_scores([["fury", "delight"]], [["anger"]], level="primary")["precision"]
    0.5
    """
    voc = get_open_vocabulary()
    if len(predicted) != len(reference):
        raise InputError(f"{len(predicted)} predicted sets but {len(reference)} reference sets.")
    if not len(reference):
        raise InputError("open_set_scores needs at least one item.")
    index = {w: i for i, w in enumerate(voc.words)}
    tier = {"primary": voc.primary, "secondary": voc.secondary, "word": voc.words}.get(level)
    if tier is None:
        raise ConfigError(f"'level' must be one of {list(LEVELS)}; got {level!r}.")
    unknown: set[str] = set()
    prec, rec = [], []
    for pred, ref in zip(predicted, reference, strict=True):
        ref_words = {w.strip().lower() for w in ref}
        missing = ref_words - index.keys()
        if missing:
            raise InputError(f"Reference words {sorted(missing)} are not in the open vocabulary.")
        gold = {tier[index[w]] for w in ref_words}
        guess: set[str] = set()
        for w in {w.strip().lower() for w in pred}:
            if w in index:
                guess.add(tier[index[w]])
            else:
                unknown.add(w)
                guess.add(f"?{w}")
        prec.append(len(guess & gold) / len(guess) if guess else 0.0)
        rec.append(len(guess & gold) / len(gold) if gold else 0.0)
    p, r = float(np.mean(prec)), float(np.mean(rec))
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / (p + r), 4) if p + r else 0.0,
        "level": level,
        "n": len(reference),
        "unknown": sorted(unknown),
    }


def add_open_words(result: Any, *, k: int = 3) -> Any:
    """Return a copy of a Result with an ``open_words`` column and ``summary["open_words"]`` (``--labels open``).

    Parameters
    ----------
    result : Result
        Any recognizer's result.
    k : int
        Words per row and for the summary.

    Returns
    -------
    Result

    Examples
    --------
    >>> from affectscope.recognizers.text import TextRecognizer
    >>> r = add_open_words(TextRecognizer(evidence=False).process_text("I am furious."))
    >>> r.frame["open_words"].iloc[0].split(", ")[0], len(r.summary["open_words"])
    ('anger', 3)
    """
    from affectscope.result import Result

    frame = result.frame.copy()
    frame["open_words"] = open_words(frame, k=k)
    summary = dict(result.summary)
    scores = (summary.get("scores") or {}).get("ekman7")
    if scores and set(scores) >= set(_EKMAN):
        vad = [summary.get(d, np.nan) for d in ("valence", "arousal", "dominance")]
        vad = [np.nan if v is None else float(v) for v in vad]
        scale = "text" if summary.get("modality") in ("text", "conversation") else "label"
        names = [w for w, _ in closest_words([[scores[e] for e in _EKMAN]], [vad], k=k, vad_scale=scale)[0]]
        label = summary.get("label")
        category = dict(zip(get_open_vocabulary().words, get_open_vocabulary().ekman7, strict=True))
        if label in _EKMAN and names and category[names[0]] != label:
            # a mixed reading (e.g. joy 0.48, fear 0.50) averages its VAD between opposite emotions, which can
            # favour the runner-up's words; the summary's own label leads, with its closest word
            own = [1.0 if e == label else 0.0 for e in _EKMAN]
            lead = closest_words([own], [vad], k=1, vad_scale=scale)[0][0][0]
            names = [lead, *[w for w in names if w != lead]][:k]
        summary["open_words"] = names
    return Result(frame, summary, failures=list(result.failures))
