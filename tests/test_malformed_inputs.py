"""The malformed-input suite (issue 18): every generated case through the real CLI, within a time and memory budget.

The corpus (``tests/malformed/make_corpus.py``) is generated once into a temporary folder. Each case runs as
``python -m affectscope.cli ...`` in its own process group, two at a time; a watchdog kills a case that runs past
its hard limit (a hang) or whose resident memory passes a hard cap (a bomb), so one bad case cannot take the
machine down. Peak RSS is measured by the child itself at exit (``tests/peak_rss.py``: ``wait4``'s ``ru_maxrss``
would include the high-water mark of this pytest process, which the child inherits at ``exec``).

Each case asserts: the expected exit code (2 for a refused input, 0 for the valid controls), exactly one
non-empty line on stderr for a refusal, no "Traceback" anywhere, no escape sequence replayed from the input, and
no budget passed (refusals: 5 s and 500 MB).

``MALFORMED_REPORT=path.json`` writes every outcome (exit code, time, RSS, the last stderr lines) to a file.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

import pytest

import peak_rss
from malformed import make_corpus

NAMES = make_corpus.case_names()
PARALLEL = 2  # the CI machine has 2 cores
HARD_LIMIT_S = {"refusal": 20.0, "control": 120.0}  # past this a case is killed and counted as a hang
RSS_CAP_MB = {"refusal": 1500.0, "control": 4000.0}  # past this a case is killed (a bomb): the machine survives
OUTPUT_CAP = 1 << 20  # bytes of stdout/stderr kept per case
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass
class Outcome:
    """What one case did."""

    rc: int | None
    seconds: float
    peak_mb: float
    stdout: str
    stderr: str
    killed: str | None  # "time" or "memory"


def _rss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE / 1e6
    except (OSError, IndexError, ValueError):
        return 0.0


def _drain(stream, sink: bytearray) -> None:
    while chunk := stream.read(65536):
        if len(sink) < OUTPUT_CAP:
            sink.extend(chunk[: OUTPUT_CAP - len(sink)])


def run_case(case: make_corpus.Case, cwd: Path) -> Outcome:
    """Run one case in its own process group; kill it past its hard time limit or memory cap."""
    kind = "refusal" if case.expect != 0 else "control"
    limit = HARD_LIMIT_S[kind] if kind == "refusal" else max(HARD_LIMIT_S[kind], 2 * case.budget_s)
    cap = RSS_CAP_MB[kind]
    stdin = open(case.stdin, "rb") if case.stdin else subprocess.DEVNULL  # noqa: SIM115 (closed below)
    out, err = bytearray(), bytearray()
    t0 = time.perf_counter()
    peak_file = cwd.parent / f".peak-{case.name}"
    proc = subprocess.Popen(
        peak_rss.command("-m", "affectscope.cli", *case.args),
        cwd=cwd,
        env={**os.environ, peak_rss.ENV: str(peak_file)},
        stdin=stdin,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    readers = [
        threading.Thread(target=_drain, args=(s, b), daemon=True) for s, b in ((proc.stdout, out), (proc.stderr, err))
    ]
    for r in readers:
        r.start()
    killed, peak_seen = None, 0.0
    try:
        while True:
            done = os.waitid(os.P_PID, proc.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            if done is not None:
                break
            peak_seen = max(peak_seen, _rss_mb(proc.pid))
            if peak_seen > cap:
                killed = "memory"
            elif time.perf_counter() - t0 > limit:
                killed = "time"
            if killed:
                os.killpg(proc.pid, signal.SIGKILL)
                break
            time.sleep(0.02)
        _, status, _ = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
    finally:
        with contextlib.suppress(ProcessLookupError, PermissionError):  # workers a batch case left behind
            os.killpg(proc.pid, signal.SIGKILL)
        if stdin is not subprocess.DEVNULL:
            stdin.close()
    for r in readers:
        r.join(timeout=5)
    return Outcome(
        rc=None if killed else proc.returncode,
        seconds=round(seconds, 2),
        peak_mb=round(max(peak_rss.read_peak_mb(peak_file) or 0.0, peak_seen), 1),
        stdout=out.decode("utf-8", "replace"),
        stderr=err.decode("utf-8", "replace"),
        killed=killed,
    )


def problems(case: make_corpus.Case, o: Outcome) -> list[str]:
    """Everything wrong with one outcome (empty: the case passed)."""
    found = []
    if o.killed == "time":
        found.append(f"hang: killed after {o.seconds:.0f} s")
    elif o.killed == "memory":
        found.append(f"memory: killed at {o.peak_mb:.0f} MB RSS")
    elif o.rc != case.expect:
        found.append(f"exit {o.rc}, expected {case.expect}")
    if "Traceback" in o.stdout + o.stderr:
        found.append("traceback")
    lines = [ln for ln in o.stderr.splitlines() if ln.strip()]
    if case.stderr_lines is not None and not o.killed and len(lines) != case.stderr_lines:
        found.append(f"{len(lines)} stderr lines, expected {case.stderr_lines}")
    if not o.killed and o.seconds > case.budget_s:
        found.append(f"slow: {o.seconds:.1f} s > {case.budget_s:g} s")
    if case.budget_mb is not None and not o.killed and o.peak_mb > case.budget_mb:
        found.append(f"memory: {o.peak_mb:.0f} MB > {case.budget_mb:g} MB")
    for bad in case.forbid:
        if bad in o.stdout or bad in o.stderr:
            found.append(f"printed {bad!r} on {'stdout' if bad in o.stdout else 'stderr'}")
    if case.expect == 0 and not o.killed and not o.stdout.strip():
        found.append("a valid input printed nothing")
    return found


def _selected(request: pytest.FixtureRequest) -> list[str]:
    chosen = [
        item.callspec.params["name"]
        for item in request.session.items
        if getattr(item, "originalname", None) == "test_malformed_input" and hasattr(item, "callspec")
    ]
    return chosen or list(NAMES)


@pytest.fixture(scope="module")
def outcomes(request, tmp_path_factory) -> dict[str, tuple[make_corpus.Case, Outcome]]:
    """Generate the (selected) cases and run them all, ``PARALLEL`` at a time; slow kinds first."""
    root = tmp_path_factory.mktemp("malformed")
    cases = make_corpus.generate(root, _selected(request))
    cases.sort(key=lambda c: (c.expect == 0 or "bomb" in c.name, c.area == "batch"), reverse=True)
    with ThreadPoolExecutor(PARALLEL) as pool:
        results = dict(zip([c.name for c in cases], pool.map(lambda c: run_case(c, root / c.name), cases), strict=True))
    report = os.environ.get("MALFORMED_REPORT")
    if report:
        rows = []
        for c in cases:
            o = results[c.name]
            tail = [ln for ln in o.stderr.splitlines() if ln.strip()][-3:]
            rows.append(
                {**asdict(c), **asdict(o), "stderr": tail, "stdout": o.stdout[-300:], "problems": problems(c, o)}
            )
        Path(report).write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return {c.name: (c, results[c.name]) for c in cases}


@pytest.mark.parametrize("name", list(NAMES))
def test_malformed_input(name, outcomes):
    case, o = outcomes[name]
    found = problems(case, o)
    lines = [ln for ln in o.stderr.splitlines() if ln.strip()]
    assert not found, (
        f"{name} ({case.area}; {case.note or 'refuse'}): {'; '.join(found)} | exit {o.rc}, {o.seconds:.1f} s, "
        f"{o.peak_mb:.0f} MB | stderr: {' / '.join(lines[-3:])[:600]!r}"
    )


def test_the_corpus_covers_every_area_and_has_controls():
    areas = set(NAMES.values())
    assert {"text", "dialogue", "subtitles", "image", "audio", "video", "music", "physio", "eeg"} <= areas
    assert {"options", "paths", "batch"} <= areas
    assert len(NAMES) >= 150
    controls = [n for n in NAMES if "control" in n or "keeps" in n]
    assert len(controls) >= 5


def test_the_watchdog_kills_a_hang_and_measures_memory(tmp_path):
    hang = make_corpus.Case(name="hang", area="self", args=["analyze", str(tmp_path / "pipe.txt")])
    os.mkfifo(tmp_path / "pipe.txt")
    fast = make_corpus.Case(name="fast", area="self", args=["--help"], expect=0, stderr_lines=None)
    HARD_LIMIT_S["refusal"], saved = 3.0, HARD_LIMIT_S["refusal"]
    try:
        # a FIFO without a writer: either refused (good) or the open blocks and the watchdog ends it at the limit
        o = run_case(hang, tmp_path)
        assert o.seconds < 25
        assert o.killed == "time" or o.rc == 2
    finally:
        HARD_LIMIT_S["refusal"] = saved
    ballast = b"\x01" * (600 << 20)  # touched pages: this process's high-water mark must not count as the child's
    o = run_case(fast, tmp_path)
    del ballast
    assert o.rc == 0
    assert "analyze" in o.stdout
    assert 5 < o.peak_mb < 300
    assert not problems(fast, o)
