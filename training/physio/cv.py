"""Leave-one-subject-out evaluation of the wearable stress model on Stress-Predict S02-S20, with nested selection.

Input: ``build/physio_features.npz`` from ``extract_features.py`` (60-s windows every 30 s). Each recording's
window features become the model input of :func:`affectscope.recognizers.physio.sequence.context_features`:
z-scored over the recording, their 5-window centred mean and their change from the previous 12 windows.

Candidates: three classifiers (logistic regression with C = 0.05 or 0.5, gradient-boosted trees of depth 3; all
with balanced class weights) × two temporal smoothers of P(stress) (centred mean over 3 windows; a two-state HMM
with switch probability 0.1) = 6 candidates.

Reported, as balanced accuracy over all held-out windows:

* ``ablation``: logistic regression on raw features, on z-scored features, and with context and reactivity;
* ``loso``: plain leave-one-subject-out of each candidate. Picking the best of these is optimistic;
* ``nested``: for each held-out subject, the candidate is chosen by leave-one-subject-out on the other 18 only,
  then refitted on them and applied to the held-out subject. This is the honest figure of the whole procedure.
  The context design (5/12 windows) was fixed earlier on the same subjects and is not part of the nesting.

The model fitted on subjects all but {g, h} serves both the inner fold of g (holding out h) and that of h, so the
nested run needs 171 fits per classifier (about 10 minutes on 2 cores). Results go to ``build/physio_cv.json``,
which ``train.py`` reads.

    python training/physio/extract_features.py --data ../shared/data
    python training/physio/cv.py
"""

from __future__ import annotations

import argparse
import itertools
import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from affectscope.recognizers.physio.sequence import context_features, smooth, zscore

CONTEXT, BASELINE = 5, 12
SMOOTHERS = {"mean3": ("mean", 3.0), "hmm0.1": ("hmm", 0.1)}


def logistic(c: float) -> Callable[[], Pipeline]:
    return lambda: make_pipeline(
        SimpleImputer(), StandardScaler(), LogisticRegression(C=c, max_iter=3000, class_weight="balanced")
    )


def boosted() -> Pipeline:
    return make_pipeline(
        SimpleImputer(),
        HistGradientBoostingClassifier(
            max_depth=3, learning_rate=0.05, max_iter=200, class_weight="balanced", early_stopping=False
        ),
    )


CLASSIFIERS: dict[str, Callable[[], Pipeline]] = {
    "logistic-C0.05": logistic(0.05),
    "logistic-C0.5": logistic(0.5),
    "boosted-trees": boosted,
}


def per_recording(x: np.ndarray, subjects: np.ndarray, starts: np.ndarray, fn: Callable) -> np.ndarray:
    """Apply ``fn`` to each subject's rows in time order; rows of the result align with ``x``."""
    out: np.ndarray | None = None
    for g in np.unique(subjects):
        idx = np.flatnonzero(subjects == g)
        idx = idx[np.argsort(starts[idx])]
        part = fn(x[idx])
        if out is None:
            out = np.zeros((len(x), *part.shape[1:]))
        out[idx] = part
    assert out is not None
    return out


def model_input(x: np.ndarray, subjects: np.ndarray, starts: np.ndarray) -> np.ndarray:
    return per_recording(x, subjects, starts, lambda r: context_features(r, context=CONTEXT, baseline=BASELINE))


def smoothed(p: np.ndarray, subjects: np.ndarray, starts: np.ndarray, name: str) -> np.ndarray:
    method, param = SMOOTHERS[name]
    return per_recording(p, subjects, starts, lambda q: smooth(q, method, param))


def loso(v: np.ndarray, y: np.ndarray, subjects: np.ndarray, make: Callable[[], Pipeline]) -> np.ndarray:
    prob = np.zeros(len(y))
    for g in np.unique(subjects):
        te = subjects == g
        prob[te] = make().fit(v[~te], y[~te]).predict_proba(v[te])[:, 1]
    return prob


