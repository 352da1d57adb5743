"""Throughput, memory and import time of the text recognizer.

Measures sentences per second for GoEmotions-length text (GoEmotions dev comments, ~13 words each; or the
bundled example sentences if ../shared/data is absent) at a given batch size, the process's peak RSS, and the
wall time of ``python -c "import affectscope"`` (best of 5).

Run::

    python benchmarks/text_speed.py --data ../shared/data --batch-size 64 --threads 2
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import subprocess
import sys
import time
from pathlib import Path


def import_time(repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "import affectscope"], check=True)
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--model", default=None)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--n", type=int, default=5000, help="sentences to time")
    args = ap.parse_args()

    dev = args.data / "text/goemotions/dev.tsv"
    if dev.exists():
        with dev.open(encoding="utf-8") as fh:
            texts = [row[0] for row in csv.reader(fh, delimiter="\t", quoting=csv.QUOTE_NONE)]
        corpus = "GoEmotions dev"
    else:
        from importlib import resources

        example = resources.files("affectscope") / "examples" / "notes.txt"
        texts = [line for line in example.read_text(encoding="utf-8").splitlines() if line.strip()]
        corpus = "bundled example"
    texts = (texts * (args.n // len(texts) + 1))[: args.n]

    from affectscope.recognizers.text import TextRecognizer

    rec = TextRecognizer(args.model, batch_size=args.batch_size, num_threads=args.threads)
    rec.predict(texts[: args.batch_size * 2])  # warm-up
    t0 = time.perf_counter()
    rec.predict(texts)
    dt = time.perf_counter() - t0
    res = {
        "corpus": corpus,
        "sentences": len(texts),
        "mean_words": round(sum(len(t.split()) for t in texts) / len(texts), 1),
        "batch_size": args.batch_size,
        "threads": args.threads,
        "sentences_per_second": round(len(texts) / dt, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "import_affectscope_seconds": round(import_time(), 3),
    }
    print(json.dumps(res, indent=2))


if __name__ == "__main__":
    main()
