"""Every adapter on a tiny fixture in its real published format."""

import numpy as np
import pytest

from affectscope.errors import ConfigError, InputError
from affectscope.evaluate.datasets import load_dataset


@pytest.fixture
def goemotions_dir(tmp_path):
    (tmp_path / "dev.tsv").write_text(
        "Thank you so much!\t15\tabc1\nI am furious\t2,3\tabc2\nok then\t27\tabc3\n", encoding="utf-8"
    )
    (tmp_path / "train.tsv").write_text("So sad to hear that.\t25\tabc4\n", encoding="utf-8")
    return tmp_path


def test_goemotions_28_and_ekman(goemotions_dir):
    d = load_dataset("goemotions", goemotions_dir, split="dev")
    assert d.kind == "multi_label"
    assert d.space == "goemotions28"
    assert d.y.shape == (3, 28)
    assert d.y[1, 2] == d.y[1, 3] == 1
    e = load_dataset("goemotions", goemotions_dir, split="dev", labels="ekman7")
    assert e.labels[e.y[0].argmax()] == "joy"  # gratitude -> joy
    assert e.y[1].tolist() == [1, 0, 0, 0, 0, 0, 0]  # anger + annoyance -> anger
    assert len(load_dataset("goemotions", goemotions_dir, split="all")) == 4


def test_goemotions_errors(goemotions_dir, tmp_path_factory):
    with pytest.raises(InputError, match=r"needs test\.tsv.*only \['dev', 'train'\]"):
        load_dataset("goemotions", goemotions_dir, split="test")
    with pytest.raises(ConfigError, match="'labels'"):
        load_dataset("goemotions", goemotions_dir, split="dev", labels="plutchik8")
    other = tmp_path_factory.mktemp("other")
    (other / "notes.md").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="does not look like goemotions"):
        load_dataset("goemotions", other, split="dev")
    (goemotions_dir / "dev.tsv").write_text("text\t99\tid\n", encoding="utf-8")
    with pytest.raises(InputError, match="out of range"):
        load_dataset("goemotions", goemotions_dir, split="dev")


def test_carer(tmp_path):
    (tmp_path / "val.txt").write_text("i feel loved;love\ni am scared;fear\n", encoding="utf-8")
    d = load_dataset("carer", tmp_path, split="dev")
    assert d.kind == "single_label"
    assert [d.labels[i] for i in d.y] == ["joy", "fear"]
    (tmp_path / "val.txt").write_text("i feel odd;boredom\n", encoding="utf-8")
    with pytest.raises(InputError, match="unknown CARER label 'boredom'"):
        load_dataset("carer", tmp_path, split="dev")


def test_isear_handles_pipes_inside_the_text(tmp_path):
    (tmp_path / "isear.csv").write_text(
        "ID|Field1|Field2|SIT|\n"
        "1|joy|x|When I passed my exam.|\n"
        "2|guilt|x|When I lied | to my mother | about it.|\n"
        "3|fear|x|Walking home alone at night.|\n",
        encoding="utf-8",
    )
    d = load_dataset("isear", tmp_path, split="all")
    assert d.items[1] == "When I lied | to my mother | about it."
    assert [d.labels[i] for i in d.y] == ["joy", "sadness", "fear"]
    with pytest.raises(InputError, match="no official split"):
        load_dataset("isear", tmp_path, split="test")


def test_isear_reads_cp1252_original(tmp_path):
    (tmp_path / "isear.csv").write_bytes("ID|Field1|SIT\n1|shame|Caf\xe9 incident.\n".encode("cp1252"))
    d = load_dataset("isear", tmp_path, split="all")
    assert d.items == ["Café incident."]


def test_semeval(tmp_path):
    cols = [
        "anger",
        "anticipation",
        "disgust",
        "fear",
        "joy",
        "love",
        "optimism",
        "pessimism",
        "sadness",
        "surprise",
        "trust",
    ]
    (tmp_path / "2018-E-c-En-dev.txt").write_text(
        "ID\tTweet\t" + "\t".join(cols) + "\n"
        '2018-En-1\tSo "happy" today!\t0\t0\t0\t0\t1\t1\t1\t0\t0\t0\t0\n'
        "2018-En-2\tWaiting...\t0\t1\t0\t0\t0\t0\t0\t0\t0\t0\t1\n",
        encoding="utf-8",
    )
    d = load_dataset("semeval2018-ec", tmp_path, split="dev")
    assert d.items[0] == 'So "happy" today!'
    assert d.labels[int(np.argmax(d.y[0]))] == "joy"
    assert d.y[0].sum() == 1
    assert d.y[1].tolist() == [0, 0, 0, 0, 0, 0, 1]  # anticipation + trust only -> neutral


def test_emobank(tmp_path):
    (tmp_path / "emobank.csv").write_text(
        'id,split,V,A,D,text\na,dev,5.0,3.0,1.0,"Great, really great."\nb,train,1.0,3.0,3.0,Awful.\n',
        encoding="utf-8",
    )
    d = load_dataset("emobank", tmp_path, split="dev")
    assert d.kind == "regression"
    assert d.items == ["Great, really great."]
    assert d.y.tolist() == [[1.0, 0.0, -1.0]]
    with pytest.raises(InputError, match="no rows with split 'test'"):
        load_dataset("emobank", tmp_path, split="test")


def test_unknown_dataset_and_split(tmp_path):
    with pytest.raises(ConfigError, match="'dataset'"):
        load_dataset("imdb", tmp_path)
    with pytest.raises(ConfigError, match="'split'"):
        load_dataset("carer", tmp_path, split="validation")
    with pytest.raises(InputError, match="does not exist"):
        load_dataset("carer", tmp_path / "missing", split="dev")


