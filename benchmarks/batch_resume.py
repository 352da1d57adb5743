"""Kill -9 at a random moment of a 500-input mixed batch, re-run, and check nothing is lost or doubled.

Issue 8's acceptance run. The corpus comes from ../shared/data (``batch_corpus.py``): texts, short audio clips,
face images and a few corrupt files of each kind. First the batch runs uninterrupted (the reference). Then, for
each trial, a fresh run of the same command (``affectscope batch``, 2 workers) is killed with SIGKILL, together
with its workers, at a random moment between 10 % and 90 % of the reference duration, and re-run to completion.
Checked each time:

* every input appears exactly once in ``summary.parquet`` + ``errors.parquet``;
* rows, summary and errors are identical to the reference;
* no staging leftovers.

    python benchmarks/batch_resume.py --data ../shared/data --trials 3
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parent))
from batch_corpus import build
from batch_speed import rows

from affectscope.batch.inputs import discover


def command(corpus: Path, out: Path) -> list[str]:
    return [sys.executable, "-m", "affectscope.cli", "batch", str(corpus), "-o", str(out), "--workers", "2"]


def outputs(out: Path) -> tuple[pd.DataFrame, ...]:
    return rows(out), pd.read_parquet(out / "summary.parquet"), pd.read_parquet(out / "errors.parquet")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--trials", type=int, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        corpus = build(args.data, root, texts=400, audio=50, images=41, corrupt=3)
        ids = {i.id for i in discover(corpus)[0]}
        print(f"corpus: {len(ids)} inputs", flush=True)
        t0 = time.perf_counter()
        subprocess.run(command(corpus, root / "ref"), check=True, capture_output=True)
        duration = time.perf_counter() - t0
        ref = outputs(root / "ref")
        print(f"reference run: {duration:.1f} s; {len(ref[1])} analysed, {len(ref[2])} failed", flush=True)
        for trial in range(args.trials):
            out = root / f"trial{trial}"
            delay = rng.uniform(0.1, 0.9) * duration
            proc = subprocess.Popen(
                command(corpus, out), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
            )
            time.sleep(delay)
            os.killpg(proc.pid, signal.SIGKILL)  # the run and its worker processes, without warning
            proc.wait()
            parts = len(list((out / "parts").glob("*")))
            subprocess.run(command(corpus, out), check=True, capture_output=True)
            got = outputs(out)
            seen = pd.concat([got[1]["input"], got[2]["input"]])
            assert seen.is_unique, "an input appears twice"
            assert set(seen) == ids, "an input is missing"
            for a, b in zip(ref, got, strict=True):
                pd.testing.assert_frame_equal(a, b, check_exact=True)
            assert not any((out / ".staging").glob("*"))
            print(
                f"trial {trial}: killed after {delay:.1f} s with {parts} parts written; resumed; every input once, "
                "outputs identical to the reference",
                flush=True,
            )


if __name__ == "__main__":
    main()
