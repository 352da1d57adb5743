"""Train the conversation (emotion-in-context) model on MELD + EmoryNLP + IEMOCAP train splits.

The model sits on top of the shipped text model (``text-minilm-goemotions``) so a conversation costs one text
encoder pass plus a little:

* **shared bottom** — layers 1-4 of the text model's int8 MiniLM encoder, frozen and run by the text model's own
  ONNX graph (its ``hidden`` output), together with its GoEmotions-28 / Ekman-7 / VAD heads;
* **utterance encoder** — layers 5-6 of MiniLM, initialised from the text model and fine-tuned on the three
  corpora, mean-pooled, concatenated with the 38 text-model outputs and projected to ``--dim``;
* **context** — ``--layers`` transformer layers over the turns of a dialogue with a *speaker-aware relative
  attention bias* (one learned bias per head for "same speaker as me / other speaker" × relative turn
  distance), restricted to ``--past`` preceding turns and, in offline mode, ``--future`` following turns;
  streaming mode (future = 0) is trained in the same run by sampling the mode per batch;
* **heads** — one per corpus label space: MELD (= Ekman-7), EmoryNLP-7, IEMOCAP-6.

Token states of the frozen bottom are computed once and cached (``--cache``). Each epoch writes a checkpoint
and dev weighted-F1 (offline and streaming) for every corpus; the last epoch is the one exported.

    python training/conversation/train.py --data ../shared/data --out build/conversation
    python training/conversation/train.py --data ../shared/data --out build/conversation_nocontext \
        --past 0 --future 0          # the "same model without context" ablation
    python training/conversation/export.py --ckpt build/conversation/last.pt

Requires the ``train`` extra (torch, onnx, scikit-learn).
"""

from __future__ import annotations

import argparse
import ast
import json
import math
import random
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn

ROOT = Path(__file__).resolve().parents[2]
TEXT_BUNDLE = ROOT / "src" / "affectscope" / "models" / "text_minilm_goemotions"
TOP_LAYERS = (4, 5)
EKMAN7 = ["anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"]
CORPORA: dict[str, dict] = {
    "meld": {"space": "ekman7", "labels": EKMAN7},
    "emorynlp": {"space": "emorynlp7", "labels": ["Joyful", "Mad", "Neutral", "Peaceful", "Powerful", "Sad", "Scared"]},
    "iemocap": {"space": "iemocap6", "labels": ["ang", "exc", "fru", "hap", "neu", "sad"]},
}


def clean(text: str) -> str:
    from affectscope.media.text import fold_punctuation  # the product applies the same folding

    return fold_punctuation(str(text))


# --- data ---------------------------------------------------------------------------------------------------------
def load_corpus(data: Path, corpus: str, split: str) -> pd.DataFrame:
    """Return ``dialogue, idx, speaker, text, label`` rows of one corpus split, in dialogue order."""
    base = data / "conversation" / corpus
    if corpus == "meld":
        d = pd.read_csv(base / f"{split}_sent_emo.csv")
        out = pd.DataFrame(
            {
                "dialogue": "meld/" + d["Dialogue_ID"].astype(str),
                "idx": d["Utterance_ID"].astype(int),
                "speaker": d["Speaker"].astype(str),
                "text": d["Utterance"],
                "label": d["Emotion"],
            }
        )
    elif corpus == "emorynlp":
        d = pd.read_csv(base / f"emorynlp_{split}_final.csv")
        speakers = [", ".join(ast.literal_eval(s)) or "?" for s in d["Speaker"]]
        out = pd.DataFrame(
            {
                "dialogue": "emorynlp/" + d[["Season", "Episode", "Scene_ID"]].astype(str).agg("_".join, axis=1),
                "idx": d["Utterance_ID"].astype(int),
                "speaker": speakers,
                "text": d["Utterance"],
                "label": d["Emotion"],
            }
        )
    else:
        d = pd.read_csv(base / f"{split}.csv", keep_default_na=False)
        out = pd.DataFrame(
            {
                "dialogue": "iemocap/" + d["dialogue_id"].astype(str),
                "idx": d["utt_index"].astype(int),
                "speaker": d["speaker"].astype(str),
                "text": d["text"],
                "label": d["label"],
            }
        )
    out["text"] = [clean(t) or "." for t in out["text"]]
    out["corpus"] = corpus
    out["split"] = split
    out["y"] = [CORPORA[corpus]["labels"].index(lab) for lab in out["label"]]
    return out.sort_values(["dialogue", "idx"], kind="stable").reset_index(drop=True)


