"""Window features and stress labels of Stress-Predict subjects 1-20 (../shared/data/physio/stress_predict).

Raw E4 signals per subject are cut into 60-s windows every 30 s; each window gets the features of
``affectscope.recognizers.physio.features`` and a label from the dataset's processed 1-Hz file
(``Improved_All_Combined_hr_rsp_binary.csv``: Label 1 = stress task, 0 = baseline/rest): the majority label of
its seconds, kept only when at least 80 % of them agree. Subject 1 has no processed rows upstream, so no labels.

    python training/physio/extract_features.py --data ../shared/data --out build/physio_features.npz
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

from affectscope.media.physio import read_e4
from affectscope.recognizers.physio.features import FEATURE_NAMES, recording_features

WINDOW_S, HOP_S, PURITY = 60.0, 30.0, 0.8


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--out", type=Path, default=Path("build/physio_features.npz"))
    args = ap.parse_args()
    root = args.data / "physio" / "stress_predict"
    labels = pd.read_csv(root / "Processed_data" / "Improved_All_Combined_hr_rsp_binary.csv")
    feats, ys, subjects, starts = [], [], [], []
    for sub in sorted((root / "Raw_data").glob("S*")):
        sid = int(sub.name[1:])
        lab = labels[labels["Participant"] == sid]
        if lab.empty:
            print(f"{sub.name}: no labels, skipped")
            continue
        rec = read_e4(sub)
        t_lab = lab["Time(sec)"].to_numpy(dtype=float) - rec.start
        y_lab = lab["Label"].to_numpy()
        wins, wy = [], []
        for a in np.arange(0, rec.end - rec.start - WINDOW_S + 1e-9, HOP_S):
            m = (t_lab >= a) & (t_lab < a + WINDOW_S)
            if m.sum() < 0.8 * WINDOW_S:
                continue
            share = y_lab[m].mean()
            if max(share, 1 - share) < PURITY:
                continue
            wins.append((float(a), float(a + WINDOW_S)))
            wy.append(int(share >= 0.5))
        x, _ = recording_features(rec, wins)
        feats.append(x)
        ys += wy
        subjects += [sid] * len(wins)
        starts += [a for a, _ in wins]
        print(f"{sub.name}: {len(wins)} windows, {np.mean(wy):.2f} stress", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        args.out,
        features=np.vstack(feats),
        labels=np.array(ys),
        subjects=np.array(subjects),
        starts=np.array(starts),
        names=np.array(FEATURE_NAMES),
    )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
