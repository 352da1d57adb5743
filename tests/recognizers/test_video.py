"""Video: faces, voice and subtitles of one recording merged on one timeline (videos generated here)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("mediapipe")
pytest.importorskip("av")


@pytest.fixture(scope="module")
def talking_video(tmp_path_factory, astronaut, speech_fixture):
    """The smiling astronaut over 4 s of synthetic angry-sounding speech, with a sidecar .srt."""
    import soundfile as sf

    from affectscope.media.video import write_test_video

    y, sr = sf.read(speech_fixture("loud_fast_en"), dtype="float32")
    folder = tmp_path_factory.mktemp("talk")
    n = int(np.ceil(len(y) / sr * 10))
    video = write_test_video(folder / "talk.mp4", [astronaut] * n, fps=10, audio=y, sampling_rate=sr)
    (folder / "talk.srt").write_text(
        "1\n00:00:00,000 --> 00:00:01,500\nI am so happy to see you!\n\n"
        "2\n00:00:02,000 --> 00:00:03,500\nThis is terrible, I am scared.\n",
        encoding="utf-8",
    )
    return video


@pytest.fixture(scope="module")
def video_recognizer():
    from affectscope.recognizers.video import VideoRecognizer

    return VideoRecognizer(transcript=False, num_threads=2)


def test_faces_voice_and_subtitles_share_one_timeline(video_recognizer, talking_video):
    r = video_recognizer.process_file(talking_video)
    frame = r.frame
    assert set(frame["modality"]) == {"face", "speech", "text", "fusion"}
    starts = frame.index.get_level_values("start")
    assert list(starts) == sorted(starts)
    assert set(frame.index.get_level_values("source")) == {str(talking_video)}
    subs = frame[frame["modality"] == "text"]
    assert list(subs["text"]) == ["I am so happy to see you!", "This is terrible, I am scared."]
    assert list(subs["label"]) == ["joy", "fear"]
    faces = frame[frame["modality"] == "face"]
    assert set(faces["track"]) == {"face1"}
    assert (faces["label"] == "joy").all()
    assert len(frame[frame["modality"] == "speech"]) >= 1
    s = r.summary
    assert set(s["modalities"]) == {"face", "speech", "subtitles"}
    assert s["modalities"]["subtitles"]["n_cues"] == 2
    assert set(s["labels_by_modality"]) == {"face", "speech", "text"}
    assert s["label"] == "joy"  # the smiling face carries it; the voice is near its own median
    assert s["fusion"].startswith("fusion-loglinear")
    assert s["rationale"].startswith("Cues: face smile")
    assert "voice" in s["rationale"]
    assert "Label: joy" in s["rationale"]
    assert "Face:" in s["modalities"]["face"]["rationale"]
    # every row of every modality cites its cues
    assert frame["evidence"].map(lambda e: isinstance(e, str) and len(e) > 0).all()
    assert frame.loc[frame["modality"] != "face", "rationale"].str.startswith("Cues:").all()
    fused = frame[frame["modality"] == "fusion"]
    voice = frame[frame["modality"] == "speech"]
    assert len(fused) == len(voice)  # utterance windows: one fused row per voice segment
    assert (fused["modalities"].str.startswith("face+speech")).all()
    np.testing.assert_allclose(fused.filter(like="ekman7:").sum(axis=1), 1.0, atol=1e-6)
    assert fused["rationale"].str.startswith("Cues:").all()
    r.to_json()  # everything serialises


def test_a_part_of_the_video(video_recognizer, talking_video):
    r = video_recognizer.process_file(talking_video, start=2.0, end=3.0)
    starts = r.frame.index.get_level_values("start")
    ends = r.frame.index.get_level_values("end")
    assert (ends > 2.0).all()
    assert (starts < 3.0).all()
    assert list(r.frame[r.frame["modality"] == "text"]["text"]) == ["This is terrible, I am scared."]


def test_silent_video_without_subtitles_has_faces_only(video_recognizer, astronaut, tmp_path):
    from affectscope.media.video import write_test_video

    f = write_test_video(tmp_path / "mute.mp4", [astronaut] * 10, fps=10)
    r = video_recognizer.process_file(f)
    assert set(r.frame["modality"]) == {"face", "fusion"}
    assert set(r.summary["modalities"]) == {"face"}
    assert r.summary["label"] == "joy"
    assert r.summary["incongruence"] == 0.0
    assert not r.summary["incongruent"]
    assert "only face reads joy" in r.summary["rationale"]


def test_batch_records_a_broken_video_and_goes_on(video_recognizer, astronaut, tmp_path):
    from affectscope.media.video import write_test_video

    good = write_test_video(tmp_path / "ok.mp4", [astronaut] * 5, fps=10)
    bad = tmp_path / "zero.mp4"
    bad.write_bytes(b"")
    r = video_recognizer.process_files([good, bad])
    assert [f["source"] for f in r.failures] == [str(bad)]
    assert r.failures[0]["error"] == "InputError"
    assert set(r.frame.index.get_level_values("source")) == {str(good)}
    assert str(good) in r.summary["sources"]


def test_fixed_fusion_windows_and_no_fusion(talking_video):
    from affectscope.recognizers.video import VideoRecognizer

    r = VideoRecognizer(transcript=False, window=1.0, evidence=False, num_threads=2).process_file(talking_video)
    fused = r.frame[r.frame["modality"] == "fusion"]
    assert list(fused.index.get_level_values("end") - fused.index.get_level_values("start")) == [1.0] * len(fused)
    assert len(fused) == 4
    subs = r.frame[r.frame["modality"] == "text"]
    assert subs["evidence"].str.startswith("not computed").all()
    plain = VideoRecognizer(transcript=False, fusion=False, num_threads=2).process_file(talking_video)
    assert "fusion" not in set(plain.frame["modality"])
    assert plain.summary["fusion"].startswith("unweighted mean")


def test_smiling_face_with_an_angry_voice_is_flagged():
    """Fused rows over synthetic rows: a confident smile against a confident angry voice is incongruent."""
    import pandas as pd

    from affectscope.fusion import Fuser

    labels = ["anger", "disgust", "fear", "joy", "sadness", "surprise", "neutral"]
    smile = [0.01, 0.01, 0.01, 0.94, 0.01, 0.01, 0.01]
    angry = [0.9, 0.02, 0.02, 0.02, 0.02, 0.01, 0.01]
    rows = [("v", t / 5, t / 5, "face", smile, "smile 0.90") for t in range(10)]
    rows += [("v", 0.0, 2.0, "speech", angry, "louder +6.0 dB (vs this recording)")]
    rows += [("v", 3.0, 4.0, "speech", smile, "higher pitch +2.0 st (vs this recording)")]
    rows += [("v", t / 5, t / 5, "face", smile, "smile 0.90") for t in range(15, 20)]
    idx = pd.MultiIndex.from_tuples([r[:3] for r in rows], names=["source", "start", "end"])
    f = pd.DataFrame([r[4] for r in rows], index=idx, columns=[f"ekman7:{c}" for c in labels])
    f["modality"] = [r[3] for r in rows]
    f["evidence"] = [r[5] for r in rows]
    fuser = Fuser()
    fused = fuser.fuse(f)
    assert list(fused["incongruent"]) == [True, False]
    assert "incongruent" in fused["rationale"].iloc[0]
    assert "louder" in fused["evidence"].iloc[0]
    s = fuser.summarize(f, fused)
    assert s["incongruent_windows"] == [{"start": 0.0, "end": 2.0, "modalities": "face+speech"}]
    assert s["labels_by_modality"] == {"face": "joy", "speech": "anger"} or s["labels_by_modality"]["face"] == "joy"


def test_progress_is_reported(video_recognizer, talking_video):
    shares = []
    video_recognizer.process_file(talking_video, progress=shares.append)
    assert shares == sorted(shares)
    assert len(shares) >= 4
    assert 0 < shares[0] < 0.7
    assert shares[-1] == 0.95


@pytest.mark.parametrize(
    ("kwargs", "name"),
    [
        ({"fps": 0}, "fps"),
        ({"fps": 61}, "fps"),
        ({"fps": float("nan")}, "fps"),
        ({"window": 1e-6}, "window"),
        ({"window": 1e-300}, "window"),
        ({"window": 4000}, "window"),
        ({"window": "sentence"}, "window"),
        ({"max_faces": 0}, "max_faces"),
        ({"max_faces": 101}, "max_faces"),
        ({"min_face_size": 4}, "min_face_size"),
    ],
)
def test_option_bounds_are_checked_before_any_model_loads(kwargs, name):
    import time

    from affectscope.errors import ConfigError
    from affectscope.recognizers.video import VideoRecognizer

    t0 = time.perf_counter()
    with pytest.raises(ConfigError, match=f"The '{name}' parameter of VideoRecognizer must be"):
        VideoRecognizer(**kwargs)
    assert time.perf_counter() - t0 < 1


def test_rows_never_run_past_the_end_or_the_clip(video_recognizer, talking_video, tmp_path):
    import shutil

    from affectscope.media.video import probe_video

    duration = probe_video(talking_video).duration
    clip = tmp_path / "talk.mp4"
    shutil.copy(talking_video, clip)
    (tmp_path / "talk.srt").write_text(  # a cue that runs on after the video ends
        "1\n00:00:01,000 --> 00:00:30,000\nI am so happy to see you!\n", encoding="utf-8"
    )
    whole = video_recognizer.process_file(clip)
    assert whole.frame.index.get_level_values("end").max() <= duration
    part = video_recognizer.process_file(clip, start=0.5, end=2.0)
    ends = part.frame.index.get_level_values("end")
    assert ends.max() <= 2.0
    assert set(part.frame["modality"]) >= {"face", "text", "fusion"}
    assert part.summary["analysed"][1] <= 2.0


def test_span_and_window_count_are_checked(video_recognizer, talking_video, monkeypatch):
    import math

    from affectscope.errors import ConfigError, InputError
    from affectscope.recognizers import video
    from affectscope.recognizers.video import VideoRecognizer

    with pytest.raises(ConfigError, match=r"'start' parameter of VideoRecognizer\.process_file"):
        video_recognizer.process_file(talking_video, start=math.nan)
    with pytest.raises(InputError, match="past the end of the video"):
        video_recognizer.process_file(talking_video, start=50)
    monkeypatch.setattr(video, "MAX_WINDOWS", 5)
    with pytest.raises(ConfigError, match="fusion windows"):
        VideoRecognizer(transcript=False, window=0.25, num_threads=2).process_file(talking_video)