def load_all(data: Path) -> pd.DataFrame:
    parts = [load_corpus(data, c, s) for s in ("train", "dev") for c in CORPORA]
    return pd.concat(parts, ignore_index=True)


# --- frozen bottom: the shipped text model's ONNX graph with an extra output -------------------------------------
def text_session(threads: int):
    """An ONNX Runtime session of the shipped text model that also returns the layer-4 token states."""
    import onnx
    import onnxruntime as ort

    model = onnx.load(str(TEXT_BUNDLE / "model.int8.onnx"))
    if "hidden" not in {o.name for o in model.graph.output}:
        raise SystemExit("the text model lacks its 'hidden' output: run training/text_minilm/onnx_outputs.py")
    so = ort.SessionOptions()
    so.intra_op_num_threads = threads
    return model, ort.InferenceSession(model.SerializeToString(), so, providers=["CPUExecutionProvider"])


def build_cache(df: pd.DataFrame, path: Path, threads: int) -> dict[str, np.ndarray]:
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(TEXT_BUNDLE / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=json.loads((TEXT_BUNDLE / "bundle.json").read_text()).get("max_tokens", 128))
    _, sess = text_session(threads)
    texts = df["text"].tolist()
    enc = tok.encode_batch(texts)
    lengths = np.array([len(e.ids) for e in enc])
    offsets = np.concatenate([[0], np.cumsum(lengths)])
    hidden = np.zeros((offsets[-1], 384), np.float16)
    probs = np.zeros((len(df), 38), np.float32)
    order = np.argsort(lengths, kind="stable")
    t0 = time.time()
    for b in range(0, len(order), 64):
        sel = order[b : b + 64]
        n = int(lengths[sel].max())
        ids = np.zeros((len(sel), n), np.int64)
        mask = np.zeros((len(sel), n), np.int64)
        for i, k in enumerate(sel):
            ids[i, : lengths[k]] = enc[k].ids
            mask[i, : lengths[k]] = 1
        g, e, v, h = sess.run(["goemotions", "ekman", "vad", "hidden"], {"input_ids": ids, "attention_mask": mask})
        probs[sel] = np.concatenate([g, e, v], 1)
        for i, k in enumerate(sel):
            hidden[offsets[k] : offsets[k + 1]] = h[i, : lengths[k]]
    print(f"cached {len(df)} utterances ({offsets[-1]} tokens) in {time.time() - t0:.0f} s", flush=True)
    np.savez(path, hidden=hidden, offsets=offsets, probs=probs)
    return {"hidden": hidden, "offsets": offsets, "probs": probs}


def dequantized_layers(model) -> dict[str, np.ndarray]:
    """Float weights of the top encoder layers, dequantised from the int8 text model (``x @ W`` layout)."""
    from onnx import numpy_helper

    init = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    out: dict[str, np.ndarray] = {}
    parts = {
        "attention/self/query": "q",
        "attention/self/key": "k",
        "attention/self/value": "v",
        "attention/output/dense": "o",
        "intermediate/dense": "ff1",
        "output/dense": "ff2",
    }
    for node in model.graph.node:
        if node.op_type != "MatMulInteger":
            continue
        for layer in TOP_LAYERS:
            for part, key in parts.items():
                prefix = f"/net/encoder/encoder/layer.{layer}/{part}/MatMul"
                if node.output[0].startswith(prefix):
                    w = node.input[1].removesuffix("_quantized")
                    q = init[node.input[1]].astype(np.float32) - init[node.input[3]].astype(np.float32)
                    out[f"{layer}.{key}.weight"] = q * init[w + "_scale"]
    for layer in TOP_LAYERS:
        p = f"net.encoder.encoder.layer.{layer}."
        for src, key in [
            ("attention.self.query.bias", "q.bias"),
            ("attention.self.key.bias", "k.bias"),
            ("attention.self.value.bias", "v.bias"),
            ("attention.output.dense.bias", "o.bias"),
            ("attention.output.LayerNorm.weight", "ln1.weight"),
            ("attention.output.LayerNorm.bias", "ln1.bias"),
            ("intermediate.dense.bias", "ff1.bias"),
            ("output.dense.bias", "ff2.bias"),
            ("output.LayerNorm.weight", "ln2.weight"),
            ("output.LayerNorm.bias", "ln2.bias"),
        ]:
            out[f"{layer}.{key}"] = init[p + src]
    missing = [f"{layer}.{k}.weight" for layer in TOP_LAYERS for k in parts.values()]
    missing = [m for m in missing if m not in out]
    if missing:
        raise RuntimeError(f"could not find {missing} in the text model graph")
    return out


