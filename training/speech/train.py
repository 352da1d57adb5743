"""Train, cross-validate and export the speech-emotion head (step 2 of the speech model).

Input: the cached representation from extract_features.py (Whisper tiny.en + base encoder states, mean+std
pooled, 1792 dims). Head: standardisation + multinomial logistic regression (scikit-learn), in two variants:

* ``alone``  — each segment judged on its own;
* ``normed`` — features first z-scored with statistics of the speaker's / recording's own segments (no labels),
  which removes much of the voice and channel identity.

Reported (leave-speakers-out, RAVDESS actors 01-18 in 6 folds of 3 actors, 8 classes, UAR): both variants,
per gender (RAVDESS: odd actor ids male, even female), ECE, and cross-corpus RAVDESS -> TESS and TESS ->
RAVDESS on the 7 shared classes. Training folds (and the final fit) also get speed-perturbed copies (0.9, 1.1)
of their RAVDESS files (extract_features.py --speed). Then the final heads are fitted on RAVDESS 01-18 + TESS, a softmax
temperature is fitted on the out-of-fold logits (calibration), and the weights are written (float32, ~150 kB) to the
model bundle with the figures in bundle.json.

    python training/speech/extract_features.py --data ../shared/data --out build/speech_features
    python training/speech/extract_features.py --corpus ravdess --speed 0.9
    python training/speech/extract_features.py --corpus ravdess --speed 1.1
    python training/speech/train.py --features build/speech_features --out src/affectscope/models/speech_whisper_ser
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import minimize_scalar
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

from affectscope.evaluate.metrics import ece, uar
from affectscope.evaluate.splits import grouped_kfold

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # training/: licences.py
from licences import stamp

# Label order of the head: the ekman7_calm space. Corpus labels (RAVDESS names) map onto it.
SPACE = ["anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral", "calm"]
TO_SPACE = {
    "angry": "anger",
    "disgust": "disgust",
    "fearful": "fear",
    "happy": "joy",
    "sad": "sadness",
    "surprised": "surprise",
    "neutral": "neutral",
    "calm": "calm",
}
EPS = 1e-6


def speaker_norm(x: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """z-score features within each group (speaker or recording), without labels."""
    out = np.empty_like(x)
    for g in np.unique(groups):
        m = groups == g
        out[m] = (x[m] - x[m].mean(0)) / (x[m].std(0) + EPS)
    return out


def load(features: Path, corpus: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Whisper features and prosodic features side by side (the recognizer's input order), labels, speakers."""
    d = np.load(features / f"{corpus}.npz")
    y = np.array([SPACE.index(TO_SPACE[v]) for v in d["labels"]])
    x = np.hstack([d["whisper"], d["prosody"]]).astype(np.float64)
    return x, y, np.array([f"{corpus}:{s}" for s in d["speakers"]])


