"""Run a model on a dataset split and compute the metrics its community uses.

The report is a JSON-serialisable dict::

    {"dataset", "split", "model", "n", "labels", "metrics": {...}, "per_class": {...}, "confusion": {...},
     "reliability": [{"lo", "hi", "confidence", "accuracy", "count"}, ...]}

Metric keys: single-label ``accuracy``, ``macro_f1``, ``weighted_f1``, ``uar``, ``ece``; multi-label
``macro_f1``, ``micro_f1``, ``weighted_f1``, ``ece`` (every (item, label) probability a binary forecast);
regression ``pearson_<dim>`` and ``ccc_<dim>``. Macro averages run over the classes present in the gold data.
Sets with crowd votes (CREMA-D with its ``votes.csv``) add the metric ``js_votes`` (mean Jensen-Shannon
divergence, base 2, between the model's Ekman-7 output restricted to the rated classes and the crowd
distribution, over the ``n_votes`` items with votes); sets with speaker demographics (CREMA-D with its
``demographics.csv``, URDU) add ``by_group``: ``{attribute: {group: {"n", "uar"}}}``. What an adapter counted
while reading (e.g. ESD labels that disagree with their folder) comes as ``adapter_notes``.
Decisions are exactly the product's (``TextRecognizer.decide`` thresholds for multi-label, arg-max for
single-label), so figures match the model cards.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

from affectscope.errors import ConfigError, InputError
from affectscope.evaluate import metrics as m
from affectscope.evaluate.datasets import EvalData, load_dataset
from affectscope.progress import Progress, as_progress

__all__ = ["evaluate", "score"]


def _round(d: dict[str, Any]) -> dict[str, Any]:
    return {k: (round(float(v), 4) if isinstance(v, float | np.floating) else v) for k, v in d.items()}


def _recognizer(kind: str, model: Any, num_threads: int | None, **options: Any) -> Any:
    """Return the product's recognizer for ``kind``, built by the router from a spec (eval scores what users run)."""
    from affectscope.pipeline import AnalysisSpec, build_recognizer

    name = None if model is None else os.fspath(model) if isinstance(model, os.PathLike) else model
    return build_recognizer(kind, AnalysisSpec(model=name, num_threads=num_threads, **options))


def _per_class(y_true: np.ndarray, y_pred: np.ndarray, labels: list[str]) -> dict[str, dict[str, float]]:
    p, r, f, s = m._sk().precision_recall_fscore_support(
        y_true, y_pred, labels=list(range(len(labels))) if y_true.ndim == 1 else None, zero_division=0
    )
    return {
        lab: {
            "precision": round(float(p[i]), 4),
            "recall": round(float(r[i]), 4),
            "f1": round(float(f[i]), 4),
            "support": int(s[i]),
        }
        for i, lab in enumerate(labels)
    }


def _by_group(demographics: dict[str, np.ndarray], y: np.ndarray, y_hat: np.ndarray) -> dict[str, Any]:
    """UAR and item count per group of each attribute (sex, age band, race ...), classes present in the group."""
    out: dict[str, Any] = {}
    for attr, values in demographics.items():
        values = np.asarray(values).astype(str)
        if len(values) != len(y):
            raise InputError(f"demographics[{attr!r}] has {len(values)} entries for {len(y)} items.")
        groups = {}
        for g in sorted(set(values.tolist()), key=lambda g: (g == "unknown", g != "<20", g)):
            sel = values == g
            present = sorted(set(y[sel].tolist()))
            groups[g] = {"n": int(sel.sum()), "uar": round(m.uar(y[sel], y_hat[sel], labels=present), 4)}
        out[attr] = groups
    return out


