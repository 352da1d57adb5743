"""One batch run per output folder (issue 18, item 10): the lock, its message, stale locks, option bounds."""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from affectscope.batch import MAX_PART_SIZE, OutputBusyError, run_batch
from affectscope.batch.lock import LOCK_NAME, STALE_SECONDS, OutputLock
from affectscope.errors import ConfigError, InputError

HOLDER = """
import sys, time
from affectscope.batch.lock import OutputLock
lock = OutputLock(sys.argv[1]).acquire()
print("ready", flush=True)
time.sleep(120)
"""


@pytest.fixture
def holder(tmp_path):
    """A separate process that holds the lock of ``tmp_path / 'out'`` until it is killed."""
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(out)], stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    yield out, proc
    if proc.poll() is None:
        proc.kill()
    proc.wait()


@pytest.fixture
def nothing_to_do(tmp_path):
    """A batch source with no input of a readable kind: a run locks, consolidates and ends without workers."""
    src = tmp_path / "in"
    src.mkdir()
    (src / "notes.srt").write_text("", encoding="utf-8")
    return src


def test_a_second_run_is_refused_while_the_first_holds_the_folder(holder, nothing_to_do):
    out, proc = holder
    (out / ".staging" / "part-of-the-first-run").mkdir(parents=True)
    with pytest.raises(OutputBusyError, match=rf"Another batch run .*pid {proc.pid} on host {socket.gethostname()}"):
        run_batch(nothing_to_do, out, progress=False)
    assert issubclass(OutputBusyError, ConfigError)
    # refused before touching the folder: the first run's staging is intact and no options file was written
    assert (out / ".staging" / "part-of-the-first-run").is_dir()
    assert not (out / "_batch.json").exists()


