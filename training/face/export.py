"""Export a trained expression CNN to the ``face-cnn-fer`` bundle: ONNX weights, alignment template, metrics.

Reads a checkpoint of ``training/face/train.py`` and the template of ``training/face/landmark_template.py``,
reorders the output rows from FER2013's folder order to Ekman-7's, exports ONNX (input ``faces``: (n, 1, 48, 48)
float32 grey scaled to [-1, 1]; output ``logits``: (n, 7) in Ekman-7 order), quantises it to int8 when
``--int8`` (static, calibrated on training images), then scores the exported file on the validation list through
the product path (``FaceRecognizer.predict_crops``) and writes the figures into ``bundle.json``. Several
checkpoints are exported as one ensemble graph (the mean of their softmaxes).

    python training/face/export.py --checkpoint build/face_cnn/best.pt
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # training/: licences.py
sys.path.insert(0, str(Path(__file__).resolve().parent))  # this folder's modules come first
from licences import stamp
from train import LABELS, ExpressionCNN, load_split

ROOT = Path(__file__).resolve().parents[2]
BUNDLE = ROOT / "src/affectscope/models/face_cnn_fer"
EKMAN = ["anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"]
FER_TO_EKMAN = {"angry": "anger", "disgust": "disgust", "fear": "fear", "happy": "joy", "neutral": "neutral",
                "sad": "sadness", "surprise": "surprise"}  # fmt: skip


class Ensemble(torch.nn.Module):
    """Several CNNs as one graph: output the log of their mean softmax (the recognizer's softmax gives the mean)."""

    def __init__(self, models: list[torch.nn.Module]) -> None:
        super().__init__()
        self.models = torch.nn.ModuleList(models)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if len(self.models) == 1:
            return self.models[0](x)
        p = torch.stack([torch.softmax(m(x), 1) for m in self.models]).mean(0)
        return torch.log(p.clamp_min(1e-12))


def load_reordered(ckpt: Path) -> torch.nn.Module:
    """A checkpoint's CNN with its output rows reordered from FER2013's folder order to Ekman-7's."""
    state = torch.load(ckpt, map_location="cpu")
    model = ExpressionCNN(state["width"])
    model.load_state_dict(state["model"])
    perm = [LABELS.index(next(k for k, v in FER_TO_EKMAN.items() if v == e)) for e in EKMAN]
    lin = model.head[-1]
    with torch.no_grad():
        lin.weight.copy_(lin.weight[perm].clone())
        lin.bias.copy_(lin.bias[perm].clone())
    return model.eval()


def export_onnx(ckpts: list[Path], out: Path) -> None:
    model = Ensemble([load_reordered(c) for c in ckpts]).eval()
    torch.onnx.export(
        model,
        (torch.zeros(2, 1, 48, 48),),
        str(out),
        input_names=["faces"],
        output_names=["logits"],
        dynamic_axes={"faces": {0: "n"}, "logits": {0: "n"}},
        opset_version=17,
        dynamo=False,
    )


def quantize(src: Path, dst: Path, split: Path) -> None:
    from onnxruntime.quantization import CalibrationDataReader, QuantFormat, QuantType, quantize_static

    x, _ = load_split(split, "train", 1024)

    class Reader(CalibrationDataReader):
        def __init__(self) -> None:
            self.batches = iter([{"faces": (x[i : i + 64].numpy()[:, None] / 127.5 - 1).astype(np.float32)}
                                 for i in range(0, len(x), 64)])  # fmt: skip

        def get_next(self) -> dict | None:
            return next(self.batches, None)

    quantize_static(str(src), str(dst), Reader(), quant_format=QuantFormat.QDQ, per_channel=True,
                    activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)  # fmt: skip


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checkpoint", type=Path, nargs="+", required=True, help="one, or several to ensemble")
    ap.add_argument("--split", type=Path, default=Path("build/face_split.json"))
    ap.add_argument("--template", type=Path, default=Path("build/face_template.json"))
    ap.add_argument("--int8", action="store_true")
    args = ap.parse_args()

    onnx_name = "expression.int8.onnx" if args.int8 else "expression.onnx"
    for old in BUNDLE.glob("expression*.onnx"):
        old.unlink()
    fp32 = BUNDLE / "expression.onnx"
    export_onnx(args.checkpoint, fp32)
    if args.int8:
        quantize(fp32, BUNDLE / onnx_name, args.split)
        fp32.unlink()
    meta = json.loads((BUNDLE / "bundle.json").read_text(encoding="utf-8"))
    tmpl = json.loads(args.template.read_text(encoding="utf-8"))
    meta["files"]["onnx"] = onnx_name
    meta["align"] = {k: tmpl[k] for k in ("indices", "template", "size")}
    stamp(meta, "face-cnn-fer")  # training data licences and commercial_use, as shipped
    (BUNDLE / "bundle.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")

    from affectscope.evaluate.metrics import accuracy, macro_f1
    from affectscope.recognizers.face import FaceRecognizer

    x, y = load_split(args.split, "val")
    rec = FaceRecognizer(BUNDLE, num_threads=2)
    probs = rec.predict_crops(x.numpy())["ekman7"]
    truth = [FER_TO_EKMAN[LABELS[i]] for i in y.tolist()]
    pred = [EKMAN[i] for i in probs.argmax(1)]
    ckpts = " ".join(str(c) for c in args.checkpoint)
    cmd = f"python training/face/export.py --checkpoint {ckpts}" + (" --int8" if args.int8 else "")
    common = {
        "dataset": "FER2013 training partition, deduplicated 10 % validation part (training/face/split.py)",
        "split": f"{len(truth)} images never trained on",
        "command": cmd,
    }
    meta["metrics"] = {
        "fer2013_heldout_accuracy": {"value": round(accuracy(truth, pred), 4), **common},
        "fer2013_heldout_macro_f1": {"value": round(macro_f1(truth, pred, labels=EKMAN), 4), **common},
    }
    (BUNDLE / "bundle.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(meta["metrics"], indent=1))


if __name__ == "__main__":
    main()
