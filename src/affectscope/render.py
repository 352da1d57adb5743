"""Terminal tables for a :class:`~affectscope.result.Result` (``affectscope analyze --format table``).

The tables fit the console: numbers keep their full width and never wrap, text columns share what is left and
wrap (``overflow="fold"``), and when the console is too narrow for every column the least important ones (evidence,
extra labels, then arousal, valence, ...) are left out, with a dim line naming them. No line is wider than the
console (``COLUMNS``, or 80 when no standard stream is a terminal). Text from an input always goes through
:func:`_safe`: control characters never reach the terminal and rich markup in the data is shown, not applied.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # pragma: no cover
    from rich.console import Console

    from affectscope.result import Result

__all__ = ["KINDS", "render"]

_MAX_TABLE_ROWS = 200
_TEXT_MIN = 30  # the main text column is at least this wide whenever the other kept columns allow it

# C0 and C1 control characters, DEL and the Unicode bidirectional overrides: printed raw, text from an input (or a
# file name) could move the cursor, clear the screen, set the terminal title or reorder what is shown.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def _visible(m: re.Match[str]) -> str:
    ch = m.group()
    if ch in "\n\r\t":
        return " "
    return f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}"


def _safe(value: Any) -> str:
    r"""Make a value safe to print in a terminal table or message (JSON and CSV output keep the data as it is).

    Control characters are shown as ``\xNN`` (line breaks and tabs as spaces) and rich markup is escaped.

    Examples
    --------
    >>> _safe("hi \x1b]0;title\x07 [bold]x[/]\nthere")
    'hi \\x1b]0;title\\x07 \\[bold]x\\[/] there'
    """
    from rich.markup import escape

    return escape(_CONTROL.sub(_visible, str(value)))


def _signed(v: Any) -> str:
    """Format a signed 2-decimal number, or blank when missing (fused rows have no VAD).

    Examples
    --------
    >>> _signed(0.5), _signed(float("nan")), _signed(None)
    ('+0.50', '', '')
    """
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else f"{v:+.2f}"


def _num(v: object, fmt: str) -> str:
    return "" if v is None or v != v else format(v, fmt)


# --- fitting columns to the console width ------------------------------------------------------------------------


@dataclass
class _Col:
    """One table column before fitting.

    ``wrap``: a text column (folds, shares the free width); otherwise the column is as wide as its widest cell and
    never wraps. ``drop``: columns with the lowest value are left out first when the console is too narrow; ``None``
    never. ``min_width``: the narrowest a text column is made while columns can still be dropped instead.
    """

    header: str
    cells: list[str]
    wrap: bool = False
    drop: int | None = None
    min_width: int = 0
    ratio: int = 1
    justify: str = "left"

    @cached_property
    def natural(self) -> int:
        from rich.text import Text

        return max([len(self.header)] + [Text.from_markup(c).cell_len for c in self.cells])

    @property
    def minimum(self) -> int:
        return min(self.min_width, self.natural) if self.wrap else self.natural


def _overhead(n: int) -> int:
    """Borders and padding of a boxed table of ``n`` columns (one space each side of a cell, n + 1 rules)."""
    return 3 * n + 1


def _fit(columns: Sequence[_Col], width: int) -> tuple[list[_Col], list[int], list[str]]:
    """Choose the columns that fit ``width`` and their widths; also return the headers left out.

    Examples
    --------
    >>> cols = [_Col("n", ["1.00"]), _Col("text", ["x" * 100], wrap=True, min_width=30), _Col("ev", ["y" * 50],
    ...         wrap=True, drop=0, min_width=20)]
    >>> kept, widths, dropped = _fit(cols, 50)
    >>> [c.header for c in kept], widths, dropped
    (['n', 'text'], [4, 39], ['ev'])
    """
    kept = list(columns)
    dropped: list[str] = []

    def need(cols: list[_Col]) -> int:
        return sum(c.minimum for c in cols) + _overhead(len(cols))

    while need(kept) > width:
        droppable = [c for c in kept if c.drop is not None]
        if not droppable:
            break
        victim = min(droppable, key=lambda c: c.drop)  # type: ignore[arg-type, return-value]
        kept.remove(victim)
        dropped.append(victim.header)
    room = width - _overhead(len(kept)) - sum(c.natural for c in kept if not c.wrap)
    texts = [c for c in kept if c.wrap]
    given = {id(c): c.minimum for c in texts}
    floor = sum(given.values())
    if texts and floor > room:  # nothing left to drop: share what there is (rich squeezes the rest)
        for c in texts:
            given[id(c)] = max(1, room * c.minimum // max(floor, 1))
    else:
        extra = room - floor
        while extra > 0:
            open_ = [c for c in texts if given[id(c)] < c.natural]
            if not open_:
                break
            total = sum(c.ratio for c in open_)
            spent = 0
            for i, c in enumerate(open_):
                share = extra * c.ratio // total if i < len(open_) - 1 else extra - spent
                share = min(max(share, 1), c.natural - given[id(c)], extra - spent)
                given[id(c)] += share
                spent += share
            extra -= spent
            if spent == 0:
                break
    widths = [given[id(c)] if c.wrap else c.natural for c in kept]
    return kept, widths, dropped


def _print_fitted(console: Console, columns: Sequence[_Col], *, title: str | None = None) -> None:
    """Print ``columns`` as one table that fits the console, and say which columns were left out."""
    from rich.table import Table

    # an optional column with nothing in it (no pitch without voiced frames, no evidence asked for) is left out
    columns = [c for c in columns if c.drop is None or any(cell.strip() for cell in c.cells)]
    kept, widths, dropped = _fit(columns, console.width)
    table = Table(title=title)
    for col, w in zip(kept, widths, strict=True):
        table.add_column(
            col.header,
            width=w,
            no_wrap=not col.wrap,
            overflow="fold" if col.wrap else "ellipsis",
            justify=col.justify,  # type: ignore[arg-type]
        )
    n = len(kept[0].cells) if kept else 0
    for i in range(n):
        table.add_row(*(c.cells[i] for c in kept))
    console.print(table)
    if dropped:
        console.print(
            f"[dim]not shown at {console.width} columns: {', '.join(dropped)} (--format json has every column)[/]",
            highlight=False,
        )


def _more_rows(console: Console, total: int) -> None:
    if total > _MAX_TABLE_ROWS:
        console.print(f"[dim]... {total - _MAX_TABLE_ROWS} more rows: use --format csv|json or -o FILE.[/]")


def _sources_title(result: Result) -> tuple[bool, str | None]:
    sources = result.frame.index.get_level_values("source").unique()
    one = len(sources) <= 1
    return one, (_safe(sources[0]) if len(sources) == 1 else None)


# --- the printers ------------------------------------------------------------------------------------------------


def _print_table(result: Result, console: Console | None = None) -> None:
    """Text segments: label, labels (or open words), confidence, valence/arousal, evidence."""
    console = console or _console()
    one, title = _sources_title(result)
    shown = result.frame.head(_MAX_TABLE_ROWS)
    cited = "evidence" in shown.columns
    words = "open_words" in shown.columns
    rows = list(shown.iterrows())
    columns = [
        *([] if one else [_Col("source", [_safe(k[0]) for k, _ in rows], wrap=True, min_width=10)]),
        _Col("chars", [f"{k[1]}-{k[2]}" for k, _ in rows], drop=3),
        _Col("text", [_safe(r["text"]) for _, r in rows], wrap=True, min_width=_TEXT_MIN, ratio=4),
        _Col("label", [_safe(r["label"]) for _, r in rows]),
        _Col(
            "words" if words else "labels",
            [_safe(r["open_words"] if words else r["labels"].replace(",", ", ")) for _, r in rows],
            wrap=True,
            drop=1,
            min_width=12,
            ratio=2,
        ),
        _Col("conf", [f"{r['confidence']:.2f}" for _, r in rows], drop=5, justify="right"),
        _Col("val", [f"{r['valence']:+.2f}" for _, r in rows], drop=4, justify="right"),
        _Col("aro", [f"{r['arousal']:+.2f}" for _, r in rows], drop=2, justify="right"),
    ]
    if cited:
        columns.append(
            _Col("evidence", [_safe(r["evidence"]) for _, r in rows], wrap=True, drop=0, min_width=16, ratio=2)
        )
    _print_fitted(console, columns, title=title)
    _more_rows(console, len(result.frame))
    s = result.summary
    if s.get("label") is not None:
        console.print(
            f"[bold]overall[/]: {_safe(s['label'])} (confidence {s['confidence']:.2f}); labels: "
            f"{_safe(', '.join(s['labels']))}; valence {s['valence']:+.2f}, arousal {s['arousal']:+.2f}, dominance "
            f"{s['dominance']:+.2f}"
            + (f"; in words: {_safe(', '.join(s['open_words']))}" if s.get("open_words") else "")
        )
        console.print(f"[dim]{_safe(s['rationale'])}[/]", highlight=False)


def _print_speech_table(result: Result, console: Console | None = None) -> None:
    """Speech segments: transcript, voice label, valence/arousal, pitch and loudness, the transcript's text label."""
    console = console or _console()
    one, title = _sources_title(result)
    rows = list(result.frame.head(_MAX_TABLE_ROWS).iterrows())
    columns = [
        *([] if one else [_Col("source", [_safe(k[0]) for k, _ in rows], wrap=True, min_width=10)]),
        _Col("seconds", [f"{k[1]:.1f}-{k[2]:.1f}" for k, _ in rows]),
        _Col("transcript", [_safe(r["text"] or "") for _, r in rows], wrap=True, min_width=_TEXT_MIN, ratio=4),
        _Col("voice", [_safe(r["label"]) for _, r in rows]),
        _Col("conf", [f"{r['confidence']:.2f}" for _, r in rows], drop=6, justify="right"),
        _Col("val", [f"{r['valence']:+.2f}" for _, r in rows], drop=5, justify="right"),
        _Col("aro", [f"{r['arousal']:+.2f}" for _, r in rows], drop=4, justify="right"),
        _Col("pitch", [_num(r["pitch_rel_st"], "+.1f") for _, r in rows], drop=1, justify="right"),
        _Col("loud", [_num(r["loudness_rel_db"], "+.1f") for _, r in rows], drop=0, justify="right"),
        _Col("text", [_safe(r["text_label"] or "") for _, r in rows], drop=2),
    ]
    _print_fitted(console, columns, title=title)
    _more_rows(console, len(result.frame))
    s = result.summary
    if s.get("label") is None:
        console.print(f"[bold]overall[/]: {_safe(s.get('note', 'no speech'))}")
        return
    console.print(
        f"[bold]overall[/]: voice {_safe(s['label'])} (confidence {s['confidence']:.2f}); valence "
        f"{s['valence']:+.2f}, arousal {s['arousal']:+.2f}; {s['n_segments']} segments, {s['speech_duration']:.1f} s "
        f"of speech; baseline: {_safe(s['baseline'])}"
    )
    console.print(
        f"[dim]{_safe(s['rationale'])} pitch/loud: semitones/dB against the recording's median.[/]", highlight=False
    )


