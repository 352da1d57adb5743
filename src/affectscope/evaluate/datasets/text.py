"""Adapters for text data sets: GoEmotions, CARER, ISEAR, SemEval-2018 E-c, EmoBank, generic CSV."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import numpy as np

from affectscope.errors import InputError
from affectscope.evaluate.datasets.base import (
    EvalData,
    _check_labels,
    _files_for,
    _read_text,
    _space_labels,
    _to_ekman,
)


# --- GoEmotions ------------------------------------------------------------------------------------------------
def load_goemotions(path: Path, split: str, labels: str | None = None) -> EvalData:
    """GoEmotions TSV files (``train.tsv``, ``dev.tsv``, ``test.tsv``: text, comma-separated label ids, id).

    Labels: ``goemotions28`` (default; ids 0..27 in the published ``labels.txt`` order) or ``ekman7`` via the
    GoEmotions authors' mapping (multi-label).
    """
    space = _check_labels(labels, ("goemotions28", "ekman7"), "goemotions")
    names = _space_labels("goemotions28")
    texts, rows = [], []
    for _, f in _files_for(path, split, {"train": "train.tsv", "dev": "dev.tsv", "test": "test.tsv"}, "goemotions"):
        for n, rec in enumerate(csv.reader(io.StringIO(_read_text(f)), delimiter="\t", quoting=csv.QUOTE_NONE), 1):
            if len(rec) < 2:
                raise InputError(f"{f}, line {n}: expected 'text<TAB>label ids<TAB>id'; got {len(rec)} field(s).")
            try:
                ids = [int(i) for i in rec[1].split(",")]
            except ValueError:
                raise InputError(f"{f}, line {n}: label ids must be integers 0..27; got {rec[1]!r}.") from None
            if any(i < 0 or i >= len(names) for i in ids):
                raise InputError(f"{f}, line {n}: label id out of range 0..27 in {rec[1]!r}.")
            texts.append(rec[0])
            rows.append(ids)
    y = np.zeros((len(rows), len(names)), dtype=int)
    for i, ids in enumerate(rows):
        y[i, ids] = 1
    mapping: dict[str, Any] = {n: n for n in names}
    if space == "ekman7":
        from affectscope.labels import get_mapping

        y = (y @ get_mapping("goemotions28", "ekman7").matrix(split=False) > 0).astype(int)
        mapping = _to_ekman("goemotions28")
    return EvalData("goemotions", split, "text", "multi_label", space, _space_labels(space), texts, y, mapping=mapping)


# --- CARER -----------------------------------------------------------------------------------------------------
def load_carer(path: Path, split: str, labels: str | None = None) -> EvalData:
    """CARER ``train.txt`` / ``val.txt`` / ``test.txt`` lines ``text;label`` (split ``dev`` reads ``val.txt``).

    Single-label; scored in ``ekman7`` with love → joy (``labels`` mapping ``carer6 → ekman7``).
    """
    _check_labels(labels, ("ekman7",), "carer")
    mapping = _to_ekman("carer6")
    texts, y = [], []
    ek = _space_labels("ekman7")
    for _, f in _files_for(path, split, {"train": "train.txt", "dev": "val.txt", "test": "test.txt"}, "carer"):
        for n, line in enumerate(_read_text(f).splitlines(), 1):
            if not line.strip():
                continue
            text, sep, label = line.rpartition(";")
            if not sep:
                raise InputError(f"{f}, line {n}: expected 'text;label'; got {line[:60]!r}.")
            if label not in mapping:
                raise InputError(f"{f}, line {n}: unknown CARER label {label!r}; expected one of {sorted(mapping)}.")
            texts.append(text)
            y.append(ek.index(mapping[label]))
    return EvalData("carer", split, "text", "single_label", "ekman7", ek, texts, np.array(y), mapping=mapping)


# --- ISEAR -----------------------------------------------------------------------------------------------------
ISEAR_TO_EKMAN: dict[str, str | None] = {
    "joy": "joy",
    "fear": "fear",
    "anger": "anger",
    "sadness": "sadness",
    "disgust": "disgust",
    # Ours, following the GoEmotions authors' Ekman grouping (embarrassment -> sadness, remorse -> sadness):
    "shame": "sadness",
    "guilt": "sadness",
}


def load_isear(path: Path, split: str, labels: str | None = None) -> EvalData:
    """Read the original ``isear.csv``: ``|``-separated with a header; emotion in ``Field1``, text in ``SIT``.

    Some situation texts contain ``|`` themselves: a row with more fields than the header has its surplus fields
    joined back into ``SIT``. ISEAR has no official split (use ``--split all``). Scored in ``ekman7`` (single
    label) with shame and guilt → sadness (see :data:`ISEAR_TO_EKMAN`).
    """
    _check_labels(labels, ("ekman7",), "isear")
    f = path / "isear.csv" if path.is_dir() else path
    if not f.is_file():
        raise InputError(f"isear: expected the original isear.csv at {f}.")
    if split != "all":
        raise InputError(f"isear has no official split; use split 'all' (got {split!r}).")
    lines = _read_text(f, fallback="cp1252").splitlines()  # the 1990s original is not always UTF-8
    header = [h.strip() for h in lines[0].split("|")] if lines else []
    if "Field1" not in header or "SIT" not in header:
        raise InputError(f"{f} does not look like isear.csv: its header needs 'Field1' and 'SIT'; got {header[:8]}.")
    emo, sit = header.index("Field1"), header.index("SIT")
    ek = _space_labels("ekman7")
    texts, y = [], []
    for n, line in enumerate(lines[1:], 2):
        if not line.strip():
            continue
        parts = line.split("|")
        extra = len(parts) - len(header)
        if extra < 0:
            raise InputError(f"{f}, line {n}: {len(parts)} fields, the header has {len(header)}.")
        text = "|".join(parts[sit : sit + extra + 1])
        label = parts[emo if emo < sit else emo + extra].strip().lower()
        if label not in ISEAR_TO_EKMAN:
            raise InputError(f"{f}, line {n}: unknown ISEAR emotion {label!r}; expected {sorted(ISEAR_TO_EKMAN)}.")
        texts.append(text.strip())
        y.append(ek.index(ISEAR_TO_EKMAN[label]))
    return EvalData("isear", "all", "text", "single_label", "ekman7", ek, texts, np.array(y), mapping=ISEAR_TO_EKMAN)


# --- SemEval-2018 Task 1 E-c --------------------------------------------------------------------------------------
def load_semeval(path: Path, split: str, labels: str | None = None) -> EvalData:
    """SemEval-2018 E-c English files ``2018-E-c-En-{train,dev,test}.txt`` (TSV: ID, Tweet, 11 0/1 columns).

    Scored multi-label in ``ekman7``: love and optimism → joy, pessimism → sadness, anticipation and trust
    dropped (``labels`` mapping ``semeval2018_ec11 → ekman7``); a tweet with no emotion left is ``neutral``.
    """
    _check_labels(labels, ("ekman7",), "semeval2018-ec")
    names = {s: f"2018-E-c-En-{s}.txt" for s in ("train", "dev", "test")}
    src = _space_labels("semeval2018_ec11")
    ek = _space_labels("ekman7")
    mapping = _to_ekman("semeval2018_ec11")
    texts, rows = [], []
    for _, f in _files_for(path, split, names, "semeval2018-ec"):
        reader = csv.reader(io.StringIO(_read_text(f)), delimiter="\t", quoting=csv.QUOTE_NONE)
        header = next(reader, [])
        missing = [c for c in ["ID", "Tweet", *src] if c not in header]
        if missing:
            raise InputError(f"{f} does not look like SemEval-2018 E-c: header lacks {missing}.")
        cols = [header.index(c) for c in src]
        tweet = header.index("Tweet")
        for n, rec in enumerate(reader, 2):
            try:
                vals = [int(rec[c]) for c in cols]
            except (ValueError, IndexError):
                raise InputError(f"{f}, line {n}: the 11 emotion columns must be 0/1.") from None
            row = np.zeros(len(ek), dtype=int)
            for lab, v in zip(src, vals, strict=True):
                if v and mapping[lab] is not None:
                    row[ek.index(mapping[lab])] = 1
            if not row.any():
                row[ek.index("neutral")] = 1
            texts.append(rec[tweet])
            rows.append(row)
    y = np.array(rows).reshape(len(rows), len(ek))
    return EvalData("semeval2018-ec", split, "text", "multi_label", "ekman7", ek, texts, y, mapping=mapping)


# --- EmoBank ---------------------------------------------------------------------------------------------------
def load_emobank(path: Path, split: str, labels: str | None = None) -> EvalData:
    """EmoBank ``emobank.csv`` (columns id, split, V, A, D, text; V/A/D on 1–5, rescaled to [-1, 1])."""
    _check_labels(labels, ("vad",), "emobank")
    f = path / "emobank.csv" if path.is_dir() else path
    if not f.is_file():
        raise InputError(f"emobank: expected emobank.csv in {path}.")
    reader = csv.DictReader(io.StringIO(_read_text(f)))
    need = {"split", "V", "A", "D", "text"}
    if not need <= set(reader.fieldnames or []):
        raise InputError(f"{f} does not look like emobank.csv: columns {sorted(need)} needed.")
    rows = [r for r in reader if split == "all" or r["split"] == split]
    if not rows:
        raise InputError(f"emobank: no rows with split {split!r} in {f} (splits are train, dev, test).")
    y = (np.array([[float(r["V"]), float(r["A"]), float(r["D"])] for r in rows]) - 3.0) / 2.0
    dims = ["valence", "arousal", "dominance"]
    return EvalData("emobank", split, "text", "regression", "vad", dims, [r["text"] for r in rows], y)


# --- Generic CSV ---------------------------------------------------------------------------------------------
def load_csv(
    path: Path,
    split: str,
    labels: str | None = None,
    *,
    text_column: str = "text",
    label_column: str = "label",
    split_column: str | None = None,
) -> EvalData:
    """Read any CSV with a text column and a label column (single-label; labels of one affectscope space).

    Parameters
    ----------
    path : pathlib.Path
        The CSV file.
    split : str
        ``"all"``, or a value of ``split_column``.
    labels : str, optional
        Label space of the label column (default ``ekman7``); values are matched case-insensitively.
    text_column, label_column : str
        Column names.
    split_column : str, optional
        Column holding the split name of each row.
    """
    space = labels or "ekman7"
    from affectscope.labels import get_space

    names = list(get_space(space).labels)
    lookup = {n.lower(): i for i, n in enumerate(names)}
    if not path.is_file():
        raise InputError(f"csv: --path must be a CSV file; {path} is not a file.")
    reader = csv.DictReader(io.StringIO(_read_text(path)))
    need = {text_column, label_column} | ({split_column} if split_column else set())
    if not need <= set(reader.fieldnames or []):
        raise InputError(
            f"{path} lacks the columns {sorted(need - set(reader.fieldnames or []))}; it has {reader.fieldnames}."
        )
    if split != "all" and not split_column:
        raise InputError("csv: without --split-column only split 'all' exists.")
    texts, y = [], []
    for n, row in enumerate(reader, 2):
        if split != "all" and row[split_column] != split:
            continue
        label = row[label_column].strip().lower()
        if label not in lookup:
            raise InputError(f"{path}, line {n}: label {row[label_column]!r} is not in {space}: {names}.")
        texts.append(row[text_column])
        y.append(lookup[label])
    return EvalData("csv", split, "text", "single_label", space, names, texts, np.array(y, dtype=int))
