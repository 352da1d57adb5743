"""Measure where MediaPipe's landmarks fall on FER2013 training faces: the alignment template of the face model.

The expression CNN learned from FER2013's 48×48 crops, so at run time faces are warped into the same frame. This
script runs the shipped Face Landmarker on training images (upscaled ×4, as a 48-pixel face is below the
detector's working size), keeps the faces it finds, and writes the mean position (in 48×48 pixels) of
expression-stable landmarks — eye corners, nose bridge and tip, cheek edges — to ``build/face_template.json``.
``training/face/export.py`` copies it into the bundle. Uses only the ``train`` list of the split.

    python training/face/landmark_template.py --limit 3000
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
from PIL import Image

from affectscope.recognizers.face.landmarks import FaceMesher

#: right eye outer/inner, left eye inner/outer, nose bridge ×2, nose tip, right/left cheek edge
POINTS = [33, 133, 362, 263, 168, 6, 1, 234, 454]
ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--split", type=Path, default=Path("build/face_split.json"))
    ap.add_argument("--out", type=Path, default=Path("build/face_template.json"))
    ap.add_argument("--limit", type=int, default=3000)
    ap.add_argument("--upscale", type=int, default=4)
    args = ap.parse_args()
    d = json.loads(args.split.read_text(encoding="utf-8"))
    files = d["train"]
    files = [files[i] for i in sorted(np.random.default_rng(0).permutation(len(files))[: args.limit])]
    task = ROOT / "src/affectscope/models/face_cnn_fer/face_landmarker.task"
    pts = []
    with FaceMesher(task, max_faces=1, min_confidence=0.3) as mesher:
        for f in files:
            g = Image.open(Path(d["data"]) / f).convert("L")
            g = g.resize((48 * args.upscale, 48 * args.upscale), Image.BICUBIC)
            faces = mesher.detect(np.repeat(np.asarray(g)[:, :, None], 3, axis=2))
            if faces:
                pts.append(faces[0].landmarks[POINTS, :2] / args.upscale)
    p = np.array(pts, dtype=np.float64)
    out = {
        "indices": POINTS,
        "template": p.mean(0).round(3).tolist(),
        "spread_px": p.std(0).mean(1).round(2).tolist(),
        "size": 48,
        "faces": len(p),
        "images": len(files),
        "command": f"python training/face/landmark_template.py --limit {args.limit} --upscale {args.upscale}",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(f"faces found in {len(p)}/{len(files)} images; template {out['template']}")


if __name__ == "__main__":
    main()
