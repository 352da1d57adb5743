"""Load on `affectscope serve`: 50 concurrent clients upload short texts and audio for 60 s on loopback.

Each client loops: POST a short text (JSON) or a ~4 s speech clip (multipart, with transcription), then polls
``GET /v1/analyses/{id}`` every 0.2 s until the analysis is done, then starts again; a 429 (queue full) makes it
wait ``Retry-After``. Reported: requests and status codes per route, server errors (5xx), GET latency
percentiles, analyses completed. Issue 9 asks for 0 server errors and GET p95 under 100 ms; issue 18 for POST p95
≤ 200 ms. The load generator runs on the same machine as the service and competes with it for the CPU.

    python benchmarks/service_load.py --clients 50 --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx
import numpy as np

CLIP = Path(__file__).resolve().parents[1] / "tests" / "data" / "speech" / "loud_fast_en.flac"
TEXTS = [
    "I can't believe how well this went, thank you!",
    "This delay is unacceptable and I am angry.",
    "I'm a bit worried about tomorrow.",
    "What a surprise to see you here.",
    "The meeting is at ten.",
]


async def client(http: httpx.AsyncClient, stop: float, rng: random.Random, stats: dict) -> None:
    audio = CLIP.read_bytes()
    async with http:
        while time.monotonic() < stop:
            t0 = time.perf_counter()
            if rng.random() < 0.8:
                r = await http.post("/v1/analyses", json={"text": rng.choice(TEXTS)})
                kind = "POST text"
            else:
                r = await http.post("/v1/analyses", files={"file": ("clip.flac", audio)})
                kind = "POST audio"
            stats["latency"].setdefault(kind, []).append(time.perf_counter() - t0)
            stats["codes"][(kind, r.status_code)] += 1
            if r.status_code == 429:
                await asyncio.sleep(float(r.headers.get("retry-after", "1")))
                continue
            if r.status_code != 202:
                continue
            job = r.json()["id"]
            while time.monotonic() < stop:
                await asyncio.sleep(0.2)
                t0 = time.perf_counter()
                g = await http.get(f"/v1/analyses/{job}")
                stats["latency"].setdefault("GET", []).append(time.perf_counter() - t0)
                stats["codes"][("GET", g.status_code)] += 1
                if g.status_code != 200 or g.json()["status"] in ("done", "failed"):
                    stats["done"] += g.status_code == 200
                    break


async def run(url: str, clients: int, seconds: float) -> dict:
    stats: dict = {"latency": {}, "codes": Counter(), "done": 0}
    # Build every HTTP client before the clock starts: an httpx client takes ~30 ms of CPU to create (its SSL
    # context), and 50 of them created inside the run would block this event loop for ~1.5 s and be counted as
    # the latency of the first requests.
    https = [httpx.AsyncClient(base_url=url, timeout=60) for _ in range(clients)]
    stop = time.monotonic() + seconds
    await asyncio.gather(*(client(h, stop, random.Random(i), stats) for i, h in enumerate(https)))
    return stats


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--workers", type=int, default=1, help="analysis threads of the service")
    args = ap.parse_args()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with tempfile.TemporaryDirectory() as data:
        env = {**os.environ, "AFFECTSCOPE_WORKERS": str(args.workers)}
        cmd = [sys.executable, "-m", "affectscope.cli", "serve", "--port", str(port), "--data-dir", data]
        server = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        url = f"http://127.0.0.1:{port}"
        try:
            for _ in range(300):
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            stats = asyncio.run(run(url, args.clients, args.seconds))
        finally:
            server.terminate()
            server.wait(10)
    codes = stats["codes"]
    print(f"{args.clients} clients, {args.seconds:g} s, service workers {args.workers}")
    for (route, code), n in sorted(codes.items()):
        print(f"  {route:10s} {code}: {n}")
    errors = sum(n for (_, code), n in codes.items() if code >= 500)
    print(f"server errors (5xx): {errors}")
    print(f"analyses completed: {stats['done']}")
    posts = [x for route, lat in stats["latency"].items() if route.startswith("POST") for x in lat]
    if posts:
        ms = np.array(posts) * 1000
        print(f"  {'POST all':10s} n={len(ms)} p50 {np.percentile(ms, 50):.1f} ms, p95 {np.percentile(ms, 95):.1f} ms")
    for route, lat in sorted(stats["latency"].items()):
        ms = np.array(lat) * 1000
        print(
            f"  {route:10s} n={len(ms)} p50 {np.percentile(ms, 50):.1f} ms, p95 {np.percentile(ms, 95):.1f} ms, "
            f"p99 {np.percentile(ms, 99):.1f} ms"
        )


if __name__ == "__main__":
    main()
