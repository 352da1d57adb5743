"""Wall time and peak memory of the whole video pipeline (faces at 5 fps + voice + transcript), and the face path alone.

Builds 1280×720, 30 fps H.264/AAC test videos in build/bench/: scikit-image's astronaut photo (a real smiling
face, about 150 pixels tall) swaying slowly over a textured background, with speech made of RAVDESS utterances
from ../shared/data (``speech_speed.build_recording``; without ../shared the espeak test clips are looped).
Each measurement runs in a fresh process:

* ``video``: ``VideoRecognizer(fps=5).process_file`` (face rows with tracks, voice segments, Whisper transcript,
  text emotion) — wall time (model loading reported separately) and the process's peak RSS;
* ``face``: ``FaceRecognizer(fps=5).process_video`` alone — analysed frames per second (decoding included).

Targets (issue 5): the 1-minute video within 30 s on 2 cores; peak RSS for 10 minutes <= 1.2 x that for 1 minute.

Run::

    python benchmarks/video_speed.py --data ../shared/data --minutes 1 10 --threads 2
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

CHILD = r"""
import json, resource, sys, time
t0 = time.perf_counter()
mode, path, threads = sys.argv[1], sys.argv[2], int(sys.argv[3])
if mode == "video":
    from affectscope.recognizers.video import VideoRecognizer
    rec = VideoRecognizer(fps=5, num_threads=threads)
    speech = rec._speech_recognizer(); speech._asr_model(); speech._text_recognizer()
else:
    from affectscope.recognizers.face import FaceRecognizer
    rec = FaceRecognizer(fps=5, num_threads=threads)
t1 = time.perf_counter()
r = rec.process_file(path) if mode == "video" else rec.process_video(path)
t2 = time.perf_counter()
face = r.summary["modalities"]["face"] if mode == "video" else r.summary
counts = r.frame["modality"].value_counts().to_dict() if len(r) else {}
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"load_s": t1 - t0, "process_s": t2 - t1, "frames": face.get("n_frames"), "rows": counts,
                  "tracks": sorted(face.get("tracks", {})), "peak_rss_mb": rss}))
"""


def _speech(data: Path | None, minutes: float, out: Path) -> np.ndarray:
    import soundfile as sf

    if data is not None and (data / "speech/ravdess").is_dir():
        from speech_speed import build_recording

        y, _ = sf.read(build_recording(data, minutes, out.with_suffix(".flac")), dtype="float32")
        return y
    tests = Path(__file__).resolve().parents[1] / "tests/data/speech"
    clips = [sf.read(f, dtype="float32")[0] for f in sorted(tests.glob("*.flac"))]
    n = int(minutes * 60 * 16_000)
    y = np.concatenate([np.concatenate([c, np.zeros(8000, np.float32)]) for c in clips] * (n // 100_000 + 1))
    return y[:n]


def build_video(data: Path | None, minutes: float, out: Path, fps: int = 30) -> Path:
    """Write the test video (frames generated one at a time: memory stays flat while encoding)."""
    from PIL import Image
    from skimage import data as skdata

    from affectscope.media.video import write_test_video

    if out.is_file():
        return out
    out.parent.mkdir(parents=True, exist_ok=True)
    face = np.asarray(Image.fromarray(skdata.astronaut()).resize((720, 720)))[:, 120:600]  # 720×480, face ~150 px
    rng = np.random.default_rng(0)
    background = (rng.integers(60, 120, (720, 1280, 1), dtype=np.uint8) * np.ones((1, 1, 3), np.uint8)).copy()
    n = int(minutes * 60 * fps)

    def frames():
        for i in range(n):
            x = 400 + int(150 * np.sin(2 * np.pi * i / (fps * 8)))  # sways left and right every 8 s
            f = background.copy()
            f[:, x : x + 480] = face
            yield f

    return write_test_video(out, frames(), fps=fps, audio=_speech(data, minutes, out), sampling_rate=16_000)


def measure(mode: str, video: Path, threads: int) -> dict:
    res = subprocess.run(
        [sys.executable, "-c", CHILD, mode, str(video), str(threads)], capture_output=True, text=True, check=False
    )
    if res.returncode != 0:
        raise SystemExit(res.stderr[-3000:])
    return json.loads(res.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=None, help="../shared/data (RAVDESS speech for the audio track)")
    ap.add_argument("--minutes", type=float, nargs="+", default=[1.0, 10.0])
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", type=Path, default=Path("build/bench"))
    args = ap.parse_args()
    rows = []
    for minutes in args.minutes:
        video = build_video(args.data, minutes, args.out / f"video_{minutes:g}min.mp4")
        v = measure("video", video, args.threads)
        f = measure("face", video, args.threads)
        row = {
            "minutes": minutes,
            "video_process_s": round(v["process_s"], 1),
            "video_load_s": round(v["load_s"], 1),
            "video_peak_rss_mb": round(v["peak_rss_mb"]),
            "rows": v["rows"],
            "tracks": v["tracks"],
            "face_frames": f["frames"],
            "face_process_s": round(f["process_s"], 1),
            "face_fps": round(f["frames"] / f["process_s"], 1),
            "face_peak_rss_mb": round(f["peak_rss_mb"]),
        }
        rows.append(row)
        print(json.dumps(row), flush=True)
    if len(rows) > 1:
        print(f"peak RSS ratio {rows[-1]['minutes']:g} min / {rows[0]['minutes']:g} min: "
              f"{rows[-1]['video_peak_rss_mb'] / rows[0]['video_peak_rss_mb']:.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