# --- the network ------------------------------------------------------------------------------------------------
class BertLayer(nn.Module):
    """One post-LayerNorm BERT layer (as in MiniLM), written out so it exports to plain ONNX ops."""

    def __init__(self, dim: int = 384, heads: int = 12, ff: int = 1536, dropout: float = 0.1) -> None:
        super().__init__()
        self.h = heads
        self.q, self.k, self.v, self.o = (nn.Linear(dim, dim) for _ in range(4))
        self.ln1, self.ln2 = nn.LayerNorm(dim, eps=1e-12), nn.LayerNorm(dim, eps=1e-12)
        self.ff1, self.ff2 = nn.Linear(dim, ff), nn.Linear(ff, dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        hd = d // self.h

        def split(z):
            return z.view(b, t, self.h, hd).transpose(1, 2)

        att = split(self.q(x)) @ split(self.k(x)).transpose(-1, -2) / math.sqrt(hd)
        att = att + (1.0 - mask[:, None, None, :]) * -10000.0
        ctx = (self.drop(att.softmax(-1)) @ split(self.v(x))).transpose(1, 2).reshape(b, t, d)
        x = self.ln1(x + self.drop(self.o(ctx)))
        return self.ln2(x + self.drop(self.ff2(nn.functional.gelu(self.ff1(x)))))


class UtteranceEncoder(nn.Module):
    """Top MiniLM layers over the frozen layer-4 states, mean-pooled, joined with the text model's outputs."""

    def __init__(self, dim: int, dropout: float) -> None:
        super().__init__()
        self.layers = nn.ModuleList(BertLayer() for _ in TOP_LAYERS)
        self.proj = nn.Sequential(nn.Dropout(dropout), nn.Linear(384 + 38, dim), nn.GELU())

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor, probs: torch.Tensor) -> torch.Tensor:
        for layer in self.layers:
            hidden = layer(hidden, mask)
        pooled = (hidden * mask[..., None]).sum(1) / mask.sum(1, keepdim=True).clamp(min=1.0)
        return self.proj(torch.cat([pooled, probs], 1))


