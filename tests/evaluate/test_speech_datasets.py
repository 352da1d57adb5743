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


# --- CREMA-D held-out format (votes, demographics), ESD, URDU: tiny real audio files written with soundfile ---

VOTES_HEADER = '"","A","D","F","H","N","S","fileName","numResponses","agreement","emoVote"\n'


def _write_audio(root, *names, seconds=0.1):
    import numpy as np
    import soundfile as sf

    rng = np.random.default_rng(0)
    for n in names:
        p = root / n
        p.parent.mkdir(parents=True, exist_ok=True)
        y = (0.1 * rng.standard_normal(int(16000 * seconds))).astype("float32")
        if p.suffix == ".ogg":
            sf.write(p, y, 16000, format="OGG", subtype="OPUS")
        else:
            sf.write(p, y, 16000)  # FLAC / WAV from the suffix


def _cremad_corpus(root, suffix=".flac"):
    _write_audio(
        root,
        f"1001/1001_DFA_ANG_XX{suffix}",
        f"1001/1001_IEO_HAP_HI{suffix}",
        f"1002/1002_TIE_SAD_XX{suffix}",
        f"1077/1077_ITS_NEU_XX{suffix}",
    )
    (root / "votes.csv").write_text(
        VOTES_HEADER
        + '"100001",6,0,0,0,2,0,"1001_DFA_ANG_XX",8,0.75,"A"\n'
        + '"200001",0,0,0,0,9,0,"1001_DFA_ANG_XX",9,1,"N"\n'  # face only: ignored
        + '"100002",0,0,0,5,5,0,"1001_IEO_HAP_HI",10,0.5,"H:N"\n'
        + '"300003",0,0,0,0,0,9,"1002_TIE_SAD_XX",9,1,"S"\n'  # audio-visual only: 1002_TIE_SAD_XX has no votes
        + '"100099",1,0,0,0,0,0,"1090_DFA_ANG_XX",1,1,"A"\n'  # a clip that is not here: ignored
        + '"100004",0,1,0,0,3,0,"1077_ITS_NEU_XX",4,0.75,"N"\n',
        encoding="utf-8",
    )
    (root / "demographics.csv").write_text(
        '"ActorID","Age","Sex","Race","Ethnicity"\n'
        '1001,51,"Male","Caucasian","Not Hispanic"\n'
        '1002,21,"Female","African American","Hispanic"\n',
        encoding="utf-8",
    )


def test_cremad_held_out_flac_votes_and_demographics(tmp_path, labels_of):
    import numpy as np

    _cremad_corpus(tmp_path)
    d = load_dataset("crema-d", tmp_path, split="all")
    assert labels_of(d) == ["anger", "joy", "sadness", "neutral"]
    assert d.groups.tolist() == ["1001", "1001", "1002", "1077"]
    assert d.votes_labels == ["anger", "disgust", "fear", "joy", "neutral", "sadness"]
    assert d.votes.shape == (4, 6)
    np.testing.assert_allclose(d.votes[0], [0.75, 0, 0, 0, 0.25, 0])  # voice-only row, face-only row ignored
    np.testing.assert_allclose(d.votes[1], [0, 0, 0, 0.5, 0.5, 0])
    assert np.isnan(d.votes[2]).all()  # no voice-only votes
    np.testing.assert_allclose(d.votes[3], [0, 0.25, 0, 0, 0.75, 0])
    assert d.notes["clips_without_votes"] == 1
    assert d.demographics["sex"].tolist() == ["Male", "Male", "Female", "unknown"]
    assert d.demographics["age"].tolist() == ["50-59", "50-59", "20-29", "unknown"]
    assert d.demographics["race"].tolist() == ["Caucasian", "Caucasian", "African American", "unknown"]
    assert d.notes["actors_without_demographics"] == ["1077"]
    # a speaker split keeps votes and groups aligned with the items kept
    s = load_dataset("crema-d", tmp_path, split="1077,1002")
    assert [p.rsplit("/", 1)[-1] for p in s.items] == ["1002_TIE_SAD_XX.flac", "1077_ITS_NEU_XX.flac"]
    assert np.isnan(s.votes[0]).all()
    assert s.votes[1, 4] == 0.75
    assert s.demographics["sex"].tolist() == ["Female", "unknown"]


