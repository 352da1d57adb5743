"""Face and music adapters on tiny fixtures in their published layouts."""

import numpy as np
import pytest

from affectscope.errors import InputError
from affectscope.evaluate.datasets import load_dataset


def test_fer2013_class_folders_split_by_file_prefix(tmp_path, touch, labels_of):
    touch(tmp_path, "happy/Training_1.png", "happy/PublicTest_2.jpg", "sad/PrivateTest_3.jpg")
    assert labels_of(load_dataset("fer2013", tmp_path, split="test")) == ["joy", "sadness"]
    assert len(load_dataset("fer2013", tmp_path, split="train")) == 1
    with pytest.raises(InputError, match="splits are"):
        load_dataset("fer2013", tmp_path, split="dev")
    touch(tmp_path, "happiness/Training_4.png")
    with pytest.raises(InputError, match=r"unknown folders \['happiness'\]"):
        load_dataset("fer2013", tmp_path, split="all")


def test_fer2013_original_csv(tmp_path, touch, labels_of):
    px = " ".join(["128"] * 2304)
    (tmp_path / "fer2013.csv").write_text(
        f"emotion,pixels,Usage\n3,{px},Training\n6,{px},PublicTest\n0,{px},PrivateTest\n", encoding="utf-8"
    )
    d = load_dataset("fer2013", tmp_path, split="test")
    assert labels_of(d) == ["neutral", "anger"]
    assert d.items[0].shape == (48, 48)
    assert d.items[0].dtype == np.uint8
    (tmp_path / "fer2013.csv").write_text("emotion,pixels,Usage\n3,1 2 3,Training\n", encoding="utf-8")
    with pytest.raises(InputError, match="2,304 pixel values"):
        load_dataset("fer2013", tmp_path, split="train")


def test_ckplus_leaves_out_contempt(tmp_path, touch, labels_of):
    touch(tmp_path, "contempt/S138_008_00000007.png", "happy/S010_006_00000013.png", "fear/S011_003_1.png")
    d = load_dataset("ckplus", tmp_path, split="all")
    assert sorted(labels_of(d)) == ["fear", "joy"]
    assert d.mapping["contempt"] is None
    assert set(d.groups) == {"S010", "S011"}


def test_music_4q(tmp_path, touch, labels_of):
    touch(tmp_path, "Q1/MT001.mp3", "Q3/MT002.mp3")
    (tmp_path / "panda_dataset_taffc_annotations.csv").write_text("Song,Quadrant\nMT001,Q1\nMT002,Q3\n")
    d = load_dataset("music-4q", tmp_path, split="all")
    assert d.space == "russell4"
    assert labels_of(d) == ["q1_happy", "q3_sad"]
    (tmp_path / "panda_dataset_taffc_annotations.csv").write_text("Song,Quadrant\nMT001,Q2\nMT002,Q3\n")
    with pytest.raises(InputError, match="annotations say Q2"):
        load_dataset("music-4q", tmp_path, split="all")
    with pytest.raises(InputError, match="Q1"):
        load_dataset("music-4q", tmp_path / "Q1", split="all")


def test_fer2013_file_list_split_and_face_scoring(tmp_path, astronaut, face_recognizer):
    """A held-out file list of fer2013 class folders is scored through the face model, crop and photo alike."""
    import json

    from PIL import Image

    from affectscope.evaluate import evaluate

    _, crops = face_recognizer._faces(astronaut, face_recognizer._finder(video=False), None)
    for label in ("happy", "sad"):
        (tmp_path / "fer" / label).mkdir(parents=True)
    Image.fromarray(crops[0]).save(tmp_path / "fer/happy/Training_1.png")  # a 48×48 aligned face crop
    Image.fromarray(crops[0][:, ::-1]).save(tmp_path / "fer/happy/Training_2.png")  # not listed
    Image.fromarray(np.full((48, 48), 90, np.uint8)).save(tmp_path / "fer/sad/Training_3.png")
    split = tmp_path / "split.json"
    split.write_text(json.dumps({"val": ["happy/Training_1.png", "sad/Training_3.png"]}), encoding="utf-8")
    report = evaluate("fer2013", tmp_path / "fer", split=f"{split}:val", num_threads=1)
    assert report["n"] == 2
    assert report["model"] == "face-cnn-fer"
    assert report["per_class"]["joy"]["recall"] == 1.0
    # photos larger than a crop go through detection: the astronaut photo is a happy face
    (tmp_path / "ck" / "happy").mkdir(parents=True)
    (tmp_path / "ck" / "sadness").mkdir(parents=True)
    Image.fromarray(astronaut).save(tmp_path / "ck/happy/S001_001_01.png")
    Image.fromarray(np.full((100, 100), 90, np.uint8)).save(tmp_path / "ck/sadness/S002_001_01.png")
    report = evaluate("ckplus", tmp_path / "ck", split="all", num_threads=1)
    assert report["per_class"]["joy"]["recall"] == 1.0
    split.write_text(json.dumps({"val": ["happy/Missing_9.png"]}), encoding="utf-8")
    with pytest.raises(InputError, match="not in"):
        evaluate("fer2013", tmp_path / "fer", split=f"{split}:val")