def _print_physio_table(result: Result, console: Console | None = None) -> None:
    """Wearable windows: stress probability and the physiological cues."""
    console = console or _console()
    one, title = _sources_title(result)
    rows = list(result.frame.head(_MAX_TABLE_ROWS).iterrows())
    columns = [
        *([] if one else [_Col("source", [_safe(k[0]) for k, _ in rows], wrap=True, min_width=10)]),
        _Col("minutes", [f"{k[1] / 60:.1f}-{k[2] / 60:.1f}" for k, _ in rows], justify="right"),
        _Col("label", [_safe(r["label"]) for _, r in rows]),
        _Col("P(stress)", [f"{r['stress2:stress']:.2f}" for _, r in rows], justify="right"),
        _Col("evidence", [_safe(r["evidence"]) for _, r in rows], wrap=True, min_width=_TEXT_MIN, ratio=4),
    ]
    _print_fitted(console, columns, title=title)
    _more_rows(console, len(result.frame))
    s = result.summary
    if s.get("rationale"):
        console.print(f"[bold]recording[/]: {_safe(s['label'])}; {_safe(s['rationale'])}", highlight=False)


def _print_music_table(result: Result, console: Console | None = None) -> None:
    """Music windows: quadrant, valence/arousal, moods and musical evidence."""
    console = console or _console()
    one, title = _sources_title(result)
    rows = list(result.frame.head(_MAX_TABLE_ROWS).iterrows())
    columns = [
        *([] if one else [_Col("source", [_safe(k[0]) for k, _ in rows], wrap=True, min_width=10)]),
        _Col("window", [f"{k[1]:.0f}-{k[2]:.0f} s" for k, _ in rows]),
        _Col("label", [_safe(r["label"]) for _, r in rows]),
        _Col("conf", [f"{r['confidence']:.2f}" for _, r in rows], drop=3, justify="right"),
        _Col("val", [_signed(r["valence"]) for _, r in rows], drop=2, justify="right"),
        _Col("aro", [_signed(r["arousal"]) for _, r in rows], drop=1, justify="right"),
        _Col("moods", [_safe(r["moods"]) for _, r in rows], wrap=True, drop=0, min_width=12, ratio=2),
        _Col("evidence", [_safe(r["evidence"]) for _, r in rows], wrap=True, min_width=_TEXT_MIN, ratio=4),
    ]
    _print_fitted(console, columns, title=title)
    _more_rows(console, len(result.frame))
    s = result.summary
    if s.get("label"):
        console.print(
            f"[bold]track[/]: {_safe(s['label'])} (confidence {s['confidence']:.2f}); valence {s['valence']:+.2f}, "
            f"arousal {s['arousal']:+.2f}; moods: {_safe(', '.join(s['moods']))}"
        )
        console.print(f"[dim]{_safe(s['rationale'])}[/]", highlight=False)
    else:
        for src, sub in s.get("sources", {}).items():
            console.print(
                f"[bold]{_safe(src)}[/]: {_safe(sub['label'])} ({sub['confidence']:.2f}); "
                f"{_safe(', '.join(sub['moods']))}"
            )


