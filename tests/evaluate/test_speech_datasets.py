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
    touch(tmp_path, "DC_a01.wav")  # an empty file is not audio
    with pytest.raises(InputError, match=r"could not be decoded|is empty"):
        evaluate("savee", tmp_path, split="all")


def test_ravdess_scored_in_eight_classes_with_speaker_norm(tmp_path, speech_fixture):
    import shutil

    for actor in ("01", "02"):
        for code, src in (("05", "loud_fast_en"), ("02", "quiet_slow_en")):
            dst = tmp_path / f"Actor_{actor}" / f"03-01-{code}-01-01-01-{actor}.flac"
            dst.parent.mkdir(exist_ok=True)
            shutil.copy(speech_fixture(src), dst)
    d = load_dataset("ravdess", tmp_path, split="all", labels="ekman7_calm")
    assert sorted({d.labels[i] for i in d.y}) == ["anger", "calm"]
    alone = evaluate("ravdess", tmp_path, split="all", labels="ekman7_calm", num_threads=2)
    normed = evaluate("ravdess", tmp_path, split="all", labels="ekman7_calm", speaker_norm=True, num_threads=2)
    assert alone["n"] == normed["n"] == 4
    assert alone["labels"] == "ekman7_calm"
    assert (alone["speaker_norm"], normed["speaker_norm"]) == (False, True)
    assert set(alone["metrics"]) == {"accuracy", "macro_f1", "weighted_f1", "uar", "ece"}
    assert 0 <= normed["metrics"]["uar"] <= 1
    # Both speakers hold the same two recordings, so per-speaker normalisation sees the same features twice:
    # every prediction comes in pairs.
    counts = [v for row in normed["confusion"].values() for v in row.values()]
    assert sum(counts) == 4
    assert all(c % 2 == 0 for c in counts)


def test_speaker_norm_refused_for_text(tmp_path):
    (tmp_path / "val.txt").write_text("i feel so happy today;joy\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="speaker-norm needs a speech or face dataset"):
        evaluate("carer", tmp_path, split="dev", speaker_norm=True)
