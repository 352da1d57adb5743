"""Speech adapters on tiny fixtures: empty files named and placed exactly as each corpus publishes them."""

import pytest

from affectscope.errors import ConfigError, InputError
from affectscope.evaluate import evaluate
from affectscope.evaluate.datasets import load_dataset


def test_ravdess_keeps_audio_only_speech_and_splits_by_actor(tmp_path, touch, labels_of):
    touch(
        tmp_path,
        "Actor_01/03-01-05-01-01-01-01.wav",  # speech, angry
        "Actor_01/03-02-03-01-01-01-01.wav",  # song: left out
        "Actor_19/03-01-02-01-01-01-19.flac",  # calm -> neutral
    )
    d = load_dataset("ravdess", tmp_path, split="all")
    assert labels_of(d) == ["anger", "neutral"]
    assert list(d.groups) == ["01", "19"]
    assert labels_of(load_dataset("ravdess", tmp_path, split="19")) == ["neutral"]
    with pytest.raises(InputError, match=r"speakers \['07'\] not found"):
        load_dataset("ravdess", tmp_path, split="07")
    with pytest.raises(InputError, match="no official split"):
        load_dataset("ravdess", tmp_path, split="test")
    touch(tmp_path, "Actor_02/bad-name.wav")
    with pytest.raises(InputError, match="not a RAVDESS file name"):
        load_dataset("ravdess", tmp_path, split="all")


def test_tess_folder_names(tmp_path, touch, labels_of):
    touch(
        tmp_path,
        "OAF_Pleasant_surprise/OAF_back_ps.wav",
        "YAF_pleasant_surprised/YAF_bath_ps.wav",
        "OAF_Fear/OAF_back_fear.flac",
    )
    d = load_dataset("tess", tmp_path, split="all")
    assert sorted(labels_of(d)) == ["fear", "surprise", "surprise"]
    assert set(d.groups) == {"OAF", "YAF"}


def test_emodb_leaves_out_boredom(tmp_path, touch, labels_of):
    touch(tmp_path, "03a01Fa.wav", "03a01La.wav", "16/16b10Wb.wav")
    d = load_dataset("emodb", tmp_path, split="all")
    assert labels_of(d) == ["joy", "anger"]
    assert d.mapping["L"] is None


def test_savee_and_cremad(tmp_path, touch, labels_of):
    touch(tmp_path / "savee", "DC_a01.wav", "JK_sa12.wav", "KL_su03.flac")
    assert labels_of(load_dataset("savee", tmp_path / "savee", split="all")) == ["anger", "sadness", "surprise"]
    touch(tmp_path / "crema", "1001_DFA_ANG_XX.wav", "1002_IEO_HAP_HI.mp3")
    d = load_dataset("crema-d", tmp_path / "crema", split="1002")
    assert labels_of(d) == ["joy"]


def test_wrong_folder_and_unscorable_modality(tmp_path, touch, labels_of):
    with pytest.raises(InputError, match="no audio files"):
        load_dataset("savee", tmp_path, split="all")
    touch(tmp_path, "DC_a01.wav")
    with pytest.raises(ConfigError, match="ships only"):
        evaluate("savee", tmp_path, split="all")
