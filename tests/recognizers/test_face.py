"""Faces: detection, alignment, expression, facial actions, tracking and video, on real and generated images."""

from __future__ import annotations

import numpy as np
import pytest

from affectscope.errors import ConfigError, InputError

pytest.importorskip("mediapipe")

from affectscope.recognizers.face.align import align_face, to_grey
from affectscope.recognizers.face.tracking import FaceTracker, appearance


def test_smiling_astronaut_is_one_joyful_face(face_recognizer, astronaut):
    r = face_recognizer.process_image(astronaut, source="astronaut")
    assert len(r) == 1
    row = r.frame.iloc[0]
    assert row["label"] == "joy"
    assert row["ekman7:joy"] > 0.6
    assert row["action:smile"] > 0.5
    assert row["action:lip_corner_depressor"] < 0.2
    assert row["valence"] > 0.3
    # the box is on the face (upper middle of the photo), not the whole image
    assert 60 < row["box_x"] + row["box_w"] / 2 < 180
    assert row["box_y"] < 100
    assert 30 < row["box_h"] < 120
    assert abs(row["yaw"]) < 20
    assert np.isclose(r.frame[[c for c in r.frame if c.startswith("ekman7:")]].sum(axis=1), 1).all()
    assert r.summary["label"] == "joy"
    assert "smile" in r.summary["rationale"]


def test_the_aligned_crop_puts_the_eyes_where_the_training_faces_had_them(face_recognizer, astronaut):
    from PIL import Image

    _faces, crops = face_recognizer._faces(astronaut, face_recognizer._finder(video=False), None)
    assert crops.shape == (1, 48, 48)
    assert crops.dtype == np.uint8
    big = np.asarray(Image.fromarray(crops[0]).resize((192, 192), Image.BICUBIC))
    again = face_recognizer._finder(video=False).find(np.repeat(big[:, :, None], 3, axis=2))
    assert again, "the aligned crop should still be a detectable face"
    idx = face_recognizer._indices
    found = again[0].landmarks[idx, :2] / 4
    assert np.abs(found - face_recognizer._template).mean() < 2.5  # pixels of the 48×48 crop


def test_an_image_without_a_face_gives_no_rows_not_a_crash(face_recognizer):
    rng = np.random.default_rng(0)
    for img in (np.full((120, 160, 3), 128, np.uint8), rng.integers(0, 255, (120, 160, 3), dtype=np.uint8)):
        r = face_recognizer.process_image(img)
        assert len(r) == 0
        assert r.summary["label"] is None
        assert r.summary["note"] == "no face detected"


def test_two_people_two_rows_largest_first_and_limits(face_recognizer, astronaut):
    from PIL import Image

    big = np.asarray(Image.fromarray(astronaut).resize((320, 320)))  # faces of ~66 and ~52 pixels
    pair = np.zeros((320, 576, 3), np.uint8)
    pair[:, :320] = big
    pair[32:288, 320:] = astronaut
    r = face_recognizer.process_image(pair)
    assert list(r.frame["track"]) == ["face1", "face2"]
    assert r.frame["box_h"].iloc[0] > r.frame["box_h"].iloc[1]
    assert r.frame["box_x"].iloc[1] > 320
    assert set(r.summary["tracks"]) == {"face1", "face2"}
    from affectscope.recognizers.face import FaceRecognizer

    assert len(FaceRecognizer(max_faces=1, num_threads=1).process_image(pair)) == 1
    assert len(FaceRecognizer(min_face_size=300, num_threads=1).process_image(pair)) == 0


def test_image_files_and_errors(face_recognizer, astronaut, tmp_path):
    from PIL import Image

    jpg = tmp_path / "astro.jpg"
    Image.fromarray(astronaut).save(jpg)
    r = face_recognizer.process_file(jpg)
    assert r.frame.index[0] == (str(jpg), 0.0, 0.0)
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    with pytest.raises(InputError):
        face_recognizer.process_file(empty)
    cut = tmp_path / "cut.jpg"
    cut.write_bytes(jpg.read_bytes()[:300])
    with pytest.raises(InputError):
        face_recognizer.process_file(cut)
    with pytest.raises(ConfigError, match="videos only"):
        face_recognizer.process_file(jpg, start=1.0)
    out = face_recognizer({"path": [str(jpg), str(empty)]})
    assert out["label"][0] == "joy"
    assert out["error"][0] is None
    assert out["error"][1]


@pytest.mark.parametrize("kwargs", [{"max_faces": 0}, {"min_face_size": 0}, {"min_confidence": 1.5}, {"fps": -1}])
def test_bad_options(kwargs):
    from affectscope.recognizers.face import FaceRecognizer

    with pytest.raises(ConfigError):
        FaceRecognizer(**kwargs)


def test_predict_crops_checks_its_input(face_recognizer):
    with pytest.raises(InputError, match="48, 48"):
        face_recognizer.predict_crops(np.zeros((2, 32, 32), np.uint8))
    p = face_recognizer.predict_crops(np.zeros((0, 48, 48), np.uint8))["ekman7"]
    assert p.shape == (0, 7)


def test_alignment_maps_points_onto_the_template():
    grey = to_grey(np.random.default_rng(1).integers(0, 255, (100, 100, 3), dtype=np.uint8))
    pts = np.array([[30.0, 40.0], [70.0, 40.0], [50.0, 75.0]])
    crop = align_face(grey, pts, pts * 0.48 + 1)
    # the pixel under the first template point is the source pixel under the first face point
    assert abs(int(crop[round(40 * 0.48 + 1), round(30 * 0.48 + 1)]) - grey[40, 30]) < 40


