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

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from affectscope.errors import InputError

__all__ = [
    "FACE_PROTOTYPES",
    "TextEvidence",
    "WordCue",
    "compose_rationale",
    "face_evidence",
    "prosody_evidence",
    "row_rationales",
    "word_evidence",
]

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
        """Return a short line, e.g. ``"furious (+0.61), delay (+0.05)"``; never empty.

        Words whose effect rounds to 0.00 are not shown; with none left the line says no single word decides it.

        Examples
        --------
        >>> TextEvidence("joy", 0.9, [WordCue("great", 0, 5, 0.4)]).describe()
        'great (+0.40)'
        """
        shown = [w for w in self.words if w.effect >= 0.005]
        if not shown:
            return "no single word decides it (the whole text)"
        return ", ".join(f"{w.word} ({w.effect:+.2f})" for w in shown)


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


# Facial actions that express each Ekman label (EMFACS-style prototypes, Friesen & Ekman 1983; the action names
# of affectscope.recognizers.face.landmarks.ACTIONS, e.g. smile = AU12, cheek_raiser = AU6).
FACE_PROTOTYPES: dict[str, tuple[str, ...]] = {
    "joy": ("smile", "cheek_raiser"),
    "sadness": ("lip_corner_depressor", "brow_raiser"),
    "anger": ("brow_lowerer", "lip_press"),
    "fear": ("eye_widening", "brow_raiser", "lip_stretcher"),
    "surprise": ("brow_raiser", "eye_widening", "jaw_drop"),
    "disgust": ("nose_wrinkler", "lip_corner_depressor"),
    "neutral": (),
}
_CUE = 0.1  # an action intensity (0-1) that counts as present


def face_evidence(label: str, actions: dict[str, float]) -> str:
    """Name the facial actions behind a face's label: its prototype actions that are present, strongest first.

    When none of the label's prototype actions is present (or the label is neutral), the strongest actions are
    named instead, so a row always says what the face was doing.

    Parameters
    ----------
    label : str
        The Ekman-7 label of the face.
    actions : dict
        Action name → intensity in [0, 1] (the ``action:<name>`` columns).

    Returns
    -------
    str
        E.g. ``"smile 0.83, cheek_raiser 0.41"`` or ``"no joy action; strongest: jaw_drop 0.22"``.

    Examples
    --------
    >>> face_evidence("joy", {"smile": 0.83, "cheek_raiser": 0.41, "jaw_drop": 0.3})
    'smile 0.83, cheek_raiser 0.41'
    >>> face_evidence("neutral", {"smile": 0.02, "eye_closure": 0.05})
    'no action above 0.1'
    """
    present = [(a, v) for a, v in actions.items() if v >= _CUE]
    own = sorted(((a, v) for a, v in present if a in FACE_PROTOTYPES.get(label, ())), key=lambda av: -av[1])
    if own:
        return ", ".join(f"{a} {v:.2f}" for a, v in own)
    if not present:
        return f"no action above {_CUE}"
    strongest = ", ".join(f"{a} {v:.2f}" for a, v in sorted(present, key=lambda av: -av[1])[:2])
    return f"strongest: {strongest}" if label == "neutral" else f"no {label} action; strongest: {strongest}"


def prosody_evidence(pitch_rel_st: float, loudness_rel_db: float, rate_rel: float, pitch_hz: float = math.nan) -> str:
    """Name the prosodic cues of a voice segment against the recording's own median, largest deviation first.

    Deviations count when they reach 1 semitone of pitch, 2 dB of loudness or 10 % of speaking rate (roughly
    the smallest differences listeners notice in running speech). Without a baseline (one segment, or no
    pitch) the absolute pitch is named.

    Parameters
    ----------
    pitch_rel_st, loudness_rel_db, rate_rel : float
        The segment against the recording's median (NaN when unknown).
    pitch_hz : float
        Median pitch of the segment, used when there is no baseline.

    Returns
    -------
    str

    Examples
    --------
    >>> prosody_evidence(3.2, 6.5, 1.3)
    'louder +6.5 dB, higher pitch +3.2 st, faster x1.30 (vs this recording)'
    >>> prosody_evidence(0.2, 0.5, 1.02)
    "prosody near this recording's median"
    """
    cues = []
    if not math.isnan(loudness_rel_db) and abs(loudness_rel_db) >= 2:
        cues.append(
            (abs(loudness_rel_db) / 2, f"{'louder' if loudness_rel_db > 0 else 'softer'} {loudness_rel_db:+.1f} dB")
        )
    if not math.isnan(pitch_rel_st) and abs(pitch_rel_st) >= 1:
        cues.append((abs(pitch_rel_st), f"{'higher' if pitch_rel_st > 0 else 'lower'} pitch {pitch_rel_st:+.1f} st"))
    if not math.isnan(rate_rel) and rate_rel > 0 and abs(math.log(rate_rel)) >= math.log(1.1):
        cues.append(
            (abs(math.log(rate_rel)) / math.log(1.1), f"{'faster' if rate_rel > 1 else 'slower'} x{rate_rel:.2f}")
        )
    if cues:
        return ", ".join(c for _, c in sorted(cues, key=lambda c: -c[0])) + " (vs this recording)"
    if all(math.isnan(v) for v in (pitch_rel_st, loudness_rel_db, rate_rel)):
        return f"pitch {pitch_hz:.0f} Hz (no baseline)" if not math.isnan(pitch_hz) else "no prosodic baseline"
    return "prosody near this recording's median"


