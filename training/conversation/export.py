"""Export a trained conversation checkpoint to the shipped bundle and score it through the product path.

Writes ``utterance.int8.onnx`` (the fine-tuned encoder layers 5-6 + pooling + projection; int8 weights unless
``--no-quantize``), ``context.onnx`` (the speaker-aware context model and its three heads, softmax outputs) and
``bundle.json``; makes sure the shipped text model exposes its ``hidden`` output; then runs
``affectscope.evaluate.evaluate`` (the product code path) on the dev splits of MELD, EmoryNLP and IEMOCAP in
offline and streaming mode and records the figures in ``bundle.json``.

    python training/conversation/export.py --ckpt build/conversation/last.pt \
        --out src/affectscope/models/conversation_minilm_context

Add ``--baseline build/conversation_nocontext/last.pt`` to score the no-context ablation through the same path
(its figures are recorded under ``*_no_context``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

import torch
from torch import nn

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "text_minilm"))  # onnx_outputs
sys.path.insert(0, str(HERE))  # train (this folder's, ahead of the text model's)
from onnx_outputs import add_hidden_output  # noqa: E402  (training/text_minilm/onnx_outputs.py)
from train import CORPORA, ROOT, TEXT_BUNDLE, Net  # noqa: E402

EVAL_CMD = "affectscope eval --dataset {ds} --path ../shared/data/conversation/{ds} --split dev{labels}{mode}"


class UtteranceGraph(nn.Module):
    def __init__(self, net: Net) -> None:
        super().__init__()
        self.utt = net.utt

    def forward(self, hidden, attention_mask, text_scores):
        return self.utt(hidden, attention_mask.float(), text_scores)


class ContextGraph(nn.Module):
    def __init__(self, net: Net) -> None:
        super().__init__()
        self.ctx = net.ctx

    def forward(self, utterances, speakers, future):
        valid = torch.ones_like(speakers, dtype=torch.bool)
        return tuple(lg.softmax(-1) for lg in self.ctx(utterances, speakers, valid, future))


def load(ckpt: Path) -> tuple[Net, dict]:
    state = torch.load(ckpt, map_location="cpu", weights_only=False)
    a = state["args"]
    net = Net(a["dim"], a["layers"], a["heads"], a["past"], a["future"], a["dropout"])
    net.load_state_dict(state["state"])
    return net.eval(), a


def export(ckpt: Path, out: Path, *, quantize: bool) -> dict:
    net, a = load(ckpt)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    h = torch.randn(3, 9, 384)
    m = torch.ones(3, 9, dtype=torch.long)
    torch.onnx.export(
        UtteranceGraph(net),
        (h, m, torch.rand(3, 38)),
        str(tmp / "utterance.onnx"),
        input_names=["hidden", "attention_mask", "text_scores"],
        output_names=["utterance"],
        dynamic_axes={
            "hidden": {0: "batch", 1: "tokens"},
            "attention_mask": {0: "batch", 1: "tokens"},
            "text_scores": {0: "batch"},
            "utterance": {0: "batch"},
        },
        opset_version=17,
        dynamo=False,
    )
    names = list(CORPORA)
    heads = [CORPORA[c]["space"] for c in names]
    torch.onnx.export(
        ContextGraph(net),
        (torch.randn(1, 12, a["dim"]), torch.tensor([[0, 1, 0, 2, 1, 0, 0, 1, 2, 0, 1, 1]]), torch.tensor(3)),
        str(out / "context.onnx"),
        input_names=["utterances", "speakers", "future"],
        output_names=heads,
        dynamic_axes={"utterances": {1: "turns"}, "speakers": {1: "turns"}, **{h: {1: "turns"} for h in heads}},
        opset_version=17,
        dynamo=False,
    )
    utt_name = "utterance.int8.onnx" if quantize else "utterance.onnx"
    if quantize:
        from onnxruntime.quantization import QuantType, quantize_dynamic

        quantize_dynamic(str(tmp / "utterance.onnx"), str(out / utt_name), weight_type=QuantType.QInt8)
    else:
        shutil.copy(tmp / "utterance.onnx", out / utt_name)
    for stale in {"utterance.onnx", "utterance.int8.onnx"} - {utt_name}:
        (out / stale).unlink(missing_ok=True)
    add_hidden_output(TEXT_BUNDLE / "model.int8.onnx")

    bundle_path = out / "bundle.json"
    bundle = json.loads(bundle_path.read_text()) if bundle_path.exists() else {}
    from affectscope.labels import get_space

    bundle.update(
        {
            "name": "conversation-minilm-context",
            "modality": "conversation",
            "task": "context-aware single-label emotion per dialogue turn (Ekman-7; EmoryNLP-7 and IEMOCAP-6 heads), "
            "offline (past + future turns) or streaming (past turns only)",
            "licence": "Apache-2.0 (our weights); see MODEL_CARD.md for the licences of the training data",
            "training_data": [
                {
                    "name": "MELD (Poria et al., 2019)",
                    "split": "train (9,989 turns / 1,038 dialogues)",
                    "licence": "GPL-3.0 (declare-lab/MELD repository licence); Friends transcripts",
                },
                {
                    "name": "EmoryNLP (Zahiri & Choi, 2018)",
                    "split": "train (7,551 turns / 659 scenes)",
                    "licence": "GPL-3.0 (as carried by the declare-lab/MELD repository); Friends transcripts",
                },
                {
                    "name": "IEMOCAP transcripts (Busso et al., 2008), COSMIC split",
                    "split": "train (5,163 turns / 108 dialogues)",
                    "licence": "MIT (declare-lab/conv-emotion repository); IEMOCAP itself: USC SAIL research licence",
                },
            ],
            "citation": "affectscope conversation-minilm-context (2026): fine-tuned MiniLM layers over the shared "
            "text-minilm-goemotions encoder and a speaker-aware context transformer, trained on MELD (Poria et al., "
            "2019), EmoryNLP (Zahiri & Choi, 2018) and IEMOCAP (Busso et al., 2008).",
            "default": True,
            "files": {"utterance": utt_name, "context": "context.onnx"},
            "heads": {
                space: {
                    "space": space,
                    "kind": "single_label",
                    "output": space,
                    "labels": list(get_space(space).labels),
                    "corpus": corpus,
                }
                for corpus, space in zip(names, heads, strict=True)
            },
            "primary_space": "ekman7",
            "text_model": "text-minilm-goemotions",
            "text_outputs": ["goemotions", "ekman", "vad"],
            "dim": a["dim"],
            "past": a["past"],
            "future": a["future"],
            "context_layers": a["layers"],
            "training": {k: a[k] for k in ("epochs", "layers", "heads", "dropout", "lr", "lr_encoder", "seed")},
        }
    )
    from affectscope.evaluate.datasets.conversation import _NATIVE

    for space, corpus in zip(heads, names, strict=True):
        trained = [_NATIVE[corpus][lab] for lab in CORPORA[corpus]["labels"]]
        if trained != list(get_space(space).labels):
            raise SystemExit(f"label order of {space} {list(get_space(space).labels)} differs from training {trained}")
    bundle.setdefault("metrics", {})
    bundle_path.write_text(json.dumps(bundle, indent=2) + "\n")
    shutil.rmtree(tmp, ignore_errors=True)
    return bundle


def score(model: str | Path, *, threads: int) -> dict[str, dict]:
    """Weighted-F1 etc. on the dev splits, offline and streaming, through ``affectscope.evaluate``."""
    from affectscope.evaluate import evaluate

    data = ROOT.parent / "shared" / "data" / "conversation"
    out = {}
    for ds, space in (("meld", "ekman7"), ("emorynlp", "emorynlp7"), ("iemocap", "iemocap6")):
        for mode in ("offline", "streaming"):
            r = evaluate(ds, data / ds, split="dev", model=model, labels=space, num_threads=threads, mode=mode)
            out[f"{ds}_{mode}"] = r
            print(ds, mode, json.dumps(r["metrics"]), flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--ckpt", type=Path, default=ROOT / "build" / "conversation" / "last.pt")
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "affectscope" / "models" / "conversation_minilm_context")
    ap.add_argument("--baseline", type=Path, help="checkpoint of the --past 0 --future 0 ablation")
    ap.add_argument("--no-quantize", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    bundle = export(args.ckpt, args.out, quantize=not args.no_quantize)
    metrics = {}
    for key, r in score(args.out, threads=args.threads).items():
        ds, mode = key.split("_")
        labels = "" if ds == "meld" else f" --labels {CORPORA[ds]['space']}"
        flag = " --streaming" if mode == "streaming" else ""
        for name in ("weighted_f1", "macro_f1", "accuracy"):
            metrics[f"{ds}_dev_{name}_{mode}"] = {
                "value": r["metrics"][name],
                "dataset": ds,
                "split": "dev",
                "command": EVAL_CMD.format(ds=ds, labels=labels, mode=flag),
            }
    if args.baseline:
        base_dir = Path(tempfile.mkdtemp()) / "conversation_nocontext"
        export(args.baseline, base_dir, quantize=not args.no_quantize)
        for key, r in score(base_dir, threads=args.threads).items():
            ds, mode = key.split("_")
            if mode == "offline":
                metrics[f"{ds}_dev_weighted_f1_no_context"] = {
                    "value": r["metrics"]["weighted_f1"],
                    "dataset": ds,
                    "split": "dev",
                    "command": f"python training/conversation/export.py --baseline {args.baseline} (ablation)",
                }
    bundle["metrics"] = metrics
    (args.out / "bundle.json").write_text(json.dumps(bundle, indent=2) + "\n")
    print(json.dumps({k: v["value"] for k, v in metrics.items()}, indent=1))


if __name__ == "__main__":
    main()
