"""Progress of long work: lines off a terminal, a rich bar on one, quiet when disabled, never raising."""

from __future__ import annotations

import io
import math
import threading

import numpy as np
import pytest

from affectscope.progress import Progress, as_progress


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


class BrokenPipe(io.StringIO):
    def write(self, text: str) -> int:
        raise BrokenPipeError(32, "Broken pipe")

    def flush(self) -> None:
        raise BrokenPipeError(32, "Broken pipe")


class FakeTTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_lines_at_most_every_interval_and_a_final_line():
    log, clock = io.StringIO(), FakeClock()
    with Progress(480, description="eval ravdess", stream=log, interval=5.0, clock=clock) as p:
        for t in range(1, 481):
            clock.now = t * 0.3125  # 3.2 items/s
            p.advance()
    lines = log.getvalue().splitlines()
    assert lines[0] == "eval ravdess: 16/480 (3%), 3.2/s, ~2:25 left"
    assert len(lines) == 29 + 1  # 150 s of work: a line every 5 s (none at 100 %), then the final line
    assert lines[-1] == "eval ravdess: 480/480 (100%) in 2:30 (3.2/s)"
    assert all(line.startswith("eval ravdess: ") for line in lines)


def test_lines_go_to_stderr_not_stdout(capsys):
    with Progress(3, description="batch text", interval=0) as p:
        p.advance(3)
    out, err = capsys.readouterr()
    assert out == ""
    assert err.splitlines()[-1].startswith("batch text: 3/3 (100%) in 0:00")


def test_disabled_writes_nothing_but_counts_and_calls_back(capsys):
    log, shares = io.StringIO(), []
    with Progress(4, stream=log, enabled=False, interval=0, callback=shares.append) as p:
        p.advance()
        p.update(0.5)
        p.advance(2)
    assert log.getvalue() == ""
    assert capsys.readouterr() == ("", "")
    assert shares == [0.25, 0.5, 1.0]
    assert p.done == 4


def test_rich_bar_on_a_forced_terminal_does_not_crash():
    log = io.StringIO()
    with Progress(3, description="eval carer dev", stream=log, force_terminal=True) as p:
        for _ in range(3):
            p.advance()
    text = log.getvalue()
    assert "eval carer dev" in text
    assert "3/3" in text
    assert "\x1b[" in text


