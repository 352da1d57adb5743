"""Fit a shipped model's confidence calibration on its dev split and store it in the model's bundle.json.

Temperature scaling (``affectscope.calibration.TemperatureScaling``) of one label space, fitted on all dev items;
the top-label ECE before and after is measured with cross-fitting (a temperature fitted on one half of the dev
items scores the other half) and stored next to the temperature, with the command. The recognizer applies the
stored temperature in ``postprocess`` (and moves its decision thresholds with it, so decisions do not change).

    python training/calibrate.py --model text-minilm-goemotions --data ../shared/data

Supported now: ``text-minilm-goemotions`` (Ekman-7 head, GoEmotions dev, sigmoid temperature fitted on the 0/1
Ekman label matrix). The speech model ships its own temperatures (leave-speakers-out CV); face and conversation
models measure within 0.035 top-label ECE already (``benchmarks/calibration.py``).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

from affectscope.calibration import TemperatureScaling, cross_fitted, top_label_ece
from affectscope.evaluate.datasets import load_dataset
from affectscope.models import get_bundle

COMMAND = "python training/calibrate.py --model {model} --data ../shared/data"


def text_dev(data: Path, threads: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    from affectscope.recognizers.text import TextRecognizer

    d = load_dataset("goemotions", data / "text" / "goemotions", split="dev", labels="ekman7")
    rec = TextRecognizer(num_threads=threads)
    rec.calibrators_ = {}  # fit on the raw outputs
    probs = rec.predict([str(t) for t in d.items])["ekman7"]
    return probs, np.asarray(d.y), np.arange(len(d)), f"GoEmotions dev ({len(d)} texts), Ekman-7 label matrix"


FITTERS = {"text-minilm-goemotions": ("ekman7", text_dev)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--model", choices=sorted(FITTERS), default="text-minilm-goemotions")
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    space, fetch = FITTERS[args.model]
    probs, y, groups, fitted_on = fetch(args.data, args.threads)
    ts = TemperatureScaling().fit(probs, y)
    entry = ts.to_dict() | {
        "fitted_on": fitted_on,
        "ece_top_before": round(top_label_ece(probs, y), 4),
        "ece_top_after_crossfit": round(top_label_ece(cross_fitted(probs, y, groups), y), 4),
        "ece_top_after_in_sample": round(top_label_ece(ts.transform(probs), y), 4),
        "command": COMMAND.format(model=args.model),
    }
    path = get_bundle(args.model).path / "bundle.json"
    bundle = json.loads(path.read_text(encoding="utf-8"))
    bundle.setdefault("calibration", {})[space] = entry
    path.write_text(json.dumps(bundle, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps({space: entry}, indent=1))


if __name__ == "__main__":
    main()
