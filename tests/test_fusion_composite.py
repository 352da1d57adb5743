"""The composite-set builder pairs every voice with a same-emotion face of its own fold (training/fusion)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np


def _composite():
    path = Path(__file__).resolve().parents[1] / "training" / "fusion" / "composite.py"
    spec = importlib.util.spec_from_file_location("composite", path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_faces_match_the_voice_and_never_cross_folds():
    mod = _composite()
    rng = np.random.default_rng(0)
    y = rng.integers(0, 7, 300)
    folds = rng.integers(0, mod.N_FOLDS, 300)
    face_y = np.repeat(np.arange(7), 40)
    match, mismatch = mod.pair_faces(y, folds, face_y, np.random.default_rng(1))
    assert (face_y[match] == y).all()
    assert (face_y[mismatch] != y).all()
    owner = {}
    for clip, face in enumerate(match):
        owner.setdefault(int(face), set()).add(int(folds[clip]))
    assert all(len(f) == 1 for f in owner.values())  # a face belongs to one fold only