def score(data: EvalData, pred: dict[str, np.ndarray], *, decide: Any = None) -> dict[str, Any]:
    """Compute metrics, per-class figures and confusion counts from model outputs.

    Parameters
    ----------
    data : EvalData
        The dataset split (targets, label space, task kind).
    pred : dict
        Model outputs keyed by label space (``{"ekman7": (n, 7), "vad": (n, 3), ...}``).
    decide : callable, optional
        ``decide(probs, space=...) -> list of label lists``: multi-label decisions (required for multi-label).

    Returns
    -------
    dict
        ``{"metrics", "per_class", "confusion", "reliability"}``; single-label sets with crowd votes add the
        metric ``js_votes`` and ``n_votes`` (items with votes), sets with demographics add ``by_group``
        (``{attribute: {group: {"n", "uar"}}}``, UAR over the classes present in the group).

    Examples
    --------
    >>> import numpy as np
    >>> from affectscope.evaluate.datasets import EvalData
    >>> d = EvalData("toy", "dev", "text", "single_label", "ekman7", ["anger", "joy"], ["a", "b"], np.array([0, 1]))
    >>> score(d, {"ekman7": np.array([[0.9, 0.1], [0.2, 0.8]])})["metrics"]["accuracy"]
    1.0
    >>> d.demographics = {"sex": np.array(["Female", "Male"])}
    >>> score(d, {"ekman7": np.array([[0.9, 0.1], [0.9, 0.1]])})["by_group"]
    {'sex': {'Female': {'n': 1, 'uar': 1.0}, 'Male': {'n': 1, 'uar': 0.0}}}
    """
    if data.space not in pred:
        raise ConfigError(f"The model gives {sorted(pred)}, not {data.space!r} which {data.dataset} is scored in.")
    out = np.asarray(pred[data.space], dtype=float)
    y = data.y
    if data.kind == "regression":
        res = {}
        for j, dim in enumerate(data.labels):
            res[f"pearson_{dim}"] = m.pearson(out[:, j], y[:, j])
            res[f"ccc_{dim}"] = m.ccc(out[:, j], y[:, j])
        return {"metrics": _round(res), "per_class": {}, "confusion": {}, "reliability": []}
    if data.kind == "single_label":
        probs = out / np.clip(out.sum(1, keepdims=True), 1e-9, None)
        y_hat = probs.argmax(1)
        present = sorted(set(y.tolist()))
        res = {
            "accuracy": m.accuracy(y, y_hat),
            "macro_f1": m.macro_f1(y, y_hat, labels=present),
            "weighted_f1": m.weighted_f1(y, y_hat, labels=present),
            "uar": m.uar(y, y_hat, labels=present),
            "ece": m.ece(probs, y),
        }
        extra: dict[str, Any] = {}
        if data.votes is not None and data.votes_labels and "ekman7" in pred:
            rated = int((~np.isnan(np.asarray(data.votes, dtype=float)).any(axis=1)).sum())
            if rated:
                from affectscope.evaluate.datasets.base import _space_labels

                ek = _space_labels("ekman7")
                cols = [ek.index(lab) for lab in data.votes_labels]
                res["js_votes"] = m.js_votes(np.asarray(pred["ekman7"], dtype=float), data.votes, columns=cols)
            extra["n_votes"] = rated
        if data.demographics:
            extra["by_group"] = _by_group(data.demographics, y, y_hat)
        confusion = {
            data.labels[t]: {data.labels[p]: int(np.sum((y == t) & (y_hat == p))) for p in range(len(data.labels))}
            for t in range(len(data.labels))
        }
        return {
            "metrics": _round(res),
            "per_class": _per_class(y, y_hat, data.labels),
            "confusion": confusion,
            "reliability": m.reliability_bins(probs.max(1), y_hat == y),
            **extra,
        }
    if decide is None:
        raise ConfigError("Multi-label scoring needs the model's decision rule ('decide').")
    y_hat = np.zeros_like(y)
    for i, row in enumerate(decide(out, space=data.space)):
        y_hat[i, [data.labels.index(lab) for lab in row]] = 1
    present = [j for j in range(y.shape[1]) if y[:, j].any()]
    res = {
        "macro_f1": m.macro_f1(y, y_hat, labels=present),
        "micro_f1": m.micro_f1(y, y_hat),
        "weighted_f1": m.weighted_f1(y, y_hat, labels=present),
        "ece": m.multilabel_ece(out, y),
    }
    confusion = {
        lab: {
            "tp": int(np.sum((y[:, j] == 1) & (y_hat[:, j] == 1))),
            "fp": int(np.sum((y[:, j] == 0) & (y_hat[:, j] == 1))),
            "fn": int(np.sum((y[:, j] == 1) & (y_hat[:, j] == 0))),
        }
        for j, lab in enumerate(data.labels)
    }
    return {
        "metrics": _round(res),
        "per_class": _per_class(y, y_hat, data.labels),
        "confusion": confusion,
        "reliability": m.reliability_bins(out.ravel(), y.ravel()),
    }


