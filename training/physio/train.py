"""Fit and export the wearable stress model (``physio-stress-e4``) with the procedure that ``cv.py`` evaluates.

``cv.py`` scores 6 candidates (3 classifiers × 2 smoothers) by leave-one-subject-out and runs the nested
evaluation of "pick the best candidate by LOSO, refit". This script applies that procedure to all subjects: it
takes the candidate with the best plain LOSO figure from ``build/physio_cv.json``, refits its classifier on all
windows of S02-S20, exports it as plain arrays (:mod:`affectscope.recognizers.physio.head`, checked against
scikit-learn) and records the nested figure as the model's accuracy.

    python training/physio/extract_features.py --data ../shared/data
    python training/physio/cv.py
    python training/physio/train.py
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
from pathlib import Path

import numpy as np

from affectscope.recognizers.physio.head import export_logistic, export_trees

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # training/: licences.py
from licences import stamp


def _cv_module():
    spec = importlib.util.spec_from_file_location("physio_cv", Path(__file__).with_name("cv.py"))
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def write_bundle(cv, v: np.ndarray, y: np.ndarray, candidate: str, out: Path, *, names: list[str]) -> dict:
    """Fit ``candidate`` (``"<classifier>+<smoother>"`` of cv.py) on ``v``/``y`` and write head.npz + bundle.json.

    ``out`` must hold a bundle.json already (the shipped one, or a copy); its config and features are updated.
    Returns the bundle metadata (not yet written when the caller adds metrics: it writes it again).
    """
    clf_name, smoother = candidate.split("+")
    pipe = cv.CLASSIFIERS[clf_name]().fit(v, y)
    if clf_name.startswith("boosted"):
        weights = export_trees(pipe[0], pipe[-1], check=v)
    else:
        weights = export_logistic(pipe[0], pipe[1], pipe[-1])
    out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(out / "head.npz", **weights)
    method, param = cv.SMOOTHERS[smoother]
    path = out / "bundle.json"
    meta = json.loads(path.read_text(encoding="utf-8"))
    meta["config"] = {
        "window_s": 60.0,
        "hop_s": 30.0,
        "context": cv.CONTEXT,
        "baseline": cv.BASELINE,
        "classifier": clf_name,
        "smooth": {"method": method, "param": param},
    }
    meta["features"] = names
    stamp(meta, "physio-stress-e4")  # training data licences and commercial_use, as shipped
    path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return meta


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--features", type=Path, default=Path("build/physio_features.npz"))
    ap.add_argument("--cv", type=Path, default=Path("build/physio_cv.json"))
    ap.add_argument("--out", type=Path, default=Path("src/affectscope/models/physio_stress_e4"))
    args = ap.parse_args()
    cv = _cv_module()
    report = json.loads(args.cv.read_text(encoding="utf-8"))
    if "nested" not in report:
        raise SystemExit(f"{args.cv} has no nested result: run training/physio/cv.py without --skip-nested first")
    scored = {k: v for k, v in report["loso"].items() if not k.endswith("+none")}
    best = max(scored, key=scored.__getitem__)
    d = np.load(args.features)
    x, y, s, st = d["features"], d["labels"], d["subjects"], d["starts"]
    meta = write_bundle(cv, cv.model_input(x, s, st), y, best, args.out, names=[str(n) for n in d["names"]])
    path = args.out / "bundle.json"
    split = "leave-one-subject-out, Stress-Predict S02-S20 (19 subjects, 1,958 windows of 60 s)"
    cmd = (
        "python training/physio/extract_features.py --data ../shared/data && python training/physio/cv.py "
        "&& python training/physio/train.py"
    )
    data = "Stress-Predict (Iqbal et al. 2022), subjects 1-20"
    meta["metrics"] = {
        "balanced_accuracy_nested": {
            "value": report["nested"]["balanced_accuracy"],
            "dataset": data,
            "split": split + "; classifier and smoother chosen inside each fold (nested)",
            "command": cmd,
        },
        "balanced_accuracy_selected": {
            "value": scored[best],
            "dataset": data,
            "split": split + f"; the shipped candidate ({best}), chosen on this same CV (optimistic)",
            "command": cmd,
        },
    }
    path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"shipped {best} (LOSO {scored[best]:.4f}); nested LOSO {report['nested']['balanced_accuracy']:.4f}; "
        f"wrote {args.out}"
    )


if __name__ == "__main__":
    main()