def test_cremad_dev_copy_ogg_and_no_side_files(tmp_path, labels_of):
    _write_audio(tmp_path, "1003/1003_WSI_FEA_XX.ogg", "1003/1003_IEO_DIS_LO.ogg")
    d = load_dataset("crema-d", tmp_path, split="all")
    assert labels_of(d) == ["disgust", "fear"]
    assert d.votes is None
    assert d.demographics is None
    assert d.notes == {}


def test_cremad_age_bands(tmp_path):
    from affectscope.evaluate.datasets.speech import _age_band

    assert [_age_band(a, tmp_path) for a in ("19", "20", "29", "30", "45", "59", "60", "74", "NA")] == [
        "<20",
        "20-29",
        "20-29",
        "30-39",
        "40-49",
        "50-59",
        "60+",
        "60+",
        "unknown",
    ]


def test_cremad_malformed_names_and_side_files(tmp_path):
    root = tmp_path / "a"
    _write_audio(root, "1001/1001_DFA_ANG.flac")
    with pytest.raises(InputError, match=r"1001_DFA_ANG\.flac is not a CREMA-D file name; expected <ActorID>_<SEN>"):
        load_dataset("crema-d", root, split="all")
    root = tmp_path / "b"
    _write_audio(root, "1002/1001_DFA_ANG_XX.flac")
    with pytest.raises(InputError, match=r"1001_DFA_ANG_XX\.flac lies in the folder of actor 1002"):
        load_dataset("crema-d", root, split="all")
    root = tmp_path / "c"
    _write_audio(root, "1001/1001_DFA_XYZ_XX.flac")
    with pytest.raises(InputError, match="unknown crema-d emotion code 'XYZ'"):
        load_dataset("crema-d", root, split="all")
    root = tmp_path / "d"
    _write_audio(root, "1001/1001_DFA_ANG_XX.flac")
    (root / "votes.csv").write_text('"","A","D","F","fileName"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"votes\.csv lacks the columns \['H', 'N', 'S'\]"):
        load_dataset("crema-d", root, split="all")
    (root / "votes.csv").write_text(
        VOTES_HEADER + '"100001",1,0,0,0,0,0,"1001_DFA_ANG_XX"\n"100001",1,0,0,0,0,0,"1001_DFA_ANG_XX"\n',
        encoding="utf-8",
    )
    with pytest.raises(InputError, match="two voice-only rows"):
        load_dataset("crema-d", root, split="all")
    (root / "votes.csv").write_text(VOTES_HEADER + '"100001",x,0,0,0,0,0,"1001_DFA_ANG_XX"\n', encoding="utf-8")
    with pytest.raises(InputError, match="line 2: expected counts"):
        load_dataset("crema-d", root, split="all")
    (root / "votes.csv").unlink()
    (root / "demographics.csv").write_text('"ActorID","Age","Sex"\n1001,51,"Male"\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"lacks the columns \['Race'\]"):
        load_dataset("crema-d", root, split="all")


def test_esd_folder_labels_txt_check_and_subsets(tmp_path, labels_of):
    _write_audio(
        tmp_path,
        "0011/Angry/0011_000351.flac",
        "0011/Surprise/0011_001401.flac",
        "0011/Sad/train/0011_001051.flac",  # the authors' train/evaluation/test subfolders
        "0012/Happy/0012_000701.flac",
        "0001/Neutral/0001_000001.flac",  # a Chinese speaker
    )
    (tmp_path / "0011" / "0011.txt").write_text(
        "0011_000001\tAuthor of the danger trail.\tNeutral\n"  # more lines than audio files
        "0011_000351\tSome text.\tAngry\n"
        "0011_001051\tSome text.\tAngry\n"  # disagrees with its folder (Sad): the folder wins, counted
        "\n",
        encoding="utf-8",
    )
    (tmp_path / "0001" / "0001.txt").write_bytes("0001_000001\t打远一看\t中立\n".encode("gb18030"))
    d = load_dataset("esd", tmp_path, split="all")
    assert labels_of(d) == ["neutral", "anger", "sadness", "surprise", "joy"]
    assert d.groups.tolist() == ["0001", "0011", "0011", "0011", "0012"]
    assert d.mapping == {
        "Angry": "anger",
        "Happy": "joy",
        "Neutral": "neutral",
        "Sad": "sadness",
        "Surprise": "surprise",
    }
    assert d.notes["txt_label_disagreements"] == 1
    assert d.notes["txt_label_disagreement_examples"] == ["0011_001051.flac"]
    assert d.notes["files_missing_from_txt"] == 1  # 0011_001401 has no line; 0012 has no txt at all
    assert d.notes["speakers_with_txt"] == ["0001", "0011"]
    assert labels_of(load_dataset("esd", tmp_path, split="0012")) == ["joy"]
    assert labels_of(load_dataset("esd", tmp_path / "0012", split="all")) == ["joy"]  # one speaker's folder


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "0011/Angry/0011_12.flac",
            r"0011_12\.flac is not an ESD file name of speaker folder '0011'; expected <speaker>/",
        ),
        ("0011/Angry/0012_000001.flac", r"0012_000001\.flac is not an ESD file name of speaker folder '0011'"),
        ("0011/Fearful/0011_000001.flac", r"0011_000001\.flac is not where ESD keeps its files; expected <speaker>/"),
    ],
)
def test_esd_malformed(tmp_path, name, message):
    _write_audio(tmp_path, name)
    with pytest.raises(InputError, match=message):
        load_dataset("esd", tmp_path, split="all")


