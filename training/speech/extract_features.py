"""Extract the speech-emotion representation for RAVDESS (actors 01-18), TESS and CREMA-D (step 1 of the speech model).

Every file goes through exactly the product's path: 16 kHz mono audio (affectscope.media.audio) -> leading and
trailing silence cut by the voice activity detector (affectscope.media.vad.trim_silence, as a voice segment of a
recording would be) -> (a) mean+std pooled encoder states of the registry-shipped Whisper tiny.en and Whisper
base with 1 s of silence around the segment, concatenated (affectscope.recognizers.speech.whisper.speech_embedding;
768 + 1024 = 1792 dims) and (b) 7 gain-invariant prosodic features (affectscope.recognizers.speech.prosody).
Saves build/speech_features/<corpus>.npz (whisper, prosody, labels in RAVDESS's 8 classes, speakers, files).

    pip install -e '.[speech,eval]'
    python training/speech/extract_features.py --data ../shared/data --out build/speech_features

About 10 minutes per corpus on 2 cores (``--corpus ravdess`` / ``--corpus tess`` run one; run both in
parallel with ``--threads 1`` each); CREMA-D (``--corpus crema_d``, 6,131 clips of actors 1001-1075, Ogg/Opus)
about 25 minutes. CREMA-D's labels use the same 8-class names (it has no calm or surprise); its intensity level
(``LO``/``MD``/``HI``/``XX``) is saved as ``levels``.
"""

from __future__ import annotations

import argparse
import sys
import time
import zlib
from pathlib import Path

import numpy as np

RAVDESS_8 = ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"]  # codes 01..08
CREMAD_TO_8 = {"ANG": "angry", "DIS": "disgust", "FEA": "fearful", "HAP": "happy", "NEU": "neutral", "SAD": "sad"}
TESS_TO_8 = {
    "neutral": "neutral",
    "happy": "happy",
    "sad": "sad",
    "angry": "angry",
    "fear": "fearful",
    "disgust": "disgust",
    "ps": "surprised",
}


def corpus_files(data: Path, corpus: str) -> list[tuple[Path, str, str]]:
    """(file, speaker, 8-class label) per file."""
    out = []
    if corpus == "ravdess":
        for f in sorted((data / "speech/ravdess").rglob("*.flac")):
            parts = f.stem.split("-")
            out.append((f, parts[6], RAVDESS_8[int(parts[2]) - 1]))
    elif corpus == "crema_d":
        for f in sorted((data / "speech/crema_d").rglob("*.ogg")):
            actor, _, emotion, _ = f.stem.split("_")
            out.append((f, actor, CREMAD_TO_8[emotion]))
    else:
        for f in sorted((data / "speech/tess").rglob("*.flac")):
            speaker, _, emotion = f.parent.name.partition("_")
            emotion = "ps" if emotion.lower().startswith("pleasant") else emotion.lower()
            out.append((f, speaker, TESS_TO_8[emotion]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("build/speech_features"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--corpus", nargs="+", default=["ravdess", "tess"], choices=["ravdess", "tess", "crema_d"])
    ap.add_argument(
        "--speed", type=float, default=1.0, help="speed perturbation (augmentation): 0.9 slower/lower, 1.1 faster"
    )
    ap.add_argument(
        "--augment",
        choices=["telephone", "noise", "reverb", "codec", "gain"],
        help="a robustness augmentation (training/speech/augment.py); saves <corpus>_<name>.npz",
    )
    args = ap.parse_args()

    import soxr

    from affectscope.media.audio import load_audio
    from affectscope.media.vad import trim_silence
    from affectscope.recognizers.speech.prosody import prosody_features
    from affectscope.recognizers.speech.whisper import load_whisper, speech_embedding

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from augment import AUGMENTATIONS

    models = [load_whisper(name, num_threads=args.threads) for name in ("tiny.en", "base")]
    args.out.mkdir(parents=True, exist_ok=True)
    for corpus in args.corpus:
        t0 = time.time()
        files = corpus_files(args.data, corpus)
        whisper, pros = [], []
        babble = []
        if args.augment == "noise":  # babble from other corpora's speakers (never the file's own corpus)
            pool = [f for c in ("ravdess", "tess", "crema_d") if c != corpus for f, _, _ in corpus_files(args.data, c)]
            pick = np.random.default_rng(7).choice(len(pool), size=min(200, len(pool)), replace=False)
            babble = [load_audio(pool[int(i)]).samples for i in pick]
        for i, (f, _, _) in enumerate(files):
            if i and i % 500 == 0:
                print(f"{corpus}: {i}/{len(files)} in {time.time() - t0:.0f} s", flush=True)
            y = trim_silence(load_audio(f).samples)
            if args.augment:  # the same random draw for a file whatever the run (seeded by its name)
                rng = np.random.default_rng(zlib.crc32(f"{f.name}:{args.augment}".encode()))
                extra = {"others": babble} if args.augment == "noise" else {}
                y = AUGMENTATIONS[args.augment](y, rng, **extra)
            if args.speed != 1.0:  # Kaldi-style speed perturbation: tempo and pitch change together
                y = soxr.resample(y, round(16_000 * args.speed), 16_000).astype(np.float32)
            whisper.append(speech_embedding(models, y))
            pros.append(prosody_features(y))
        name = corpus if args.speed == 1.0 else f"{corpus}_speed{args.speed:g}"
        name = f"{name}_{args.augment}" if args.augment else name
        np.savez(
            args.out / f"{name}.npz",
            whisper=np.array(whisper, dtype=np.float32),
            prosody=np.array(pros, dtype=np.float32),
            speakers=np.array([s for _, s, _ in files]),
            labels=np.array([lab for _, _, lab in files]),
            files=np.array([str(f) for f, _, _ in files]),
            levels=np.array([f.stem.split("_")[3] if corpus == "crema_d" else "" for f, _, _ in files]),
        )
        print(f"{name}: {len(files)} files in {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
