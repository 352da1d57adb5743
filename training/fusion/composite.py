"""Build the audio-visual composite set the fusion model is fitted and scored on (issue 7, part 2).

No public data here holds face, voice and words of the same person at once, so the set is composed: every RAVDESS
speech clip (actors 01-18, 8 emotions) is paired with a face from the *held-out part* of fer2013_train
(``build/face_split.json:val``, never seen by the face model) showing the same emotion (RAVDESS *calm* pairs with
a *neutral* face), plus the clip's neutral transcript ("Kids are talking by the door" / "Dogs are sitting by the
door") as the words. Labels are Ekman-7 (calm merges into neutral, as the speech recognizer's ``ekman7`` output).

Each modality's probabilities come from the shipped recognizers' product path, and are honest for every item:

* speech: out-of-fold. Heads are refitted exactly as ``training/speech/train.py`` does for its card figures
  (leave-speakers-out, 6 folds of 3 actors, speed-perturbed copies of the training actors, each clip judged
  alone), divided by the shipped ``alone`` temperature, softmaxed and merged to Ekman-7;
* face: ``FaceRecognizer`` on the held-out 48 px crops (as ``affectscope eval --dataset fer2013`` does);
* text: ``TextRecognizer`` (calibrated Ekman-7) on the transcript.

Faces are split into 6 disjoint parts per class, one per actor fold, so a fusion model fitted on 5 folds never
sees the faces of the 6th. Disgust has only 44 held-out faces for 144 clips, so faces repeat within a fold.

Also written: a *mismatched* twin of every item (a face of another emotion, drawn the same way) for measuring
how well :func:`affectscope.fusion.incongruence` spots a smiling face with an angry voice.

    python training/speech/extract_features.py --data ../shared/data --out build/speech_features   # if missing
    python training/fusion/composite.py --data ../shared/data --out build/fusion/composite.npz
"""

from __future__ import annotations

import argparse
import importlib.util
import json
from pathlib import Path

import numpy as np

from affectscope.evaluate.datasets.media import FER_FOLDER_TO_EKMAN as FER_TO_EKMAN

EKMAN = ["anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"]
STATEMENTS = {"01": "Kids are talking by the door", "02": "Dogs are sitting by the door"}
N_FOLDS = 6


def _speech_module():
    path = Path(__file__).resolve().parents[1] / "speech" / "train.py"
    spec = importlib.util.spec_from_file_location("speech_train", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def speech_oof(features: Path, augment: list[float]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Out-of-fold Ekman-7 speech probabilities, labels, actor groups and clip names of RAVDESS 01-18."""
    from affectscope.models import get_bundle

    st = _speech_module()
    bundle = get_bundle("speech-whisper-ser")
    c, w = bundle.extra["training"]["c"], bundle.extra["training"]["prosody_weight"]
    x, y8, groups = st.load(features, "ravdess")
    aug = [st.load(features, f"ravdess_speed{s:g}")[0] for s in augment]
    logits = st.cv_logits(x, y8, groups, c, w, aug=aug)
    p8 = st.softmax(logits, bundle.extra["temperature"]["alone"])
    calm, neutral = st.SPACE.index("calm"), st.SPACE.index("neutral")
    p7 = np.delete(p8, calm, axis=1)
    p7[:, st.SPACE.index("neutral")] += p8[:, calm]
    y7 = np.where(y8 == calm, neutral, y8)
    assert [s for s in st.SPACE if s != "calm"] == EKMAN
    files = np.load(features / "ravdess.npz")["files"]
    return p7, y7, groups, np.asarray([str(f) for f in files])


def face_probs(data: Path, split: Path, threads: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Ekman-7 probabilities of the face recognizer on the held-out fer2013_train faces."""
    from affectscope.evaluate.datasets import load_dataset
    from affectscope.evaluate.harness import _face_predictions
    from affectscope.recognizers.face import FaceRecognizer

    d = load_dataset("fer2013", data / "face" / "fer2013_train", split=f"{split}:val")
    rec = FaceRecognizer(num_threads=threads)
    probs = _face_predictions(rec, d.items)["ekman7"]
    assert rec.labels_ == EKMAN
    rec.close()
    names = [str(Path(p).relative_to(data / "face" / "fer2013_train")) for p in d.items]
    y = np.array([EKMAN.index(FER_TO_EKMAN[n.split("/")[0]]) for n in names])
    return names, probs, y


def text_probs(threads: int) -> dict[str, np.ndarray]:
    """Calibrated Ekman-7 probabilities of the text recognizer for each RAVDESS statement code."""
    from affectscope.recognizers.text import TextRecognizer

    rec = TextRecognizer(num_threads=threads)
    p = rec.predict(list(STATEMENTS.values()))["ekman7"]
    return dict(zip(STATEMENTS, p, strict=True))


def pair_faces(y: np.ndarray, folds: np.ndarray, face_y: np.ndarray, rng: np.random.Generator) -> tuple:
    """Index of a same-emotion face and of an other-emotion face for every clip, from its fold's share of faces."""
    share = np.empty(len(face_y), dtype=int)  # fold owning each face
    for c in range(len(EKMAN)):
        idx = rng.permutation(np.flatnonzero(face_y == c))
        share[idx] = np.arange(len(idx)) % N_FOLDS
    match, mismatch = np.empty(len(y), dtype=int), np.empty(len(y), dtype=int)
    for f in range(N_FOLDS):
        for c in range(len(EKMAN)):
            clips = np.flatnonzero((folds == f) & (y == c))
            same = rng.permutation(np.flatnonzero((share == f) & (face_y == c)))
            other = rng.permutation(np.flatnonzero((share == f) & (face_y != c)))
            match[clips] = same[np.arange(len(clips)) % len(same)]
            mismatch[clips] = other[np.arange(len(clips)) % len(other)]
    return match, mismatch


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--features", type=Path, default=Path("build/speech_features"))
    ap.add_argument("--face-split", type=Path, default=Path("build/face_split.json"))
    ap.add_argument("--out", type=Path, default=Path("build/fusion/composite.npz"))
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    for need, how in [
        (args.features / "ravdess.npz", "python training/speech/extract_features.py (see its docstring)"),
        (args.face_split, "python training/face/split.py"),
    ]:
        if not need.is_file():
            raise SystemExit(f"{need} is missing: run {how} first")

    from affectscope.evaluate.splits import grouped_kfold

    speech, y, groups, clips = speech_oof(args.features, [0.9, 1.1])
    folds = np.empty(len(y), dtype=int)
    for k, (_, test) in enumerate(grouped_kfold(groups, n_splits=N_FOLDS)):
        folds[test] = k
    face_names, face_p, face_y = face_probs(args.data, args.face_split, args.threads)
    text = text_probs(args.threads)
    rng = np.random.default_rng(args.seed)
    match, mismatch = pair_faces(y, folds, face_y, rng)
    statement = np.array([Path(c).name.split("-")[4] for c in clips])
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        labels=np.asarray(EKMAN),
        y=y,
        fold=folds,
        actor=groups,
        clip=clips,
        speech=speech,
        face=face_p[match],
        face_file=np.asarray(face_names)[match],
        face_mismatch=face_p[mismatch],
        face_mismatch_y=face_y[mismatch],
        text=np.stack([text[s] for s in statement]),
    )
    acc = {m: float((p.argmax(1) == y).mean()) for m, p in [("speech", speech), ("face", face_p[match])]}
    print(json.dumps({"items": len(y), "unique_faces": len(set(match)), "accuracy": acc}, indent=1))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