def test_urdu_folder_labels_speakers_and_sex(tmp_path, labels_of):
    _write_audio(
        tmp_path,
        "Angry/SM1_F1_A001.flac",
        "Happy/SF2_F10_H012.flac",
        "Neutral/SM1_F3_N100.flac",
        "Sad/SF2_F4_N007.flac",  # its letter says Neutral: the folder wins, counted
    )
    d = load_dataset("urdu", tmp_path, split="all")
    assert labels_of(d) == ["anger", "joy", "neutral", "sadness"]
    assert d.groups.tolist() == ["SM1", "SF2", "SM1", "SF2"]
    assert list(d.demographics) == ["sex"]
    assert d.demographics["sex"].tolist() == ["Male", "Female", "Male", "Female"]
    assert d.notes["name_label_disagreements"] == 1
    s = load_dataset("urdu", tmp_path, split="SF2")
    assert labels_of(s) == ["joy", "sadness"]
    assert s.demographics["sex"].tolist() == ["Female", "Female"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (
            "Angry/SM1_A001.flac",
            r"SM1_A001\.flac is not a URDU file name; expected <Angry\|Happy\|Neutral\|Sad>/S<M\|F>",
        ),
        ("Angry/SX1_F1_A001.flac", r"SX1_F1_A001\.flac is not a URDU file name"),
        ("Fear/SM1_F1_A001.flac", r"SM1_F1_A001\.flac is not in an emotion folder; expected <Angry"),
    ],
)
def test_urdu_malformed(tmp_path, name, message):
    _write_audio(tmp_path, name)
    with pytest.raises(InputError, match=message):
        load_dataset("urdu", tmp_path, split="all")


