"""Run every shipped model on every dev data set in ../shared/data it can read; write a markdown table.

Each row is ``affectscope eval`` on one data set (same code path). Splits are dev/val where they exist;
SemEval-2018 E-c has only its train split here, which no shipped model was trained on.

Run (needs the ``eval`` extra; about 2 minutes on 2 cores)::

    python benchmarks/accuracy.py --data ../shared/data --out docs/benchmarks.md
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from affectscope.evaluate import evaluate
from affectscope.models import get_bundle, list_models

# (dataset, folder under ../shared/data, split, labels, note)
RUNS = [
    ("goemotions", "text/goemotions", "dev", None, "thresholds tuned on this split"),
    ("goemotions", "text/goemotions", "dev", "ekman7", "thresholds tuned on this split"),
    ("emobank", "text/emobank", "dev", None, ""),
    ("carer", "text/carer", "dev", None, "cross-domain (tweets); val split"),
    ("semeval2018-ec", "text/semeval2018_ec", "train", None, "cross-domain (tweets); not trained on"),
    ("meld", "conversation/meld", "dev", None, "utterances without context"),
    ("emorynlp", "conversation/emorynlp", "dev", None, "utterances without context"),
    ("iemocap", "conversation/iemocap", "dev", None, "transcripts without context"),
]
# Conversation sets in their own label spaces, turns in context (offline) and past-only (streaming).
CONVERSATION_RUNS = [("meld", "ekman7"), ("emorynlp", "emorynlp7"), ("iemocap", "iemocap6")]
CONVERSATION_SHOWN = ("weighted_f1", "macro_f1", "accuracy", "ece")
SHOWN = ("macro_f1", "micro_f1", "accuracy", "uar", "ece", "pearson_valence", "pearson_arousal", "ccc_valence")
FACE_SHOWN = ("accuracy", "macro_f1", "weighted_f1", "uar", "ece")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("docs/benchmarks.md"))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    lines = [
        "# Benchmarks",
        "",
        f"Generated {dt.date.today()} by `python benchmarks/accuracy.py --data ../shared/data --out {args.out}` "
        f"({args.threads} CPU threads). Every row equals `affectscope eval --dataset NAME --path DIR --split SPLIT`.",
        "Label mappings of each data set: docs/evaluation.md.",
        "",
        "| model | dataset | split | labels | n | " + " | ".join(SHOWN) + " | note |",
        "|---|---|---|---|---:|" + "---:|" * len(SHOWN) + "---|",
    ]
    for name in list_models(modality="text"):
        for dataset, folder, split, labels, note in RUNS:
            path = args.data / folder
            if not path.exists():
                continue
            r = evaluate(dataset, path, split=split, model=name, labels=labels, num_threads=args.threads)
            cells = [f"{r['metrics'][k]:.3f}" if k in r["metrics"] else "" for k in SHOWN]
            lines.append(
                f"| {name} | {dataset} | {split} | {r['labels']} | {r['n']} | " + " | ".join(cells) + f" | {note} |"
            )
            print(lines[-1], flush=True)
        lines.append("")
        lines.append(f"Model card of `{name}`: `{get_bundle(name).card.name}` in its bundle (`affectscope models`).")
        lines.append("")
    for name in list_models(modality="speech"):
        b = get_bundle(name)
        lines += [
            f"## {name}",
            "",
            "Trained on all the speech in ../shared/data (RAVDESS actors 01-18, TESS), so scoring it there would "
            "measure training data. Its held-out figures are leave-speakers-out cross-validation (6 folds of 3 "
            "RAVDESS actors, 8 classes) and cross-corpus runs from "
            "`python training/speech/train.py --features build/speech_features`, stored in its bundle.json:",
            "",
            "| metric | value |",
            "|---|---:|",
            *(f"| {k} | {v:.4f} |" for k, v in b.extra.get("cv", {}).items()),
            "",
            "Speed and memory of the whole speech pipeline: docs/speech.md (`benchmarks/speech_speed.py`).",
            "",
        ]
    for name in list_models(modality="conversation"):
        lines += [
            f"## {name}",
            "",
            "Dev splits (no epoch or setting was picked on them: the last epoch of a fixed schedule ships). "
            "`affectscope eval --dataset NAME --path DIR --split dev --labels SPACE [--streaming]`.",
            "",
            "| dataset | labels | mode | n | " + " | ".join(CONVERSATION_SHOWN) + " |",
            "|---|---|---|---:|" + "---:|" * len(CONVERSATION_SHOWN),
        ]
        for dataset, space in CONVERSATION_RUNS:
            path = args.data / "conversation" / dataset
            if not path.exists():
                continue
            for mode in ("offline", "streaming"):
                r = evaluate(dataset, path, split="dev", model=name, labels=space, num_threads=args.threads, mode=mode)
                cells = [f"{r['metrics'][k]:.3f}" if k in r["metrics"] else "" for k in CONVERSATION_SHOWN]
                lines.append(f"| {dataset} | {space} | {mode} | {r['n']} | " + " | ".join(cells) + " |")
                print(lines[-1], flush=True)
        lines += ["", "Latency and memory: `benchmarks/conversation_speed.py`, figures in the model card.", ""]
    split = Path("build/face_split.json")
    fer = args.data / "face/fer2013_train"
    for name in list_models(modality="face"):
        lines += [f"## {name}", ""]
        if not (split.is_file() and fer.is_dir()):
            lines += ["(held-out split missing: run `python training/face/split.py` first)", ""]
            continue
        r = evaluate("fer2013", fer, split=f"{split}:val", model=name, num_threads=args.threads)
        lines += [
            "Held-out part of fer2013_train (deduplicated against training by `training/face/split.py`, never "
            f"trained on): `affectscope eval --dataset fer2013 --path {fer} --split {split}:val`.",
            "",
            "| model | n | " + " | ".join(FACE_SHOWN) + " |",
            "|---|---:|" + "---:|" * 5,
            f"| {name} | {r['n']} | "
            + " | ".join(f"{r['metrics'][k]:.3f}" if k in r["metrics"] else "" for k in FACE_SHOWN)
            + " |",
            "",
            "fer 25.10.3 (mini-Xception) on the same images: `benchmarks/face_fer_baseline.py` — optimistic, as fer "
            "was trained on FER2013's training partition, which these images come from. Speed and memory: "
            "`benchmarks/video_speed.py`, figures in the model card.",
            "",
        ]
        print(lines[-3], flush=True)
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
