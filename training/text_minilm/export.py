"""Export a trained checkpoint to the shipped int8 ONNX bundle and tune decision thresholds on dev.

Steps: wrap the network so the graph outputs probabilities (sigmoid) and VAD on [-1, 1]; export to ONNX;
quantise weights to int8 (ONNX Runtime dynamic quantisation); run the *product* code path
(:class:`affectscope.TextRecognizer`) on GoEmotions dev; tune one threshold per label (GoEmotions-28 and
Ekman-7) for F1; write ``bundle.json``.

    python training/text_minilm/export.py --data ../shared/data --ckpt build/text_minilm/best.pt \
        --out src/affectscope/models/text_minilm_goemotions
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import torch
from torch import nn

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # training/: licences.py
sys.path.insert(0, str(Path(__file__).resolve().parent))  # this folder's modules come first
from licences import stamp
from onnx_outputs import add_hidden_output
from train import EmotionNet, base_model_dir, ekman_matrix, load_goemotions

EMOBANK_CENTRE, EMOBANK_HALF_RANGE = 3.0, 2.0  # EmoBank's 1..5 SAM scale -> [-1, 1]


class Exported(nn.Module):
    def __init__(self, net: EmotionNet, vad_mean, vad_std, ek_member: np.ndarray | None) -> None:
        super().__init__()
        self.net = net
        self.register_buffer("vad_mean", torch.tensor(vad_mean, dtype=torch.float32))
        self.register_buffer("vad_std", torch.tensor(vad_std, dtype=torch.float32))
        self.derived = ek_member is not None
        if self.derived:
            self.register_buffer("member", torch.tensor(ek_member, dtype=torch.float32))

    def forward(self, input_ids, attention_mask):
        g, e, v = self.net(input_ids, attention_mask)
        pg = torch.sigmoid(g)
        # derived: Ekman class probability = that of its most probable member GoEmotions label
        pe = (pg.unsqueeze(2) * self.member.unsqueeze(0)).amax(1) if self.derived else torch.sigmoid(e)
        vad = ((v * self.vad_std + self.vad_mean) - EMOBANK_CENTRE) / EMOBANK_HALF_RANGE
        return pg, pe, vad


def tune(y: np.ndarray, p: np.ndarray) -> list[float]:
    grid = np.round(np.arange(0.02, 0.91, 0.01), 2)
    from sklearn.metrics import f1_score

    th = []
    for j in range(y.shape[1]):
        scores = [f1_score(y[:, j], p[:, j] >= t, zero_division=0) for t in grid]
        th.append(float(grid[int(np.argmax(scores))]))
    return th


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--ckpt", type=Path, default=Path("build/text_minilm/best.pt"))
    ap.add_argument("--out", type=Path, default=Path("src/affectscope/models/text_minilm_goemotions"))
    ap.add_argument("--ekman", choices=["head", "derived"], default="head")
    ap.add_argument("--no-quantize", action="store_true")
    args = ap.parse_args()

    from transformers import BertConfig, BertModel

    state = torch.load(args.ckpt, weights_only=False, map_location="cpu")
    meta = state["meta"]
    enc = BertModel(BertConfig.from_pretrained(str(base_model_dir())), add_pooling_layer=False)
    net = EmotionNet(enc)
    net.load_state_dict(state["model"])
    net.eval()
    ek_names, ek_m = ekman_matrix(args.data)
    model = Exported(net, meta["vad_mean"], meta["vad_std"], ek_m if args.ekman == "derived" else None).eval()

    args.out.mkdir(parents=True, exist_ok=True)
    tmp = args.out / "model.fp32.onnx"
    ids = torch.ones((2, 12), dtype=torch.long)
    torch.onnx.export(
        model,
        (ids, torch.ones_like(ids)),
        str(tmp),
        input_names=["input_ids", "attention_mask"],
        output_names=["goemotions", "ekman", "vad"],
        dynamic_axes={
            "input_ids": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            "goemotions": {0: "batch"},
            "ekman": {0: "batch"},
            "vad": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    final = args.out / ("model.fp32.onnx" if args.no_quantize else "model.int8.onnx")
    if not args.no_quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(tmp), str(final), weight_type=QuantType.QInt8)
        tmp.unlink()
    add_hidden_output(final)
    shutil.copy(base_model_dir() / "tokenizer.json", args.out / "tokenizer.json")

    ge_names = meta["goemotions_labels"]
    bundle_path = args.out / "bundle.json"
    bundle = json.loads(bundle_path.read_text()) if bundle_path.exists() else {}
    bundle.update(
        {
            "files": {"onnx": final.name, "tokenizer": "tokenizer.json"},
            "heads": {
                "goemotions": {
                    "space": "goemotions28",
                    "kind": "multi_label",
                    "output": "goemotions",
                    "labels": ge_names,
                },
                "ekman": {
                    "space": "ekman7",
                    "kind": "multi_label",
                    "output": "ekman",
                    "labels": ek_names,
                    "source": args.ekman,
                },
                "vad": {
                    "space": "vad",
                    "kind": "regression",
                    "output": "vad",
                    "labels": ["valence", "arousal", "dominance"],
                    "range": [-1, 1],
                },
            },
            "primary_space": "ekman7",
            "multi_label_space": "goemotions28",
            "max_tokens": 128,
            "thresholds": {"goemotions28": [0.5] * 28, "ekman7": [0.5] * 7},
        }
    )
    stamp(bundle, "text-minilm-goemotions")  # training data licences and commercial_use, as shipped
    for k in ("name", "modality", "task", "licence", "training_data", "citation", "metrics"):
        bundle.setdefault(k, "" if k not in ("training_data", "metrics") else ([] if k == "training_data" else {}))
    bundle_path.write_text(json.dumps(bundle, indent=2) + "\n")

    from affectscope.recognizers.text import TextRecognizer

    rec = TextRecognizer(args.out, num_threads=2)
    texts, y = load_goemotions(args.data, "dev")
    pred = rec.predict(texts)
    y_ek = (y @ ek_m > 0).astype(np.float32)
    bundle["thresholds"] = {
        "goemotions28": tune(y, pred["goemotions28"]),
        "ekman7": tune(y_ek, pred["ekman7"]),
    }
    bundle_path.write_text(json.dumps(bundle, indent=2) + "\n")
    print(json.dumps({"onnx_bytes": final.stat().st_size, "thresholds": bundle["thresholds"]}))


if __name__ == "__main__":
    main()
