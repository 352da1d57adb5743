"""Nested leave-one-subject-out of the wearable stress model through the product path (`affectscope eval`'s).

``training/physio/cv.py`` scores windows cut by the training script, normalised over the labelled windows. A
user's recording is analysed whole instead: :class:`PhysioRecognizer` normalises over all its windows, and
``affectscope eval --dataset stress-predict`` scores its own 60-s windows (90 % label purity). This script
checks that the two agree: for every subject of S02-S20 it writes a bundle fitted without that subject, with the
candidate the nested CV picked for it (``build/physio_cv.json``), and scores the subject with the eval harness's
``physio_predictions``. It reports the pooled balanced accuracy (UAR) of the held-out subjects.

    python training/physio/extract_features.py --data ../shared/data
    python training/physio/cv.py
    python benchmarks/physio_product_loso.py --data ../shared/data
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import tempfile
import time
from pathlib import Path

import numpy as np

from affectscope.evaluate.datasets import load_dataset
from affectscope.evaluate.harness import physio_predictions
from affectscope.models.registry import get_bundle
from affectscope.recognizers.physio import PhysioRecognizer

TRAINING = Path(__file__).resolve().parents[1] / "training" / "physio"


def _load(name: str):
    spec = importlib.util.spec_from_file_location(f"physio_{name}", TRAINING / f"{name}.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--features", type=Path, default=Path("build/physio_features.npz"))
    ap.add_argument("--cv", type=Path, default=Path("build/physio_cv.json"))
    args = ap.parse_args()
    cv, train = _load("cv"), _load("train")
    picks = {int(k): v for k, v in json.loads(args.cv.read_text(encoding="utf-8"))["nested"]["picks"].items()}
    d = np.load(args.features)
    x, y, s, st = d["features"], d["labels"], d["subjects"], d["starts"]
    v = cv.model_input(x, s, st)
    root = args.data / "physio" / "stress_predict"
    shipped = get_bundle("physio-stress-e4").path
    truth, probs, per_subject = [], [], {}
    t0 = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        for g in sorted(picks):
            out = Path(tmp) / f"S{g:02d}"
            shutil.copytree(shipped, out)
            keep = s != g
            train.write_bundle(cv, v[keep], y[keep], picks[g], out, names=[str(n) for n in d["names"]])
            data = load_dataset("stress-predict", root, split=str(g))
            p = physio_predictions(PhysioRecognizer(out), data.items)
            truth.append(data.y)
            probs.append(p)
            ok = p.argmax(1) == data.y
            recall = [ok[data.y == k].mean() for k in (0, 1)]
            per_subject[g] = float(np.mean(recall))
            print(
                f"S{g:02d} ({picks[g]}): {len(data)} windows, balanced accuracy {per_subject[g]:.3f} "
                f"({time.time() - t0:.0f} s)",
                flush=True,
            )
    yt, pp = np.concatenate(truth), np.concatenate(probs).argmax(1)
    uar = np.mean([(pp[yt == k] == k).mean() for k in (0, 1)])
    print(
        f"product path, nested LOSO: balanced accuracy {uar:.4f} over {len(yt)} windows "
        f"(per-subject mean {np.mean(list(per_subject.values())):.4f})"
    )


if __name__ == "__main__":
    main()
