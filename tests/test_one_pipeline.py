"""One pipeline behind every entry point (issue 19): the CLI, the Python API, batch and the service give the same
rows and summary for the same input and options (floats to 1e-6), for every kind of input."""

from __future__ import annotations

import json
import math
import shutil
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import affectscope
from affectscope.cli import app

# case → (spec options, CLI flags, batch flags, service form fields)
CASES: dict[str, tuple[dict[str, Any], list[str], list[str], dict[str, str]]] = {
    "text": ({}, [], [], {}),
    "dialogue": ({}, [], [], {}),
    "speech": ({"transcript": False}, ["--no-transcript"], [], {"transcript": "false"}),
    "image": ({}, [], [], {}),
    "video": ({"transcript": False, "fps": 2}, ["--no-transcript", "--fps", "2"], [], {"transcript": "false"}),
    "music": ({"modality": "music"}, ["--modality", "music"], ["--modalities", "music"], {"modality": "music"}),
    "physio": ({}, [], ["--modalities", "physio"], {}),
}
_NEEDS = {
    "speech": "faster_whisper",
    "image": "mediapipe",
    "video": "av",
    "music": "librosa",
    "physio": "neurokit2",
}


def _make_input(case: str, folder: Path, astronaut: np.ndarray) -> Path:
    """One input of the case, alone in ``folder`` (the batch's source)."""
    folder.mkdir(parents=True)
    if case == "text":
        p = folder / "notes.txt"
        p.write_text("I got the job today! The commute is awful though.", encoding="utf-8")
    elif case == "dialogue":
        p = folder / "chat.csv"
        p.write_text(
            "speaker,text\nAnn,I got the job!\nBob,Congratulations, that is wonderful.\nAnn,I am nervous though.\n",
            encoding="utf-8",
        )
    elif case == "speech":
        p = folder / "clip.flac"
        shutil.copy(Path(__file__).parent / "data" / "speech" / "loud_fast_en.flac", p)
    elif case == "music":  # 12 s of a major chord pulsing at 120 bpm
        import soundfile as sf

        sr = 22050
        t = np.arange(12 * sr) / sr
        chord = sum(np.sin(2 * np.pi * f * t) for f in (261.63, 329.63, 392.0))
        pulse = 0.55 + 0.45 * (np.sin(2 * np.pi * 2 * t) > 0)
        p = folder / "song.flac"
        sf.write(p, (0.2 * chord * pulse).astype(np.float32), sr)
    elif case == "image":
        from PIL import Image

        p = folder / "crop.png"  # a FER2013-style 48 x 48 grey face crop
        Image.fromarray(astronaut[30:92, 82:144]).convert("L").resize((48, 48)).save(p)
    elif case == "video":  # the smiling astronaut over 4 s of speech (no sidecar: the service takes one file)
        import soundfile as sf

        from affectscope.media.video import write_test_video

        y, sr = sf.read(Path(__file__).parent / "data" / "speech" / "loud_fast_en.flac", dtype="float32")
        p = write_test_video(folder / "talk.mp4", [astronaut] * 20, fps=5, audio=y[: 4 * sr], sampling_rate=sr)
    else:  # physio: a zipped E4 export (the service takes files, not folders)
        from physio_signals import write_stress_session

        e4 = folder.parent / "e4"
        write_stress_session(e4)
        p = folder / "S01.zip"
        with zipfile.ZipFile(p, "w") as z:
            for f in sorted(e4.iterdir()):
                z.write(f, f.name)
    return p


def _plain(v: Any) -> Any:
    if isinstance(v, np.ndarray):
        return [_plain(x) for x in v.tolist()]
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, dict):
        return {k: _plain(x) for k, x in v.items()}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def _named(obj: Any, path: Path) -> Any:
    """Every mention of the input's path becomes its file name (the service only knows the upload's name)."""
    if isinstance(obj, str):
        return obj.replace(str(path), path.name)
    if isinstance(obj, dict):
        return {k: _named(v, path) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_named(v, path) for v in obj]
    return obj


def _rows(segments: list[dict[str, Any]], path: Path) -> list[dict[str, Any]]:
    out = []
    for seg in segments:
        seg = _plain(dict(seg))
        seg.pop("source")
        out.append(_named({k: v for k, v in seg.items() if v is not None}, path))
    return out


