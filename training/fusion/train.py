"""Fit and score the shipped fusion model (``fusion-loglinear``) on the audio-visual composite set.

Input: ``build/fusion/composite.npz`` from ``training/fusion/composite.py`` (RAVDESS voices, held-out fer2013
faces of the same emotion, neutral transcripts; honest per-modality Ekman-7 probabilities).

Scoring: 6-fold leave-actors-out CV (the composite's folds; faces are disjoint across folds). In each fold a
:class:`~affectscope.fusion.LogLinearPooling` with modality dropout is fitted on 5 folds and scored on the 6th
with all modalities, and with each modality removed in turn. Reported: accuracy and UAR of every single
modality, of the fusion of all, and of every drop-one subset; the fused top-label ECE; and how well the
incongruence score separates matched from mismatched face/voice pairs (ROC AUC).

Then the model is fitted on all items and written, with the figures, to the bundle's ``bundle.json``.

    python training/fusion/composite.py --data ../shared/data
    python training/fusion/train.py --composite build/fusion/composite.npz
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import roc_auc_score

from affectscope.calibration import top_label_ece
from affectscope.evaluate.metrics import uar
from affectscope.fusion import LogLinearPooling, incongruence

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # training/: licences.py
from licences import stamp

MODALITIES = ("face", "speech", "text")
COMMAND = "python training/fusion/composite.py --data ../shared/data && python training/fusion/train.py"
SPLIT = "6-fold leave-actors-out CV on the composite set (1,080 RAVDESS clips; faces disjoint across folds)"


def subsets() -> list[tuple[str, ...]]:
    return [s for k in range(1, len(MODALITIES) + 1) for s in itertools.combinations(MODALITIES, k)]


def cross_validate(
    d: Any, *, dropout: float = 0.5, l2: float = 1e-3, fit_bias: bool = False
) -> tuple[dict[str, float], list[np.ndarray], np.ndarray]:
    """Leave-actors-out CV on a composite set: figures, per-fold weights and the matched pairs' incongruence."""
    y, folds = d["y"], d["fold"]
    probs = {m: d[m] for m in MODALITIES}

    def model() -> LogLinearPooling:
        return make_model(dropout=dropout, l2=l2, fit_bias=fit_bias)

    fused = {s: np.zeros_like(probs["face"]) for s in subsets()}
    mismatch = np.zeros(len(y))
    match = np.zeros(len(y))
    weights = []
    for k in np.unique(folds):
        tr, te = folds != k, folds == k
        fit = model().fit({m: p[tr] for m, p in probs.items()}, y[tr])
        weights.append(fit.weights_)
        for s in fused:
            fused[s][te] = fit.predict_proba({m: probs[m][te] for m in s})
        match[te] = incongruence({"face": probs["face"][te], "speech": probs["speech"][te]})
        mismatch[te] = incongruence({"face": d["face_mismatch"][te], "speech": probs["speech"][te]})
    single = {m: float((probs[m].argmax(1) == y).mean()) for m in MODALITIES}
    res: dict[str, float] = {}
    for s, p in fused.items():
        name = "+".join(s)
        res[f"accuracy_{name}"] = float((p.argmax(1) == y).mean())
        res[f"uar_{name}"] = uar(y, p.argmax(1))
    for m in MODALITIES:
        res[f"accuracy_{m}_raw"] = single[m]
        res[f"ece_{m}_raw"] = top_label_ece(probs[m], y)
    all_ = "+".join(MODALITIES)
    res[f"ece_{all_}"] = top_label_ece(fused[tuple(MODALITIES)], y)
    res["best_single_raw"] = max(single.values())
    res["gain_over_best_single"] = res[f"accuracy_{all_}"] - res["best_single_raw"]
    for m in MODALITIES:
        rest = tuple(x for x in MODALITIES if x != m)
        best_rest = max(single[x] for x in rest)
        res[f"drop_{m}_minus_best_remaining"] = res[f"accuracy_{'+'.join(rest)}"] - best_rest
    res["incongruence_auc_face_vs_speech"] = float(
        roc_auc_score(np.r_[np.zeros(len(y)), np.ones(len(y))], np.r_[match, mismatch])
    )
    return {k: round(float(v), 4) for k, v in res.items()}, weights, match


def make_model(*, dropout: float, l2: float, fit_bias: bool) -> LogLinearPooling:
    """The fusion model as fitted for the bundle."""
    return LogLinearPooling(l2=l2, max_iter=800, modality_dropout=dropout, random_state=0, fit_bias=fit_bias)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--composite", type=Path, default=Path("build/fusion/composite.npz"))
    ap.add_argument("--out", type=Path, default=Path("src/affectscope/models/fusion_loglinear"))
    ap.add_argument("--dropout", type=float, default=0.5, help="modality dropout rate while fitting")
    ap.add_argument("--l2", type=float, default=1e-3)
    ap.add_argument(
        "--fit-bias",
        action="store_true",
        help="also learn a label bias (it encodes RAVDESS's label frequencies, e.g. 13%% disgust; off by default)",
    )
    ap.add_argument("--cv-only", action="store_true")
    args = ap.parse_args()
    d = np.load(args.composite)
    y = d["y"]
    probs = {m: d[m] for m in MODALITIES}
    res, weights, match = cross_validate(d, dropout=args.dropout, l2=args.l2, fit_bias=args.fit_bias)
    all_ = "+".join(MODALITIES)
    print(json.dumps(res, indent=1))
    print("fold weights (face, speech, text):", np.round(weights, 3).tolist())
    if args.cv_only:
        return

    final = make_model(dropout=args.dropout, l2=args.l2, fit_bias=args.fit_bias).fit(probs, y)
    # The incongruence flag: the 90th percentile of matched pairs' score (10 % false alarms on congruent items).
    threshold = float(np.quantile(match, 0.9))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "bundle.json"
    meta = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    stamp(meta, "fusion-loglinear")  # training data licences and commercial_use, as shipped
    meta["fusion"] = final.to_dict() | {"labels": [str(x) for x in d["labels"]], "space": "ekman7"}
    meta["incongruence_threshold"] = round(threshold, 4)
    meta["training"] = {
        "modality_dropout": args.dropout,
        "l2": args.l2,
        "fit_bias": args.fit_bias,
        "items": len(y),
    }
    meta["cv"] = res
    metric = {"dataset": "affectscope composite (RAVDESS 01-18 + fer2013_train held-out)", "command": COMMAND}
    meta["metrics"] = {
        "accuracy_fused_all": {"value": res[f"accuracy_{all_}"], "split": SPLIT} | metric,
        "accuracy_best_single": {"value": res["best_single_raw"], "split": SPLIT + ", speech alone"} | metric,
        "ece_fused_all": {"value": res[f"ece_{all_}"], "split": SPLIT} | metric,
        "incongruence_auc": {
            "value": res["incongruence_auc_face_vs_speech"],
            "split": SPLIT + ", same-emotion vs other-emotion face for each voice",
        }
        | metric,
    }
    path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {path}: weights {final.to_dict()['weights']}, incongruence threshold {threshold:.3f}")


if __name__ == "__main__":
    main()
