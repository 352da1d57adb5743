"""Progress of long work (``affectscope eval``, ``batch``, long media): a rich bar on a terminal, lines otherwise.

:class:`Progress` is one small reporter used as a context manager. Work reports through :meth:`Progress.advance`
(items done) or :meth:`Progress.update` (the share done, 0–1; :meth:`Progress.callback` makes the
``Callable[[float], None]`` that the recognizers' ``progress=`` takes). Where it writes:

* on a terminal, a rich progress bar (description, bar, count, rate, time left);
* anywhere else (a log file, a pipe, CI), a short line at most every ``interval`` seconds, e.g.
  ``eval ravdess test: 120/480 (25%), 3.1/s, ~1:56 left``, and one final line;
* with ``enabled=False``, nothing (counts are still kept and a ``callback`` is still called).

It writes to standard error by default, never to standard output (which carries JSON/CSV results). It may be
advanced from worker threads, and a stream that breaks (a closed pipe, a closed file) silences it instead of
raising into the work.

Examples
--------
>>> import io
>>> log = io.StringIO()
>>> with Progress(4, description="demo", stream=log, interval=0) as p:
...     for _ in range(4):
...         p.advance()
>>> log.getvalue().splitlines()[-1].startswith("demo: 4/4 (100%) in 0:00")
True
"""

from __future__ import annotations

import logging
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import IO, Any, TypeVar

__all__ = ["Progress", "as_progress"]

_log = logging.getLogger(__name__)
T = TypeVar("T")


