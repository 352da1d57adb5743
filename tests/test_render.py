"""Terminal tables (affectscope.render): they fit 80 and 200 columns, numbers never wrap, text keeps >= 30 columns."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from rich.cells import cell_len
from rich.console import Console
from typer.testing import CliRunner

from affectscope.cli import app
from affectscope.errors import InputError
from affectscope.render import KINDS, render
from affectscope.result import INDEX_NAMES, Result

WIDTHS = (80, 200)
LONG = [
    "I finally got the job I had wanted for years, and I start on Monday morning in the new office.",
    "But my cat died last night and I miss her terribly; the flat feels so empty without her.",
    "Oh. I will miss you so much.",
]
CHAT = (
    "speaker,text\n"
    f'Ann,"{LONG[0]}"\n'
    f'Customer Support,"That is wonderful, congratulations! We should celebrate this weekend with everyone."\n'
    f'Ann,"{LONG[1]}"\n'
    f"Bob,{LONG[2]}\n"
)
# the header of each kind's main text column
MAIN = {
    "text": "text",
    "conversation": "text",
    "speech": "transcript",
    "music": "evidence",
    "physio": "evidence",
    "timeline": "cues",
}


def _frame(rows: list[dict], sources: list[str] | None = None, *, point: bool = False) -> pd.DataFrame:
    sources = sources or ["in.wav"] * len(rows)
    index = pd.MultiIndex.from_tuples(
        [(s, float(i) * 30, float(i) * 30 + (0 if point else 30)) for i, s in enumerate(sources)], names=INDEX_NAMES
    )
    return pd.DataFrame(rows, index=index)


def _speech() -> Result:
    rows = [
        {
            "text": t,
            "label": "neutral",
            "confidence": 0.61,
            "valence": 0.1,
            "arousal": -0.2,
            "pitch_rel_st": 1.5,
            "loudness_rel_db": -3.2,
            "text_label": "sadness",
        }
        for t in LONG
    ]
    return Result(
        _frame(rows),
        {"label": "neutral", "confidence": 0.6, "valence": 0.1, "arousal": -0.2, "n_segments": 3}
        | {"speech_duration": 90.0, "baseline": "auto", "rationale": "three segments of calm speech."},
    )


def _music() -> Result:
    rows = [
        {"label": "Q1", "confidence": 0.8, "valence": 0.3, "arousal": 0.4, "moods": "happy, energetic", "evidence": t}
        for t in LONG
    ]
    return Result(
        _frame(rows, ["song.mp3"] * 3),
        {"label": "Q1", "confidence": 0.8, "valence": 0.3, "arousal": 0.4, "moods": ["happy"], "rationale": "bright."},
    )


def _physio() -> Result:
    rows = [{"label": "stress", "stress2:stress": 0.7, "evidence": t} for t in LONG]
    return Result(_frame(rows, ["e4"] * 3), {"label": "stress", "rationale": "high EDA."})


def _timeline() -> Result:
    face = {
        "modality": "face",
        "track": "face1",
        "label": "joy",
        "confidence": 0.9,
        "valence": 0.6,
        "arousal": 0.3,
        "action:smile": 0.8,
        "action:brow_raise": 0.3,
    }
    rows = [face] + [
        {"modality": m, "track": "Ann", "label": "joy", "confidence": 0.6, "valence": 0.2, "arousal": 0.1, "text": t}
        for m, t in zip(("subtitle", "speech", "subtitle"), LONG, strict=True)
    ]
    return Result(
        _frame(rows, ["clip.mp4"] * 4),
        {"label": "joy", "confidence": 0.7, "valence": 0.4, "arousal": 0.2, "rationale": "smiles and happy words."},
    )


@pytest.fixture(scope="module")
def results(text_recognizer, tmp_path_factory):
    from affectscope.conversation import ConversationRecognizer

    chat = tmp_path_factory.mktemp("render") / "dialogue.csv"
    chat.write_text(CHAT, encoding="utf-8")
    text = text_recognizer.process_text(" ".join(LONG))
    return {
        "text": text,
        "conversation": ConversationRecognizer(num_threads=2, evidence=True).process_file(chat),
        "speech": _speech(),
        "music": _music(),
        "physio": _physio(),
        "timeline": _timeline(),
    }


def _render(result: Result, kind: str, width: int) -> str:
    console = Console(width=width, file=io.StringIO(), force_terminal=False)
    render(result, kind, console=console)
    return console.file.getvalue()


def _column(out: str, header: str) -> tuple[int, str]:
    """Width of the column named ``header`` and its cells' text joined (the table must be the first in ``out``)."""
    lines = out.splitlines()
    head = next(line for line in lines if "┃" in line and header in line)
    cells = head.split("┃")
    i = next(j for j, c in enumerate(cells) if c.strip() == header)
    width = cell_len(cells[i]) - 2  # one space of padding each side
    body = [line.split("│") for line in lines if line.startswith("│")]
    text = " ".join(row[i].strip() for row in body if len(row) > i and row[i].strip())
    return width, text


