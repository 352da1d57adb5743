import json

import pandas as pd
import pytest

import affectscope
from affectscope.errors import ConfigError, InputError


@pytest.fixture(scope="module")
def result():
    return affectscope.analyze("I can't believe you did this again. What a lovely surprise!")


def test_serialize_is_json_with_summary_and_segments(result):
    d = json.loads(result.to_json())
    assert set(d) == {"summary", "segments", "failures"}
    assert len(d["segments"]) == 2
    seg = d["segments"][0]
    assert (seg["source"], seg["start"], seg["end"]) == ("text", 0, 35)
    assert d["summary"]["label"] in {"anger", "joy", "surprise"}


@pytest.mark.parametrize("suffix", [".json", ".csv", ".parquet"])
def test_to_file_round_trips(result, tmp_path, suffix):
    p = result.to_file(tmp_path / f"out{suffix}")
    if suffix == ".json":
        back = json.loads(p.read_text(encoding="utf-8"))["segments"]
        assert [s["text"] for s in back] == list(result.frame["text"])
    else:
        back = pd.read_csv(p) if suffix == ".csv" else pd.read_parquet(p)
        assert list(back.columns[:3]) == ["source", "start", "end"]
        assert back["goemotions28:anger"].tolist() == pytest.approx(result.frame["goemotions28:anger"].tolist())


def test_to_file_errors(result, tmp_path):
    with pytest.raises(ConfigError, match=r"\.parquet"):
        result.to_file(tmp_path / "out.xlsx")
    with pytest.raises(InputError, match="does not exist"):
        result.to_file(tmp_path / "no" / "out.csv")


def test_analyze_takes_text_and_paths(notes_file):
    by_path = affectscope.analyze(notes_file)
    assert by_path.frame.index.get_level_values("source")[0] == str(notes_file)
    by_text = affectscope.analyze(notes_file.read_text(encoding="utf-8"))
    assert list(by_text.frame["label"]) == list(by_path.frame["label"])
