"""Leave-one-corpus-out and speaker-grouped evaluation of the speech-emotion head (issue 20: model selection).

Model selection for a speech model that must hold up on voices and recordings it has never heard is done here,
never on a within-corpus random split:

* **leave one corpus out** — train on the other corpora (all their speakers), score every file of the left-out
  corpus (RAVDESS actors 01-18, TESS, CREMA-D actors 1001-1075);
* **speaker-grouped CV inside CREMA-D** — 5 folds of 15 actors; the training folds also get RAVDESS and TESS
  (or not, ``--cremad-only``: the commercially usable model sees CREMA-D alone).

Scores are in Ekman-7 (the head's ``calm`` merges into ``neutral``, as the product does) over the classes the
scored corpus has: UAR (macro recall), ECE of the top label with the softmax temperature fitted on the *other*
left-out corpora's logits (calibration that holds out of corpus), for the ``alone`` head (each file on its own)
and the ``normed`` head (features z-scored per speaker, no labels).

    python training/speech/extract_features.py --data ../shared/data --out build/speech_features --corpus crema_d
    python training/speech/extract_features.py --data ../shared/data --out build/speech_features --corpus ravdess tess
    python training/speech/loco.py --features build/speech_features --c 0.01 --prosody-weight 3

Each configuration takes about a minute on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train import SPACE, Head, fit_temperature, load, softmax, speaker_norm

from affectscope.evaluate.metrics import ece, uar
from affectscope.evaluate.splits import grouped_kfold

CORPORA = ("ravdess", "tess", "crema_d")
EKMAN7 = SPACE[:7]  # anger, disgust, fear, joy, sadness, surprise, neutral
CALM, NEUTRAL = SPACE.index("calm"), SPACE.index("neutral")
TEST_AUGMENTS = ("telephone", "noise", "reverb", "codec")


def to_ekman7(p: np.ndarray) -> np.ndarray:
    """Probabilities over the head's 8 classes → Ekman-7 (calm merged into neutral)."""
    out = p[:, :7].copy()
    out[:, NEUTRAL] += p[:, CALM]
    return out


def labels7(y: np.ndarray) -> np.ndarray:
    return np.where(y == CALM, NEUTRAL, y)


def scores(logits: np.ndarray, y: np.ndarray, t: float) -> dict[str, float]:
    p = to_ekman7(softmax(logits, t))
    y7 = labels7(y)
    present = sorted(set(y7.tolist()))
    pred = p.argmax(1)
    return {
        "uar": round(float(uar(y7, pred, labels=present)), 4),
        "ece": round(float(ece(p, y7)), 4),
        "n": len(y),
        "classes": len(present),
    }


def view(x: np.ndarray, g: np.ndarray, mode: str) -> np.ndarray:
    """The head's input: features as they are (``alone``) or z-scored per speaker (``normed``)."""
    return speaker_norm(x, g) if mode == "normed" else x


#: Per-corpus sample weights of the training set (``--corpus-weight ravdess=2``); 1 for the others.
CORPUS_WEIGHTS: dict[str, float] = {}