class Head:
    """StandardScaler + LogisticRegression; the last ``n_prosody`` standardised columns are multiplied by
    ``prosody_weight`` (a stronger voice for the 7 prosodic features among 1792 Whisper ones under the L2
    penalty). The weight is folded into the exported scale, so the recognizer only standardises."""

    def __init__(self, c: float, prosody_weight: float = 1.0, n_prosody: int = 7, pca: int | None = None) -> None:
        self.c, self.w, self.k, self.pca = c, prosody_weight, n_prosody, pca

    def fit(self, x: np.ndarray, y: np.ndarray, sample_weight: np.ndarray | None = None) -> Head:
        scaler = StandardScaler().fit(x)
        self.mean_ = scaler.mean_
        self.scale_ = scaler.scale_.copy()
        self.scale_[-self.k :] /= self.w
        z = self._z(x)
        if self.pca:  # fit on the top principal directions (much faster); the head stays linear in z
            _, _, vt = np.linalg.svd(z[:: max(1, len(z) // 20000)], full_matrices=False)
            basis = vt[: self.pca].T
            self.lr = LogisticRegression(C=self.c, max_iter=5000).fit(z @ basis, y, sample_weight=sample_weight)
            self.coef_ = self.lr.coef_ @ basis.T
        else:
            self.lr = LogisticRegression(C=self.c, max_iter=5000).fit(z, y, sample_weight=sample_weight)
            self.coef_ = self.lr.coef_
        self.intercept_ = self.lr.intercept_
        return self

    def _z(self, x: np.ndarray) -> np.ndarray:
        return (x - self.mean_) / self.scale_

    def logits(self, x: np.ndarray) -> np.ndarray:
        full = np.full((len(x), len(SPACE)), -1e4)  # classes absent from training get no mass
        full[:, self.lr.classes_] = self._z(x) @ self.coef_.T + self.intercept_
        return full


def softmax(z: np.ndarray, t: float = 1.0) -> np.ndarray:
    z = z / t
    z = z - z.max(1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(1, keepdims=True)


def cv_logits(x, y, groups, c, w, *, extra=None, aug=()) -> np.ndarray:
    """Out-of-fold logits on RAVDESS (6 folds of 3 actors).

    ``extra`` = (x, y) is always added to training; ``aug`` holds speed-perturbed copies of ``x`` (same rows),
    of which only the training speakers' rows are added to each fold.
    """
    out = np.zeros((len(y), len(SPACE)))
    for train, test in grouped_kfold(groups, n_splits=6):
        xt, yt = [x[train], *(a[train] for a in aug)], [y[train]] * (1 + len(aug))
        if extra is not None:
            xt, yt = [*xt, extra[0]], [*yt, extra[1]]
        out[test] = Head(c, w).fit(np.vstack(xt), np.concatenate(yt)).logits(x[test])
    return out


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    def nll(t: float) -> float:
        p = softmax(logits, t)
        return float(-np.mean(np.log(p[np.arange(len(y)), y] + 1e-12)))

    return float(minimize_scalar(nll, bounds=(0.2, 10.0), method="bounded").x)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--features", type=Path, default=Path("build/speech_features"))
    ap.add_argument("--out", type=Path, default=Path("src/affectscope/models/speech_whisper_ser"))
    ap.add_argument("--c", type=float, default=0.01, help="inverse L2 strength of the logistic regression")
    ap.add_argument("--prosody-weight", type=float, default=3.0, help="multiplier of the prosodic features")
    ap.add_argument("--augment", type=float, nargs="*", default=[0.9, 1.1], help="speed-perturbed RAVDESS copies")
    ap.add_argument("--with-tess", action="store_true", help="add TESS to every CV training fold")
    ap.add_argument("--cv-only", action="store_true")
    ap.add_argument(
        "--exclude-actors",
        default="",
        help="comma-separated RAVDESS actors left out of the final fit (to check the product path on them with "
        "affectscope eval --model OUT --split THOSE)",
    )
    args = ap.parse_args()

    rx, ry, rg = load(args.features, "ravdess")
    tx, ty, tg = load(args.features, "tess")
    male = np.array([int(g.split(":")[1]) % 2 == 1 for g in rg])
    res: dict[str, float] = {}
    oof = {}
    augmented = [load(args.features, f"ravdess_speed{s:g}")[0] for s in args.augment]

    def view(mode: str, x: np.ndarray, g: np.ndarray) -> np.ndarray:
        return x if mode == "alone" else speaker_norm(x, g)

    for mode in ("alone", "normed"):
        xr, xt = view(mode, rx, rg), view(mode, tx, tg)
        aug = [view(mode, a, rg) for a in augmented]  # a speed-perturbed speaker is its own group
        z = cv_logits(xr, ry, rg, args.c, args.prosody_weight, extra=(xt, ty) if args.with_tess else None, aug=aug)
        t = fit_temperature(z, ry)
        oof[mode] = (z, t)
        pred = z.argmax(1)
        res[f"ravdess_loso_uar_{mode}"] = uar(ry, pred)
        res[f"ravdess_loso_uar_{mode}_male"] = uar(ry[male], pred[male])
        res[f"ravdess_loso_uar_{mode}_female"] = uar(ry[~male], pred[~male])
        res[f"ravdess_loso_ece_{mode}_raw"] = ece(softmax(z), ry)
        res[f"ravdess_loso_ece_{mode}_calibrated"] = ece(softmax(z, t), ry)
        # Cross-corpus on the 7 shared classes (TESS has no calm).
        shared = ry != SPACE.index("calm")
        xs = np.vstack([xr[shared], *(a[shared] for a in aug)])
        p = Head(args.c, args.prosody_weight).fit(xs, np.tile(ry[shared], 1 + len(aug))).logits(xt).argmax(1)
        res[f"ravdess_to_tess_uar_{mode}"] = uar(ty, p)
        p = Head(args.c, args.prosody_weight).fit(xt, ty).logits(xr[shared]).argmax(1)
        res[f"tess_to_ravdess_uar_{mode}"] = uar(ry[shared], p)
    res = {k: round(float(v), 4) for k, v in res.items()}
    print(json.dumps(res, indent=2), flush=True)
    if args.cv_only:
        return

    keep = ~np.isin(rg, [f"ravdess:{a}" for a in args.exclude_actors.split(",") if a])
    rx, ry, rg = rx[keep], ry[keep], rg[keep]
    augmented = [a[keep] for a in augmented]
    weights = {}
    temps = {}
    for mode in ("alone", "normed"):
        xs = [view(mode, rx, rg), view(mode, tx, tg), *(view(mode, a, rg) for a in augmented)]
        ys = [ry, ty, *([ry] * len(augmented))]
        head = Head(args.c, args.prosody_weight).fit(np.vstack(xs), np.concatenate(ys))
        weights[f"{mode}_mean"] = head.mean_
        weights[f"{mode}_scale"] = head.scale_
        weights[f"{mode}_coef"] = head.lr.coef_
        weights[f"{mode}_intercept"] = head.lr.intercept_
        temps[mode] = round(oof[mode][1], 4)
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out / "head.npz", **{k: v.astype(np.float32) for k, v in weights.items()})
    meta_path = args.out / "bundle.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.is_file() else {}
    stamp(meta, "speech-whisper-ser")  # training data licences and commercial_use, as shipped
    meta["temperature"] = temps
    meta["training"] = {"c": args.c, "prosody_weight": args.prosody_weight}
    meta["cv"] = res
    cmd = "python training/speech/train.py --features build/speech_features"
    cv_split = "leave-speakers-out CV, 6 folds of 3 actors, 8 classes"
    cross = "train RAVDESS 01-18, test all TESS files (7 shared classes)"
    meta["metrics"] = {
        "ravdess_loso_uar_alone": {
            "value": res["ravdess_loso_uar_alone"],
            "dataset": "RAVDESS actors 01-18",
            "split": cv_split + ", each file alone",
            "command": cmd,
        },
        "ravdess_loso_uar_speaker_norm": {
            "value": res["ravdess_loso_uar_normed"],
            "dataset": "RAVDESS actors 01-18",
            "split": cv_split + ", per-speaker baseline",
            "command": cmd,
        },
        "ravdess_to_tess_uar_speaker_norm": {
            "value": res["ravdess_to_tess_uar_normed"],
            "dataset": "TESS subset",
            "split": cross + ", per-speaker baseline",
            "command": cmd,
        },
    }
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out / 'head.npz'} ({(args.out / 'head.npz').stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
