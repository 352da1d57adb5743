"""Real-time factor and peak memory of the whole speech pipeline (VAD + voice emotion + ASR + text emotion).

Builds test recordings from the RAVDESS speech in ../shared/data (utterances of actors 01-18 in a shuffled
order, separated by 0.3-1.5 s pauses, as 16 kHz FLAC in build/bench/), then runs
``SpeechRecognizer(num_threads=THREADS).process_file`` on each in a fresh process and reports wall time,
real-time factor (wall / audio duration; model loading excluded and reported separately) and the process's
peak RSS. Targets (issue 4): RTF <= 0.15 for 5 minutes on 2 cores; peak RSS for 60 minutes <= 1.2 x that for 5.

Run::

    python benchmarks/speech_speed.py --data ../shared/data --minutes 5 60 --threads 2
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
from affectscope.recognizers.speech import SpeechRecognizer
rec = SpeechRecognizer(num_threads=int(sys.argv[2]), transcript=sys.argv[3] == "1")
rec._asr_model(); rec._text_recognizer()
t1 = time.perf_counter()
r = rec.process_file(sys.argv[1])
t2 = time.perf_counter()
print(json.dumps({"load_s": t1 - t0, "process_s": t2 - t1, "segments": len(r), "duration": r.summary["duration"],
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def build_recording(data: Path, minutes: float, out: Path, seed: int = 0) -> Path:
    """Concatenate RAVDESS utterances (silence trimmed to 0.3-1.5 s pauses) into one FLAC, written in blocks."""
    import soundfile as sf

    from affectscope.media.audio import load_audio

    if out.is_file():
        return out
    files = sorted((data / "speech/ravdess").rglob("*.flac"))
    rng = np.random.default_rng(seed)
    cache: dict[Path, np.ndarray] = {}
    target = int(minutes * 60 * 16_000)
    n = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with sf.SoundFile(out, "w", samplerate=16_000, channels=1, format="FLAC", subtype="PCM_16") as fh:
        while n < target:
            f = files[int(rng.integers(len(files)))]
            if f not in cache:
                y = load_audio(f).samples
                loud = np.flatnonzero(np.abs(y) > 0.01)
                cache[f] = y[loud[0] : loud[-1]] if len(loud) else y
            pause = np.zeros(int(rng.uniform(0.3, 1.5) * 16_000), np.float32)
            block = np.concatenate([cache[f], pause])[: target - n]
            fh.write(block)
            n += len(block)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--minutes", type=float, nargs="+", default=[5.0, 60.0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-transcript", action="store_true")
    args = ap.parse_args()
    rows = []
    for minutes in args.minutes:
        f = build_recording(args.data, minutes, Path(f"build/bench/ravdess_mix_{minutes:g}min.flac"))
        out = subprocess.run(
            [sys.executable, "-c", CHILD, str(f), str(args.threads), "0" if args.no_transcript else "1"],
            check=True,
            capture_output=True,
            text=True,
        )
        r = json.loads(out.stdout.strip().splitlines()[-1])
        r["minutes"] = minutes
        r["rtf"] = r["process_s"] / r["duration"]
        rows.append(r)
        print(json.dumps({k: round(v, 3) if isinstance(v, float) else v for k, v in r.items()}), flush=True)
    if len(rows) > 1:
        print(
            f"peak RSS ratio {rows[-1]['minutes']:g} min / {rows[0]['minutes']:g} min: "
            f"{rows[-1]['peak_rss_mb'] / rows[0]['peak_rss_mb']:.3f}"
        )


if __name__ == "__main__":
    main()