def test_tracker_keeps_ids_through_motion_gaps_and_jumps():
    rng = np.random.default_rng(0)
    a, b = (appearance(rng.integers(0, 255, (48, 48))) for _ in range(2))
    t = FaceTracker(max_gap=1.0)
    assert t.update(0.0, [(0, 0, 50, 50), (200, 0, 50, 50)], [a, b]) == ["face1", "face2"]
    assert t.update(0.2, [(205, 0, 50, 50), (6, 0, 50, 50)], [b, a]) == ["face2", "face1"]
    assert t.update(0.4, [], []) == []
    # person 1 jumps across the frame (a camera cut): same look → same id
    assert t.update(0.6, [(120, 100, 50, 50)], [a]) == ["face1"]
    # long gone, then back: re-identified by appearance
    assert t.update(5.0, [(0, 0, 50, 50)], [b]) == ["face2"]
    # a new person
    c = appearance(rng.integers(0, 255, (48, 48)))
    assert t.update(5.2, [(300, 0, 50, 50)], [c]) == ["face3"]


@pytest.fixture(scope="module")
def face_video(tmp_path_factory, astronaut):
    from affectscope.media.video import write_test_video

    blank = np.full_like(astronaut, 90)
    frames = [np.roll(astronaut, 3 * i, axis=1) for i in range(20)] + [blank] * 10 + [astronaut] * 10
    return write_test_video(tmp_path_factory.mktemp("face") / "face.mp4", frames, fps=10)  # 4 s


def test_video_faces_keep_one_track_through_motion_and_absence(face_recognizer, face_video):
    r = face_recognizer.process_video(face_video)
    times = r.frame.index.get_level_values("start")
    assert set(r.frame["track"]) == {"face1"}
    assert not ((times >= 2.05) & (times < 2.95)).any()  # no face rows while the frame is blank
    assert (times >= 3.0).any()
    assert (times < 2.0).any()
    assert r.summary["n_frames"] == 20
    assert r.summary["tracks"]["face1"]["label"] == "joy"
    assert r.summary["analysed"] == [0.0, 4.0]
    part = face_recognizer.process_video(face_video, start=3.0, end=3.5)
    assert list(part.frame.index.get_level_values("start")) == [3.0, 3.2, 3.4]


def test_video_without_faces(face_recognizer, tmp_path):
    from affectscope.media.video import write_test_video

    f = write_test_video(tmp_path / "none.mp4", [np.full((64, 64, 3), 40, np.uint8)] * 10, fps=10)
    r = face_recognizer.process_video(f)
    assert len(r) == 0
    assert r.summary["n_frames"] == 5
    assert r.summary["label"] is None


def test_zero_byte_video_is_an_input_error(face_recognizer, tmp_path):
    f = tmp_path / "zero.mp4"
    f.write_bytes(b"")
    with pytest.raises(InputError, match="empty"):
        face_recognizer.process_file(f)


def test_analyze_routes_images_and_videos(astronaut, tmp_path):
    from pathlib import Path

    from PIL import Image

    import affectscope
    from affectscope.media.video import write_test_video

    jpg = tmp_path / "a.png"
    Image.fromarray(astronaut).save(jpg)
    r = affectscope.analyze(Path(jpg))
    assert r.summary["modality"] == "face"
    assert r.summary["label"] == "joy"
    video = write_test_video(tmp_path / "a.mp4", [astronaut] * 6, fps=10)
    r = affectscope.analyze(Path(video), fps=10)
    assert r.summary["modality"] == "video"
    assert (r.frame["modality"] == "face").sum() == 6
    assert (r.frame["modality"] == "fusion").sum() == 1  # one 2 s fusion window (no voice)


@pytest.mark.parametrize("mode", ["L", "I;16", "RGBA", "exif-rotated"])
def test_image_modes_and_orientation_reach_the_face(face_recognizer, astronaut, tmp_path, mode):
    from PIL import Image

    img = Image.fromarray(astronaut)
    f = tmp_path / "face.png"
    if mode == "L":
        img.convert("L").save(f)
    elif mode == "I;16":
        Image.fromarray(np.asarray(img.convert("L")).astype(np.uint16) * 257).save(f)
    elif mode == "RGBA":
        img.convert("RGBA").save(f)
    else:  # stored sideways with an EXIF orientation tag saying "rotate 90° clockwise to view"
        f = tmp_path / "face.jpg"
        exif = Image.Exif()
        exif[0x0112] = 6
        img.transpose(Image.Transpose.ROTATE_90).save(f, exif=exif)
    r = face_recognizer.process_file(f)
    assert len(r) == 1
    assert r.frame["label"].iloc[0] == "joy"


@pytest.mark.parametrize(
    "kwargs", [{"max_faces": 101}, {"min_face_size": 7}, {"min_face_size": 5000}, {"fps": 61}, {"fps": float("inf")}]
)
def test_option_bounds(kwargs):
    from affectscope.recognizers.face import FaceRecognizer

    with pytest.raises(ConfigError, match="parameter of FaceRecognizer must be"):
        FaceRecognizer(**kwargs)


def test_a_video_cut_half_way_keeps_the_faces_before_the_cut(face_recognizer, astronaut, tmp_path):
    from affectscope.media.video import write_test_video

    rng = np.random.default_rng(0)
    frames = [np.clip(astronaut.astype(int) + rng.integers(-20, 20, astronaut.shape), 0, 255).astype(np.uint8)]
    f = write_test_video(tmp_path / "whole.mp4", frames * 20, fps=5)
    data = f.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) * 2 // 3])
    r = face_recognizer.process_video(cut)
    assert r.summary["n_frames"] >= 3
    assert len(r) >= 1
    assert (r.frame["label"] == "joy").all()
    assert "breaks off" in r.summary["damage"]
    assert "damage" not in face_recognizer.process_video(f).summary