def training_set(
    corpora: list[str], data: dict, aug: dict, mode: str, *, rows: dict[str, np.ndarray] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Stack the corpora's features (and their augmented copies), optionally only some rows of a corpus."""
    xs, ys = [], []
    for c in corpora:
        keep = rows.get(c) if rows else None
        for x, y, g in [data[c], *aug.get(c, [])]:
            xv = view(x, g, mode)
            xs.append(xv if keep is None else xv[keep])
            ys.append(y if keep is None else y[keep])
    return np.vstack(xs), np.concatenate(ys)


def weights_of(corpora: list[str], data: dict, aug: dict, rows: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """Sample weights aligned with :func:`training_set`'s rows (:data:`CORPUS_WEIGHTS`)."""
    out = []
    for c in corpora:
        keep = rows.get(c) if rows else None
        for _, y, _ in [data[c], *aug.get(c, [])]:
            out.append(np.full(len(y) if keep is None else len(keep), CORPUS_WEIGHTS.get(c, 1.0)))
    return np.concatenate(out)


def loco_logits(
    data: dict, aug: dict, c: float, w: float, mode: str, features: Path, *, pca: int | None = None
) -> dict[str, np.ndarray]:
    """Logits of every corpus from a head trained on the others (and of its degraded copies, when extracted)."""
    logits: dict[str, np.ndarray] = {}
    for held in data:
        others = [k for k in data if k != held]
        xs, ys = training_set(others, data, aug, mode)
        head = Head(c, w, pca=pca).fit(xs, ys, weights_of(others, data, aug))
        x, _y, g = data[held]
        logits[held] = head.logits(view(x, g, mode))
        for name in TEST_AUGMENTS:  # the left-out corpus through a phone, noise, a room, a codec
            if (features / f"{held}_{name}.npz").is_file():
                xa, _ya, ga = load(features, f"{held}_{name}")
                logits[f"{held}:{name}"] = head.logits(view(xa, ga, mode))
    return logits


def load_all(features: Path, corpora: tuple[str, ...], augment: list[str]) -> tuple[dict, dict]:
    """Features of each corpus, and of its augmented copies named by ``augment`` (suffixes, where extracted)."""
    data = {c: load(features, c) for c in corpora}
    aug = {c: [load(features, f"{c}_{s}") for s in augment if (features / f"{c}_{s}.npz").is_file()] for c in corpora}
    return data, aug


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--features", type=Path, default=Path("build/speech_features"))
    ap.add_argument("--c", type=float, default=0.01)
    ap.add_argument("--prosody-weight", type=float, default=3.0)
    ap.add_argument("--augment", nargs="*", default=[], help="feature-file suffixes of augmented copies, e.g. speed0.9")
    ap.add_argument("--out", type=Path, default=Path("build/speech_loco.json"))
    ap.add_argument("--modes", nargs="+", default=["alone", "normed"], choices=["alone", "normed"])
    ap.add_argument("--pca", type=int, default=None, help="fit the logistic regression on this many principal axes")
    ap.add_argument("--skip-cremad-only", action="store_true", help="no CREMA-D-only speaker CV (faster)")
    ap.add_argument("--ravdess-cv", action="store_true", help="also RAVDESS speaker-grouped CV with the others added")
    ap.add_argument("--skip-loco", action="store_true", help="only the within-corpus speaker CVs")
    ap.add_argument("--corpus-weight", nargs="*", default=[], help="sample weight per corpus, e.g. ravdess=2")
    ap.add_argument("--train-only", nargs="*", default=[], help="e.g. crema_d: that corpus alone, scored on the others")
    args = ap.parse_args()

    for item in args.corpus_weight:
        name, _, w = item.partition("=")
        CORPUS_WEIGHTS[name] = float(w)
    data, aug = load_all(args.features, CORPORA, args.augment)
    report: dict[str, dict] = {"config": vars(args) | {"features": str(args.features), "out": str(args.out)}}
    for mode in args.modes:
        loco = {}
        logits = (
            {}
            if args.skip_loco
            else loco_logits(data, aug, args.c, args.prosody_weight, mode, args.features, pca=args.pca)
        )
        for held in (
            [] if args.skip_loco else CORPORA
        ):  # temperature from the other left-out corpora: calibration out of corpus
            others = [c for c in CORPORA if c != held]
            t = fit_temperature(np.vstack([logits[c] for c in others]), np.concatenate([data[c][1] for c in others]))
            loco[held] = scores(logits[held], data[held][1], t) | {
                "temperature": round(t, 3),
                "uncalibrated_ece": scores(logits[held], data[held][1], 1.0)["ece"],
                "degraded_uar": {
                    name: scores(logits[f"{held}:{name}"], data[held][1], t)["uar"]
                    for name in TEST_AUGMENTS
                    if f"{held}:{name}" in logits
                },
            }
        # speaker-grouped CV inside CREMA-D (15 actors per fold), with and without the other corpora
        y, g = data["crema_d"][1], data["crema_d"][2]
        xv = view(data["crema_d"][0], g, mode)
        within = {}
        variants = [("crema_d+others", ["ravdess", "tess"]), ("crema_d_only", [])]
        if args.train_only == ["crema_d"]:
            variants = variants[1:]
        elif args.skip_cremad_only:
            variants = variants[:1]
        degraded = {
            name: view(*[load(args.features, f"crema_d_{name}")[i] for i in (0, 2)], mode)
            for name in TEST_AUGMENTS
            if (args.features / f"crema_d_{name}.npz").is_file()
        }
        for name, others in variants:
            out = np.zeros((len(y), len(SPACE)))
            out_degraded = {k: np.zeros((len(y), len(SPACE))) for k in degraded}
            for train, test in grouped_kfold(g, n_splits=5):
                xs, ys = training_set(["crema_d", *others], data, aug, mode, rows={"crema_d": train})
                sw = weights_of(["crema_d", *others], data, aug, rows={"crema_d": train})
                head = Head(args.c, args.prosody_weight, pca=args.pca).fit(xs, ys, sw)
                out[test] = head.logits(xv[test])
                for k, xd in degraded.items():
                    out_degraded[k][test] = head.logits(xd[test])
            t = fit_temperature(out, y)
            within[name] = scores(out, y, 1.0) | {
                "temperature_in_corpus": round(t, 3),
                "degraded_uar": {k: scores(v, y, 1.0)["uar"] for k, v in out_degraded.items()},
            }
        if args.train_only:  # train on these corpora only, score every file of the others
            xs, ys = training_set(args.train_only, data, aug, mode)
            head = Head(args.c, args.prosody_weight, pca=args.pca).fit(xs, ys)
            cross = {}
            for held in [c for c in CORPORA if c not in args.train_only]:
                x, yh, gh = data[held]
                r = scores(head.logits(view(x, gh, mode)), yh, 1.0)
                r["degraded_uar"] = {}
                for k in TEST_AUGMENTS:
                    if (args.features / f"{held}_{k}.npz").is_file():
                        xa, _, ga = load(args.features, f"{held}_{k}")
                        r["degraded_uar"][k] = scores(head.logits(view(xa, ga, mode)), yh, 1.0)["uar"]
                cross[held] = r
            within["cross_corpus"] = cross
        ravdess = {}
        if args.ravdess_cv:  # RAVDESS actors 01-18, 6 folds of 3 (as train.py), the other corpora always in training
            y, g = data["ravdess"][1], data["ravdess"][2]
            xv = view(data["ravdess"][0], g, mode)
            out = np.zeros((len(y), len(SPACE)))
            for train, test in grouped_kfold(g, n_splits=6):
                xs, ys = training_set(list(data), data, aug, mode, rows={"ravdess": train})
                sw = weights_of(list(data), data, aug, rows={"ravdess": train})
                out[test] = Head(args.c, args.prosody_weight, pca=args.pca).fit(xs, ys, sw).logits(xv[test])
            pred = out.argmax(1)
            ravdess = {"ravdess+others_8_classes_uar": round(float(uar(y, pred)), 4)} | {"ekman7": scores(out, y, 1.0)}
        report[mode] = {"leave_one_corpus_out": loco, "cremad_speaker_cv": within, "ravdess_speaker_cv": ravdess}
        print(mode, json.dumps(report[mode]), flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