def test_rich_bar_is_chosen_on_a_tty_and_lines_on_a_dumb_one(monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    tty = FakeTTY()
    with Progress(2, description="x", stream=tty, interval=0) as p:
        p.advance(2)
    assert "\x1b[" in tty.getvalue()
    monkeypatch.setenv("TERM", "dumb")
    dumb = FakeTTY()
    with Progress(2, description="x", stream=dumb, interval=0) as p:
        p.advance(2)
    assert "\x1b[" not in dumb.getvalue()
    assert dumb.getvalue().startswith("x: 2/2 (100%)")


@pytest.mark.parametrize("force_terminal", [False, True])
def test_closed_or_broken_stream_never_raises(force_terminal):
    closed = io.StringIO()
    with Progress(5, stream=closed, interval=0, force_terminal=force_terminal) as p:
        p.advance()
        closed.close()
        p.advance(2)
        p.callback()(1.0)
    with Progress(5, stream=BrokenPipe(), interval=0, force_terminal=force_terminal) as p:
        p.advance(5)
    already = io.StringIO()
    already.close()
    with Progress(stream=already, interval=0, force_terminal=force_terminal) as p:
        p.update(0.5)


def test_advance_from_worker_threads():
    log = io.StringIO()
    with Progress(8 * 500, description="threads", stream=log, interval=0) as p:
        workers = [threading.Thread(target=lambda: [p.advance() for _ in range(500)]) for _ in range(8)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    assert p.done == 4000
    lines = log.getvalue().splitlines()
    assert lines[-1].startswith("threads: 4000/4000 (100%)")
    assert all(line.startswith("threads: ") and line.count("threads") == 1 for line in lines)


def test_callbacks_from_worker_threads_on_the_rich_bar():
    log = io.StringIO()
    with Progress(description="clip", stream=log, force_terminal=True) as p:
        parts = [p.callback(start=k / 4, end=(k + 1) / 4) for k in range(4)]
        workers = [threading.Thread(target=lambda f=f: [f(i / 100) for i in range(101)]) for f in parts]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
    assert 0.25 <= p.share <= 1.0


def test_share_only_and_count_only_lines():
    log, clock = io.StringIO(), FakeClock()
    with Progress(description="analyze clip.mp4", stream=log, interval=1, clock=clock) as p:
        on_share = p.callback()
        clock.now = 30.0
        on_share(0.25)
        clock.now = 31.0
        on_share(float("nan"))  # ignored
        on_share(7)  # clamped to 1
    assert log.getvalue().splitlines() == ["analyze clip.mp4: 25%, ~1:30 left", "analyze clip.mp4: 100% in 0:31"]
    log, clock = io.StringIO(), FakeClock()
    with Progress(description="files", stream=log, interval=1, clock=clock) as p:
        clock.now = 10.0
        p.advance(120)
    assert log.getvalue().splitlines() == ["files: 120 done, 12.0/s", "files: 120 done in 0:10 (12.0/s)"]


def test_slow_items_show_seconds_each_and_long_work_hours():
    log, clock = io.StringIO(), FakeClock()
    with Progress(1000, description="video", stream=log, interval=1, clock=clock) as p:
        clock.now = 20.0
        p.advance(2)
    first = log.getvalue().splitlines()[0]
    assert first == "video: 2/1000 (0%), 10.0 s each, ~2:46:20 left"


def test_a_stopped_run_says_where_it_stopped():
    log = io.StringIO()
    p = Progress(10, description="batch video", stream=log)

    def work() -> None:
        with p:
            p.advance(4)
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        work()
    assert log.getvalue() == "batch video: stopped at 4/10 (40%) after 0:00\n"


def test_an_error_adds_no_line_of_its_own():
    log = io.StringIO()
    p = Progress(10, description="eval x", stream=log, interval=3600)

    def work() -> None:
        with p:
            p.advance(4)
            raise ValueError("bad file")

    with pytest.raises(ValueError, match="bad file"):
        work()
    assert log.getvalue() == ""


def test_iterate_counts_items_lazily():
    p = Progress(3, enabled=False)
    seen = []
    for x in p.iterate(iter("abc")):
        seen.append((x, p.done))
    assert seen == [("a", 0), ("b", 1), ("c", 2)]
    assert p.done == 3


def test_as_progress():
    assert not as_progress(None).enabled
    assert not as_progress(False).enabled
    on = as_progress(True, total=7, description="eval x")
    assert on.enabled
    assert (on.total, on.description, on.stream) == (7, "eval x", None)
    mine = Progress(description="mine", stream=io.StringIO())
    assert as_progress(mine, total=5, description="other") is mine
    assert (mine.total, mine.description) == (5, "mine")
    fixed = Progress(9)
    assert as_progress(fixed, total=5).total == 9
    with pytest.raises(TypeError):
        as_progress("yes")  # type: ignore[arg-type]


def test_restart_resets_the_count():
    log = io.StringIO()
    p = Progress(2, description="r", stream=log, interval=0)
    for _ in range(2):
        with p:
            p.advance(2)
    assert log.getvalue().count("r: 2/2 (100%)") == 2


# --- through the harness ----------------------------------------------------------------------------------------
@pytest.fixture
def carer(tmp_path):
    lines = ["i feel so happy today;joy", "i am terrified;fear", "this makes me furious;anger"] * 3
    (tmp_path / "val.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tmp_path


def test_evaluate_reports_progress_and_its_figures_do_not_change(carer):
    from affectscope.evaluate import evaluate

    quiet = evaluate("carer", carer, split="dev")
    shares: list[float] = []
    assert evaluate("carer", carer, split="dev", progress=shares.append) == quiet
    assert shares
    assert shares[-1] == 1.0
    log = io.StringIO()
    assert evaluate("carer", carer, split="dev", progress=Progress(stream=log, interval=0)) == quiet
    assert log.getvalue().splitlines()[-1].startswith("eval carer dev: 9/9 (100%) in ")


def test_chunked_text_predictions_are_those_of_one_call():
    from affectscope.evaluate.harness import _predict_texts
    from affectscope.recognizers.text import TextRecognizer

    rec = TextRecognizer(batch_size=2, num_threads=1)  # chunks of 32 texts
    texts = [f"{w} number {i}" + " really" * (i * 5 % 7) for i, w in enumerate(["I love it", "I hate it", "Oh"] * 25)]
    p = Progress(len(texts), enabled=False)
    chunked = _predict_texts(rec, texts, progress=p)
    assert p.done == len(texts)
    whole = rec.predict(texts)
    assert chunked.keys() == whole.keys()
    for k in whole:  # the very same batches: bit-identical, so the figures of the model cards stay
        np.testing.assert_array_equal(chunked[k], whole[k])


def test_batch_reports_through_the_reporter(tmp_path):
    from affectscope.batch import run_batch

    src = tmp_path / "in"
    src.mkdir()
    for i, t in enumerate(["What a lovely day!", "I am so angry.", "This is sad."]):
        (src / f"t{i}.txt").write_text(t, encoding="utf-8")
    log = io.StringIO()
    report = run_batch(src, tmp_path / "out", workers=1, evidence=False, progress=Progress(stream=log, interval=0))
    assert report.ok == 3
    last = log.getvalue().splitlines()[-1]
    assert last.startswith("batch text: 3/3 (100%) in ")
    assert not math.isnan(report.seconds)
