"""Adapters for conversation transcripts: MELD, EmoryNLP, IEMOCAP (scored per utterance for now)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np

from affectscope.errors import InputError
from affectscope.evaluate.datasets.base import EvalData, _check_labels, _files_for, _read_text, _space_labels

# --- Conversations (scored per utterance, without context, until the conversation recognizer lands) -------------
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


def _single_label_csv(
    dataset: str,
    path: Path,
    split: str,
    names: dict[str, str],
    *,
    text_col: str,
    label_col: str,
    group_cols: tuple[str, ...],
    mapping: dict[str, str | None],
) -> EvalData:
    ek = _space_labels("ekman7")
    texts, y, groups = [], [], []
    for split_name, f in _files_for(path, split, names, dataset):
        reader = csv.DictReader(io.StringIO(_read_text(f, fallback="cp1252")))
        need = {text_col, label_col, *group_cols}
        if not need <= set(reader.fieldnames or []):
            raise InputError(
                f"{f} does not look like {dataset}: columns {sorted(need)} needed; got {reader.fieldnames}."
            )
        for n, row in enumerate(reader, 2):
            label = row[label_col].strip()
            if label not in mapping:
                raise InputError(f"{f}, line {n}: unknown {dataset} label {label!r}; expected {sorted(mapping)}.")
            texts.append(row[text_col].replace("\u2019", "'"))
            y.append(ek.index(mapping[label]))
            groups.append("/".join([split_name, *(row[c] for c in group_cols)]))
    return EvalData(
        dataset, split, "text", "single_label", "ekman7", ek, texts, np.array(y), np.array(groups), dict(mapping)
    )


def load_meld(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read MELD ``{train,dev,test}_sent_emo.csv`` (Utterance, Speaker, Emotion, ..., Dialogue_ID).

    MELD's seven emotions are Ekman-7 already; groups are dialogues.
    """
    _check_labels(labels, ("ekman7",), "meld")
    names = {s: f"{s}_sent_emo.csv" for s in ("train", "dev", "test")}
    return _single_label_csv(
        "meld",
        path,
        split,
        names,
        text_col="Utterance",
        label_col="Emotion",
        group_cols=("Dialogue_ID",),
        mapping=MELD_TO_EKMAN,
    )


def load_emorynlp(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read EmoryNLP ``emorynlp_{train,dev,test}_final.csv``; a dialogue is (Season, Episode, Scene_ID).

    Labels map to Ekman-7 by :data:`EMORYNLP_TO_EKMAN` (Peaceful and Powerful → joy, ours).
    """
    _check_labels(labels, ("ekman7",), "emorynlp")
    names = {s: f"emorynlp_{s}_final.csv" for s in ("train", "dev", "test")}
    return _single_label_csv(
        "emorynlp",
        path,
        split,
        names,
        text_col="Utterance",
        label_col="Emotion",
        group_cols=("Season", "Episode", "Scene_ID"),
        mapping=EMORYNLP_TO_EKMAN,
    )


def load_iemocap(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read IEMOCAP transcripts as CSV per split (``train.csv``, ``dev.csv``, ``test.csv``).

    Columns ``dialogue_id, speaker, label, text`` (the 6-class COSMIC split: hap, sad, neu, ang, exc, fru),
    mapped to Ekman-7 by :data:`IEMOCAP_TO_EKMAN`; groups are dialogues.
    """
    _check_labels(labels, ("ekman7",), "iemocap")
    names = {s: f"{s}.csv" for s in ("train", "dev", "test")}
    return _single_label_csv(
        "iemocap",
        path,
        split,
        names,
        text_col="text",
        label_col="label",
        group_cols=("dialogue_id",),
        mapping=IEMOCAP_TO_EKMAN,
    )