def _timeline_cues(row: Any, actions: list[str]) -> str:
    if row["modality"] == "face":
        top = sorted(((row[c], c[7:].replace("_", " ")) for c in actions), reverse=True)[:2]
        return ", ".join(f"{n} {v:.2f}" for v, n in top if v >= 0.2)
    if row["modality"] == "fusion":
        return str(row["modalities"]) + (f" INCONGRUENT {row['incongruence']:.2f}" if row["incongruent"] else "")
    if row["modality"] == "speech":
        said = row.get("text")
        return " — ".join(str(x) for x in (said, row.get("evidence")) if isinstance(x, str) and x)
    return str(row.get("text") or "")


def _timeline_when(start: float, end: float, row: Any) -> str:
    if end > start or row["modality"] != "face":
        return f"{start:.1f}-{end:.1f}"
    return f"box {row['box_x']:.0f},{row['box_y']:.0f} {row['box_w']:.0f}x{row['box_h']:.0f}"  # a still image


def _print_timeline_table(result: Result, console: Console | None = None) -> None:
    """Faces (and, for videos, voice and subtitle rows) on one timeline."""
    console = console or _console()
    frame = result.frame
    one, title = _sources_title(result)
    actions = [c for c in frame.columns if c.startswith("action:")]
    rows = list(frame.head(_MAX_TABLE_ROWS).iterrows())
    columns = [
        *([] if one else [_Col("source", [_safe(k[0]) for k, _ in rows], wrap=True, min_width=10)]),
        _Col("where", [_timeline_when(k[1], k[2], r) for k, r in rows]),
        _Col("what", [_safe(r["modality"]) for _, r in rows], drop=3),
        _Col("track", [_safe(r["track"]) for _, r in rows], wrap=True, drop=4, min_width=8),
        _Col("label", [_safe(r["label"]) for _, r in rows]),
        _Col("conf", [f"{r['confidence']:.2f}" for _, r in rows], drop=2, justify="right"),
        _Col("val", [_signed(r.get("valence")) for _, r in rows], drop=1, justify="right"),
        _Col("aro", [_signed(r.get("arousal")) for _, r in rows], drop=0, justify="right"),
        _Col("cues", [_safe(_timeline_cues(r, actions)) for _, r in rows], wrap=True, min_width=_TEXT_MIN, ratio=4),
    ]
    _print_fitted(console, columns, title=title)
    _more_rows(console, len(frame))
    s = result.summary
    if s.get("label") is None:
        console.print(f"[bold]overall[/]: {_safe(s.get('note', 'nothing found'))}")
        return
    by = s.get("labels_by_modality")
    console.print(
        f"[bold]overall[/]: {_safe(s['label'])} (confidence {s['confidence']:.2f}); valence "
        f"{_signed(s.get('valence'))}, arousal {_signed(s.get('arousal'))}"
        + (f"; by modality: {_safe(by)}" if by else "")
    )
    if s.get("incongruent"):
        console.print(f"[yellow]the modalities disagree (incongruence {s['incongruence']:.2f})[/]")
    tracks = s.get("tracks") or s.get("modalities", {}).get("face", {}).get("tracks") or {}
    for tid, t in list(tracks.items())[:10]:
        console.print(
            f"  {_safe(tid)}: {_safe(t['label'])} ({t['n_faces']} observations, {t['first']:.1f}-{t['last']:.1f} s)"
        )
    if s.get("rationale"):
        console.print(f"[dim]{_safe(s['rationale'])}[/]", highlight=False)


