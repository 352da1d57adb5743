"""How well calibrated is each shipped model's confidence, and what would temperature scaling change?

For every model with a dev set in ../shared/data, the product's probabilities are computed once and the row
``confidence`` (the top probability) is checked against whether the top label is right:

* ``ece_top`` — top-label expected calibration error (15 equal-width bins, Guo et al. 2017) as shipped;
* ``ece_top_cal`` — the same after temperature scaling, **cross-fitted**: the temperature is fitted on one half
  of the dev items (grouped by dialogue where there are dialogues) and applied to the other, both ways, so no
  item is scored by a temperature fitted on it;
* ``temperature`` — fitted on all dev items (what a bundle would store).

Models and sets: text-minilm-goemotions on GoEmotions dev (Ekman-7, multi-label sigmoid: a top label counts as
right when it is one of the item's labels; the temperature is fitted on the 0/1 label matrix); face-cnn-fer on
the held-out part of fer2013_train (``build/face_split.json:val``, from ``training/face/split.py``);
conversation-minilm-context on MELD dev (offline). The speech model already ships its own temperatures (fitted
in leave-speakers-out cross-validation, see its model card).

Run (about 2 minutes on 2 cores)::

    python benchmarks/calibration.py --data ../shared/data
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from affectscope.calibration import TemperatureScaling, cross_fitted, top_label_ece
from affectscope.evaluate.datasets import load_dataset


def report(name: str, probs: np.ndarray, y: np.ndarray, groups: np.ndarray) -> dict:
    top = probs.argmax(1)
    right = y[np.arange(len(y)), top] if y.ndim == 2 else top == y
    ts = TemperatureScaling().fit(probs, y)
    row = {
        "model": name,
        "n": len(y),
        "accuracy_top": round(float(np.mean(right)), 4),
        "mean_confidence": round(float(probs.max(1).mean()), 4),
        "ece_top": round(top_label_ece(probs, y), 4),
        "ece_top_cal": round(top_label_ece(cross_fitted(probs, y, groups), y), 4),
        "temperature": round(ts.temperature_, 4),
    }
    print(json.dumps(row), flush=True)
    return row


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--face-split", type=Path, default=Path("build/face_split.json"))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    from affectscope.recognizers.text import TextRecognizer

    text = load_dataset("goemotions", args.data / "text/goemotions", split="dev", labels="ekman7")
    rec = TextRecognizer(num_threads=args.threads)
    rec.calibrators_ = {}  # judge the raw outputs
    probs = rec.predict([str(t) for t in text.items])["ekman7"]
    report(rec.bundle.name, probs, np.asarray(text.y), np.arange(len(text)))

    from affectscope.conversation import ConversationRecognizer
    from affectscope.evaluate.harness import conversation_predictions

    meld = load_dataset("meld", args.data / "conversation/meld", split="dev")
    conv = ConversationRecognizer(num_threads=args.threads)
    conv.text_.calibrators_ = {}
    report(conv.bundle.name, conversation_predictions(conv, meld), np.asarray(meld.y), np.asarray(meld.groups))

    if args.face_split.is_file():
        from affectscope.evaluate.harness import _face_predictions
        from affectscope.recognizers.face import FaceRecognizer

        fer = load_dataset("fer2013", args.data / "face/fer2013_train", split=f"{args.face_split}:val")
        face = FaceRecognizer(num_threads=args.threads)
        probs = _face_predictions(face, fer.items)[face.space_]
        report(face.bundle.name, probs, np.asarray(fer.y), np.arange(len(fer)))
        face.close()
    else:
        print(f"(face: {args.face_split} missing; run training/face/split.py)")


if __name__ == "__main__":
    main()
