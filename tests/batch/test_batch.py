"""Batch at scale: inputs, atomic parts, resume after kill -9 and Ctrl-C, errors recorded, local vs Ray."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from affectscope.batch import plan_parts, run_batch
from affectscope.batch.inputs import BatchItem, discover
from affectscope.errors import ConfigError, InputError

TEXTS = ["I am so happy today!", "This is terrible news.", "I can't believe it.", "Thank you so much.", "I'm scared."]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, astronaut, speech_fixture):
    """60 text files, 2 clips, 2 photos, a video, and one corrupt file of each kind; plus a file of another kind."""
    from PIL import Image

    from affectscope.media.video import write_test_video

    root = tmp_path_factory.mktemp("corpus") / "in"
    for sub in ("texts", "audio", "img", "video"):
        (root / sub).mkdir(parents=True)
    for i in range(60):
        (root / "texts" / f"t{i:03d}.txt").write_text(f"{TEXTS[i % 5]} Item {i}.", encoding="utf-8")
    for name in ("loud_fast_en", "quiet_slow_en"):
        shutil.copy(speech_fixture(name), root / "audio" / f"{name}.flac")
    for i in range(2):
        Image.fromarray(astronaut).save(root / "img" / f"p{i}.png")
    (root / "texts" / "bad.txt").write_bytes(bytes([255, 254, 0, 65]))
    (root / "audio" / "empty.wav").write_bytes(b"")
    (root / "img" / "broken.png").write_bytes(b"not a png")
    write_test_video(root / "video" / "smile.mp4", [astronaut] * 10, fps=10)
    (root / "notes.srt").write_text("", encoding="utf-8")
    return root


def _outputs(out: Path) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    rows = pd.concat([pd.read_parquet(f) for f in sorted(out.glob("parts/*/rows.parquet"))], ignore_index=True)
    rows = rows.sort_values(["source", "start", "end", "modality", "track"], kind="stable").reset_index(drop=True)
    return rows[sorted(rows.columns)], pd.read_parquet(out / "summary.parquet"), pd.read_parquet(out / "errors.parquet")


def _assert_same(a: Path, b: Path) -> None:
    for x, y in zip(_outputs(a), _outputs(b), strict=True):
        pd.testing.assert_frame_equal(x, y, check_exact=True)
    assert sorted(p.name for p in (a / "parts").iterdir()) == sorted(p.name for p in (b / "parts").iterdir())


@pytest.fixture(scope="module")
def full_run(corpus, tmp_path_factory):
    out = tmp_path_factory.mktemp("full") / "out"
    report = run_batch(corpus, out, workers=1, part_size=4, evidence=False, progress=False)
    return out, report


def _batch_cli(corpus: Path, out: Path, *extra: str) -> list[str]:
    exe = [sys.executable, "-m", "affectscope.cli"]
    return [*exe, "batch", str(corpus), "-o", str(out), "--part-size", "4", "--no-evidence", *extra]


def test_every_input_lands_once_in_summary_or_errors(corpus, full_run):
    out, report = full_run
    assert (report.total, report.ok, report.failed) == (68, 65, 3)
    assert report.unreadable == [str(corpus / "notes.srt")]
    rows, summary, errors = _outputs(out)
    assert set(summary["input"]) | set(errors["input"]) == {i.id for i in discover(corpus)[0]}
    assert not set(summary["input"]) & set(errors["input"])
    assert errors.set_index("input")["error"].to_dict() == {
        str(corpus / "audio" / "empty.wav"): "InputError",
        str(corpus / "img" / "broken.png"): "InputError",
        str(corpus / "texts" / "bad.txt"): "InputError",
    }
    assert errors["message"].str.contains("Expected|Save the file as UTF-8|save it as UTF-8").all()
    assert set(rows["modality"]) == {"text", "speech", "face", "fusion"}
    assert set(rows["source"]) == set(summary["input"])
    by_kind = summary.groupby("kind")["input"].count().to_dict()
    assert by_kind == {"text": 60, "audio": 2, "image": 2, "video": 1}
    assert summary.loc[summary["kind"].isin(["image", "video"]), "label"].eq("joy").all()
    first = json.loads(summary.loc[summary["kind"] == "text", "summary_json"].iloc[0])
    assert first["label"] == summary.loc[summary["kind"] == "text", "label"].iloc[0]


def test_a_second_run_skips_everything_and_options_must_match(corpus, full_run, tmp_path):
    out, _ = full_run
    before = _outputs(out)
    again = run_batch(corpus, out, workers=1, part_size=4, evidence=False, progress=False)
    assert (again.skipped_done, again.processed) == (68, 0)
    for x, y in zip(before, _outputs(out), strict=True):
        pd.testing.assert_frame_equal(x, y)
    with pytest.raises(ConfigError, match="other options"):
        run_batch(corpus, out, workers=1, part_size=4, evidence=True, progress=False)


def test_two_workers_give_the_same_output(corpus, full_run, tmp_path):
    out = tmp_path / "two"
    report = run_batch(corpus, out, workers=2, part_size=4, evidence=False, progress=False)
    assert len(report.peak_rss_mb) == 2  # two worker processes, each reporting its peak memory
    assert os.getpid() not in report.peak_rss_mb  # the caller only coordinates
    assert all(0 < mb < 4000 for mb in report.peak_rss_mb.values())
    _assert_same(full_run[0], out)


def test_kill_9_mid_run_then_resume_gives_the_uninterrupted_output(corpus, full_run, tmp_path):
    out = tmp_path / "killed"
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen(_batch_cli(corpus, out, "--workers", "1"), env=env, start_new_session=True)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / "parts").glob("*"))) < 3:
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    done = len(list((out / "parts").glob("*")))
    assert 3 <= done < len(plan_parts(discover(corpus)[0], part_size=4))  # killed part-way
    resumed = subprocess.run(_batch_cli(corpus, out, "--workers", "2"), capture_output=True, text=True, env=env)
    assert resumed.returncode == 1, resumed.stderr  # the corpus holds 3 bad inputs
    assert "already done before this run" in resumed.stdout
    assert "3 failed" in resumed.stdout
    assert not list((out / ".staging").glob("*"))
    _assert_same(full_run[0], out)


def test_ctrl_c_stops_cleanly_and_resumes(corpus, full_run, tmp_path):
    out = tmp_path / "interrupted"
    proc = subprocess.Popen(
        _batch_cli(corpus, out, "--workers", "1"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # a background CI job starts with SIGINT ignored, and children inherit that: give the run Ctrl-C back
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and len(list((out / "parts").glob("*"))) < 2:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    if proc.returncode in (0, 1):  # finished before the signal arrived (1: the corpus has bad inputs)
        pytest.skip("the run finished before Ctrl-C")
    assert proc.returncode == 130
    assert "Traceback" not in stderr
    assert "re-run the same command to resume" in stderr
    assert (out / "summary.parquet").is_file()  # what was done is consolidated
    again = subprocess.run(_batch_cli(corpus, out, "--workers", "1"), capture_output=True, text=True)
    assert again.returncode == 1, again.stderr  # 3 bad inputs
    _assert_same(full_run[0], out)


def test_ray_engine_gives_the_same_rows_as_local(corpus, full_run, tmp_path):
    pytest.importorskip("ray")
    out = tmp_path / "ray"
    run = subprocess.run(
        _batch_cli(corpus, out, "--engine", "ray", "--workers", "2"), capture_output=True, text=True, timeout=600
    )
    assert run.returncode == 1, run.stderr[-3000:]  # 3 bad inputs
    assert "65 analysed, 3 failed" in run.stdout
    _assert_same(full_run[0], out)


def test_progress_callback_counts_every_input(corpus, tmp_path):
    seen = []
    run_batch(
        corpus,
        tmp_path / "p",
        modalities=["text"],
        workers=1,
        evidence=False,
        progress=lambda d, t: seen.append((d, t)),
    )
    assert seen[-1] == (61, 61)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


def test_manifests_lists_and_bad_sources(corpus, tmp_path):
    manifest = tmp_path / "posts.csv"
    pd.DataFrame({"id": ["p1", "p2", "p3"], "text": ["I love this!", "", "So angry right now."]}).to_csv(
        manifest, index=False
    )
    report = run_batch(manifest, tmp_path / "m", workers=1, progress=False)
    rows, summary, errors = _outputs(tmp_path / "m")
    assert list(summary["input"]) == ["p1", "p3"]
    assert list(summary["label"]) == ["joy", "anger"]
    assert errors.loc[0, "input"] == "p2"
    assert "holds no text" in errors.loc[0, "message"]
    assert set(rows["source"]) == {"p1", "p3"}
    assert rows["evidence"].str.len().gt(0).all()
    assert report.ok == 2
    paths = tmp_path / "files.parquet"
    pd.DataFrame({"path": [str(corpus / "texts" / "t000.txt"), str(corpus / "img" / "p0.png")]}).to_parquet(paths)
    items, _ = discover(paths, modalities=["text"])
    assert [i.kind for i in items] == ["text"]
    listing = tmp_path / "list.txt"
    listing.write_text("# files\n" + str(corpus / "texts" / "t001.txt") + "\n\n", encoding="utf-8")
    assert [i.id for i in discover(listing)[0]] == [str(corpus / "texts" / "t001.txt")]
    pd.DataFrame({"body": ["x"]}).to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(InputError, match="'path' or a 'text' column"):
        discover(tmp_path / "bad.csv")
    with pytest.raises(InputError, match="not found"):
        discover(tmp_path / "missing")
    with pytest.raises(ConfigError, match="Unknown modality"):
        discover(corpus, modalities=["smell"])
    with pytest.raises(ConfigError, match="engine"):
        run_batch(corpus, tmp_path / "x", engine="spark")


def test_parts_are_content_named_and_stable():
    items = [BatchItem(f"t{i:02d}", "text", text="x") for i in range(7)] + [BatchItem("a.wav", "audio", path="a.wav")]
    parts = plan_parts(items, part_size=3)
    assert [len(p) for _, p in parts] == [3, 3, 1, 1]
    assert [n.split("-")[0] for n, _ in parts] == ["text", "text", "text", "audio"]
    # the parts left after removing finished ones are the same parts
    rest = plan_parts([i for _, p in parts[1:] for i in p], part_size=3)
    assert [n for n, _ in rest] == [n for n, _ in parts[1:]]
    assert np.unique([n for n, _ in parts]).size == len(parts)


def test_cli_batch_reports_failures_and_exits_1(corpus, tmp_path):
    from typer.testing import CliRunner

    from affectscope.cli import app

    res = CliRunner().invoke(
        app, ["batch", str(corpus), "-o", str(tmp_path / "c"), "--modalities", "text", "--workers", "1"]
    )
    assert res.exit_code == 1, res.output  # some failed, the rest written
    assert "61 inputs: 60 analysed, 1 failed" in res.stdout
    bad = CliRunner().invoke(app, ["batch", str(tmp_path / "nope"), "-o", str(tmp_path / "d")])
    assert bad.exit_code == 2
    assert "not found" in bad.output


def test_outputs_query_with_duckdb_as_documented(full_run):
    duckdb = pytest.importorskip("duckdb")
    out = full_run[0]
    rows = duckdb.sql(
        f"select modality, count(distinct source) as inputs from read_parquet('{out}/parts/*/rows.parquet', "
        "union_by_name=true) group by modality order by modality"
    ).fetchall()
    assert rows == [("face", 3), ("fusion", 1), ("speech", 2), ("text", 60)]
    failed = duckdb.sql(f"select count(*) from '{out}/errors.parquet'").fetchall()
    assert failed == [(3,)]


def test_a_part_that_kills_its_worker_is_retried_then_recorded(tmp_path, monkeypatch):
    from affectscope.batch.engines import _pool
    from affectscope.batch.store import OutputStore

    (tmp_path / "crashy.py").write_text(
        "import os\n"
        "from affectscope.batch import engines\n"
        "def process(part):\n"
        "    if part[0].startswith('crash'):\n"
        "        os._exit(3)\n"
        "    return engines._process(part)\n",
        encoding="utf-8",
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    crashy = __import__("crashy")
    config = {"evidence": False, "transcript": False, "fps": 2.0, "threads": 1, "kinds": ["text"]}
    parts = [
        ("text-a", [BatchItem("a", "text", text="I love it.")]),
        ("crash-b", [BatchItem("b", "text", text="boom")]),
        ("text-c", [BatchItem("c", "text", text="I hate it.")]),
    ]
    stats = {s["part"]: s for s in _pool(parts, tmp_path / "out", config, 2, fn=crashy.process)}
    assert stats["text-a"]["ok"] == stats["text-c"]["ok"] == 1
    assert stats["crash-b"]["failed"] == 1
    summary, errors = OutputStore(tmp_path / "out", config).consolidate()
    assert list(summary["input"]) == ["a", "c"]
    assert errors.set_index("input").loc["b", "error"] == "WorkerCrashed"


def test_audio_as_music(tmp_path):
    pytest.importorskip("librosa")
    import soundfile as sf

    t = np.arange(16000 * 12) / 16000
    loop = (0.3 * np.sin(2 * np.pi * 261.63 * t) * (np.sin(2 * np.pi * 2 * t) > 0)).astype(np.float32)
    (tmp_path / "in").mkdir()
    sf.write(tmp_path / "in" / "song.wav", loop, 16000)
    report = run_batch(tmp_path / "in", tmp_path / "out", modalities=["music"], workers=1, progress=False)
    assert report.ok == 1
    rows, summary, _ = _outputs(tmp_path / "out")
    assert summary.loc[0, "kind"] == "music"
    assert summary.loc[0, "modality"] == "music"
    assert set(rows["modality"]) == {"music"}
    assert rows["tempo_bpm"].notna().all()
    with pytest.raises(ConfigError, match="either as speech or as music"):
        discover(tmp_path / "in", modalities=["speech", "music"])


def test_wearable_recordings(tmp_path):
    """--modalities physio: E4 folders and CSV files are recordings; a too-short one is an error, not a stop."""
    pytest.importorskip("neurokit2")
    from physio_signals import write_stress_session

    root = tmp_path / "study"
    write_stress_session(root / "p01" / "session")
    write_stress_session(root / "p02")
    short = root / "p03.csv"
    short.write_text("timestamp,eda\n" + "".join(f"{i / 4},{2 + 0.01 * i}\n" for i in range(4 * 120)))
    (root / "notes.md").write_text("not a recording")
    items, skipped = discover(root, modalities=["physio"])
    assert [Path(i.id).relative_to(root).as_posix() for i in items] == ["p01/session", "p02", "p03.csv"]
    assert {i.kind for i in items} == {"physio"}
    assert [Path(s).name for s in skipped] == ["notes.md"]
    assert [i.id for i in discover(root / "p02", modalities=["physio"])[0]] == [str(root / "p02")]
    report = run_batch(root, tmp_path / "out", modalities=["physio"], workers=1, progress=False)
    assert (report.ok, report.failed) == (2, 1)
    rows, summary, errors = _outputs(tmp_path / "out")
    assert set(rows["modality"]) == {"physio"}
    assert rows["scr_rate_per_min"].notna().all()
    assert (summary["modality"] == "physio").all()
    assert errors.loc[0, "input"].endswith("p03.csv")
    assert "at least" in errors.loc[0, "message"]
    with pytest.raises(ConfigError, match="batch of their own"):
        discover(root, modalities=["physio", "text"])