def nested(
    v: np.ndarray, y: np.ndarray, subjects: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, dict[int, str], dict[int, dict[str, float]]]:
    """Nested leave-one-subject-out: returns held-out probabilities, each fold's pick and its inner scores."""
    groups = np.unique(subjects)
    # pair[(g, h)][h] = P(stress) on h from a model fitted without g and h
    pair: dict[str, dict[tuple[int, int], np.ndarray]] = {c: {} for c in CLASSIFIERS}
    t0 = time.time()
    for c, make in CLASSIFIERS.items():
        for g, h in itertools.combinations(groups, 2):
            train = (subjects != g) & (subjects != h)
            model = make().fit(v[train], y[train])
            for held in (g, h):
                m = subjects == held
                pair[c][(min(g, h), max(g, h), held)] = model.predict_proba(v[m])[:, 1]
        print(f"  pair fits of {c} done ({time.time() - t0:.0f} s)", flush=True)
    final = np.zeros(len(y))
    picks: dict[int, str] = {}
    inner_scores: dict[int, dict[str, float]] = {}
    for g in groups:
        inner = subjects != g
        scores = {}
        for c in CLASSIFIERS:
            p = np.zeros(len(y))
            for h in groups[groups != g]:
                p[subjects == h] = pair[c][(min(g, h), max(g, h), h)]
            for sname in SMOOTHERS:
                sm = smoothed(p, subjects, starts, sname)
                scores[f"{c}+{sname}"] = float(balanced_accuracy_score(y[inner], sm[inner] > 0.5))
        best = max(scores, key=scores.__getitem__)
        c, sname = best.split("+")
        te = subjects == g
        p = np.zeros(len(y))
        p[te] = CLASSIFIERS[c]().fit(v[inner], y[inner]).predict_proba(v[te])[:, 1]
        final[te] = smoothed(p, subjects, starts, sname)[te]
        picks[int(g)], inner_scores[int(g)] = best, scores
        print(
            f"  S{g:02d}: picked {best} (inner {scores[best]:.3f}), held out "
            f"{balanced_accuracy_score(y[te], final[te] > 0.5):.3f}",
            flush=True,
        )
    return final, picks, inner_scores


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--features", type=Path, default=Path("build/physio_features.npz"))
    ap.add_argument("--out", type=Path, default=Path("build/physio_cv.json"))
    ap.add_argument("--skip-nested", action="store_true", help="only the ablation and plain LOSO")
    args = ap.parse_args()
    d = np.load(args.features)
    x, y, s, st = d["features"], d["labels"], d["subjects"], d["starts"]
    v = model_input(x, s, st)
    ba = balanced_accuracy_score
    report: dict = {"windows": len(y), "subjects": len(np.unique(s)), "stress_share": round(float(y.mean()), 4)}
    lr = CLASSIFIERS["logistic-C0.5"]
    report["ablation"] = {
        "raw features": ba(y, loso(x, y, s, lr) > 0.5),
        "z-scored within the recording": ba(y, loso(per_recording(x, s, st, zscore), y, s, lr) > 0.5),
        "+ context + reactivity": ba(y, loso(v, y, s, lr) > 0.5),
    }
    report["loso"] = {}
    for c, make in CLASSIFIERS.items():
        p = loso(v, y, s, make)
        report["loso"][f"{c}+none"] = ba(y, p > 0.5)
        for sname in SMOOTHERS:
            report["loso"][f"{c}+{sname}"] = ba(y, smoothed(p, s, st, sname) > 0.5)
    for section in ("ablation", "loso"):
        for k, val in report[section].items():
            report[section][k] = round(float(val), 4)
            print(f"{section}: {k}: balanced accuracy {val:.4f}")
    if not args.skip_nested:
        final, picks, _ = nested(v, y, s, st)
        per_subject = {int(g): round(float(ba(y[s == g], final[s == g] > 0.5)), 4) for g in np.unique(s)}
        report["nested"] = {
            "balanced_accuracy": round(float(ba(y, final > 0.5)), 4),
            "per_subject_mean": round(float(np.mean(list(per_subject.values()))), 4),
            "per_subject_min": min(per_subject.values()),
            "per_subject": per_subject,
            "picks": picks,
        }
        print(
            f"nested LOSO balanced accuracy {report['nested']['balanced_accuracy']:.4f} "
            f"(per-subject mean {report['nested']['per_subject_mean']:.4f})"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"{len(y)} windows, {len(np.unique(s))} subjects, {y.mean():.2f} stress; wrote {args.out}")


if __name__ == "__main__":
    main()