class _SafeStream:
    """A text stream whose writes never raise: the first failure (closed, broken pipe) silences it for good."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self.broken = False

    def write(self, text: str) -> int:
        if not self.broken:
            try:
                self._stream.write(text)
            except (OSError, ValueError):  # BrokenPipeError, "I/O operation on closed file"
                self.broken = True
        return len(text)

    def flush(self) -> None:
        if not self.broken:
            try:
                self._stream.flush()
            except (OSError, ValueError):
                self.broken = True

    def isatty(self) -> bool:
        try:
            return bool(self._stream.isatty())
        except (AttributeError, OSError, ValueError):
            return False

    def __getattr__(self, name: str) -> Any:  # fileno, encoding, ... for rich
        return getattr(self._stream, name)


def _clock_text(seconds: float) -> str:
    """``m:ss`` or ``h:mm:ss``."""
    s = max(0, round(seconds))
    h, rest = divmod(s, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _rate_text(rate: float) -> str:
    return f"{rate:.1f}/s" if rate >= 1 else f"{1 / rate:.1f} s each"


class Progress:
    """Report the progress of long work: a rich bar on a terminal, a line every few seconds elsewhere.

    Parameters
    ----------
    total : float, optional
        Items to do. Without it, :meth:`advance` counts items (no percentage) and :meth:`update` reports a
        share (a percentage only).
    description : str
        What is being done, e.g. ``"eval ravdess test"``; the start of every line.
    stream : text stream, optional
        Where to write (default: ``sys.stderr`` when the work starts). Never standard output.
    enabled : bool
        ``False``: write nothing (counts are kept, ``callback`` is still called).
    interval : float
        Without a terminal: at least this many seconds between two lines (the final line comes anyway).
    force_terminal : bool, optional
        ``True``: the rich bar whatever the stream; ``False``: lines even on a terminal. Default: the bar when
        ``stream`` is a terminal (and ``TERM`` is not ``dumb``).
    callback : callable, optional
        Called with the share done (0–1) after each :meth:`advance` / :meth:`update`, outside the reporter's
        lock; what it raises reaches the work (a way to cancel it).
    clock : callable
        Seconds, monotonic (a fake clock for tests).

    Examples
    --------
    >>> import io
    >>> log, now = io.StringIO(), [0.0]
    >>> with Progress(480, description="eval ravdess", stream=log, clock=lambda: now[0]) as p:
    ...     now[0] = 40.0
    ...     p.advance(120)
    ...     on_share = p.callback()
    ...     now[0] = 150.0
    ...     on_share(1.0)
    >>> print(log.getvalue(), end="")
    eval ravdess: 120/480 (25%), 3.0/s, ~2:00 left
    eval ravdess: 480/480 (100%) in 2:30 (3.2/s)
    """

    def __init__(
        self,
        total: float | None = None,
        *,
        description: str = "",
        stream: IO[str] | None = None,
        enabled: bool = True,
        interval: float = 5.0,
        force_terminal: bool | None = None,
        callback: Callable[[float], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = None if total is None else max(0.0, float(total))
        self._given_total = total is not None
        self.description = description
        self.stream = stream
        self.enabled = enabled
        self.interval = max(0.0, float(interval))
        self.force_terminal = force_terminal
        self.on_share = callback
        self._clock = clock
        self._lock = threading.RLock()
        self.done = 0.0
        self._share: float | None = None  # set by update() without a total: percentage-only reports
        self._t0 = self._last = clock()
        self._mode = "off"  # "off", "rich" or "lines" while started
        self._out: _SafeStream | None = None
        self._bar: Any = None
        self._task: Any = None

    # --- state ---------------------------------------------------------------------------------------------
    @property
    def share(self) -> float | None:
        """Share of the work done (0–1), or None when neither a total nor a share is known."""
        with self._lock:
            if self._share is not None:
                return self._share
            if self.total:
                return min(1.0, self.done / self.total)
            return 1.0 if self.total == 0 else None

    @property
    def elapsed(self) -> float:
        """Seconds since the work started."""
        return max(0.0, self._clock() - self._t0)

    @property
    def rate(self) -> float | None:
        """Items per second so far (None before the first item, or when only shares are reported)."""
        elapsed = self.elapsed
        if self._share is not None or self.done <= 0 or elapsed <= 0:
            return None
        return self.done / elapsed

    def _remaining(self) -> float | None:
        share, elapsed = self.share, self.elapsed
        if share is None or share <= 0 or elapsed <= 0:
            return None
        return elapsed * (1 - share) / share

    # --- lifecycle -----------------------------------------------------------------------------------------
    def __enter__(self) -> Progress:
        self.start()
        return self

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            self.close()
        elif issubclass(exc_type, KeyboardInterrupt):
            self.close(stopped=True)
        else:  # the error's own message follows: no line of ours (errors stay one line on stderr)
            self.close(final=False)

    def start(self) -> Progress:
        """Start (or restart) the clock and the display; :meth:`close` ends them.

        Returns
        -------
        Progress
            ``self``.

        Examples
        --------
        >>> p = Progress(2, enabled=False).start()
        >>> p.advance(2); p.share
        1.0
        >>> p.close()
        """
        with self._lock:
            self._stop_display()
            self.done, self._share = 0.0, None
            self._t0 = self._last = self._clock()
            self._mode = "off"
            if not self.enabled:
                return self
            self._out = _SafeStream(self.stream if self.stream is not None else sys.stderr)
            rich = self.force_terminal
            if rich is None:
                rich = self._out.isatty() and os.environ.get("TERM", "") != "dumb"
            self._mode = "lines"
            if rich:
                try:
                    self._start_bar()
                    self._mode = "rich"
                except Exception:  # never let the display stop the work
                    _log.debug("rich progress unavailable; writing lines", exc_info=True)
                    self._bar = None
        return self

    def _start_bar(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            TaskProgressColumn,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.progress import Progress as RichProgress

        counting = self.total is not None
        columns = [
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn() if counting else TaskProgressColumn(),
            TextColumn("{task.fields[rate]}"),
            TimeRemainingColumn(),
        ]
        console = Console(file=self._out, force_terminal=True)  # type: ignore[arg-type]
        self._bar = RichProgress(
            *columns, console=console, transient=False, redirect_stdout=False, redirect_stderr=False
        )
        self._bar.start()
        self._task = self._bar.add_task(self.description or "progress", total=self.total or 1.0, rate="")

    def close(self, *, stopped: bool = False, final: bool = True) -> None:
        r"""End the display: the bar's final state, or one final line.

        A ``with`` block closes with ``stopped=True`` on Ctrl-C, and with ``final=False`` on an error.

        Parameters
        ----------
        stopped : bool
            The work was stopped early: the line says where.
        final : bool
            ``False``: no final line (an error message is about to say what happened).

        Examples
        --------
        >>> import io
        >>> log = io.StringIO()
        >>> p = Progress(10, description="x", stream=log).start()
        >>> p.advance(3); p.close(stopped=True)
        >>> log.getvalue()
        'x: stopped at 3/10 (30%) after 0:00\n'
        """
        with self._lock:
            if self._mode == "lines" and final:
                self._write(self._final_line(stopped))
            elif self._mode == "rich":
                self._refresh_bar()
            self._stop_display()
            self._mode = "off"

    def _stop_display(self) -> None:
        if self._bar is not None:
            try:
                self._bar.stop()
            except Exception:
                _log.debug("could not stop the progress bar", exc_info=True)
            self._bar = None

    # --- reporting -----------------------------------------------------------------------------------------
    def advance(self, n: float = 1) -> None:
        """Count ``n`` more items done.

        Parameters
        ----------
        n : float
            Items just finished.

        Examples
        --------
        >>> p = Progress(4, enabled=False)
        >>> p.advance(); p.advance(2); p.done
        3.0
        """
        with self._lock:
            self.done += float(n)
            self._changed()
        self._notify()

    def update(self, share: float) -> None:
        """Set the share of the work done (0–1; clamped, NaN ignored): with a total, ``share × total`` items.

        Parameters
        ----------
        share : float
            Share done.

        Examples
        --------
        >>> p = Progress(480, enabled=False)
        >>> p.update(0.25); p.done
        120.0
        """
        try:
            share = float(share)
        except (TypeError, ValueError):
            return
        if math.isnan(share):
            return
        share = min(1.0, max(0.0, share))
        with self._lock:
            if self.total is not None:
                self.done = share * self.total
            else:
                self._share = share
            self._changed()
        self._notify()

    def callback(self, *, start: float = 0.0, end: float = 1.0) -> Callable[[float], None]:
        """Make a ``Callable[[float], None]`` taking a share (0–1), as the recognizers' ``progress=`` does.

        Parameters
        ----------
        start, end : float
            The part of this reporter's work the callback covers (e.g. file 2 of 4: ``start=0.25, end=0.5``).

        Returns
        -------
        callable
            ``f(share)`` sets this reporter to ``start + (end - start) × share``.

        Examples
        --------
        >>> p = Progress(enabled=False)
        >>> second_half = p.callback(start=0.5)
        >>> second_half(0.5); p.share
        0.75
        """

        def on_share(share: float) -> None:
            try:
                share = float(share)
            except (TypeError, ValueError):
                return
            if math.isnan(share):
                return
            self.update(start + (end - start) * min(1.0, max(0.0, share)))

        return on_share

    def iterate(self, items: Iterable[T]) -> Iterator[T]:
        """Yield ``items``, counting one done as the next one is asked for (and the last at the end).

        Parameters
        ----------
        items : iterable
            Any iterable (a generator is consumed lazily).

        Yields
        ------
        object
            The items, unchanged.

        Examples
        --------
        >>> p = Progress(3, enabled=False)
        >>> [x * 2 for x in p.iterate([1, 2, 3])], p.done
        ([2, 4, 6], 3.0)
        """
        for item in items:
            yield item
            self.advance()

    def _notify(self) -> None:
        if self.on_share is not None:
            share = self.share
            if share is not None:
                self.on_share(share)

    def _changed(self) -> None:  # under the lock
        if self._mode == "rich":
            self._refresh_bar()
        elif self._mode == "lines":
            now = self._clock()
            if now - self._last >= self.interval and self.share != 1.0:  # at 100 % the final line says it
                self._last = now
                self._write(self._line())

    def _refresh_bar(self) -> None:
        try:
            rate = self.rate
            if self.total is not None:
                self._bar.update(self._task, completed=self.done, rate=_rate_text(rate) if rate else "")
            else:
                share = self._share
                self._bar.update(self._task, completed=share if share is not None else 0.0, rate="")
        except Exception:
            _log.debug("progress bar update failed; progress silenced", exc_info=True)
            self._stop_display()
            self._mode = "off"

    def _write(self, line: str) -> None:
        if self._out is not None:
            self._out.write(line + "\n")
            self._out.flush()

    # --- lines ---------------------------------------------------------------------------------------------
    def _position(self) -> str:
        share = self.share
        if self.total is not None:
            pct = f" ({100 * share:.0f}%)" if share is not None else ""
            return f"{self.done:.0f}/{self.total:.0f}{pct}"
        if self._share is not None:
            return f"{100 * self._share:.0f}%"
        return f"{self.done:.0f} done"

    def _line(self) -> str:
        parts = [self._position()]
        rate = self.rate
        if rate:
            parts.append(_rate_text(rate))
        remaining = self._remaining()
        if remaining is not None:
            parts.append(f"~{_clock_text(remaining)} left")
        return f"{self.description or 'progress'}: {', '.join(parts)}"

    def _final_line(self, stopped: bool) -> str:
        name, took = self.description or "progress", _clock_text(self.elapsed)
        if stopped:
            return f"{name}: stopped at {self._position()} after {took}"
        rate = self.rate
        return f"{name}: {self._position()} in {took}" + (f" ({_rate_text(rate)})" if rate else "")

    def __repr__(self) -> str:
        return f"Progress(total={self.total}, description={self.description!r}, done={self.done:g})"


def as_progress(
    progress: bool | Progress | Callable[[float], None] | None,
    *,
    total: float | None = None,
    description: str = "",
) -> Progress:
    """Build the reporter that a ``progress=`` argument asks for.

    Parameters
    ----------
    progress : bool, Progress, callable or None
        ``None``/``False``: quiet; ``True``: a :class:`Progress` on stderr (a bar on a terminal, lines
        otherwise); a :class:`Progress`: that one (given ``total`` and ``description`` unless it has its own);
        a callable: called with the share done (0–1), nothing written.
    total : float, optional
        Items the work will count.
    description : str
        Default description.

    Returns
    -------
    Progress
        Not started: use it in a ``with`` block.

    Examples
    --------
    >>> as_progress(None, total=3).enabled
    False
    >>> shares = []
    >>> with as_progress(shares.append, total=2) as p:
    ...     p.advance(); p.advance()
    >>> shares
    [0.5, 1.0]
    """
    if isinstance(progress, Progress):
        if not progress._given_total:
            progress.total = None if total is None else float(total)
        if not progress.description:
            progress.description = description
        return progress
    if progress is None or progress is False:
        return Progress(total, description=description, enabled=False)
    if progress is True:
        return Progress(total, description=description)
    if callable(progress):
        return Progress(total, description=description, enabled=False, callback=progress)
    raise TypeError(f"progress must be a bool, a Progress or a callable taking a share; got {progress!r}.")
