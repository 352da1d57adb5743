"""Accuracy of a text model on the dev splits in ../shared/data, through the product's code path.

Figures (all on data the model did not train on; the GoEmotions thresholds were tuned on GoEmotions dev, so
those two figures are optimistic by about 0.02 against held-out test data):

* GoEmotions dev: 28-label multi-label macro-F1 (and micro-F1), decisions exactly as ``TextRecognizer.decide``;
* GoEmotions dev mapped to Ekman-7 with the authors' mapping: macro-F1 of the Ekman-7 decisions;
* EmoBank dev: Pearson r for valence, arousal, dominance;
* CARER val (cross-domain, never tuned on): CARER's 6 labels mapped to Ekman (love -> joy), prediction =
  arg-max of the Ekman-7 probabilities; accuracy and macro-F1 over the 5 classes present.

Run (needs the ``eval`` extra)::

    python benchmarks/text_accuracy.py --data ../shared/data --model text-minilm-goemotions --json out.json
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.stats import pearsonr
from sklearn.metrics import accuracy_score, f1_score

from affectscope.labels import get_mapping, get_space
from affectscope.recognizers.text import TextRecognizer

EKMAN = list(get_space("ekman7").labels)
# CARER -> Ekman as in affectscope's labels (love -> joy); one target per CARER label.
CARER_TO_EKMAN = {k: v[0] for k, v in get_mapping("carer6", "ekman7").map.items()}


def goemotions(data: Path, split: str) -> tuple[list[str], np.ndarray]:
    df = pd.read_csv(
        data / "text/goemotions" / f"{split}.tsv",
        sep="\t",
        header=None,
        quoting=csv.QUOTE_NONE,
        names=["text", "labels", "id"],
        dtype=str,
        keep_default_na=False,
    )
    y = np.zeros((len(df), 28), dtype=int)
    for i, ids in enumerate(df["labels"]):
        y[i, [int(j) for j in ids.split(",")]] = 1
    return df["text"].tolist(), y


def ekman_targets(y: np.ndarray) -> np.ndarray:
    """Relabel GoEmotions targets with the authors' Ekman mapping (affectscope.labels, checked in tests)."""
    m = get_mapping("goemotions28", "ekman7").matrix(split=False)
    return (y @ m > 0).astype(int)


def binarize(rec: TextRecognizer, probs: np.ndarray, space: str) -> np.ndarray:
    labels = rec.labels_[space]
    out = np.zeros(probs.shape, dtype=int)
    for i, row in enumerate(rec.decide(probs, space=space)):
        out[i, [labels.index(x) for x in row]] = 1
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--model", default=None, help="registry name or bundle folder")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    ap.add_argument(
        "--record", action="store_true", help="write the figures into the model's bundle.json (model cards)"
    )
    args = ap.parse_args()
    rec = TextRecognizer(args.model, num_threads=args.threads)
    res: dict[str, float] = {}

    texts, y = goemotions(args.data, "dev")
    p = rec.predict(texts)
    yhat = binarize(rec, p["goemotions28"], "goemotions28")
    res["goemotions_dev_macro_f1"] = f1_score(y, yhat, average="macro", zero_division=0)
    res["goemotions_dev_micro_f1"] = f1_score(y, yhat, average="micro", zero_division=0)
    y_ek = ekman_targets(y)
    ek_hat = binarize(rec, p["ekman7"], "ekman7")
    res["ekman7_dev_macro_f1"] = f1_score(y_ek, ek_hat, average="macro", zero_division=0)

    eb = pd.read_csv(args.data / "text/emobank/emobank.csv", keep_default_na=False)
    eb = eb[eb["split"] == "dev"]
    v = rec.predict(eb["text"].astype(str).tolist())["vad"]
    for k, name in enumerate(["valence", "arousal", "dominance"]):
        res[f"emobank_dev_pearson_{name}"] = float(pearsonr(v[:, k], eb["VAD"[k]].to_numpy())[0])

    carer = pd.read_csv(args.data / "text/carer/val.txt", sep=";", header=None, names=["text", "label"])
    gold = carer["label"].map(CARER_TO_EKMAN).to_numpy()
    pe = rec.predict(carer["text"].tolist())["ekman7"]
    pred = np.array(EKMAN)[pe.argmax(1)]
    present = sorted(set(gold))
    res["carer_val_ekman_accuracy"] = accuracy_score(gold, pred)
    res["carer_val_ekman_macro_f1"] = f1_score(gold, pred, labels=present, average="macro", zero_division=0)

    res = {k: round(float(x), 4) for k, x in res.items()}
    res["model"] = rec.bundle.name
    print(json.dumps(res, indent=2))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2) + "\n")
    if args.record:
        record(rec, res)


DATASETS = {
    "goemotions": ("GoEmotions", "dev (thresholds tuned on it)"),
    "ekman7": ("GoEmotions, Ekman mapping", "dev (thresholds tuned on it)"),
    "emobank": ("EmoBank", "dev"),
    "carer": ("CARER, Ekman mapping", "val (cross-domain)"),
}


def record(rec: TextRecognizer, res: dict) -> None:
    path = rec.bundle.path / "bundle.json"
    bundle = json.loads(path.read_text(encoding="utf-8"))
    command = "python benchmarks/text_accuracy.py --data ../shared/data --threads 2"
    metrics = {}
    for key, value in res.items():
        if key == "model":
            continue
        dataset, split = DATASETS[key.split("_")[0]]
        metrics[key] = {"value": value, "dataset": dataset, "split": split, "command": command}
    bundle["metrics"] = metrics
    path.write_text(json.dumps(bundle, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
