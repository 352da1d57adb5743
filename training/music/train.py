"""Train, cross-validate and export the music-emotion head (``music-4q-quadrants``).

Input: ``build/music_features.npz`` from ``extract_features.py`` (10-s windows of the 180 4Q clips). Head:
standardisation + multinomial logistic regression over the 4 Russell quadrants, fitted on windows; a track's
reading is the mean of its windows' log-probabilities. Reported in artist-grouped 5-fold CV (no artist in two
folds): quadrant accuracy per track, valence and arousal binary accuracies (Q1+Q4 vs Q2+Q3; Q1+Q2 vs Q3+Q4), ECE;
for the librosa features, the Whisper states, and both. A softmax temperature is fitted on the out-of-fold
window logits. Then the final head is fitted on all windows and written with its figures.

    python training/music/extract_features.py --data ../shared/data --whisper
    python training/music/train.py --features build/music_features.npz
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.preprocessing import StandardScaler

from affectscope.calibration import top_label_ece

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # training/: licences.py
from licences import stamp

QUADRANTS = ["Q1", "Q2", "Q3", "Q4"]
COMMAND = "python training/music/extract_features.py --data ../shared/data --whisper && python training/music/train.py"


def softmax(z: np.ndarray, t: float = 1.0) -> np.ndarray:
    z = z / t - (z / t).max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def fit(x: np.ndarray, y: np.ndarray, c: float) -> tuple[StandardScaler, LogisticRegression]:
    scaler = StandardScaler().fit(x)
    return scaler, LogisticRegression(C=c, max_iter=5000).fit(scaler.transform(x), y)


def cv_logits(x: np.ndarray, y: np.ndarray, groups: np.ndarray, c: float, folds: int) -> np.ndarray:
    out = np.zeros((len(y), len(QUADRANTS)))
    for tr, te in GroupKFold(n_splits=folds).split(x, y, groups):
        scaler, lr = fit(x[tr], y[tr], c)
        out[te] = lr.decision_function(scaler.transform(x[te]))
    return out


def track_scores(logits: np.ndarray, clips: np.ndarray, y: np.ndarray, t: float) -> dict[str, float]:
    """Track-level figures; the track reading is softmax(mean window log-probability / track temperature)."""
    logp = np.log(softmax(logits, t))
    names = list(dict.fromkeys(clips))
    mean = np.array([logp[clips == n].mean(0) for n in names])
    yt = np.array([y[clips == n][0] for n in names])
    t_track = fit_temperature(mean, yt)
    p = softmax(mean, t_track)
    pred = p.argmax(1)
    val = np.isin(pred, [0, 3]) == np.isin(yt, [0, 3])
    aro = np.isin(pred, [0, 1]) == np.isin(yt, [0, 1])
    return {
        "quadrant_accuracy": float((pred == yt).mean()),
        "valence_accuracy": float(val.mean()),
        "arousal_accuracy": float(aro.mean()),
        "ece_track_uncalibrated": top_label_ece(softmax(mean), yt),
        "ece": top_label_ece(p, yt),
        "track_temperature": t_track,
        "tracks": len(names),
    }


def fit_temperature(z: np.ndarray, y: np.ndarray) -> float:
    """The softmax temperature minimising the NLL of labels ``y`` under logits ``z``."""
    return float(
        minimize_scalar(
            lambda t: -np.log(softmax(z, t)[np.arange(len(y)), y] + 1e-12).mean(), bounds=(0.2, 10), method="bounded"
        ).x
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--features", type=Path, default=Path("build/music_features.npz"))
    ap.add_argument("--out", type=Path, default=Path("src/affectscope/models/music_4q_quadrants"))
    ap.add_argument("--c", type=float, default=0.05)
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--inputs", choices=["librosa", "whisper", "both"], default="librosa")
    ap.add_argument("--cv-only", action="store_true")
    args = ap.parse_args()
    d = np.load(args.features)
    y = np.array([QUADRANTS.index(q) for q in d["labels"]])
    clips, groups = d["clips"], d["artists"]
    views = {"librosa": d["features"], "whisper": d["whisper"]}
    views["both"] = np.hstack([views["librosa"], views["whisper"]])
    res = {}
    for name, x in views.items():
        if x.shape[1] == 0:
            continue
        z = cv_logits(x, y, groups, args.c, args.folds)
        t = fit_temperature(z, y)
        res[name] = track_scores(z, clips, y, t) | {
            "temperature": t,
            "window_accuracy": float((z.argmax(1) == y).mean()),
        }
        print(name, {k: round(v, 4) for k, v in res[name].items()}, flush=True)
    if args.cv_only:
        return
    x = views[args.inputs]
    scaler, lr = fit(x, y, args.c)
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out / "head.npz",
        mean=scaler.mean_.astype(np.float32),
        scale=scaler.scale_.astype(np.float32),
        coef=lr.coef_.astype(np.float32),
        intercept=lr.intercept_.astype(np.float32),
    )
    path = args.out / "bundle.json"
    meta = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    chosen = res[args.inputs]
    stamp(meta, "music-4q-quadrants")  # training data licences and commercial_use, as shipped
    meta["inputs"] = args.inputs
    meta["temperature"] = round(chosen["temperature"], 4)
    meta["track_temperature"] = round(chosen["track_temperature"], 4)
    meta["training"] = {"c": args.c, "windows": len(y), "window_s": 10.0}
    meta["cv"] = {k: {m: round(v, 4) for m, v in r.items()} for k, r in res.items()}
    split = f"{args.folds}-fold artist-grouped CV, 180 clips (45 per quadrant), track = mean of 10-s windows"
    common = {"dataset": "4Q audio emotion dataset (Panda et al. 2018), developer subset", "command": COMMAND}
    meta["metrics"] = {
        "quadrant_accuracy": {"value": round(chosen["quadrant_accuracy"], 4), "split": split} | common,
        "valence_accuracy": {"value": round(chosen["valence_accuracy"], 4), "split": split} | common,
        "arousal_accuracy": {"value": round(chosen["arousal_accuracy"], 4), "split": split} | common,
    }
    path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