def evaluate(
    dataset: str,
    path: str | os.PathLike[str],
    *,
    split: str = "test",
    model: str | os.PathLike[str] | None = None,
    labels: str | None = None,
    num_threads: int | None = None,
    speaker_norm: bool = False,
    mode: str | None = None,
    predictions: str | os.PathLike[str] | None = None,
    progress: bool | Progress | Callable[[float], None] | None = None,
    **options: Any,
) -> dict[str, Any]:
    r"""Evaluate a model on one split of a dataset read in its published format.

    Parameters
    ----------
    dataset : str
        Adapter name, e.g. ``"goemotions"`` (see :data:`affectscope.evaluate.datasets.ADAPTERS`).
    path : path-like
        Dataset folder (or file).
    split : {"train", "dev", "test", "all"}
        Split to score.
    model : str or path-like, optional
        Registry name or bundle folder (default: the modality's default model).
    labels : str, optional
        Label space to score in (dataset default when omitted), e.g. ``"ekman7"`` for GoEmotions. ``"open"``
        scores open-vocabulary predictions instead: the model's reading is named with the closest words of
        :mod:`affectscope.labels.open_vocabulary` and scored against the dataset's own label words with
        wheel-grouped set precision/recall at the primary, secondary and word tiers (OV-MER style).
    num_threads : int, optional
        CPU threads.
    speaker_norm : bool
        Speech/face sets with speaker ids: let the model adapt to each speaker with that speaker's own
        (unlabelled) recordings — the product's recording baseline. Otherwise every file is judged alone.
    mode : {"offline", "streaming"}, optional
        Conversation sets (MELD, EmoryNLP, IEMOCAP): read each turn with past and future turns (``"offline"``,
        the default) or past turns only (``"streaming"``). Passing a text model instead of a conversation model
        scores every turn alone.
    predictions : path-like, optional
        With ``labels="open"``: score these words instead of running a model — a UTF-8 text file with one line
        per item of the split, in the adapter's order, holding comma-separated emotion words (e.g. an LLM's
        answers). Words outside the vocabulary count as wrong and are listed.
    progress : bool, Progress or callable, optional
        Report progress over the split's items (see :mod:`affectscope.progress`): ``True`` writes to stderr (a
        bar on a terminal, a line every few seconds otherwise); a :class:`~affectscope.progress.Progress` is
        used as given (its total and description are filled in); a callable gets the share done (0–1).
        Default: quiet.
    **options
        Adapter options, e.g. ``text_column`` / ``label_column`` for the ``csv`` adapter.

    Returns
    -------
    dict
        ``{"dataset", "split", "model", "n", "labels", "metrics", "per_class", "confusion", "reliability"}``;
        speech and face sets add ``speaker_norm``; sets with crowd votes add the metric ``js_votes`` and
        ``n_votes``, sets with demographics ``by_group`` (see :func:`score`), and ``adapter_notes`` holds what
        the adapter counted while reading, when anything.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "val.txt").write_text("i feel so happy today;joy\ni am terrified;fear\n", encoding="utf-8")
    >>> evaluate("carer", d, split="dev")["metrics"]["accuracy"]
    1.0
    """
    from affectscope.evaluate.datasets.conversation import CONVERSATION_SPACES

    if mode is not None and dataset not in CONVERSATION_SPACES:
        raise ConfigError(
            f"'mode' applies to the conversation sets {sorted(CONVERSATION_SPACES)}; {dataset!r} is not one."
        )
    if labels == "open":
        return _evaluate_open(
            dataset,
            path,
            split=split,
            model=model,
            num_threads=num_threads,
            predictions=predictions,
            progress=progress,
            **options,
        )
    if predictions is not None:
        raise ConfigError("'predictions' (a file of open-vocabulary words) needs labels='open'.")
    data = load_dataset(dataset, path, split=split, labels=labels, **options)
    if speaker_norm and (data.modality not in ("speech", "face") or data.groups is None):
        raise ConfigError(
            f"--speaker-norm needs a speech or face dataset with speaker ids; {dataset} is a {data.modality} set."
        )
    if data.modality == "speech":
        from affectscope.media.audio import load_audio

        rec: Any = _recognizer(
            "speech", model, num_threads, transcript=False, baseline="always" if speaker_norm else "never"
        )
        with _progress(progress, data) as tick:
            pred = rec.predict_signals(
                tick.iterate(load_audio(f).samples for f in data.items), groups=data.groups if speaker_norm else None
            )
        report = score(data, pred)
        return _report(data, rec, report, speaker_norm=speaker_norm)
    if data.modality == "face":
        if speaker_norm:
            raise ConfigError("--speaker-norm is not available for faces yet.")
        rec = _recognizer("face", model, num_threads)
        with _progress(progress, data) as tick:
            report = score(data, _face_predictions(rec, data.items, progress=tick))
        return _report(data, rec, report)
    if data.modality == "music":
        rec = _recognizer("music", model, num_threads)
        with _progress(progress, data) as tick:
            probs = np.array(
                [
                    [rec.process_file(f).summary["scores"][rec.space_][lab] for lab in rec.labels_]
                    for f in tick.iterate(data.items)
                ]
            )
        return _report(data, rec, score(data, {rec.space_: probs}))
    if data.modality == "eeg":
        return _evaluate_eeg(data, model, progress=progress)
    if data.modality == "physio":
        rec = _recognizer("physio", model, num_threads)
        with _progress(progress, data) as tick:
            probs = physio_predictions(rec, data.items, progress=tick)
        return _report(data, rec, score(data, {rec.space_: probs}))
    if data.modality == "conversation":
        from affectscope.models import get_bundle

        if model is None or get_bundle(model).modality == "conversation":
            return _evaluate_conversation(
                data, model, mode=mode or "offline", num_threads=num_threads, progress=progress
            )
        data.modality = "text"  # a text model: every turn alone, as a baseline
    if data.modality != "text":
        raise ConfigError(
            f"{dataset} was read ({len(data)} {data.modality} items), but scoring it needs a {data.modality} "
            f"model, and affectscope has no scorer for {data.modality} sets yet."
        )
    rec = _recognizer("text", model, num_threads)
    with _progress(progress, data) as tick:
        pred = _predict_texts(rec, [str(t) for t in data.items], progress=tick)
    report = score(data, pred, decide=rec.decide)
    return _report(data, rec, report)