def _same(a: Any, b: Any, where: str = "") -> None:
    if isinstance(a, bool) or isinstance(b, bool):
        assert a == b, where
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)):
        assert abs(a - b) <= 1e-6 * max(1.0, abs(a)), f"{where}: {a} != {b}"
    elif isinstance(a, dict) and isinstance(b, dict):
        assert sorted(a) == sorted(b), f"{where}: keys {sorted(set(a) ^ set(b))} differ"
        for k in a:
            _same(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        assert len(a) == len(b), f"{where}: {len(a)} != {len(b)} items"
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _same(x, y, f"{where}[{i}]")
    else:
        assert a == b, f"{where}: {a!r} != {b!r}"


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    pytest.importorskip("fastapi")
    pytest.importorskip("pydantic_settings")
    from fastapi.testclient import TestClient

    from affectscope.service.app import create_app
    from affectscope.service.settings import ServiceSettings

    settings = ServiceSettings(data_dir=tmp_path_factory.mktemp("svc"), threads=1, warm_up=False)
    with TestClient(create_app(settings), base_url="http://localhost") as client:
        yield client


def _from_service(client: Any, path: Path, form: dict[str, str]) -> dict[str, Any]:
    import time

    r = client.post("/v1/analyses", files={"file": (path.name, path.read_bytes())}, data=form)
    assert r.status_code == 202, r.text
    job = r.json()["id"]
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        d = client.get(f"/v1/analyses/{job}").json()
        if d["status"] in ("done", "failed"):
            assert d["status"] == "done", d.get("error")
            return d["result"]
        time.sleep(0.1)
    raise AssertionError("the service did not finish")


@pytest.mark.parametrize("case", list(CASES))
def test_cli_api_batch_and_service_give_the_same_rows_and_summary(case, tmp_path, astronaut, service):
    if case in _NEEDS:
        pytest.importorskip(_NEEDS[case])
    options, cli_flags, batch_flags, form = CASES[case]
    path = _make_input(case, tmp_path / "in", astronaut)

    # one thread everywhere, as a batch worker has: BLAS sums in another order on more threads (~1e-4 apart)
    cli = CliRunner().invoke(app, ["analyze", str(path), "--format", "json", "--threads", "1", *cli_flags])
    assert cli.exit_code == 0, cli.output
    from_cli = json.loads(cli.stdout)

    from_api = affectscope.analyze(path, num_threads=1, **options).serialize()

    out = tmp_path / "out"
    batch_flags = [*batch_flags, *(["--fps", "2"] if "fps" in options else [])]
    res = CliRunner().invoke(
        app, ["batch", str(path.parent), "-o", str(out), "--workers", "1", "--threads-per-worker", "1", *batch_flags]
    )
    assert res.exit_code == 0, res.output
    rows = pd.read_parquet(next(out.glob("parts/*/rows.parquet")))
    summary = pd.read_parquet(out / "summary.parquet")
    assert len(summary) == 1
    from_batch = {
        "segments": rows.to_dict(orient="records"),
        "summary": json.loads(summary["summary_json"].iloc[0]),
    }

    from_service = _from_service(service, path, form)

    expected_rows = _rows(from_cli["segments"], path)
    expected_summary = _named(_plain(from_cli["summary"]), path)
    assert expected_rows, "the CLI gave no rows"
    for name, got in (("api", from_api), ("batch", from_batch), ("service", from_service)):
        _same(_rows(got["segments"], path), expected_rows, f"{case} {name} rows")
        _same(_named(_plain(got["summary"]), path), expected_summary, f"{case} {name} summary")
    if case == "image":  # the 48 x 48 crop is one face everywhere
        assert len(expected_rows) == 1
        assert expected_rows[0]["crop"] is True


def test_analyze_reads_music_physio_and_conversation_by_modality(tmp_path, astronaut):
    """``affectscope.analyze(Path(...), modality=...)`` reaches every recognizer (issue 19's acceptance)."""
    pytest.importorskip("librosa")
    song = _make_input("music", tmp_path / "m", astronaut)
    assert affectscope.analyze(song, modality="music").summary["label"][:3] in {"q1_", "q2_", "q3_", "q4_"}
    chat = _make_input("dialogue", tmp_path / "d", astronaut)
    r = affectscope.analyze(chat)
    assert r.summary["detected"] == "a dialogue (CSV with speaker and text columns)"
    assert r.summary["label"]
    assert set(r.frame["track"]) == {"Ann", "Bob"}
    pytest.importorskip("neurokit2")
    from physio_signals import write_stress_session

    write_stress_session(tmp_path / "S01")
    r = affectscope.analyze(tmp_path / "S01")
    assert r.summary["detected"] == "an Empatica E4 export (folder)"
    assert r.summary["modality"] == "physio"
    assert r.summary["label"]
