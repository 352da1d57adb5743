"""Evidence: which cues drove a prediction (issue 7, part 3 — started with words).

:func:`word_evidence` explains a text model's prediction by **occlusion**: each word is removed in turn and the
drop in the probability of the predicted label is measured (Zeiler & Fergus, 2014; the text form used by
explainable emotion-recognition work). Words whose removal lowers the probability are the evidence, strongest
first. Occlusion needs only forward passes of the shipped ONNX model, so it works in the base install; a text of
``k`` words costs ``k + 1`` passes, batched.

Examples
--------
>>> from affectscope.recognizers.text import TextRecognizer
>>> ev = word_evidence(TextRecognizer(), ["I am furious about the delay."])[0]
>>> ev.label, ev.words[0].word
('anger', 'furious')
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from affectscope.errors import InputError

__all__ = ["TextEvidence", "WordCue", "word_evidence"]

_WORD = re.compile(r"[\w']+", re.UNICODE)


@dataclass(frozen=True)
class WordCue:
    """One word and how much removing it lowers the predicted label's probability.

    Attributes
    ----------
    word : str
        The word as written.
    start, end : int
        Character offsets in the text.
    effect : float
        Probability of the label with the word minus without it (> 0: the word supports the label).
    """

    word: str
    start: int
    end: int
    effect: float


@dataclass(frozen=True)
class TextEvidence:
    """The predicted label of a text, its probability, and the words that support it (strongest first).

    Attributes
    ----------
    label : str
        The predicted label (arg-max of the label space).
    probability : float
        Its probability for the whole text.
    words : list of WordCue
        Words with a positive effect, strongest first (at most ``top`` of them).
    """

    label: str
    probability: float
    words: list[WordCue] = field(default_factory=list)

    def describe(self) -> str:
        """Return a short line, e.g. ``"furious (+0.61), delay (+0.05)"``.

        Examples
        --------
        >>> TextEvidence("joy", 0.9, [WordCue("great", 0, 5, 0.4)]).describe()
        'great (+0.40)'
        """
        return ", ".join(f"{w.word} ({w.effect:+.2f})" for w in self.words)


def _without(text: str, start: int, end: int) -> str:
    return re.sub(r"\s{2,}", " ", (text[:start] + text[end:])).strip()


def word_evidence(
    recognizer: Any, texts: Sequence[str], *, space: str | None = None, top: int = 3, max_words: int = 64
) -> list[TextEvidence]:
    """Explain a text recognizer's predictions by word occlusion.

    Parameters
    ----------
    recognizer : TextRecognizer
        The model to explain (anything with ``predict(texts) -> {space: (n, labels)}`` and ``labels_``).
    texts : sequence of str
        Texts (one prediction each).
    space : str, optional
        Label space explained (default: the recognizer's primary space, Ekman-7).
    top : int
        Most words returned per text.
    max_words : int
        Texts with more words are explained on their first ``max_words`` words only (cost grows with words).

    Returns
    -------
    list of TextEvidence
        One per text, in input order.

    Raises
    ------
    InputError
        ``texts`` is empty or holds a non-string.

    Examples
    --------
    >>> from affectscope.recognizers.text import TextRecognizer
    >>> ev = word_evidence(TextRecognizer(), ["Thank you so much, I love it!"], top=2)[0]
    >>> ev.label, len(ev.words) <= 2
    ('joy', True)
    """
    texts = list(texts)
    if not texts or not all(isinstance(t, str) for t in texts):
        raise InputError("word_evidence() needs a non-empty sequence of str.")
    space = space or recognizer.primary_
    labels = recognizer.labels_[space]
    spans = [[m.span() for m in _WORD.finditer(t)][:max_words] for t in texts]
    variants = list(texts)
    for t, sp in zip(texts, spans, strict=True):
        variants.extend(_without(t, a, b) for a, b in sp)
    probs = recognizer.predict(variants)[space]
    out, pos = [], len(texts)
    for i, (t, sp) in enumerate(zip(texts, spans, strict=True)):
        k = int(np.argmax(probs[i]))
        p = float(probs[i, k])
        effects = p - probs[pos : pos + len(sp), k]
        pos += len(sp)
        order = [j for j in np.argsort(-effects, kind="stable") if effects[j] > 0][:top]
        cues = [WordCue(t[sp[j][0] : sp[j][1]], sp[j][0], sp[j][1], round(float(effects[j]), 4)) for j in order]
        out.append(TextEvidence(labels[k], round(p, 4), cues))
    return out
