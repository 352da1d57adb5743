"""Extract the music model's inputs from ../shared/data/music/4q: per 10-s window, librosa features + Whisper.

For every clip (180, ~30 s, 4 Russell quadrants): 16 kHz mono audio cut into 10-s windows (a last piece of at
least 5 s is kept); per window the musical features of ``affectscope.recognizers.music.features`` and, with
``--whisper``, the pooled encoder states of the shipped Whisper tiny.en + base encoders (the speech model's
representation). Artists come from the dataset's metadata, for artist-grouped CV.

    python training/music/extract_features.py --data ../shared/data --out build/music_features.npz --whisper
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np

from affectscope.media.audio import load_audio
from affectscope.recognizers.music.features import FEATURE_NAMES, window_features

WINDOW_S = 10.0
MIN_S = 5.0
SR = 16000


def windows(y: np.ndarray) -> list[np.ndarray]:
    step = int(WINDOW_S * SR)
    out = [y[i : i + step] for i in range(0, len(y), step)]
    return [w for w in out if len(w) >= MIN_S * SR]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("build/music_features.npz"))
    ap.add_argument("--whisper", action="store_true", help="also pooled Whisper encoder states (speech extra)")
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    root = args.data / "music" / "4q"
    with open(root / "panda_dataset_taffc_metadata.csv", encoding="utf-8") as f:
        artist = {r["Song"]: r["Artist"] for r in csv.DictReader(f)}
    encoders = []
    if args.whisper:
        from affectscope.recognizers.speech.whisper import load_whisper

        encoders = [load_whisper(n, num_threads=args.threads) for n in ("tiny.en", "base")]
    feats, emb, clips, labels, groups, index = [], [], [], [], [], []
    files = sorted(root.glob("Q*/*.mp3"))
    for n, f in enumerate(files):
        y = load_audio(f).samples
        for i, w in enumerate(windows(y)):
            x, _ = window_features(w, SR)
            feats.append(x)
            if encoders:
                from affectscope.recognizers.speech.whisper import speech_embedding

                emb.append(speech_embedding(encoders, w))
            clips.append(f.stem)
            labels.append(f.parent.name)
            groups.append(artist.get(f.stem, f.stem))
            index.append(i)
        if n % 20 == 0:
            print(f"{n + 1}/{len(files)} {f.stem}", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        features=np.array(feats),
        whisper=np.array(emb) if emb else np.zeros((len(feats), 0)),
        names=np.array(FEATURE_NAMES),
        clips=np.array(clips),
        labels=np.array(labels),
        artists=np.array(groups),
        window=np.array(index),
    )
    print(f"wrote {args.out}: {len(feats)} windows of {len(files)} clips")


if __name__ == "__main__":
    main()
