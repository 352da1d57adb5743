"""Export trained conversation checkpoints to the shipped bundle and score it through the product path.

Writes ``utterance.onnx`` (the fine-tuned encoder layers 5-6 + pooling + projection, float32; ``--int8``
quantises it, which costs about 2.5 points of MELD dev weighted-F1), ``context.onnx`` (the speaker-aware
context model and its three heads, softmax outputs) and ``bundle.json``; makes sure the shipped text model
exposes its ``hidden`` output; then runs ``affectscope.evaluate.evaluate`` (the product code path) on the dev
splits of MELD, EmoryNLP and IEMOCAP in offline and streaming mode and records the figures in ``bundle.json``.

Several epochs of one run are averaged (checkpoint averaging); several runs (different ``--seed``) become an
ensemble inside the same two graphs (utterance vectors concatenated, probabilities averaged)::

    python training/conversation/export.py \
        --ckpt build/conversation/last.pt build/conversation_s1/epoch5.pt build/conversation_s1/epoch6.pt \
        --baseline build/conversation_nocontext/last.pt \
        --out src/affectscope/models/conversation_minilm_context

``--baseline`` scores the no-context ablation (``--past 0 --future 0``) through the same path; its figures are
recorded under ``*_no_context``.
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
sys.path.insert(0, str(HERE.parent))  # licences.py
sys.path.insert(0, str(HERE.parent / "text_minilm"))  # onnx_outputs
sys.path.insert(0, str(HERE))  # train (this folder's, ahead of the text model's)
from licences import stamp  # noqa: E402
from onnx_outputs import add_hidden_output  # noqa: E402  (training/text_minilm/onnx_outputs.py)
from train import CORPORA, ROOT, TEXT_BUNDLE, Net  # noqa: E402

EVAL_CMD = "affectscope eval --dataset {ds} --path ../shared/data/conversation/{ds} --split dev{labels}{mode}"


class UtteranceGraph(nn.Module):
    """Utterance encoders of all ensemble members; their vectors are concatenated."""

    def __init__(self, nets: list[Net]) -> None:
        super().__init__()
        self.utts = nn.ModuleList(n.utt for n in nets)

    def forward(self, hidden, attention_mask, text_scores):
        mask = attention_mask.float()
        return torch.cat([utt(hidden, mask, text_scores) for utt in self.utts], -1)


class ContextGraph(nn.Module):
    """Context models of all members, each on its slice of the utterance vector; probabilities are averaged."""

    def __init__(self, nets: list[Net], dim: int) -> None:
        super().__init__()
        self.ctxs = nn.ModuleList(n.ctx for n in nets)
        self.dim = dim

    def forward(self, utterances, speakers, future):
        valid = torch.ones_like(speakers, dtype=torch.bool)
        total = None
        for i, ctx in enumerate(self.ctxs):
            u = utterances[..., i * self.dim : (i + 1) * self.dim]
            probs = [lg.softmax(-1) for lg in ctx(u, speakers, valid, future)]
            total = probs if total is None else [t + p for t, p in zip(total, probs, strict=True)]
        return tuple(t / len(self.ctxs) for t in total)


def store_fp16(path: Path, *, min_size: int = 4096) -> None:
    """Store the large float32 weights of an ONNX file as float16, cast back to float32 inside the graph.

    The file halves; ONNX Runtime folds the casts at load time, so inference still runs in float32 (weights
    rounded to float16 precision, activations untouched).
    """
    import numpy as np
    import onnx
    from onnx import numpy_helper

    model = onnx.load(str(path))
    graph = model.graph
    casts = []
    for init in list(graph.initializer):
        if init.data_type != onnx.TensorProto.FLOAT or np.prod(init.dims) < min_size:
            continue
        w = numpy_helper.to_array(init)
        half = numpy_helper.from_array(w.astype(np.float16), init.name + "_fp16")
        graph.initializer.remove(init)
        graph.initializer.append(half)
        casts.append(onnx.helper.make_node("Cast", [half.name], [init.name], to=onnx.TensorProto.FLOAT))
    for node in reversed(casts):
        graph.node.insert(0, node)
    onnx.checker.check_model(model)
    onnx.save(model, str(path))


def load(ckpts: list[Path]) -> tuple[list[Net], dict]:
    """Rebuild the ensemble: checkpoints of one run (same output folder and seed) are averaged into one member
    (checkpoint averaging); different runs become members whose probabilities are averaged."""
    runs: dict[tuple[str, int], list[dict]] = {}
    for p in ckpts:
        st = torch.load(p, map_location="cpu", weights_only=False)
        st["path"] = p
        runs.setdefault((str(st["args"]["out"]), st["args"]["seed"]), []).append(st)
    nets, members = [], []
    shape = None
    for states in runs.values():
        a = states[0]["args"]
        key = (a["dim"], a["layers"], a["heads"], a["past"], a["future"])
        if shape not in (None, key):
            raise SystemExit("ensemble members must share dim, layers, heads, past and future")
        shape = key
        avg = {k: sum(st["state"][k].float() for st in states) / len(states) for k in states[0]["state"]}
        net = Net(a["dim"], a["layers"], a["heads"], a["past"], a["future"], a["dropout"])
        net.load_state_dict(avg)
        nets.append(net.eval())
        members.append({"seed": a["seed"], "epochs": a["epochs"], "checkpoints": [st["path"].name for st in states]})
    a = dict(runs[next(iter(runs))][0]["args"])
    return nets, a | {"members": members}


def export(ckpts: list[Path], out: Path, *, quantize: bool) -> dict:
    nets, a = load(ckpts)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp())
    h = torch.randn(3, 9, 384)
    m = torch.ones(3, 9, dtype=torch.long)
    torch.onnx.export(
        UtteranceGraph(nets),
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
        ContextGraph(nets, a["dim"]),
        (
            torch.randn(1, 12, a["dim"] * len(nets)),
            torch.tensor([[0, 1, 0, 2, 1, 0, 0, 1, 2, 0, 1, 1]]),
            torch.tensor(3),
        ),
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
        store_fp16(out / utt_name)
    store_fp16(out / "context.onnx")
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
            "dim": a["dim"] * len(nets),
            "past": a["past"],
            "future": a["future"],
            "context_layers": a["layers"],
            "training": {k: a[k] for k in ("epochs", "layers", "heads", "dropout", "lr", "lr_encoder", "members")},
        }
    )
    from affectscope.evaluate.datasets.conversation import _NATIVE

    for space, corpus in zip(heads, names, strict=True):
        trained = [_NATIVE[corpus][lab] for lab in CORPORA[corpus]["labels"]]
        if trained != list(get_space(space).labels):
            raise SystemExit(f"label order of {space} {list(get_space(space).labels)} differs from training {trained}")
    stamp(bundle, "conversation-minilm-context")  # licence, training data licences and commercial_use, as shipped
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
    ap.add_argument(
        "--ckpt",
        type=Path,
        nargs="+",
        default=[ROOT / "build" / "conversation" / "last.pt"],
        help="a checkpoint, or several epochs of one run to average",
    )
    ap.add_argument("--out", type=Path, default=ROOT / "src" / "affectscope" / "models" / "conversation_minilm_context")
    ap.add_argument("--baseline", type=Path, nargs="+", help="checkpoint(s) of the --past 0 --future 0 ablation")
    ap.add_argument("--int8", action="store_true", help="int8 utterance layers (costs ~2.5 points on MELD dev)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    bundle = export(args.ckpt, args.out, quantize=args.int8)
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
        export(args.baseline, base_dir, quantize=args.int8)
        for key, r in score(base_dir, threads=args.threads).items():
            ds, mode = key.split("_")
            if mode == "offline":
                metrics[f"{ds}_dev_weighted_f1_no_context"] = {
                    "value": r["metrics"]["weighted_f1"],
                    "dataset": ds,
                    "split": "dev",
                    "command": "python training/conversation/export.py --baseline "
                    + " ".join(str(p) for p in args.baseline)
                    + " (ablation, scored by the same evaluate())",
                }
    bundle["metrics"] = metrics
    (args.out / "bundle.json").write_text(json.dumps(bundle, indent=2) + "\n")
    print(json.dumps({k: v["value"] for k, v in metrics.items()}, indent=1))


if __name__ == "__main__":
    main()