_SHOWN = {"face": "face", "speech": "voice", "text": "words", "conversation": "dialogue"}


def compose_rationale(
    readings: Sequence[dict[str, Any]],
    label: str,
    confidence: float,
    *,
    incongruent: bool = False,
    ignored_note: str = "not weighted in fusion",
) -> str:
    """Write a rationale in the order cues → reasoning → label (as EMER frames explainable emotion recognition).

    Parameters
    ----------
    readings : sequence of dict
        One per modality: ``modality``, ``label`` and ``probability`` (that modality's own reading), ``cue``
        (its evidence, may be empty), optional ``at`` (seconds where the cue peaked) and ``weight`` (its weight
        in the fusion; 0 means it did not count).
    label : str
        The final label.
    confidence : float
        Its calibrated probability.
    incongruent : bool
        The modalities disagree beyond the fusion model's threshold.
    ignored_note : str
        Why readings with weight 0 did not count (they are named after the reasoning).

    Returns
    -------
    str

    Examples
    --------
    >>> compose_rationale(
    ...     [{"modality": "face", "label": "joy", "probability": 0.8, "cue": "smile 0.83", "at": 1.2},
    ...      {"modality": "speech", "label": "anger", "probability": 0.7, "cue": "louder +6.5 dB"}],
    ...     "joy", 0.55, incongruent=True)  # doctest: +NORMALIZE_WHITESPACE
    'Cues: face smile 0.83 at 1.2 s; voice louder +6.5 dB. Reasoning: face reads joy (0.80) but voice reads anger
    (0.70), an incongruent mix; joy wins on face. Label: joy (0.55).'
    """
    if not readings:
        return f"No cues. Label: {label} ({confidence:.2f})."
    cues = []
    for r in readings:
        name = _SHOWN.get(r["modality"], r["modality"])
        at = f" at {r['at']:.1f} s" if r.get("at") is not None and r["modality"] == "face" else ""
        cues.append(f"{name} {r['cue']}{at}" if r.get("cue") else f"{name} (no cue)")
    counted = [r for r in readings if r.get("weight", 1.0) > 0]
    ignored = [r for r in readings if r.get("weight", 1.0) <= 0]

    def reads(r: dict[str, Any]) -> str:
        name = _SHOWN.get(r["modality"], r["modality"])
        verb = "read" if name == "words" else "reads"
        return f"{name} {verb} {r['label']} ({r['probability']:.2f})"

    if not counted:
        reasoning = "no weighted modality present"
    elif len(counted) == 1:
        reasoning = f"only {reads(counted[0])}"
    elif len({r["label"] for r in counted}) == 1:
        names = " and ".join(_SHOWN.get(r["modality"], r["modality"]) for r in counted)
        reasoning = f"{names} agree on {counted[0]['label']}"
    else:
        winners = [_SHOWN.get(r["modality"], r["modality"]) for r in counted if r["label"] == label]
        reasoning = " but ".join(reads(r) for r in counted)
        reasoning += ", an incongruent mix" if incongruent else ""
        reasoning += f"; {label} wins on {' and '.join(winners)}" if winners else f"; pooled they favour {label}"
    if ignored:
        reasoning += f"; {', '.join(reads(r) for r in ignored)} ({ignored_note})"
    return f"Cues: {'; '.join(cues)}. Reasoning: {reasoning}. Label: {label} ({confidence:.2f})."


def row_rationales(frame: Any) -> list[str]:
    """Write one rationale (cues → reasoning → label) per row of a single-modality frame.

    The cue is the row's ``evidence``; speech rows also name what their words read (``text_label``), which the
    voice label does not use.

    Parameters
    ----------
    frame : pandas.DataFrame
        Rows with ``modality``, ``label``, ``confidence`` and ``evidence``.

    Returns
    -------
    list of str

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"modality": ["text"], "label": ["anger"], "confidence": [0.9],
    ...                   "evidence": ["furious (+0.72)"]})
    >>> row_rationales(f)[0]
    'Cues: words furious (+0.72). Reasoning: only words read anger (0.90). Label: anger (0.90).'
    """
    out = []
    cols = frame.columns
    for row in frame.itertuples(index=False):
        r = row._asdict() if hasattr(row, "_asdict") else dict(zip(cols, row, strict=True))
        cue = r.get("evidence")
        if r["modality"] == "conversation":
            alone = r.get("label_without_context")
            how = "confirms" if alone == r["label"] else f"changes ({alone} alone)"
            out.append(
                f"Cues: {cue}. Reasoning: the turn is read with its neighbouring turns; context {how}. "
                f"Label: {r['label']} ({float(r['confidence']):.2f})."
            )
            continue
        readings = [
            {
                "modality": r["modality"],
                "label": r["label"],
                "probability": float(r["confidence"]),
                "cue": cue if isinstance(cue, str) and not cue.startswith("not computed") else "",
            }
        ]
        words = r.get("text_label")
        if r["modality"] == "speech" and isinstance(words, str) and words:
            readings.append(
                {
                    "modality": "text",
                    "label": words,
                    "probability": float(r.get("text_confidence", math.nan)),
                    "cue": "",
                    "weight": 0.0,
                }
            )
        out.append(
            compose_rationale(readings, r["label"], float(r["confidence"]), ignored_note="not used for the voice label")
        )
    return out
