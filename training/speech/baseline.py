"""Leave-speakers-out baseline on the cached Whisper features (step 2 of the speech model; a yardstick).

RAVDESS actors 01-18, 6 folds of 3 actors, 8 classes; logistic regression on mean+std pooled encoder states,
each file alone vs. per-speaker z-normalisation (statistics of the speaker's own files, no labels).
Also cross-corpus RAVDESS -> TESS on the 7 shared classes.

    python training/speech/baseline.py --features build/speech_features --encoders tiny base
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from affectscope.evaluate.metrics import uar
from affectscope.evaluate.splits import grouped_kfold


def speaker_norm(x: np.ndarray, speakers: np.ndarray) -> np.ndarray:
    out = np.empty_like(x)
    for s in np.unique(speakers):
        m = speakers == s
        out[m] = (x[m] - x[m].mean(0)) / (x[m].std(0) + 1e-6)
    return out


def loso(x: np.ndarray, y: np.ndarray, speakers: np.ndarray, c: float) -> float:
    pred = np.empty_like(y)
    for train, test in grouped_kfold(speakers, n_splits=6):
        clf = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=3000))
        clf.fit(x[train], y[train])
        pred[test] = clf.predict(x[test])
    return uar(y, pred)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--features", type=Path, default=Path("build/speech_features"))
    ap.add_argument("--encoders", nargs="+", default=["tiny"], help="concatenate pooled features of these")
    args = ap.parse_args()

    def load(corpus: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        parts = [np.load(args.features / f"{corpus}{'' if e == 'tiny' else '_' + e}.npz") for e in args.encoders]
        for p in parts[1:]:
            assert (p["labels"] == parts[0]["labels"]).all()
            assert (p["speakers"] == parts[0]["speakers"]).all()
        return np.hstack([p["pooled"] for p in parts]), parts[0]["labels"], parts[0]["speakers"]

    x, y, spk = load("ravdess")
    res = {}
    for c in (0.01, 0.1):
        res[f"ravdess_loso_uar_alone_C{c}"] = round(loso(x, y, spk, c), 4)
        res[f"ravdess_loso_uar_speakernorm_C{c}"] = round(loso(speaker_norm(x, spk), y, spk, c), 4)
    tx, ty, tspk = load("tess")
    shared = np.isin(y, np.unique(ty))
    clf = make_pipeline(StandardScaler(), LogisticRegression(C=0.1, max_iter=3000))
    clf.fit(speaker_norm(x, spk)[shared], y[shared])
    res["ravdess_to_tess_uar_speakernorm"] = round(uar(ty, clf.predict(speaker_norm(tx, tspk))), 4)
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