def _print_conversation_table(result: Result, console: Console | None = None) -> None:
    """Conversation turns: speaker, label in context (and alone, when different), valence, the turn's text."""
    console = console or _console()
    frame = result.frame
    rows = list(frame.head(_MAX_TABLE_ROWS).iterrows())
    dialogues = frame["dialogue"].astype(str).unique() if len(frame) else []
    one = len(dialogues) == 1
    cited = "evidence" in frame.columns

    def label(row: Any) -> str:
        text = str(row["label"]) + (f" (was {row['shift_from']})" if row["shift"] else "")
        if row["label_without_context"] != row["label"]:
            text += f"; alone: {row['label_without_context']}"
        return _safe(text)

    columns = [
        *([] if one else [_Col("dialogue", [_safe(r["dialogue"]) for _, r in rows], wrap=True, min_width=10)]),
        _Col("turn", [str(r["turn"]) for _, r in rows], justify="right"),
        _Col("speaker", [_safe(r["track"]) for _, r in rows], wrap=True, min_width=16),
        _Col("label", [label(r) for _, r in rows], wrap=True, min_width=10),
        _Col("conf", [f"{r['confidence']:.2f}" for _, r in rows], drop=2, justify="right"),
        _Col("val", [f"{r['valence']:+.2f}" for _, r in rows], drop=1, justify="right"),
        _Col("text", [_safe(r["text"]) for _, r in rows], wrap=True, min_width=_TEXT_MIN, ratio=4),
    ]
    if cited:
        columns.append(
            _Col("because of", [_safe(r["evidence"]) for _, r in rows], wrap=True, drop=0, min_width=16, ratio=2)
        )
    _print_fitted(console, columns, title=_safe(dialogues[0]) if one else None)
    _more_rows(console, len(frame))
    s = result.summary
    console.print(
        f"[bold]overall[/]: {_safe(s['label'])} ({s['n_turns']} turns, {s['n_speakers']} speakers, {s['n_dialogues']} "
        f"dialogue(s), {s['n_shifts']} emotion shifts; mode {s['mode']})"
    )
    for name, sp in list(s["speakers"].items())[:10]:
        console.print(
            f"  {_safe(name)}: {_safe(', '.join(sp['dominant']))}; valence {sp['valence']:+.2f} "
            f"({_safe(sp['valence_trend'])}: "
            f"{' '.join(f'{v:+.2f}' for v in sp['valence_trajectory'])}); {sp['n_shifts']} shifts",
            highlight=False,
        )
    if s.get("skipped_turns"):
        console.print(f"[dim]{s['skipped_turns']} empty turn(s) skipped.[/]")
    console.print(f"[dim]{_safe(s['rationale'])}[/]", highlight=False)


