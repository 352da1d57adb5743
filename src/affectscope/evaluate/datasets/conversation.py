"""Adapters for conversation transcripts: MELD, EmoryNLP, IEMOCAP — turns in dialogue order, with speakers."""

from __future__ import annotations

import ast
import csv
import io
from pathlib import Path

import numpy as np

from affectscope.errors import InputError
from affectscope.evaluate.datasets.base import EvalData, _check_labels, _files_for, _read_text, _space_labels

MELD_TO_EKMAN: dict[str, str | None] = {
    e: e for e in ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral")
}
EMORYNLP_TO_EKMAN: dict[str, str | None] = {
    "Joyful": "joy",
    "Scared": "fear",
    "Mad": "anger",
    "Sad": "sadness",
    "Neutral": "neutral",
    # Ours: Willcox's feeling wheel puts Peaceful and Powerful among the positive core feelings; Ekman's only
    # positive class is joy.
    "Peaceful": "joy",
    "Powerful": "joy",
}
IEMOCAP_TO_EKMAN: dict[str, str | None] = {
    "hap": "joy",
    "exc": "joy",  # excitement -> joy, as in the GoEmotions authors' grouping
    "sad": "sadness",
    "ang": "anger",
    "fru": "anger",  # ours: frustration ~ annoyance, which the GoEmotions grouping puts under anger
    "neu": "neutral",
}


# Native label space of each corpus (a head of the conversation model predicts it) and the dataset's spelling.
CONVERSATION_SPACES = {"meld": "ekman7", "emorynlp": "emorynlp7", "iemocap": "iemocap6"}
_NATIVE: dict[str, dict[str, str]] = {
    "meld": {e: e for e in MELD_TO_EKMAN},
    "emorynlp": {k: k.lower() for k in EMORYNLP_TO_EKMAN},
    "iemocap": {
        "ang": "anger",
        "exc": "excitement",
        "fru": "frustration",
        "hap": "happiness",
        "neu": "neutral",
        "sad": "sadness",
    },
}


def _speaker(value: str) -> str:
    """EmoryNLP writes speakers as a Python list literal (``['Monica Geller']``); others as plain names."""
    v = value.strip()
    if v.startswith("[") and v.endswith("]"):
        try:
            names = ast.literal_eval(v)  # literals only: safe on untrusted text
        except (ValueError, SyntaxError):
            names = [v[1:-1]]
        return ", ".join(str(n) for n in names if str(n).strip()) or "?"
    return v or "?"


def _conversation_csv(
    dataset: str,
    path: Path,
    split: str,
    labels: str | None,
    names: dict[str, str],
    *,
    cols: dict[str, str],
    group_cols: tuple[str, ...],
    mapping: dict[str, str | None],
) -> EvalData:
    """Read one conversation corpus: turns in dialogue order, with speakers and dialogue ids.

    ``cols`` maps ``text``, ``label``, ``speaker`` and ``turn`` to the corpus's column names. Targets are in the
    corpus's native space (:data:`CONVERSATION_SPACES`) or mapped to Ekman-7.
    """
    native = CONVERSATION_SPACES[dataset]
    space = _check_labels(labels, tuple(dict.fromkeys(("ekman7", native))), dataset)
    to_space = mapping if space == "ekman7" else _NATIVE[dataset]
    space_labels = _space_labels(space)
    rows: list[tuple[str, int, int, str, str, str]] = []
    for split_name, f in _files_for(path, split, names, dataset):
        reader = csv.DictReader(io.StringIO(_read_text(f, fallback="cp1252")))
        need = {*cols.values(), *group_cols}
        if not need <= set(reader.fieldnames or []):
            raise InputError(
                f"{f} does not look like {dataset}: columns {sorted(need)} needed; got {reader.fieldnames}."
            )
        for n, row in enumerate(reader, 2):
            label = row[cols["label"]].strip()
            if label not in to_space:
                raise InputError(f"{f}, line {n}: unknown {dataset} label {label!r}; expected {sorted(to_space)}.")
            try:
                turn = int(float(row[cols["turn"]]))
            except ValueError:
                raise InputError(
                    f"{f}, line {n}: {cols['turn']} must be a number; got {row[cols['turn']]!r}."
                ) from None
            group = "/".join([split_name, *(row[c] for c in group_cols)])
            text = row[cols["text"]].replace("\u2019", "'")
            rows.append((group, turn, len(rows), text, _speaker(row[cols["speaker"]]), to_space[label]))
    # dialogue order: first appearance of the dialogue, then turn number (files are not always sorted)
    first: dict[str, int] = {}
    for r in rows:
        first.setdefault(r[0], r[2])
    rows.sort(key=lambda r: (first[r[0]], r[1], r[2]))
    return EvalData(
        dataset,
        split,
        "conversation",
        "single_label",
        space,
        space_labels,
        [r[3] for r in rows],
        np.array([space_labels.index(r[5]) for r in rows]),
        np.array([r[0] for r in rows]),
        dict(to_space),
        speakers=np.array([r[4] for r in rows]),
    )


def load_meld(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read MELD ``{train,dev,test}_sent_emo.csv`` (Utterance, Speaker, Emotion, ..., Dialogue_ID).

    MELD's seven emotions are Ekman-7 already; groups are dialogues; items are in dialogue order with speakers.
    """
    names = {s: f"{s}_sent_emo.csv" for s in ("train", "dev", "test")}
    return _conversation_csv(
        "meld",
        path,
        split,
        labels,
        names,
        cols={"text": "Utterance", "label": "Emotion", "speaker": "Speaker", "turn": "Utterance_ID"},
        group_cols=("Dialogue_ID",),
        mapping=MELD_TO_EKMAN,
    )


def load_emorynlp(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read EmoryNLP ``emorynlp_{train,dev,test}_final.csv``; a dialogue is (Season, Episode, Scene_ID).

    ``labels="emorynlp7"`` scores the seven native emotions; the default maps them to Ekman-7 by
    :data:`EMORYNLP_TO_EKMAN` (Peaceful and Powerful → joy, ours).
    """
    names = {s: f"emorynlp_{s}_final.csv" for s in ("train", "dev", "test")}
    return _conversation_csv(
        "emorynlp",
        path,
        split,
        labels,
        names,
        cols={"text": "Utterance", "label": "Emotion", "speaker": "Speaker", "turn": "Utterance_ID"},
        group_cols=("Season", "Episode", "Scene_ID"),
        mapping=EMORYNLP_TO_EKMAN,
    )


def load_iemocap(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read IEMOCAP transcripts as CSV per split (``train.csv``, ``dev.csv``, ``test.csv``).

    Columns ``dialogue_id, utt_index, speaker, label, text`` (the 6-class COSMIC split: hap, sad, neu, ang, exc,
    fru). ``labels="iemocap6"`` scores the six native classes; the default maps them to Ekman-7 by
    :data:`IEMOCAP_TO_EKMAN`. Groups are dialogues.
    """
    names = {s: f"{s}.csv" for s in ("train", "dev", "test")}
    return _conversation_csv(
        "iemocap",
        path,
        split,
        labels,
        names,
        cols={"text": "text", "label": "label", "speaker": "speaker", "turn": "utt_index"},
        group_cols=("dialogue_id",),
        mapping=IEMOCAP_TO_EKMAN,
    )
