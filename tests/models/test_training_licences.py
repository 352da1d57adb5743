"""Re-running training reproduces the shipped licence metadata: every script that writes a bundle stamps it."""

from __future__ import annotations

import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from affectscope.models import get_bundle, list_models

ROOT = Path(__file__).resolve().parents[2]
TRAINING = ROOT / "training"
FIELDS = ("licence", "licence_id", "licence_note", "training_data")
# every script that writes a shipped bundle's bundle.json -> the model it writes
WRITERS = {
    "text_minilm/export.py": "text-minilm-goemotions",
    "conversation/export.py": "conversation-minilm-context",
    "speech/train.py": "speech-whisper-ser",
    "face/export.py": "face-cnn-fer",
    "fusion/train.py": "fusion-loglinear",
    "music/train.py": "music-4q-quadrants",
    "physio/train.py": "physio-stress-e4",
}


@pytest.fixture
def licences(monkeypatch):
    """training/licences.py, imported as the scripts import it (training/ on sys.path)."""
    monkeypatch.syspath_prepend(str(TRAINING))
    monkeypatch.delitem(sys.modules, "licences", raising=False)
    import licences

    yield licences
    sys.modules.pop("licences", None)


def _shipped(name: str) -> dict:
    meta = json.loads((get_bundle(name).path / "bundle.json").read_text(encoding="utf-8"))
    return {k: meta[k] for k in FIELDS if k in meta}


def test_the_training_licences_are_the_shipped_ones(licences):
    known = licences.licences()
    assert sorted(known) == sorted(list_models())
    for name in list_models():
        assert known[name] == _shipped(name), name
        assert all(isinstance(d["commercial_use"], bool) and d["licence_id"] for d in known[name]["training_data"])


# scripts that name bundle.json and write JSON, but do not write a bundle's licence fields
# scripts that write the bundle named by an argument (stamped with that name)
BY_ARGUMENT = {"speech/train_general.py": "--name: speech-whisper-ser-cremad (and, later, speech-whisper-ser)"}
NOT_WRITERS = {
    "calibrate.py": "reads a shipped bundle.json, sets its 'calibration' key and writes it back",
    "conversation/train.py": "reads the text bundle's max_tokens; writes log.json",
}


def test_every_script_that_writes_a_bundle_stamps_it():
    found = {
        str(p.relative_to(TRAINING))
        for p in TRAINING.rglob("*.py")
        if "bundle.json" in (text := p.read_text(encoding="utf-8")) and "write_text(json.dumps(" in text
    }
    assert found == set(WRITERS) | set(NOT_WRITERS) | set(BY_ARGUMENT)
    for script in BY_ARGUMENT:
        assert "stamp(meta, args.name)" in (TRAINING / script).read_text(encoding="utf-8"), script
    for script, name in WRITERS.items():
        source = (TRAINING / script).read_text(encoding="utf-8")
        assert "from licences import stamp" in source, script
        assert re.search(rf'stamp\(\w+, "{re.escape(name)}"\)', source), script
    calibrate = (TRAINING / "calibrate.py").read_text(encoding="utf-8")
    assert 'bundle.setdefault("calibration", {})[space] = entry' in calibrate  # reads, edits one key, writes back


def test_stamp_restores_what_an_old_bundle_lacks(licences):
    meta = {"name": "speech-whisper-ser", "training_data": [{"name": "RAVDESS", "licence": "CC BY-NC-SA 4.0"}]}
    licences.stamp(meta, "speech-whisper-ser")
    assert {k: meta[k] for k in FIELDS if k in meta} == _shipped("speech-whisper-ser")
    with pytest.raises(SystemExit, match="no licence fields for 'mine'"):
        licences.stamp({}, "mine")


def test_physio_training_rewrites_the_shipped_licence_fields(tmp_path, monkeypatch, licences):
    """The physio trainer's write_bundle on a bundle stripped of its licence fields writes them back."""
    pytest.importorskip("sklearn")
    spec = importlib.util.spec_from_file_location("physio_train_under_test", TRAINING / "physio" / "train.py")
    train = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(train)
    cv = train._cv_module()
    out = tmp_path / "physio_stress_e4"
    shutil.copytree(get_bundle("physio-stress-e4").path, out)
    meta = json.loads((out / "bundle.json").read_text(encoding="utf-8"))
    for k in ("licence", "licence_id"):
        meta.pop(k)
    meta["training_data"] = [{"name": "Stress-Predict", "split": "all", "licence": "MIT"}]  # as scripts wrote it
    (out / "bundle.json").write_text(json.dumps(meta), encoding="utf-8")
    rng = np.random.default_rng(0)
    v, y = rng.standard_normal((40, 3)), np.array([0, 1] * 20)
    train.write_bundle(cv, v, y, "logistic-C0.5+mean3", out, names=["a", "b", "c"])
    written = json.loads((out / "bundle.json").read_text(encoding="utf-8"))
    assert {k: written[k] for k in FIELDS if k in written} == _shipped("physio-stress-e4")
    assert get_bundle(out).commercial_use is True
