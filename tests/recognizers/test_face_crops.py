"""Face crops (FER2013 / CK+ style): a small image without a detected face is read as one aligned face.

The same 48 × 48 grey crop gives exactly one face row from the recognizer, the CLI, the API, batch and the service.
"""

from __future__ import annotations

import io
import json
import time

import numpy as np
import pandas as pd
import pytest

from affectscope.errors import ConfigError

pytest.importorskip("mediapipe")

from affectscope.recognizers.face import CROP_MAX_SIDE, FaceRecognizer, looks_like_crop

JOY_PRIOR = 1 / 7


def _face_crop(astronaut: np.ndarray, size: int = 48) -> np.ndarray:
    """The astronaut's face as FER2013 crops it (the face fills the square), grey, ``size`` pixels."""
    from PIL import Image

    face = astronaut[30:92, 82:144]  # the 256-px fixture's face: landmark box about 45 × 52 px at (90, 36)
    return np.asarray(Image.fromarray(face).convert("L").resize((size, size), Image.BILINEAR))


@pytest.fixture(scope="module")
def crop(astronaut) -> np.ndarray:
    return _face_crop(astronaut)


@pytest.fixture(scope="module")
def crop_png(tmp_path_factory, crop):
    from PIL import Image

    path = tmp_path_factory.mktemp("crops") / "smile48.png"
    Image.fromarray(crop).save(path)
    return path


def test_a_48_px_grey_face_crop_is_one_joyful_crop_row(face_recognizer, crop):
    r = face_recognizer.process_image(crop, source="crop")
    assert len(r) == 1
    row = r.frame.iloc[0]
    assert bool(row["crop"]) is True
    assert row["label"] == "joy"
    assert row["ekman7:joy"] > JOY_PRIOR
    assert (row["box_x"], row["box_y"], row["box_w"], row["box_h"]) == (0.0, 0.0, 48.0, 48.0)
    assert row["valence"] > 0
    assert r.summary["n_faces"] == 1
    assert r.summary["n_crops"] == 1
    assert "face crop" in r.summary["note"]
    # the landmarker finds this face without the smallest-face limit: the crop carries its facial actions
    assert row["action:smile"] > 0.5
    assert "smile" in row["evidence"]


def test_the_crop_row_scores_what_eval_scores(face_recognizer, crop):
    r = face_recognizer.process_image(crop)
    direct = face_recognizer.predict_crops(crop[None])["ekman7"][0]
    got = r.frame[[f"ekman7:{lab}" for lab in face_recognizer.labels_]].to_numpy()[0]
    assert np.allclose(got, direct)


def test_never_gives_no_row_and_detected_faces_are_not_crops(face_recognizer, crop, astronaut):
    never = FaceRecognizer(num_threads=1, face_crop="never")
    try:
        r = never.process_image(crop)
        assert len(r) == 0
        assert r.summary["note"] == "no face detected"
    finally:
        never.close()
    photo = face_recognizer.process_image(astronaut)
    assert photo.frame["crop"].tolist() == [False]  # the column is on every face row
    assert "n_crops" not in photo.summary


def test_a_large_photo_without_a_face_is_not_a_crop(face_recognizer):
    rng = np.random.default_rng(1)
    for img in (rng.integers(0, 255, (240, 320, 3), dtype=np.uint8), np.full((48, 48, 3), 128, np.uint8)):
        r = face_recognizer.process_image(img)
        assert len(r) == 0, img.shape
        assert r.summary["note"] == "no face detected"
    assert not looks_like_crop(np.zeros((CROP_MAX_SIDE + 1, CROP_MAX_SIDE + 1, 3), np.uint8) + rng.integers(0, 9))
    assert not looks_like_crop(rng.integers(0, 255, (40, 120), dtype=np.uint8))  # a banner, not a face


def test_always_reads_a_96_px_crop_as_one_crop_without_detection(astronaut):
    rec = FaceRecognizer(num_threads=1, face_crop="always")
    try:
        r = rec.process_image(_face_crop(astronaut, 96))
        assert len(r) == 1
        row = r.frame.iloc[0]
        assert bool(row["crop"])
        assert row["label"] == "joy"
        assert row["box_w"] == 96.0
    finally:
        rec.close()