def test_js_votes_math():
    import numpy as np
    from scipy.spatial.distance import jensenshannon

    from affectscope.evaluate import metrics as m

    # Ekman-7 order: anger, disgust, fear, joy, sadness, surprise, neutral; CREMA-D: A, D, F, H, N, S
    cols = [0, 1, 2, 3, 6, 4]
    p = np.array(
        [
            [0.6, 0.0, 0.0, 0.0, 0.0, 0.2, 0.2],  # surprise dropped: (0.75, 0, 0, 0, 0.25, 0)
            [0.1, 0.1, 0.1, 0.1, 0.1, 0.4, 0.1],
            [0.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0],  # all mass on surprise: uniform over the 6
        ]
    )
    v = np.array([[0.75, 0, 0, 0, 0.25, 0], [0, 0, 0, 1.0, 0, 0], [np.nan] * 6])
    assert m.js_votes(p, v, columns=cols) == pytest.approx(
        (0.0 + jensenshannon(np.full(6, 1 / 6), v[1], base=2) ** 2) / 2
    )
    v[2] = [0, 0, 0, 0, 0, 1.0]
    third = jensenshannon(np.full(6, 1 / 6), v[2], base=2) ** 2
    assert m.js_votes(p[2:], v[2:], columns=cols) == pytest.approx(third)
    assert m.js_votes(np.array([[1.0, 0.0]]), np.array([[0.0, 1.0]])) == pytest.approx(1.0)  # base 2: at most 1
    with pytest.raises(InputError, match="at least one item with votes"):
        m.js_votes(p[:1], np.full((1, 6), np.nan), columns=cols)
    with pytest.raises(InputError, match="columns"):
        m.js_votes(p, v, columns=[0, 1, 2])


def test_score_adds_js_votes_and_by_group_only_when_there():
    import numpy as np

    from affectscope.evaluate import score
    from affectscope.evaluate.datasets import EvalData

    ek = ["anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"]
    d = EvalData("toy", "all", "speech", "single_label", "ekman7", ek, ["a", "b", "c"], np.array([0, 3, 0]))
    probs = np.array([[0.9, 0, 0, 0.1, 0, 0, 0], [0.8, 0, 0, 0.2, 0, 0, 0], [0.1, 0, 0, 0.9, 0, 0, 0]])
    plain = score(d, {"ekman7": probs})
    assert "by_group" not in plain
    assert "n_votes" not in plain
    assert "js_votes" not in plain["metrics"]
    d.votes = np.array([[1.0, 0, 0, 0, 0, 0], [np.nan] * 6, [0.5, 0, 0, 0.5, 0, 0]])
    d.votes_labels = ["anger", "disgust", "fear", "joy", "neutral", "sadness"]
    d.demographics = {"sex": np.array(["Male", "Female", "Male"]), "age": np.array(["60+", "20-29", "<20"])}
    r = score(d, {"ekman7": probs})
    from affectscope.evaluate.metrics import js_votes

    assert r["metrics"]["js_votes"] == pytest.approx(js_votes(probs, d.votes, columns=[0, 1, 2, 3, 6, 4]), abs=1e-4)
    assert r["n_votes"] == 2
    assert r["by_group"] == {
        "sex": {"Female": {"n": 1, "uar": 0.0}, "Male": {"n": 2, "uar": 0.5}},
        "age": {"<20": {"n": 1, "uar": 0.0}, "20-29": {"n": 1, "uar": 0.0}, "60+": {"n": 1, "uar": 1.0}},
    }
    assert list(r["by_group"]["age"]) == ["<20", "20-29", "60+"]


class _FakeSpeech:
    """Stands in for the speech recognizer: fixed Ekman-7 outputs, one row per decoded file."""

    def __init__(self, probs):
        import numpy as np

        self.probs = np.asarray(probs, dtype=float)
        self.bundle = type("B", (), {"name": "fake-speech"})()

    def predict_signals(self, signals, groups=None):
        n = sum(1 for _ in signals)
        assert n == len(self.probs)
        return {"ekman7": self.probs}


