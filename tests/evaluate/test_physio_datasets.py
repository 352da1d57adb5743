"""Stress-Predict adapter on a tiny fixture in the authors' repository layout."""

import numpy as np
import pytest

from affectscope.errors import ConfigError, InputError
from affectscope.evaluate import evaluate
from affectscope.evaluate.datasets import load_dataset

T0 = 1644227583


def make_repo(root, participants=(2, 3), seconds=300):
    rows = ["Participant,HR,respr,Time(sec),Label"]
    for p in participants:
        (root / "Raw_data" / f"S{p:02d}").mkdir(parents=True)
        for s in range(seconds):
            # 0-120 s baseline, 120-240 s stress, then baseline; one missing stretch at 250-290 s
            if 250 <= s < 290:
                continue
            label = 1 if 120 <= s < 240 else 0
            rows.append(f"{p},{70 + 20 * label},12.1,{T0 + s},{label}")
    (root / "Processed_data").mkdir()
    (root / "Processed_data" / "Improved_All_Combined_hr_rsp_binary.csv").write_text("\n".join(rows) + "\n")
    return root


def test_windows_labels_groups(tmp_path):
    d = load_dataset("stress-predict", make_repo(tmp_path), split="all")
    # per participant: windows at 0, 60, 120, 180 s are clean; 240 s lacks rows (40 of 60 s missing)
    assert len(d) == 8
    assert [d.labels[i] for i in d.y[:4]] == ["neutral", "neutral", "stress", "stress"]
    assert list(np.unique(d.groups)) == ["S02", "S03"]
    assert d.items[2] == {
        "subject": "S02",
        "start": T0 + 120.0,
        "end": T0 + 180.0,
        "raw": str(tmp_path / "Raw_data" / "S02"),
    }
    assert d.space == "stress2"
    assert d.modality == "physio"
    assert len(load_dataset("stress-predict", tmp_path, split="S03")) == 4
    # 90-second windows: [90, 180) mixes 30 s baseline with 60 s stress -> left out
    assert len(load_dataset("stress-predict", tmp_path, split="2", window=90)) == 1


def test_errors(tmp_path):
    with pytest.raises(InputError, match="does not look like Stress-Predict"):
        load_dataset("stress-predict", tmp_path, split="all")
    make_repo(tmp_path)
    with pytest.raises(InputError, match=r"participants \[7\] not found"):
        load_dataset("stress-predict", tmp_path, split="7")
    with pytest.raises(InputError, match="no official split"):
        load_dataset("stress-predict", tmp_path, split="dev")
    with pytest.raises(ConfigError, match="'labels' parameter"):
        load_dataset("stress-predict", tmp_path, split="all", labels="ekman7")
    with pytest.raises(InputError, match="holds no E4 signal file"):  # labelled rows but no signals
        evaluate("stress-predict", tmp_path, split="all")


def test_scored_through_the_product_path(tmp_path):
    """A 20-minute session with a stress block at 8-14 min: windows read from the whole recording, as a user's."""
    pytest.importorskip("neurokit2")
    from physio_signals import START, write_stress_session

    rows = ["Participant,HR,respr,Time(sec),Label"]
    rows += [f"2,80,12.1,{START + s:.0f},{int(480 <= s < 840)}" for s in range(1200)]
    (tmp_path / "Processed_data").mkdir()
    (tmp_path / "Processed_data" / "Improved_All_Combined_hr_rsp_binary.csv").write_text("\n".join(rows) + "\n")
    write_stress_session(tmp_path / "Raw_data" / "S02")
    report = evaluate("stress-predict", tmp_path, split="2")
    assert report["n"] == 19  # 60-s windows of the labelled 20 minutes (the last one ends past the rows)
    assert report["model"] == "physio-stress-e4"
    confusion = report["confusion"]
    assert confusion["neutral"] == {"neutral": 13, "stress": 0}  # no calm window reads stress
    # the model reads change: the first half of the 6-minute block reads stress, the plateau fades (see the card)
    assert confusion["stress"]["stress"] >= 3
    assert report["metrics"]["uar"] >= 0.75


def test_unknown_label_and_missing_raw_folder(tmp_path):
    make_repo(tmp_path, participants=(2,))
    csv = tmp_path / "Processed_data" / "Improved_All_Combined_hr_rsp_binary.csv"
    csv.write_text(csv.read_text() + f"2,80,12.1,{T0 + 999},2\n")
    with pytest.raises(InputError, match=r"unknown Label values \[2\]"):
        load_dataset("stress-predict", tmp_path, split="all")
    csv.write_text(csv.read_text().replace(f"2,80,12.1,{T0 + 999},2\n", f"4,80,12.1,{T0},0\n"))
    with pytest.raises(InputError, match="S04 is missing"):
        load_dataset("stress-predict", tmp_path, split="all")