def test_cli_second_run_exits_2_with_one_line(holder, nothing_to_do):
    out, proc = holder
    cmd = [sys.executable, "-m", "affectscope.cli", "batch", str(nothing_to_do), "-o", str(out)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert r.returncode == 2, r.stderr
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, r.stderr
    assert "Another batch run" in lines[0]
    assert f"pid {proc.pid}" in lines[0]
    assert "Traceback" not in r.stderr + r.stdout


def test_a_killed_holder_leaves_no_stale_lock(holder, nothing_to_do):
    out, proc = holder
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    report = run_batch(nothing_to_do, out, progress=False)
    assert report.lock_taken_over is not None
    assert f"pid {proc.pid}" in report.lock_taken_over
    assert (report.total, report.ok, report.failed) == (0, 0, 0)
    assert (out / "summary.parquet").is_file()
    # a clean end empties the record: the next run takes nothing over
    assert (out / LOCK_NAME).read_bytes() == b""
    assert run_batch(nothing_to_do, out, progress=False).lock_taken_over is None


def test_cli_says_on_stderr_that_it_took_over_a_killed_run(holder, nothing_to_do):
    out, proc = holder
    proc.kill()
    proc.wait()
    cmd = [sys.executable, "-m", "affectscope.cli", "batch", str(nothing_to_do), "-o", str(out)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert "took over the lock" in r.stderr
    assert f"pid {proc.pid}" in r.stderr
    assert "Traceback" not in r.stderr


def _record(out: Path, **fields) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / LOCK_NAME).write_text(json.dumps(fields), encoding="utf-8")


def test_another_hosts_fresh_record_is_refused_and_a_stale_one_taken_over(tmp_path, nothing_to_do):
    # flock may be local to each client on some NFS mounts: a recent heartbeat from another host means a live run
    out = tmp_path / "out"
    now = time.time()
    _record(out, pid=4242, host="node-7.cluster", started=now - 3600, heartbeat=now - 20)
    with pytest.raises(OutputBusyError, match=r"pid 4242 on host node-7\.cluster"):
        run_batch(nothing_to_do, out, progress=False)
    _record(out, pid=4242, host="node-7.cluster", started=now - 3600, heartbeat=now - STALE_SECONDS - 1)
    report = run_batch(nothing_to_do, out, progress=False)
    assert "node-7.cluster" in report.lock_taken_over


def test_without_flock_support_the_pid_decides(tmp_path, nothing_to_do, monkeypatch):
    import fcntl

    def no_flock(fd, op):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(fcntl, "flock", no_flock)
    out = tmp_path / "out"
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _record(out, pid=sleeper.pid, host=socket.gethostname(), started=time.time(), heartbeat=time.time())
        with pytest.raises(OutputBusyError, match=f"pid {sleeper.pid}"):
            run_batch(nothing_to_do, out, progress=False)
    finally:
        sleeper.kill()
        sleeper.wait()
    assert f"pid {sleeper.pid}" in run_batch(nothing_to_do, out, progress=False).lock_taken_over


def test_one_process_cannot_hold_a_folder_twice_and_release_is_idempotent(tmp_path):
    lock = OutputLock(tmp_path).acquire()
    with pytest.raises(OutputBusyError):
        OutputLock(tmp_path).acquire()
    record = json.loads((tmp_path / LOCK_NAME).read_text(encoding="utf-8"))
    assert record["pid"] == os.getpid()
    assert record["host"] == socket.gethostname()
    lock.release()
    lock.release()
    with OutputLock(tmp_path) as again:
        assert again.took_over is None


def test_an_output_that_is_a_file_is_refused(tmp_path, nothing_to_do):
    out = tmp_path / "out.txt"
    out.write_text("not a folder", encoding="utf-8")
    with pytest.raises(InputError, match="is not a folder"):
        run_batch(nothing_to_do, out, progress=False)


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("workers", 0, "'workers' parameter of run_batch must be an int in [1, 256]. Got 0"),
        ("workers", 257, "[1, 256]. Got 257"),
        ("workers", 1.5, "[1, 256]. Got 1.5"),
        ("part_size", 0, f"'part_size' parameter of run_batch must be an int in [1, {MAX_PART_SIZE}]. Got 0"),
        ("part_size", MAX_PART_SIZE + 1, f"Got {MAX_PART_SIZE + 1}"),
        ("fps", 0, "'fps' parameter of run_batch must be a float in (0, 60]. Got 0"),
        ("fps", float("nan"), "(0, 60]. Got nan"),
        ("fps", 61, "Got 61"),
        ("threads_per_worker", 0, "'threads_per_worker' parameter of run_batch must be an int in [1, 256]"),
        ("threads_per_worker", True, "Got True"),
    ],
)
def test_numeric_options_are_validated_before_anything_is_read(tmp_path, option, value, message):
    out = tmp_path / "out"
    with pytest.raises(ConfigError) as info:
        run_batch(tmp_path / "does-not-exist", out, progress=False, **{option: value})
    assert message in str(info.value)
    assert not out.exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--workers", "0"], r"The 'workers' parameter of (run_)?batch must be an int in \[1, \d+\]\. Got 0"),
        (["--part-size", "0"], r"The 'part_size' parameter of (run_)?batch must be an int in \[1, 100000\]\. Got 0"),
        (["--fps", "nan"], r"The 'fps' parameter of (run_)?batch must be a float in \(0, 60\]\. Got nan"),
        (["--threads-per-worker", "3000"], r"The 'threads_per_worker' parameter of (run_)?batch must be an int in"),
    ],
)
def test_cli_batch_options_exit_2_with_the_standard_message(tmp_path, nothing_to_do, args, message):
    cmd = [sys.executable, "-m", "affectscope.cli", "batch", str(nothing_to_do), "-o", str(tmp_path / "o"), *args]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    lines = [ln for ln in r.stderr.splitlines() if ln.strip()]
    assert r.returncode == 2, r.stderr
    assert len(lines) == 1, r.stderr
    assert re.search(message, lines[0]), lines[0]
    assert not (tmp_path / "o").exists()
