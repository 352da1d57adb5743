"""Fusion accuracy on the audio-visual composite set (issue 7): fused vs each single modality, drop-one, ECE.

Runs the leave-actors-out CV of ``training/fusion/train.py`` with the settings stored in the shipped
``fusion-loglinear`` bundle, and prints a markdown table. It also scores the shipped weights on the whole set
(in-sample, for orientation only), and says how well incongruence separates matched from mismatched face/voice
pairs.

    python training/fusion/composite.py --data ../shared/data      # builds build/fusion/composite.npz (~1 min)
    python benchmarks/fusion.py --composite build/fusion/composite.npz
"""

from __future__ import annotations

import argparse
import importlib.util
from pathlib import Path

import numpy as np

from affectscope.fusion import Fuser


def _train_module():
    path = Path(__file__).resolve().parents[1] / "training" / "fusion" / "train.py"
    spec = importlib.util.spec_from_file_location("fusion_train", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--composite", type=Path, default=Path("build/fusion/composite.npz"))
    args = ap.parse_args()
    if not args.composite.is_file():
        raise SystemExit(f"{args.composite} is missing: run python training/fusion/composite.py first")
    train = _train_module()
    d = np.load(args.composite)
    fuser = Fuser()
    settings = fuser.bundle.extra["training"]
    res, weights, _ = train.cross_validate(
        d, dropout=settings["modality_dropout"], l2=settings["l2"], fit_bias=settings["fit_bias"]
    )
    mods = train.MODALITIES
    lines = [
        f"Composite set: {len(d['y'])} items, 6-fold leave-actors-out CV "
        f"(dropout {settings['modality_dropout']}, l2 {settings['l2']}, bias {settings['fit_bias']})",
        "",
        "| inputs | accuracy | UAR |",
        "|---|---:|---:|",
    ]
    for s in train.subsets():
        name = "+".join(s)
        lines.append(f"| {name} | {res[f'accuracy_{name}']:.3f} | {res[f'uar_{name}']:.3f} |")
    lines += [
        "",
        f"- gain over the best single modality: {100 * res['gain_over_best_single']:+.1f} points",
        *(
            f"- without {m}: {100 * res[f'drop_{m}_minus_best_remaining']:+.1f} points vs the best remaining"
            for m in mods
        ),
        f"- fused top-label ECE: {res['ece_' + '+'.join(mods)]:.3f}",
        f"- incongruence ROC AUC (same- vs other-emotion face): {res['incongruence_auc_face_vs_speech']:.3f}",
        f"- fold weights (face, speech, text): {np.round(weights, 2).tolist()}",
    ]
    shipped = fuser.model_.predict_proba({m: d[m] for m in mods})
    lines.append(f"- shipped weights on the whole set (in-sample): accuracy {(shipped.argmax(1) == d['y']).mean():.3f}")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
