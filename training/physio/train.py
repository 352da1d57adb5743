"""Fit and export the wearable stress model (``physio-stress-e4``): the ``subject+reactivity`` variant of cv.py.

Per recording (= subject), 60-s window features are z-scored over the recording, then each window gets the mean
of the 5 windows centred on it and its difference from the 12 windows before it (the previous 6 minutes); a
logistic regression with balanced class weights gives P(stress), smoothed over 3 windows. Fitted on all
windows of S02-S20; the leave-one-subject-out figure comes from ``cv.py``.

    python training/physio/extract_features.py --data ../shared/data
    python training/physio/cv.py
    python training/physio/train.py
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path

import numpy as np
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

CONTEXT, BASELINE, SMOOTH, C = 5, 12, 3, 0.5


def _cv_module():
    spec = importlib.util.spec_from_file_location("physio_cv", Path(__file__).with_name("cv.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--features", type=Path, default=Path("build/physio_features.npz"))
    ap.add_argument("--out", type=Path, default=Path("src/affectscope/models/physio_stress_e4"))
    args = ap.parse_args()
    cv = _cv_module()
    d = np.load(args.features)
    x, y, s, st = d["features"], d["labels"], d["subjects"], d["starts"]
    normed = cv.by_subject(x, s)
    v = np.hstack([normed, cv.rolling(normed, s, st, CONTEXT), cv.reactivity(normed, s, st, BASELINE)])
    prob = cv.loso(v, y, s)
    smooth = cv.rolling(prob[:, None], s, st, SMOOTH)[:, 0]
    from sklearn.metrics import balanced_accuracy_score

    ba, ba_smooth = balanced_accuracy_score(y, prob > 0.5), balanced_accuracy_score(y, smooth > 0.5)
    imputer = SimpleImputer().fit(v)
    z = imputer.transform(v)
    scaler = StandardScaler().fit(z)
    lr = LogisticRegression(C=C, max_iter=2000, class_weight="balanced").fit(scaler.transform(z), y)
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out / "head.npz",
        fill=imputer.statistics_.astype(np.float32),
        mean=scaler.mean_.astype(np.float32),
        scale=scaler.scale_.astype(np.float32),
        coef=lr.coef_.astype(np.float32),
        intercept=lr.intercept_.astype(np.float32),
    )
    path = args.out / "bundle.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["config"] = {"window_s": 60.0, "hop_s": 30.0, "context": CONTEXT, "baseline": BASELINE, "smooth": SMOOTH}
    meta["features"] = [str(n) for n in d["names"]]
    split = "leave-one-subject-out, Stress-Predict S02-S20 (19 subjects, 1,958 windows of 60 s)"
    cmd = "python training/physio/extract_features.py --data ../shared/data && python training/physio/train.py"
    meta["metrics"] = {
        "balanced_accuracy_smoothed": {
            "value": round(float(ba_smooth), 4),
            "dataset": "Stress-Predict (Iqbal et al. 2022), subjects 1-20",
            "split": split + ", probabilities smoothed over 3 windows",
            "command": cmd,
        },
        "balanced_accuracy_per_window": {
            "value": round(float(ba), 4),
            "dataset": "Stress-Predict (Iqbal et al. 2022), subjects 1-20",
            "split": split,
            "command": cmd,
        },
    }
    path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"LOSO balanced accuracy {ba:.4f} per window, {ba_smooth:.4f} smoothed; wrote {args.out}")


if __name__ == "__main__":
    main()