class ContextLayer(nn.Module):
    """Pre-LN transformer layer whose attention gets a learned bias per (head, same speaker?, turn distance)."""

    def __init__(self, dim: int, heads: int, past: int, future: int, dropout: float) -> None:
        super().__init__()
        self.h, self.past, self.future = heads, past, future
        self.qkv, self.o = nn.Linear(dim, 3 * dim), nn.Linear(dim, dim)
        self.ln1, self.ln2 = nn.LayerNorm(dim), nn.LayerNorm(dim)
        self.ff = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Dropout(dropout), nn.Linear(2 * dim, dim))
        self.bias = nn.Parameter(torch.zeros(heads, 2, past + future + 1))
        self.drop = nn.Dropout(dropout)

    def forward(self, x: torch.Tensor, same: torch.Tensor, rel: torch.Tensor, allowed: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        hd = d // self.h
        q, k, v = self.qkv(self.ln1(x)).view(b, t, 3, self.h, hd).permute(2, 0, 3, 1, 4)
        bias = self.bias[:, same, rel].permute(1, 0, 2, 3)  # (b, h, t, t)
        att = q @ k.transpose(-1, -2) / math.sqrt(hd) + bias
        att = att.masked_fill(~allowed[:, None], -1e4)
        y = (self.drop(att.softmax(-1)) @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.drop(self.o(y))
        return x + self.drop(self.ff(self.ln2(x)))


class ContextModel(nn.Module):
    """Speaker-aware windowed context over utterance vectors; one head per corpus label space."""

    def __init__(self, dim: int, layers: int, heads: int, past: int, future: int, dropout: float) -> None:
        super().__init__()
        self.past, self.future = past, future
        self.layers = nn.ModuleList(ContextLayer(dim, heads, past, future, dropout) for _ in range(layers))
        self.drop = nn.Dropout(dropout)
        self.heads = nn.ModuleList(nn.Linear(2 * dim, len(c["labels"])) for c in CORPORA.values())

    def forward(self, u: torch.Tensor, speakers: torch.Tensor, valid: torch.Tensor, future: torch.Tensor):
        """u: (b, t, dim); speakers: (b, t) int; valid: (b, t) bool; future: () int (0 = streaming)."""
        t = u.shape[1]
        pos = torch.arange(t, device=u.device)
        dist = pos[None, :] - pos[:, None]  # key - query
        allowed = (dist >= -self.past) & (dist <= future) & valid[:, None, :]
        allowed = allowed | (dist == 0)[None]  # a turn always sees itself (padding rows too)
        rel = (dist.clamp(-self.past, self.future) + self.past)[None].expand(u.shape[0], t, t)
        same = (speakers[:, :, None] == speakers[:, None, :]).long()
        z = u
        for layer in self.layers:
            z = layer(z, same, rel, allowed)
        f = self.drop(torch.cat([u, z], -1))
        return [head(f) for head in self.heads]


# --- training ---------------------------------------------------------------------------------------------------
def dialogue_batches(df: pd.DataFrame, rows: np.ndarray, max_utts: int, shuffle: bool, rng: random.Random):
    groups = [g.to_numpy() for _, g in df.loc[rows].groupby("dialogue", sort=False).groups.items()]
    groups = [np.asarray(g) for g in groups]
    if shuffle:
        rng.shuffle(groups)
    batch: list[np.ndarray] = []
    for g in groups:
        if batch and sum(len(x) for x in batch) + len(g) > max_utts:
            yield batch
            batch = []
        batch.append(g)
    if batch:
        yield batch


def tensors(batch: list[np.ndarray], df: pd.DataFrame, cache: dict, speaker_codes: np.ndarray):
    utts = np.concatenate(batch)
    off, hid = cache["offsets"], cache["hidden"]
    lens = off[utts + 1] - off[utts]
    n = int(lens.max())
    h = np.zeros((len(utts), n, 384), np.float32)
    m = np.zeros((len(utts), n), np.float32)
    for i, k in enumerate(utts):
        h[i, : lens[i]] = hid[off[k] : off[k + 1]]
        m[i, : lens[i]] = 1
    t = max(len(g) for g in batch)
    place = np.zeros((len(batch), t), np.int64) - 1
    pos = 0
    for i, g in enumerate(batch):
        place[i, : len(g)] = np.arange(pos, pos + len(g))
        pos += len(g)
    spk = np.where(place >= 0, speaker_codes[utts][np.maximum(place, 0)], -1)
    return (
        torch.from_numpy(h),
        torch.from_numpy(m),
        torch.from_numpy(cache["probs"][utts]),
        torch.from_numpy(place),
        torch.from_numpy(spk),
        utts,
    )


class Net(nn.Module):
    def __init__(self, dim: int, layers: int, heads: int, past: int, future: int, dropout: float) -> None:
        super().__init__()
        self.utt = UtteranceEncoder(dim, dropout)
        self.ctx = ContextModel(dim, layers, heads, past, future, dropout)

    def forward(self, h, m, probs, place, spk, future):
        u = self.utt(h, m, probs)
        valid = place >= 0
        grid = u[place.clamp(min=0)] * valid[..., None]
        logits = self.ctx(grid, spk, valid, future)
        return [lg[valid] for lg in logits]  # rows in batch order == utts order


def evaluate(net: Net, df, rows, cache, codes, future: int) -> dict[str, float]:
    from sklearn.metrics import f1_score

    net.eval()
    preds = np.zeros(len(df), np.int64)
    with torch.no_grad():
        for batch in dialogue_batches(df, rows, 512, False, random.Random(0)):
            h, m, p, place, spk, utts = tensors(batch, df, cache, codes)
            outs = net(h, m, p, place, spk, torch.tensor(future))
            for ci, c in enumerate(CORPORA):
                sel = df["corpus"].to_numpy()[utts] == c
                preds[utts[sel]] = outs[ci][torch.from_numpy(sel)].argmax(1).numpy()
    net.train()
    res = {}
    for c in CORPORA:
        r = rows[df["corpus"].to_numpy()[rows] == c]
        res[c] = round(float(f1_score(df["y"].to_numpy()[r], preds[r], average="weighted")), 4)
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "data")
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "conversation")
    ap.add_argument("--cache", type=Path, default=ROOT / "build" / "conversation_cache.npz")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--past", type=int, default=8)
    ap.add_argument("--future", type=int, default=3)
    ap.add_argument("--dim", type=int, default=256)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--heads", type=int, default=4)
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--lr", type=float, default=5e-4, help="context and heads")
    ap.add_argument("--lr-encoder", type=float, default=4e-5, help="the fine-tuned MiniLM layers")
    ap.add_argument("--batch-utts", type=int, default=96)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)

    df = load_all(args.data)
    if args.cache.exists():
        z = np.load(args.cache)
        cache = {k: z[k] for k in z.files}
        if len(cache["probs"]) != len(df):
            raise SystemExit(f"{args.cache} does not match the data; delete it")
    else:
        cache = build_cache(df, args.cache, args.threads)
    codes = pd.factorize(df["dialogue"] + "\t" + df["speaker"])[0]

    net = Net(args.dim, args.layers, args.heads, args.past, args.future, args.dropout)
    model, _ = text_session(1)
    weights = dequantized_layers(model)
    for i, layer in enumerate(TOP_LAYERS):
        own = net.utt.layers[i]
        for key in ("q", "k", "v", "o", "ff1", "ff2"):
            getattr(own, key).weight.data = torch.from_numpy(weights[f"{layer}.{key}.weight"].T.copy())
            getattr(own, key).bias.data = torch.from_numpy(weights[f"{layer}.{key}.bias"].copy())
        for key in ("ln1", "ln2"):
            getattr(own, key).weight.data = torch.from_numpy(weights[f"{layer}.{key}.weight"].copy())
            getattr(own, key).bias.data = torch.from_numpy(weights[f"{layer}.{key}.bias"].copy())

    train = np.flatnonzero(df["split"].to_numpy() == "train")
    dev = np.flatnonzero(df["split"].to_numpy() == "dev")
    enc_params = list(net.utt.layers.parameters())
    other = [p for n, p in net.named_parameters() if not n.startswith("utt.layers.")]
    opt = torch.optim.AdamW(
        [{"params": enc_params, "lr": args.lr_encoder}, {"params": other, "lr": args.lr}], weight_decay=0.01
    )
    steps = args.epochs * sum(1 for _ in dialogue_batches(df, train, args.batch_utts, False, random.Random(0)))
    sched = torch.optim.lr_scheduler.OneCycleLR(
        opt, [args.lr_encoder, args.lr], total_steps=steps, pct_start=0.1, anneal_strategy="linear"
    )
    corpus = df["corpus"].to_numpy()
    y = torch.from_numpy(df["y"].to_numpy())
    log = []
    t0 = time.time()
    for epoch in range(1, args.epochs + 1):
        for batch in dialogue_batches(df, train, args.batch_utts, True, rng):
            h, m, p, place, spk, utts = tensors(batch, df, cache, codes)
            future = args.future if rng.random() < 0.5 else 0
            outs = net(h, m, p, place, spk, torch.tensor(future))
            loss = torch.zeros(())
            for ci, c in enumerate(CORPORA):
                sel = torch.from_numpy(corpus[utts] == c)
                if sel.any():
                    ce = nn.functional.cross_entropy(outs[ci][sel], y[utts][sel], label_smoothing=0.1)
                    loss = loss + ce * sel.sum() / len(utts)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(net.parameters(), 1.0)
            opt.step()
            sched.step()
        row = {
            "epoch": epoch,
            "seconds": round(time.time() - t0),
            "dev_offline": evaluate(net, df, dev, cache, codes, args.future),
            "dev_streaming": evaluate(net, df, dev, cache, codes, 0),
        }
        log.append(row)
        print(json.dumps(row), flush=True)
        ckpt = {"state": net.state_dict(), "args": vars(args) | {"data": str(args.data)}, "epoch": epoch}
        torch.save(ckpt, args.out / f"epoch{epoch}.pt")  # export.py can average the last few
        torch.save(ckpt, args.out / "last.pt")
        (args.out / "log.json").write_text(json.dumps(log, indent=1, default=str))


if __name__ == "__main__":
    main()