def test_a_crop_without_landmarks_keeps_expression_and_vad_with_nan_actions(monkeypatch, crop):
    rec = FaceRecognizer(num_threads=1)
    try:
        monkeypatch.setattr(rec._mesher(), "detect", lambda rgb: [])  # as on crops MediaPipe cannot read
        r = rec.process_image(crop)
        assert len(r) == 1
        row = r.frame.iloc[0]
        assert bool(row["crop"])
        assert row["label"] == "joy"
        assert np.isclose(row[[c for c in r.frame if c.startswith("ekman7:")]].sum(), 1)
        assert not np.isnan(row[["valence", "arousal", "dominance"]].astype(float)).any()
        assert row[[c for c in r.frame if c.startswith("action:")] + ["yaw", "pitch", "roll"]].isna().all()
        assert "not available" in row["evidence"]
        assert "not available" in r.summary["note"]
        assert r.summary["actions"]["mean"]["smile"] is None
        json.loads(r.to_json())  # NaN actions serialise
    finally:
        rec.close()


def test_a_small_image_with_only_a_small_face_is_not_a_crop(astronaut):
    from PIL import Image

    small = np.asarray(Image.fromarray(astronaut).resize((128, 128), Image.BILINEAR))  # face about 26 px
    rec = FaceRecognizer(num_threads=1)
    try:
        assert len(rec.process_image(small)) == 0  # smaller than min_face_size, and the image is no face crop
    finally:
        rec.close()


@pytest.mark.parametrize("bad", ["sometimes", "", None, 1])
def test_face_crop_is_validated(bad):
    with pytest.raises(ConfigError, match=r"The 'face_crop' parameter of FaceRecognizer must be one of"):
        FaceRecognizer(face_crop=bad)


def test_cli_and_api_give_one_crop_row(crop_png):
    from typer.testing import CliRunner

    import affectscope
    from affectscope.cli import app

    out = CliRunner().invoke(app, ["analyze", str(crop_png), "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = json.loads(out.stdout)["segments"]
    assert len(rows) == 1
    assert rows[0]["crop"] is True
    never = CliRunner().invoke(app, ["analyze", str(crop_png), "--format", "json", "--face-crop", "never"])
    assert never.exit_code == 0
    assert json.loads(never.stdout)["segments"] == []
    bad = CliRunner().invoke(app, ["analyze", str(crop_png), "--face-crop", "maybe"])
    assert bad.exit_code == 2
    assert "The 'face_crop' parameter of analyze must be one of ['auto', 'always', 'never']" in bad.output
    r = affectscope.analyze(crop_png)
    assert len(r) == 1
    assert bool(r.frame["crop"].iloc[0])
    assert len(affectscope.analyze(crop_png, face_crop="never")) == 0
    with pytest.raises(ConfigError, match="'face_crop' parameter of analyze"):
        affectscope.analyze(crop_png, face_crop="maybe")


def test_batch_gives_one_crop_row_and_counts_images_without_a_face(tmp_path, crop):
    from PIL import Image

    from affectscope.batch import run_batch

    src = tmp_path / "in"
    src.mkdir()
    Image.fromarray(crop).save(src / "crop.png")
    Image.fromarray(np.random.default_rng(0).integers(0, 255, (200, 300, 3), dtype=np.uint8)).save(src / "noise.png")
    report = run_batch(src, tmp_path / "out", workers=1, progress=False)
    assert (report.ok, report.failed) == (2, 0)
    assert report.no_face == [str(src / "noise.png")]
    summary = pd.read_parquet(tmp_path / "out" / "summary.parquet").set_index("input")
    assert summary.loc[str(src / "crop.png"), "n_rows"] == 1
    assert "face crop" in summary.loc[str(src / "crop.png"), "note"]
    assert summary.loc[str(src / "noise.png"), "n_rows"] == 0
    assert summary.loc[str(src / "noise.png"), "note"] == "no face detected"
    rows = pd.concat([pd.read_parquet(f) for f in (tmp_path / "out").glob("parts/*/rows.parquet")])
    assert rows["crop"].tolist() == [True]


def test_service_gives_one_crop_row(tmp_path, crop):
    pytest.importorskip("fastapi")
    pytest.importorskip("pydantic_settings")
    from fastapi.testclient import TestClient
    from PIL import Image

    from affectscope.service.app import create_app
    from affectscope.service.settings import ServiceSettings

    buf = io.BytesIO()
    Image.fromarray(crop).save(buf, format="PNG")
    settings = ServiceSettings(data_dir=tmp_path / "data", threads=1, warm_up=False)
    with TestClient(create_app(settings), base_url="http://localhost") as client:
        job = client.post("/v1/analyses", files={"file": ("crop.png", buf.getvalue())}).json()["id"]
        deadline = time.monotonic() + 120
        while (d := client.get(f"/v1/analyses/{job}").json())["status"] not in ("done", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
    assert d["status"] == "done", d
    assert d["result"]["summary"]["n_faces"] == 1
    assert d["result"]["summary"]["n_crops"] == 1