def test_evaluate_cremad_reports_js_votes_by_group_and_notes(tmp_path, monkeypatch):
    import json

    import numpy as np

    from affectscope.evaluate import harness

    _cremad_corpus(tmp_path)
    # items: 1001 ANG, 1001 HAP, 1002 SAD, 1077 NEU; the fake gets anger, joy, neutral, neutral
    probs = np.eye(7)[[0, 3, 6, 6]] * 0.7 + 0.3 / 7
    monkeypatch.setattr(harness, "_recognizer", lambda *a, **k: _FakeSpeech(probs))
    r = evaluate("crema-d", tmp_path, split="all")
    json.dumps(r)
    assert r["model"] == "fake-speech"
    assert r["n"] == 4
    assert r["n_votes"] == 3
    d = load_dataset("crema-d", tmp_path, split="all")
    expected = harness.m.js_votes(probs, d.votes, columns=[0, 1, 2, 3, 6, 4])
    assert r["metrics"]["js_votes"] == pytest.approx(expected, abs=1e-4)
    assert 0 < r["metrics"]["js_votes"] < 1
    assert r["by_group"]["sex"] == {
        "Female": {"n": 1, "uar": 0.0},
        "Male": {"n": 2, "uar": 1.0},
        "unknown": {"n": 1, "uar": 1.0},
    }
    assert set(r["by_group"]) == {"sex", "age", "race", "ethnicity"}
    assert r["by_group"]["age"]["50-59"] == {"n": 2, "uar": 1.0}
    assert r["adapter_notes"] == {"clips_without_votes": 1, "actors_without_demographics": ["1077"]}


def test_evaluate_urdu_and_esd_with_a_fake_model(tmp_path, monkeypatch):
    import numpy as np

    from affectscope.evaluate import harness

    _write_audio(tmp_path / "urdu", "Angry/SM1_F1_A001.flac", "Happy/SF2_F10_H012.flac", "Sad/SF2_F4_S007.flac")
    probs = np.eye(7)[[0, 3, 5]]  # the sad file is heard as surprise: a miss in the 4 classes present
    monkeypatch.setattr(harness, "_recognizer", lambda *a, **k: _FakeSpeech(probs))
    r = evaluate("urdu", tmp_path / "urdu", split="all")
    assert r["metrics"]["uar"] == pytest.approx(2 / 3, abs=1e-4)
    assert r["by_group"] == {"sex": {"Female": {"n": 2, "uar": 0.5}, "Male": {"n": 1, "uar": 1.0}}}
    assert "js_votes" not in r["metrics"]
    _write_audio(
        tmp_path / "esd", "0011/Angry/0011_000351.flac", "0011/Happy/0011_000701.flac", "0012/Happy/0012_000702.flac"
    )
    r = evaluate("esd", tmp_path / "esd", split="all")
    assert "by_group" not in r
    assert r["adapter_notes"]["txt_label_disagreements"] == 0


def test_esd_transcripts_in_utf16_with_crlf_line_ends(tmp_path):
    """ESD's per-speaker .txt may come as UTF-16 with a byte-order mark and Windows line ends."""
    from affectscope.evaluate.datasets import load_dataset

    _write_audio(tmp_path, "0011/Angry/0011_000351.flac", "0011/Sad/0011_001051.flac")
    lines = "0011_000351\tSome text.\tAngry\r\n0011_001051\tOther text.\tSad\r\n0011_001052\tMore.\tSad\r\n"
    (tmp_path / "0011" / "0011.txt").write_bytes(lines.encode("utf-16"))
    d = load_dataset("esd", tmp_path, split="all")
    assert len(d.items) == 2
    assert d.notes["speakers_with_txt"] == ["0011"]
    assert d.notes["txt_label_disagreements"] == 0  # "Sad\r" read as "Sad"
    assert d.notes["files_missing_from_txt"] == 0