OPEN_K = 2  # words per prediction in open-vocabulary scoring (chosen on GoEmotions train among 1, 2, 3)


def _read_word_lists(path: Any, n: int) -> list[list[str]]:
    """One comma-separated word list per line of a predictions file; exactly ``n`` lines."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"Cannot read the predictions file {path}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError as exc:
        raise InputError(
            f"The predictions file {path} is not UTF-8 text (byte offset {exc.start}); save it as UTF-8."
        ) from None
    if lines and not lines[-1].strip():
        lines = lines[:-1]
    if len(lines) != n:
        raise InputError(
            f"The predictions file {path} has {len(lines)} lines; the split has {n} items. Write one line of "
            "comma-separated words per item, in the dataset's order."
        )
    return [[w.strip() for w in line.split(",") if w.strip()] for line in lines]


def _evaluate_open(
    dataset: str,
    path: Any,
    *,
    split: str,
    model: Any,
    num_threads: int | None,
    predictions: Any = None,
    progress: Any = None,
    **options: Any,
) -> dict[str, Any]:
    """Score a model's open-vocabulary words against a dataset's label words (wheel-grouped set P/R/F1)."""
    from affectscope.labels import expected_vad
    from affectscope.labels.open_vocabulary import closest_words, get_open_vocabulary, open_set_scores

    data = load_dataset(dataset, path, split=split, **options)
    if data.kind not in ("single_label", "multi_label"):
        raise ConfigError(f"--labels open needs a categorical dataset; {dataset} is {data.kind}.")
    known = set(get_open_vocabulary().words)
    missing = sorted({lab for lab in data.labels if lab.lower() not in known})
    if missing:
        raise ConfigError(
            f"--labels open needs datasets whose labels are emotion words of the vocabulary; {dataset} has "
            f"{missing}. Score it with --labels ekman7 instead."
        )
    y = np.asarray(data.y)
    gold = (
        [[data.labels[j] for j in np.flatnonzero(row)] for row in y] if y.ndim == 2 else [[data.labels[i]] for i in y]
    )
    first = None
    if predictions is not None:
        words = _read_word_lists(predictions, len(data))
        metrics: dict[str, float] = {}
        unknown: set[str] = set()
        for level in ("primary", "secondary", "word"):
            sc = open_set_scores(words, gold, level=level)
            metrics |= {f"{level}_{m}": sc[m] for m in ("precision", "recall", "f1")}
            unknown |= set(sc["unknown"])
        return {
            "dataset": data.dataset,
            "split": data.split,
            "model": f"predictions: {Path(predictions).name}",
            "n": len(data),
            "labels": "open",
            "reference_space": data.space,
            "metrics": metrics,
            "unknown_words": sorted(unknown)[:50],
        }
    if data.modality == "text":
        rec: Any = _recognizer("text", model, num_threads, evidence=False)
        with _progress(progress, data) as tick:
            pred = _predict_texts(rec, [str(t) for t in data.items], progress=tick)
        probs, vad, scale = pred["ekman7"], pred["vad"], "text"
        first = rec.decide(pred[rec.multi_])
    elif data.modality == "speech":
        from affectscope.media.audio import load_audio

        rec = _recognizer("speech", model, num_threads, transcript=False, baseline="never")
        with _progress(progress, data) as tick:
            pred = rec.predict_signals(tick.iterate(load_audio(f).samples for f in data.items))
        probs, vad, scale = pred["ekman7"], pred["vad"], "label"
    elif data.modality == "face":
        rec = _recognizer("face", model, num_threads)
        with _progress(progress, data) as tick:
            probs = _face_predictions(rec, data.items, progress=tick)[rec.space_]
        vad, scale = expected_vad(probs, space=rec.space_), "label"
    else:
        raise ConfigError(f"--labels open scores text, speech and face sets; {dataset} is a {data.modality} set.")
    words = [[w for w, _ in r] for r in closest_words(probs, vad, k=OPEN_K, vad_scale=scale, first=first)]
    metrics: dict[str, float] = {}
    for level in ("primary", "secondary", "word"):
        sc = open_set_scores(words, gold, level=level)
        metrics |= {f"{level}_{m}": sc[m] for m in ("precision", "recall", "f1")}
    # what the words add over naming the Ekman-7 label itself
    ekman = ("anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral")
    top = [[ekman[int(i)]] for i in np.asarray(probs).argmax(1)]
    metrics["primary_f1_ekman_label_only"] = open_set_scores(top, gold, level="primary")["f1"]
    return {
        "dataset": data.dataset,
        "split": data.split,
        "model": rec.bundle.name,
        "n": len(data),
        "labels": "open",
        "k": OPEN_K,
        "reference_space": data.space,
        "metrics": metrics,
        "examples": [
            {"item": str(data.items[i])[:80], "words": words[i], "reference": gold[i]}
            for i in range(min(5, len(words)))
        ],
    }


def _evaluate_conversation(
    data: EvalData, model: Any, *, mode: str, num_threads: int | None, progress: Any = None
) -> dict[str, Any]:
    """Score a conversation set dialogue by dialogue with the conversation recognizer (turns in context)."""
    rec = _recognizer("conversation", model, num_threads, conversation=True, streaming=mode == "streaming")
    with _progress(progress, data) as tick:
        probs = conversation_predictions(rec, data, progress=tick)
    report = score(data, {data.space: probs})
    return _report(data, rec, report) | {"mode": mode}


def conversation_predictions(rec: Any, data: EvalData, *, progress: Progress | None = None) -> np.ndarray:
    """Probabilities in ``data.space`` for every turn of a conversation set, dialogue by dialogue.

    The model's head for the corpus's own label space is used and converted when another space is scored.
    ``progress`` (a started :class:`~affectscope.progress.Progress`) counts the turns done.
    """
    from affectscope.evaluate.datasets.conversation import CONVERSATION_SPACES
    from affectscope.labels import convert

    native = CONVERSATION_SPACES[data.dataset]
    head = native if native in rec.labels_ else rec.primary_
    probs = np.zeros((len(data), len(rec.labels_[head])), dtype=np.float32)
    groups = np.asarray(data.groups)
    speakers = np.asarray(data.speakers)
    bounds = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1], True])
    for a, b in pairwise(bounds):
        turns = list(zip(speakers[a:b], [str(t).strip() or "." for t in data.items[a:b]], strict=True))
        probs[a:b] = rec.predict(turns)[head]
        if progress is not None:
            progress.advance(b - a)
    if head != data.space:
        probs = convert(probs, source=head, target=data.space).to_numpy(dtype=np.float32)
    return probs


def _face_predictions(rec: Any, items: list[Any], *, progress: Progress | None = None) -> dict[str, np.ndarray]:
    """Return expression probabilities per image (``progress``: a started reporter counting the images).

    Face crops (FER2013, CK+48: at most 64 px) go straight to the model, resized to its 48×48 input; larger
    photos go through detection and alignment, and the largest face counts (an image without a detectable face
    scores the uniform distribution, i.e. counts as a miss).
    """
    from PIL import Image

    from affectscope.media.image import load_image

    space = rec.space_
    probs = np.full((len(items), len(rec.labels_)), 1 / len(rec.labels_))
    crops, where = [], []
    for i, item in enumerate(items):
        img = load_image(item).pixels
        if max(img.shape[:2]) <= 64:
            grey = Image.fromarray(img).convert("L").resize((48, 48), Image.BILINEAR)
            crops.append(np.asarray(grey))
            where.append(i)
        else:
            frame = rec.process_image(img).frame
            if len(frame):
                probs[i] = frame[[f"{space}:{lab}" for lab in rec.labels_]].to_numpy()[0]
        if progress is not None:
            progress.advance()
    if crops:
        probs[where] = rec.predict_crops(np.stack(crops))[space]
    return {space: probs}


def _evaluate_eeg(data: EvalData, model: Any, *, progress: Any = None) -> dict[str, Any]:
    """Score the user's labelled EEG recordings: with a trained ``model`` as they are, else by subject-grouped CV.

    Features are standardised within each subject over that subject's windows in the set (as training does); a
    recording's probabilities are the mean over its windows. Without a model, each recording is predicted by a
    classifier fitted on the other folds' subjects (``GroupKFold``, up to 5 folds). In cross-validation
    ``progress`` advances fold by fold.
    """
    from affectscope.recognizers.eeg import EEGClassifier, read_labelled_eeg

    rows = [
        {"path": i["path"], "label": data.labels[k], "subject": i["subject"]}
        for i, k in zip(data.items, data.y, strict=True)
    ]
    if model is not None:
        clf, meta = EEGClassifier.load(model)
        feats = read_labelled_eeg(rows, base=".", window=clf.window)
        if feats.names != list(meta["features"]):
            raise InputError(f"The recordings' channels differ from those {model} was trained on.")
        unknown = sorted(set(data.labels) - set(clf.classes_))
        if unknown:
            raise InputError(f"{model} does not know the labels {unknown}; it was trained on {clf.classes_}.")
        window_p = clf.predict_proba(feats.x, feats.subjects)[:, [clf.classes_.index(c) for c in data.labels]]
        name, protocol = Path(model).name, "the trained model as given"
    else:
        from sklearn.model_selection import GroupKFold

        feats = read_labelled_eeg(rows, base=".")
        n_groups = len(np.unique(feats.subjects))
        if n_groups < 2:
            raise InputError("Subject-grouped CV needs recordings of at least 2 subjects (or pass --model).")
        folds = min(5, n_groups)
        window_p = np.zeros((len(feats.x), len(data.labels)))
        with _progress(progress, data) as tick:
            for k, (tr, te) in enumerate(GroupKFold(n_splits=folds).split(feats.x, feats.labels, feats.subjects)):
                clf = EEGClassifier().fit(feats.x[tr], feats.labels[tr], feats.subjects[tr])
                p = clf.predict_proba(feats.x[te], feats.subjects[te])
                for j, c in enumerate(data.labels):
                    if c in clf.classes_:
                        window_p[te, j] = p[:, clf.classes_.index(c)]
                tick.update((k + 1) / folds)
        name, protocol = "EEGClassifier (subject-grouped CV)", f"{folds}-fold subject-grouped cross-validation"
    probs = np.stack([window_p[feats.recording == i].mean(axis=0) for i in range(len(data))])
    return {
        "dataset": data.dataset,
        "split": data.split,
        "model": name,
        "n": len(data),
        "labels": data.space,
        "protocol": protocol,
        **score(data, {data.space: probs}),
    }


def physio_predictions(rec: Any, items: list[dict[str, Any]], *, progress: Progress | None = None) -> np.ndarray:
    """Stress probabilities per labelled window, as the product reads them.

    Each participant's whole recording is analysed once (normalised against itself, windows of the model's own
    grid); an item's probabilities are the mean over the model windows lying at least half inside it (or the
    nearest window when none does). ``progress`` (a started reporter) counts the windows of each recording done.
    """
    from affectscope.media.physio import read_physio

    out = np.zeros((len(items), len(rec.labels_)))
    by_raw: dict[str, list[int]] = {}
    for i, item in enumerate(items):
        by_raw.setdefault(item["raw"], []).append(i)
    cols = [f"{rec.space_}:{lab}" for lab in rec.labels_]
    for raw, idx in by_raw.items():
        recording = read_physio(raw)
        frame = rec.process_recording(recording, source=raw).frame
        probs = frame[cols].to_numpy()
        a = frame.index.get_level_values("start").to_numpy() + recording.start
        b = frame.index.get_level_values("end").to_numpy() + recording.start
        for i in idx:
            lo, hi = items[i]["start"], items[i]["end"]
            inside = (np.minimum(b, hi) - np.maximum(a, lo)) >= 0.5 * (b - a)
            if not inside.any():
                inside = np.abs((a + b) / 2 - (lo + hi) / 2) == np.abs((a + b) / 2 - (lo + hi) / 2).min()
            out[i] = probs[inside].mean(axis=0)
        if progress is not None:
            progress.advance(len(idx))
    return out


def _progress(progress: Any, data: EvalData) -> Progress:
    """Build the reporter of ``evaluate(progress=...)`` for the items of ``data`` (a ``with`` block starts it)."""
    return as_progress(progress, total=len(data), description=f"eval {data.dataset} {data.split}")


def _predict_texts(rec: Any, texts: list[str], *, progress: Progress) -> dict[str, np.ndarray]:
    """Return ``rec.predict(texts)``, counting the texts done in ``progress`` chunk by chunk.

    The model's outputs depend on which texts share a batch (padding), so the chunks must not change the batches:
    texts are sorted by length as ``TextRecognizer.predict`` sorts them and cut into chunks of ``16 × batch_size``
    of that order. Each chunk is then already sorted and is batched exactly as one call would batch it.
    """
    step = max(1, int(getattr(rec, "batch_size", 64))) * 16
    if len(texts) <= step:
        out = rec.predict(texts)
        progress.advance(len(texts))
        return out
    order = np.argsort(np.fromiter((len(t) for t in texts), dtype=np.int64, count=len(texts)), kind="stable")
    result: dict[str, np.ndarray] = {}
    for a in range(0, len(order), step):
        sel = order[a : a + step]
        for k, v in rec.predict([texts[i] for i in sel]).items():
            result.setdefault(k, np.empty((len(texts), v.shape[1]), dtype=v.dtype))[sel] = v
        progress.advance(len(sel))
    return result


def _report(data: EvalData, rec: Any, report: dict[str, Any], *, speaker_norm: bool = False) -> dict[str, Any]:
    out = {
        "dataset": data.dataset,
        "split": data.split,
        "model": rec.bundle.name,
        "n": len(data),
        "labels": data.space,
        **report,
    }
    if data.modality in ("speech", "face"):
        out["speaker_norm"] = speaker_norm
    if data.notes:
        out["adapter_notes"] = data.notes
    return out
