"""Latency and memory of the conversation recognizer: live turns, whole transcripts, very long dialogues.

Measurements, each in a fresh process (``--threads`` CPU threads):

* ``stream``: ``ConversationRecognizer(mode="streaming").stream().add(speaker, text)`` one turn at a time over
  MELD dev dialogues (the text encoder, utterance layers and context model per turn) — median and 95th
  percentile milliseconds per turn;
* ``offline``: ``process_turns`` on dialogues of N turns (MELD dev utterances repeated, four speakers) — turns
  per second and the process's peak RSS, to show that memory does not grow with the length of a dialogue
  (``--turns 1000 10000``).

Without ../shared the turns are sentences written here.

Run::

    python benchmarks/conversation_speed.py --data ../shared/data --turns 1000 10000 --threads 2
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
import numpy as np
mode, n, threads, texts = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), json.loads(sys.stdin.read())
from affectscope.conversation import ConversationRecognizer
t0 = time.perf_counter()
rec = ConversationRecognizer(mode="streaming" if mode == "stream" else "offline", num_threads=threads)
load = time.perf_counter() - t0
turns = [(f"S{i % 4}", texts[i % len(texts)]) for i in range(n)]
if mode == "stream":
    live = rec.stream()
    live.add(*turns[0])  # warm-up
    ms = []
    for spk, text in turns[1:]:
        t = time.perf_counter()
        live.add(spk, text)
        ms.append((time.perf_counter() - t) * 1000)
    out = {"turns": len(ms), "median_ms": float(np.median(ms)), "p95_ms": float(np.percentile(ms, 95))}
else:
    t = time.perf_counter()
    r = rec.process_turns(turns)
    dt = time.perf_counter() - t
    out = {"turns": len(r), "seconds": dt, "turns_per_s": len(r) / dt}
out["load_s"] = load
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""

FALLBACK = [
    "I can't believe you did that.",
    "Oh, come on, it was just a joke!",
    "Well, nobody laughed.",
    "I'm sorry, okay? I really am.",
    "We got the apartment!",
    "No way, that's fantastic!",
    "I'm scared it'll fall through.",
    "Hey. It won't. Trust me.",
]


def texts(data: Path) -> list[str]:
    f = data / "conversation" / "meld" / "dev_sent_emo.csv"
    if not f.is_file():
        return FALLBACK
    import pandas as pd

    from affectscope.media.text import fold_punctuation

    return [fold_punctuation(str(t)) for t in pd.read_csv(f)["Utterance"]]


def child(mode: str, n: int, threads: int, payload: list[str]) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(n), str(threads)],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--turns", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--stream-turns", type=int, default=300)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    payload = texts(args.data)
    res = {"stream": child("stream", args.stream_turns, args.threads, payload)}
    print("stream", json.dumps(res["stream"]), flush=True)
    for n in args.turns:
        res[f"offline_{n}"] = child("offline", n, args.threads, payload)
        print(f"offline {n}", json.dumps(res[f"offline_{n}"]), flush=True)
    if len(args.turns) >= 2:
        lo, hi = min(args.turns), max(args.turns)
        ratio = res[f"offline_{hi}"]["peak_rss_mb"] / res[f"offline_{lo}"]["peak_rss_mb"]
        print(f"peak RSS {hi} turns / {lo} turns: {ratio:.2f}x")


if __name__ == "__main__":
    main()