def _texts(result: Result, kind: str) -> list[str]:
    frame = result.frame
    if kind == "timeline":
        return [t for t in frame["text"] if isinstance(t, str)]
    col = "evidence" if kind in ("music", "physio") else "text"
    return [str(t) for t in frame[col]]


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("kind", KINDS)
def test_tables_fit_the_console_and_keep_text_readable(results, kind, width):
    out = _render(results[kind], kind, width)
    assert max(cell_len(line) for line in out.splitlines()) <= width, out
    col_width, column = _column(out, MAIN[kind])
    assert col_width >= 30, out
    flat = re.sub(r"\s+", " ", column)
    for text in _texts(results[kind], kind):
        assert re.sub(r"\s+", " ", text) in flat, (text, out)  # wrapped, never cut
    if "┃ conf ┃" in out:  # numbers are never wrapped nor cut
        for conf in results[kind].frame["confidence"].head(10):
            assert f"│ {conf:.2f} │" in out, out


@pytest.mark.parametrize("kind", ["text", "conversation", "speech", "timeline"])
def test_narrow_tables_leave_out_columns_and_say_so(results, kind):
    wide, narrow = _render(results[kind], kind, 200), _render(results[kind], kind, 80)
    assert "not shown at" not in wide
    assert "not shown at 80 columns" in narrow
    assert "│" in narrow  # still a table


def test_several_sources_get_a_source_column_within_80(text_recognizer):
    frames = [text_recognizer.process_text(t, source=f"notes-{i}.txt") for i, t in enumerate(LONG)]
    result = Result(pd.concat([r.frame for r in frames]), frames[0].summary)
    out = _render(result, "text", 80)
    assert max(cell_len(line) for line in out.splitlines()) <= 80
    assert _column(out, "source")[0] >= 10
    assert _column(out, "text")[0] >= 30


@pytest.mark.parametrize("width", WIDTHS)
def test_input_text_never_reaches_the_terminal_raw(width):
    evil = "happy \x1b]0;pwned\x07\x1b[2J [bold]x[/] \u202eevil " * 3
    result = _physio()
    result.frame["evidence"] = evil
    out = _render(result, "physio", width)
    assert not any(c in out for c in ("\x1b", "\x07", "\u202e"))
    assert "\\x1b" in out
    assert "[bold]" in out  # markup shown, not applied


def test_render_rejects_an_unknown_kind(results):
    with pytest.raises(InputError, match="kind takes one of"):
        render(results["text"], "hologram")
    out = _render(results["speech"], "audio", 120)  # the CLI's media kinds are accepted too
    assert "transcript" in out


@pytest.mark.parametrize("columns", ["80", "200"])
def test_cli_conversation_table_at_columns(tmp_path, columns):
    chat = tmp_path / "dialogue.csv"
    chat.write_text(CHAT, encoding="utf-8")
    r = CliRunner().invoke(app, ["analyze", str(chat), "--conversation"], env={"COLUMNS": columns})
    assert r.exit_code == 0, r.output
    assert max(cell_len(line) for line in r.stdout.splitlines()) <= int(columns), r.stdout
    width, column = _column(r.stdout, "text")
    assert width >= 30, r.stdout
    flat = re.sub(r"\s+", " ", column)
    for line in CHAT.splitlines()[1:]:
        text = line.split(",", 1)[1].strip('"')
        assert text in flat, (text, r.stdout)
