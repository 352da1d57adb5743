"""Held-out validation split of FER2013's training partition, deduplicated (step 0 of the face model).

FER2013 holds exact and near-duplicate images (also across its official partitions). A validation split that
shares images with training overstates accuracy, so images are grouped before splitting:

* exact duplicates: identical pixels (MD5 of the 48×48 grey bytes);
* near duplicates: identical 64-bit difference hash (dHash of a 9×8 downscale) — re-encoded or slightly
  brightness-shifted copies of one photo.

Groups (connected through either hash) go wholly to one side; the split is stratified by class (each group
counted under its majority label) with a fixed seed. Writes ``build/face_split.json`` with the file lists
(relative to the dataset folder), group statistics and label conflicts (duplicate images filed under different
classes — FER2013 label noise).

    python training/face/split.py --data ../shared/data/face/fer2013_train --val-fraction 0.1
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
from PIL import Image


def dhash(a: np.ndarray) -> int:
    small = np.asarray(Image.fromarray(a).resize((9, 8), Image.Resampling.BILINEAR), dtype=np.int16)
    bits = (small[:, 1:] > small[:, :-1]).ravel()
    return int(np.packbits(bits).view(">u8")[0])


class Groups:
    """Union-find over image indices."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        self.parent[self.find(i)] = self.find(j)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", type=Path, default=Path("../shared/data/face/fer2013_train"))
    ap.add_argument("--val-fraction", type=float, default=0.1)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--out", type=Path, default=Path("build/face_split.json"))
    args = ap.parse_args()

    files = sorted(p for p in args.data.glob("*/*.png"))
    labels = [p.parent.name for p in files]
    groups = Groups(len(files))
    first: dict[tuple[str, object], int] = {}
    blank = 0
    for i, p in enumerate(files):
        a = np.asarray(Image.open(p).convert("L"))
        blank += int(a.std() < 1.0)
        for key in (("md5", hashlib.md5(a.tobytes()).hexdigest()), ("dhash", dhash(a))):
            if key[0] == "dhash" and a.std() < 1.0:
                continue  # flat images all share a dHash; only exact copies of them are grouped
            if key in first:
                groups.union(i, first[key])
            else:
                first[key] = i
    members: dict[int, list[int]] = defaultdict(list)
    for i in range(len(files)):
        members[groups.find(i)].append(i)
    conflicts = [
        [str(files[i].relative_to(args.data)) for i in m] for m in members.values() if len({labels[i] for i in m}) > 1
    ]
    rng = np.random.default_rng(args.seed)
    by_class: dict[str, list[list[int]]] = defaultdict(list)
    for m in members.values():
        by_class[Counter(labels[i] for i in m).most_common(1)[0][0]].append(m)
    val: list[int] = []
    for _cls, gs in sorted(by_class.items()):
        order = rng.permutation(len(gs))
        target = args.val_fraction * sum(len(g) for g in gs)
        taken = 0
        for k in order:
            if taken >= target:
                break
            val.extend(gs[k])
            taken += len(gs[k])
    val_set = set(val)
    out = {
        "data": str(args.data),
        "seed": args.seed,
        "val_fraction": args.val_fraction,
        "n_images": len(files),
        "n_groups": len(members),
        "n_in_duplicate_groups": sum(len(m) for m in members.values() if len(m) > 1),
        "n_near_blank": blank,
        "label_conflicts": conflicts,
        "val_counts": dict(Counter(labels[i] for i in val_set)),
        "train": [str(files[i].relative_to(args.data)) for i in range(len(files)) if i not in val_set],
        "val": [str(files[i].relative_to(args.data)) for i in sorted(val_set)],
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    summary = {k: v for k, v in out.items() if k not in ("train", "val", "label_conflicts")}
    print(
        json.dumps(
            {**summary, "n_label_conflicts": len(conflicts), "n_train": len(out["train"]), "n_val": len(out["val"])},
            indent=1,
        )
    )


if __name__ == "__main__":
    main()
