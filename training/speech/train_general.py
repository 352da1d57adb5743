"""Fit and export a speech-emotion head chosen by leave-one-corpus-out evaluation (issue 20).

The configuration (corpora, augmentations, C, prosody weight) is the one ``loco.py`` selected; this script fits
both heads (``alone`` and ``normed``) on every file of the chosen corpora and their augmented copies, fits each
head's softmax temperature **out of corpus** (on the pooled logits of heads that did not see the corpus scored:
``loco.loco_logits``; with one corpus, on speaker-grouped CV logits), and writes ``head.npz`` and
``bundle.json`` into the bundle folder, with the licence fields of ``training/licences.json`` and the figures of
the ``loco.py`` report given with ``--report``.

    python training/speech/loco.py --augment speed0.9 speed1.1 telephone noise reverb codec --out build/loco_all.json
    python training/speech/train_general.py --augment speed0.9 speed1.1 telephone noise reverb codec \\
        --report build/loco_all.json --name speech-whisper-ser --out src/affectscope/models/speech_whisper_ser
    python training/speech/train_general.py --corpora crema_d --augment telephone noise reverb codec \\
        --report build/loco_cremad.json --name speech-whisper-ser-cremad \\
        --out src/affectscope/models/speech_whisper_ser_cremad
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # training/: licences.py
from licences import stamp  # noqa: E402
from loco import CORPUS_WEIGHTS, load_all, loco_logits, training_set, view, weights_of  # noqa: E402
from train import SPACE, Head, fit_temperature  # noqa: E402

from affectscope.evaluate.splits import grouped_kfold  # noqa: E402

BASE = HERE.parents[1] / "src" / "affectscope" / "models" / "speech_whisper_ser" / "bundle.json"


def _full(head: Head) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and intercepts over all 8 classes (a class absent from training gets no mass)."""
    coef = np.zeros((len(SPACE), head.lr.coef_.shape[1]))
    intercept = np.full(len(SPACE), -30.0)
    coef[head.lr.classes_] = head.lr.coef_
    intercept[head.lr.classes_] = head.lr.intercept_
    return coef, intercept


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--features", type=Path, default=Path("build/speech_features"))
    ap.add_argument("--corpora", nargs="+", default=["ravdess", "tess", "crema_d"])
    ap.add_argument("--augment", nargs="*", default=[])
    ap.add_argument("--c", type=float, default=0.01)
    ap.add_argument("--prosody-weight", type=float, default=3.0)
    ap.add_argument("--name", required=True, help="registry name (a key of training/licences.json)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--report", type=Path, help="the loco.py report of this configuration (figures for the card)")
    ap.add_argument("--corpus-weight", nargs="*", default=[], help="sample weight per corpus, e.g. ravdess=6")
    args = ap.parse_args()
    for item in args.corpus_weight:
        name, _, w = item.partition("=")
        CORPUS_WEIGHTS[name] = float(w)

    data, aug = load_all(args.features, tuple(args.corpora), args.augment)
    weights, temps = {}, {}
    for mode in ("alone", "normed"):
        xs, ys = training_set(list(data), data, aug, mode)
        head = Head(args.c, args.prosody_weight).fit(xs, ys, weights_of(list(data), data, aug))
        coef, intercept = _full(head)
        weights |= {f"{mode}_mean": head.mean_, f"{mode}_scale": head.scale_}
        weights |= {f"{mode}_coef": coef, f"{mode}_intercept": intercept}
        if len(data) > 1:  # temperature out of corpus
            logits = loco_logits(data, aug, args.c, args.prosody_weight, mode, args.features)
            z = np.vstack([logits[c] for c in data])
            y = np.concatenate([data[c][1] for c in data])
        else:  # one corpus: speaker-grouped CV
            (c,) = data
            x, y, g = data[c]
            z = np.zeros((len(y), len(SPACE)))
            for train, test in grouped_kfold(g, n_splits=5):
                xt, yt = training_set([c], data, aug, mode, rows={c: train})
                sw = weights_of([c], data, aug, rows={c: train})
                z[test] = Head(args.c, args.prosody_weight).fit(xt, yt, sw).logits(view(x, g, mode)[test])
        temps[mode] = round(fit_temperature(z, y), 4)
        print(mode, "temperature", temps[mode], flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out / "head.npz", **{k: v.astype(np.float32) for k, v in weights.items()})
    meta_path = args.out / "bundle.json"
    meta = json.loads((meta_path if meta_path.is_file() else BASE).read_text(encoding="utf-8"))
    meta["name"] = args.name
    meta["default"] = args.name == "speech-whisper-ser"
    stamp(meta, args.name)
    meta["temperature"] = temps
    meta["training"] = {
        "c": args.c,
        "prosody_weight": args.prosody_weight,
        "corpora": args.corpora,
        "augment": args.augment,
        "corpus_weight": dict(CORPUS_WEIGHTS),
        "temperature": "fitted out of corpus" if len(data) > 1 else "fitted on speaker-grouped CV logits",
    }
    if args.report is not None:
        report = json.loads(args.report.read_text(encoding="utf-8"))
        meta["cv"] = {m: report[m] for m in ("alone", "normed") if m in report}
        cmd = f"python training/speech/loco.py --augment {' '.join(args.augment)}".strip()
        metrics = {}
        for mode in ("alone", "normed"):
            for held, r in report.get(mode, {}).get("leave_one_corpus_out", {}).items():
                if held in args.corpora and len(args.corpora) > 1 and held != "crema_d":
                    continue  # in-corpus figures of the training corpora are not claims
                metrics[f"{held}_loco_uar_{mode}"] = {
                    "value": r["uar"],
                    "dataset": held,
                    "split": f"leave one corpus out: trained on the other corpora, every {held} file scored",
                    "command": cmd,
                }
            within = report.get(mode, {}).get("cremad_speaker_cv", {})
            for held, r in within.get("cross_corpus", {}).items():
                metrics[f"{held}_cross_corpus_uar_{mode}"] = {
                    "value": r["uar"],
                    "dataset": held,
                    "split": f"trained on {', '.join(args.corpora)} only, every {held} file scored (7 classes)",
                    "command": cmd + f" --train-only {' '.join(args.corpora)} --skip-loco",
                }
            key = "crema_d_only" if args.corpora == ["crema_d"] else "crema_d+others"
            if key in within:
                metrics[f"cremad_speaker_cv_uar_{mode}"] = {
                    "value": within[key]["uar"],
                    "dataset": "CREMA-D actors 1001-1075",
                    "split": "speaker-grouped CV, 5 folds of 15 actors, 6 classes",
                    "command": cmd,
                }
        meta["metrics"] = metrics
    meta_path.write_text(json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out / 'head.npz'} ({(args.out / 'head.npz').stat().st_size / 1e3:.0f} kB)")


if __name__ == "__main__":
    main()
