"""Cooperative cancellation and time budgets for long analyses (the service's DELETE and ``job_timeout_s``).

A :class:`CancelToken` is made active for the current thread (or task) with :func:`cancel_scope`; the
recognizers' main loops call :func:`check_cancelled` between batches, segments, frames and windows, which raises
:class:`~affectscope.errors.CancelledError` once the token was cancelled (from any thread) or
:class:`~affectscope.errors.TimeLimitError` once its deadline passed. Without an active token
:func:`check_cancelled` does nothing and costs one context-variable lookup, so library and CLI use are unaffected.

Cancellation is cooperative: work inside one model call or one decoder call finishes first.

Examples
--------
>>> token = CancelToken()
>>> with cancel_scope(token):
...     check_cancelled()  # nothing happens
...     token.cancel("deleted by the client")
...     check_cancelled()
Traceback (most recent call last):
...
affectscope.errors.CancelledError: The analysis was stopped: deleted by the client.
>>> check_cancelled()  # outside the scope: a no-op again
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from affectscope.errors import CancelledError, TimeLimitError

__all__ = ["CancelToken", "cancel_scope", "check_cancelled"]

_ACTIVE: ContextVar[CancelToken | None] = ContextVar("affectscope_cancel_token", default=None)


class CancelToken:
    """A flag another thread can set, and an optional deadline.

    Parameters
    ----------
    timeout : float, optional
        Seconds from now after which :meth:`check` raises :class:`~affectscope.errors.TimeLimitError`
        (default: no deadline).

    Examples
    --------
    >>> t = CancelToken(timeout=0)
    >>> t.check()
    Traceback (most recent call last):
    ...
    affectscope.errors.TimeLimitError: The analysis ran past its time budget of 0 s and was stopped.
    """

    __slots__ = ("_event", "budget", "deadline", "reason")

    def __init__(self, *, timeout: float | None = None) -> None:
        self._event = threading.Event()
        self.reason = "cancelled"
        self.budget = timeout
        self.deadline = None if timeout is None else time.monotonic() + timeout

    def cancel(self, reason: str = "cancelled") -> None:
        """Ask the work to stop at its next check (safe to call from any thread)."""
        self.reason = reason
        self._event.set()

    @property
    def cancelled(self) -> bool:
        """Whether :meth:`cancel` was called."""
        return self._event.is_set()

    @property
    def expired(self) -> bool:
        """Whether the deadline has passed."""
        return self.deadline is not None and time.monotonic() > self.deadline

    def check(self) -> None:
        """Raise if the token was cancelled or its deadline passed.

        Raises
        ------
        CancelledError
            :meth:`cancel` was called.
        TimeLimitError
            The deadline passed.
        """
        if self._event.is_set():
            raise CancelledError(f"The analysis was stopped: {self.reason}.")
        if self.deadline is not None and time.monotonic() > self.deadline:
            raise TimeLimitError(f"The analysis ran past its time budget of {self.budget:g} s and was stopped.")


@contextmanager
def cancel_scope(token: CancelToken) -> Iterator[CancelToken]:
    """Make ``token`` the one :func:`check_cancelled` consults inside the ``with`` block (this thread only).

    Examples
    --------
    >>> with cancel_scope(CancelToken(timeout=60)) as t:
    ...     t.cancelled
    False
    """
    reset = _ACTIVE.set(token)
    try:
        yield token
    finally:
        _ACTIVE.reset(reset)


def check_cancelled() -> None:
    """Raise :class:`~affectscope.errors.CancelledError` if the active token says stop; without one, do nothing.

    Examples
    --------
    >>> check_cancelled() is None
    True
    """
    token = _ACTIVE.get()
    if token is not None:
        token.check()
