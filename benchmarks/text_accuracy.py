"""Accuracy of a text model on the dev splits in ../shared/data, through the evaluation harness.

Figures (all on data the model did not train on; the GoEmotions thresholds were tuned on GoEmotions dev, so
those figures are optimistic by about 0.02 against held-out test data):

* GoEmotions dev: 28-label multi-label macro-F1 (and micro-F1), decisions exactly as ``TextRecognizer.decide``;
* GoEmotions dev mapped to Ekman-7 with the authors' mapping: macro-F1 of the Ekman-7 decisions;
* EmoBank dev: Pearson r for valence, arousal, dominance;
* CARER val (cross-domain, never tuned on): CARER's 6 labels mapped to Ekman (love -> joy), prediction =
  arg-max of the Ekman-7 probabilities; accuracy and macro-F1 over the 5 classes present.

Each figure equals ``affectscope eval`` on the same split, e.g.
``affectscope eval --dataset goemotions --path ../shared/data/text/goemotions --split dev --json -``.

Run (needs the ``eval`` extra)::

    python benchmarks/text_accuracy.py --data ../shared/data --threads 2 [--record]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from affectscope.evaluate import evaluate
from affectscope.models import default_model, get_bundle

# (key prefix, dataset, folder, split, labels, metrics kept, dataset description, split description)
RUNS = [
    (
        "goemotions_dev",
        "goemotions",
        "text/goemotions",
        "dev",
        None,
        ("macro_f1", "micro_f1"),
        "GoEmotions",
        "dev (thresholds tuned on it)",
    ),
    (
        "ekman7_dev",
        "goemotions",
        "text/goemotions",
        "dev",
        "ekman7",
        ("macro_f1",),
        "GoEmotions, Ekman mapping",
        "dev (thresholds tuned on it)",
    ),
    (
        "emobank_dev",
        "emobank",
        "text/emobank",
        "dev",
        None,
        ("pearson_valence", "pearson_arousal", "pearson_dominance"),
        "EmoBank",
        "dev",
    ),
    (
        "carer_val_ekman",
        "carer",
        "text/carer",
        "dev",
        None,
        ("accuracy", "macro_f1"),
        "CARER, Ekman mapping",
        "val (cross-domain)",
    ),
]
COMMAND = "python benchmarks/text_accuracy.py --data ../shared/data --threads 2"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--model", default=None, help="registry name or bundle folder")
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--json", type=Path, default=None, help="also write the figures here")
    ap.add_argument("--record", action="store_true", help="write the figures into the model's bundle.json")
    args = ap.parse_args()

    figures, metrics = {}, {}
    for prefix, dataset, folder, split, labels, keep, ds_text, split_text in RUNS:
        report = evaluate(
            dataset, args.data / folder, split=split, model=args.model, labels=labels, num_threads=args.threads
        )
        for k in keep:
            name = f"{prefix}_{k}"
            figures[name] = report["metrics"][k]
            metrics[name] = {"value": figures[name], "dataset": ds_text, "split": split_text, "command": COMMAND}
    bundle = get_bundle(args.model or default_model("text"))
    print(json.dumps({**figures, "model": bundle.name}, indent=2))
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    if args.record:
        path = bundle.path / "bundle.json"
        meta = json.loads(path.read_text(encoding="utf-8"))
        meta["metrics"] = metrics
        path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
