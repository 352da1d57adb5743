"""UAR per sex, age band and race group on CREMA-D speaker-grouped CV (issue 20 item 3: fairness in the card).

The head is fitted as ``train_general.py`` fits it (same corpora, augmentations, C, prosody weight) on 4 of 5
folds of actors and scores the fifth; the out-of-fold predictions are then split by the actors' demographics
(``demographics.csv``, read by ``affectscope eval``'s CREMA-D adapter).

    python training/speech/fairness.py --corpora crema_d --augment telephone --out build/fairness_cremad.json
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from loco import labels7, load_all, to_ekman7, training_set, view
from train import SPACE, Head, softmax

from affectscope.evaluate.datasets import load_dataset
from affectscope.evaluate.metrics import uar
from affectscope.evaluate.splits import grouped_kfold


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--features", type=Path, default=Path("build/speech_features"))
    ap.add_argument("--corpora", nargs="+", default=["crema_d"])
    ap.add_argument("--augment", nargs="*", default=[])
    ap.add_argument("--c", type=float, default=0.01)
    ap.add_argument("--prosody-weight", type=float, default=3.0)
    ap.add_argument("--mode", default="alone", choices=["alone", "normed"])
    ap.add_argument("--out", type=Path, default=Path("build/fairness.json"))
    args = ap.parse_args()

    data, aug = load_all(args.features, tuple(dict.fromkeys(["crema_d", *args.corpora])), args.augment)
    x, y, g = data["crema_d"]
    xv = view(x, g, args.mode)
    out = np.zeros((len(y), len(SPACE)))
    for train, test in grouped_kfold(g, n_splits=5):
        xs, ys = training_set(args.corpora, data, aug, args.mode, rows={"crema_d": train})
        out[test] = Head(args.c, args.prosody_weight).fit(xs, ys).logits(xv[test])
    pred = to_ekman7(softmax(out)).argmax(1)
    y7 = labels7(y)
    present = sorted(set(y7.tolist()))
    # demographics per file, aligned by file name with the features
    ev = load_dataset("crema-d", args.data / "speech" / "crema_d", split="all")
    by_name = {Path(str(f)).name: i for i, f in enumerate(ev.items)}
    files = np.load(args.features / "crema_d.npz")["files"]
    idx = np.array([by_name[Path(str(f)).name] for f in files])
    report: dict = {"config": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()}}
    report["all"] = {"n": len(y), "uar": round(float(uar(y7, pred, labels=present)), 4)}
    for attr, values in ev.demographics.items():
        v = np.asarray(values)[idx]
        report[attr] = {
            str(group): {
                "n": int((v == group).sum()),
                "actors": len(set(g[v == group])),
                "uar": round(float(uar(y7[v == group], pred[v == group], labels=present)), 4),
            }
            for group in sorted(set(v.tolist()))
        }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
