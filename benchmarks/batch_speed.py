"""Batch throughput: local engine with 1 vs 2 workers on text + audio, Ray vs local rows, memory per worker.

Builds a corpus from ../shared/data in a scratch folder (``batch_corpus.py``), then runs ``run_batch`` on fresh
output folders with the same options as ``affectscope batch`` (word evidence on, no transcription, 1 thread per
worker) and reports inputs/s (model loading included), the speed-up, and each worker's peak resident memory.
With ``--ray`` it also runs the Ray engine (2 actors) and checks that its rows equal the local ones.

    python benchmarks/batch_speed.py --data ../shared/data --texts 400 --audio 120 --ray
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_corpus import build

from affectscope.batch import run_batch


def rows(out: Path) -> pd.DataFrame:
    frame = pd.concat([pd.read_parquet(f) for f in sorted(out.glob("parts/*/rows.parquet"))], ignore_index=True)
    frame = frame.sort_values(["source", "start", "end", "modality", "track"], kind="stable").reset_index(drop=True)
    return frame[sorted(frame.columns)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--texts", type=int, default=400)
    ap.add_argument("--audio", type=int, default=120)
    ap.add_argument("--ray", action="store_true", help="also run the Ray engine and compare its rows")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus = build(args.data, root, texts=args.texts, audio=args.audio, images=0)
        results = {}
        for workers in (1, 2):
            r = run_batch(corpus, root / f"out{workers}", workers=workers, progress=False)
            results[workers] = r
            peak = ", ".join(f"{mb:.0f}" for mb in sorted(r.peak_rss_mb.values()))
            print(
                f"local, {workers} worker(s): {r.processed} inputs in {r.seconds:.1f} s = {r.items_per_second:.2f}/s; "
                f"peak RSS per worker (MB): {peak}",
                flush=True,
            )
        speedup = results[2].items_per_second / results[1].items_per_second
        print(f"speed-up 2 vs 1 worker: {speedup:.2f}x (issue 8 asks >= 1.6x)")
        local = rows(root / "out2")
        pd.testing.assert_frame_equal(rows(root / "out1"), local, check_exact=True)
        print("1-worker and 2-worker rows identical:", len(local), "rows")
        if args.ray:
            r = run_batch(corpus, root / "ray", engine="ray", workers=2, progress=False)
            print(f"ray, 2 actors: {r.processed} inputs in {r.seconds:.1f} s = {r.items_per_second:.2f}/s")
            pd.testing.assert_frame_equal(rows(root / "ray"), local, check_exact=True)
            print("ray rows identical to local:", len(local), "rows")


if __name__ == "__main__":
    main()