def _console() -> Console:
    from rich.console import Console

    return Console()


_PRINTERS = {
    "text": _print_table,
    "conversation": _print_conversation_table,
    "speech": _print_speech_table,
    "music": _print_music_table,
    "physio": _print_physio_table,
    "timeline": _print_timeline_table,
}
_ALIASES = {"audio": "speech", "image": "timeline", "video": "timeline", "face": "timeline"}
KINDS = tuple(_PRINTERS)
"""The kinds of table :func:`render` prints (``audio``, ``image``, ``video`` and ``face`` are accepted too)."""


def render(result: Result, kind: str = "text", *, console: Console | None = None) -> None:
    """Print ``result`` as a table that fits the console, with its summary lines below.

    Parameters
    ----------
    result : Result
        What an analysis returned.
    kind : str
        Which table: ``"text"``, ``"conversation"``, ``"speech"`` (or ``"audio"``), ``"music"``, ``"physio"`` or
        ``"timeline"`` (faces, voice and subtitles of images and videos; ``"image"`` and ``"video"`` also work).
    console : rich.console.Console, optional
        Where to print; by default a new console on stdout, as wide as ``COLUMNS`` or the terminal (80 when no
        standard stream is a terminal). Narrow consoles leave out the least important columns (and say so); numbers
        never wrap, text wraps, and no line is wider than the console.

    Raises
    ------
    InputError
        For an unknown ``kind``.

    Examples
    --------
    >>> import io
    >>> from rich.console import Console
    >>> from affectscope.recognizers.text import TextRecognizer
    >>> console = Console(width=80, file=io.StringIO())
    >>> render(TextRecognizer().process_text("I finally got the job!"), "text", console=console)
    >>> lines = console.file.getvalue().splitlines()
    >>> max(len(line) for line in lines) <= 80 and "got the job" in console.file.getvalue()
    True
    """
    from affectscope.errors import InputError

    name = _ALIASES.get(kind, kind)
    if name not in _PRINTERS:
        raise InputError(f"render: kind takes one of {', '.join(KINDS)}; got {kind!r}.")
    _PRINTERS[name](result, console)
