"""Build a mixed batch corpus from ../shared/data in a scratch folder (used by the batch benchmarks).

Nothing is copied into the repository: texts are GoEmotions dev comments written one per file, audio files are
symbolic links to RAVDESS clips, images are FER2013 faces upscaled to 192 px (the face detector needs more than
48 px), and a few corrupt files of each kind are added.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path


def build(data: Path, root: Path, *, texts: int, audio: int, images: int, corrupt: int = 0) -> Path:
    """Write the corpus under ``root/in`` and return that folder."""
    from PIL import Image

    base = root / "in"
    for sub in ("texts", "audio", "img"):
        (base / sub).mkdir(parents=True, exist_ok=True)
    tsv = (data / "text" / "goemotions" / "dev.tsv").read_text(encoding="utf-8")
    rows = list(csv.reader(io.StringIO(tsv), delimiter="\t", quoting=csv.QUOTE_NONE))
    for i, row in enumerate(rows[:texts]):
        (base / "texts" / f"t{i:05d}.txt").write_text(row[0], encoding="utf-8")
    clips = sorted((data / "speech" / "ravdess").glob("Actor_*/*.flac"))[:audio]
    for i, clip in enumerate(clips):
        link = base / "audio" / f"a{i:05d}.flac"
        if not link.exists():
            link.symlink_to(clip.resolve())
    faces = sorted((data / "face" / "fer2013_train" / "happy").glob("*.png"))[:images]
    for i, face in enumerate(faces):
        Image.open(face).convert("RGB").resize((192, 192), Image.BICUBIC).save(base / "img" / f"f{i:05d}.png")
    for i in range(corrupt):
        (base / "texts" / f"bad{i}.txt").write_bytes(bytes([255, 254, 0, 65 + i]))
        (base / "audio" / f"bad{i}.wav").write_bytes(b"RIFF" + bytes(i))
        (base / "img" / f"bad{i}.png").write_bytes(b"\x89PNG broken" + bytes(i))
    return base