def test_meld_groups_by_dialogue_and_normalises_apostrophes(tmp_path):
    (tmp_path / "dev_sent_emo.csv").write_text(
        "Sr No.,Utterance,Speaker,Emotion,Sentiment,Dialogue_ID,Utterance_ID,Season,Episode,StartTime,EndTime\n"
        '1,You must’ve had your hands full.,Chandler,surprise,positive,0,0,8,21,"00:16:16,059","00:16:21,731"\n'
        '2,"Oh, no!",Ross,fear,negative,1,0,8,21,"00:16:22,000","00:16:23,000"\n',
        encoding="utf-8",
    )
    d = load_dataset("meld", tmp_path, split="dev")
    assert d.items[0] == "You must've had your hands full."
    assert [d.labels[i] for i in d.y] == ["surprise", "fear"]
    assert list(d.groups) == ["dev/0", "dev/1"]


def test_emorynlp_maps_the_feeling_wheel(tmp_path):
    (tmp_path / "emorynlp_dev_final.csv").write_text(
        "Utterance,Speaker,Emotion,Scene_ID,Utterance_ID,Season,Episode,Start_Time,End_Time\n"
        "\"I did it!\",['Joey Tribbiani'],Powerful,1,1,1,2,00:00:02.877,00:00:07.548\n"
        "Go away.,['Monica Geller'],Mad,1,2,1,2,00:00:04.504,00:00:07.548\n",
        encoding="utf-8",
    )
    d = load_dataset("emorynlp", tmp_path, split="dev")
    assert [d.labels[i] for i in d.y] == ["joy", "anger"]
    assert d.groups[0] == "dev/1/2/1"
    (tmp_path / "emorynlp_dev_final.csv").write_text("Text,Label\nhi,Mad\n", encoding="utf-8")
    with pytest.raises(InputError, match="does not look like emorynlp"):
        load_dataset("emorynlp", tmp_path, split="dev")


def test_iemocap(tmp_path):
    (tmp_path / "dev.csv").write_text(
        "split,dialogue_id,utt_index,speaker,label_id,label,text\n"
        "valid,Ses01F_impro01,0,F,5,fru,Do you have your forms?\n"
        "valid,Ses01F_impro01,1,M,4,exc,That's wonderful!\n",
        encoding="utf-8",
    )
    d = load_dataset("iemocap", tmp_path, split="dev")
    assert [d.labels[i] for i in d.y] == ["anger", "joy"]
    (tmp_path / "dev.csv").write_text(
        "split,dialogue_id,utt_index,speaker,label_id,label,text\nvalid,x,0,F,9,xxx,hi\n", encoding="utf-8"
    )
    with pytest.raises(InputError, match="unknown iemocap label 'xxx'"):
        load_dataset("iemocap", tmp_path, split="dev")


def test_generic_csv(tmp_path):
    p = tmp_path / "mine.csv"
    p.write_text("body,emotion,part\nI love it,Joy,dev\nSo scary,fear,train\n", encoding="utf-8")
    d = load_dataset("csv", p, split="dev", text_column="body", label_column="emotion", split_column="part")
    assert d.items == ["I love it"]
    assert d.labels[d.y[0]] == "joy"
    with pytest.raises(InputError, match="lacks the columns"):
        load_dataset("csv", p, split="all")
    p.write_text("text,label\nhmm,boredom\n", encoding="utf-8")
    with pytest.raises(InputError, match="not in ekman7"):
        load_dataset("csv", p, split="all")


def test_conversation_sets_keep_speakers_turn_order_and_native_labels(tmp_path):
    # rows out of order on purpose: the adapter restores dialogue order by turn number
    (tmp_path / "emorynlp_dev_final.csv").write_text(
        "Utterance,Speaker,Emotion,Scene_ID,Utterance_ID,Season,Episode,Start_Time,End_Time\n"
        "Go away.,['Monica Geller'],Mad,1,2,1,2,00:00:04.504,00:00:07.548\n"
        "\"I did it!\",\"['Joey Tribbiani', 'Ross Geller']\",Powerful,1,1,1,2,00:00:02.877,00:00:07.548\n"
        "So calm here.,['Rachel Green'],Peaceful,2,1,1,2,00:01:00.000,00:01:02.000\n",
        encoding="utf-8",
    )
    d = load_dataset("emorynlp", tmp_path, split="dev", labels="emorynlp7")
    assert d.modality == "conversation"
    assert d.space == "emorynlp7"
    assert d.items == ["I did it!", "Go away.", "So calm here."]
    assert list(d.speakers) == ["Joey Tribbiani, Ross Geller", "Monica Geller", "Rachel Green"]
    assert [d.labels[i] for i in d.y] == ["powerful", "mad", "peaceful"]
    assert list(d.groups) == ["dev/1/2/1", "dev/1/2/1", "dev/1/2/2"]
    with pytest.raises(ConfigError, match="emorynlp7"):
        load_dataset("emorynlp", tmp_path, split="dev", labels="iemocap6")


def test_iemocap_native_labels(tmp_path):
    (tmp_path / "dev.csv").write_text(
        "split,dialogue_id,utt_index,speaker,label_id,label,text\n"
        "valid,Ses01F_impro01,0,F,5,fru,Do you have your forms?\n"
        "valid,Ses01F_impro01,1,M,4,exc,That's wonderful!\n",
        encoding="utf-8",
    )
    d = load_dataset("iemocap", tmp_path, split="dev", labels="iemocap6")
    assert [d.labels[i] for i in d.y] == ["frustration", "excitement"]
    assert list(d.speakers) == ["F", "M"]
