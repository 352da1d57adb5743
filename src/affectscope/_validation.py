"""Parameter checks with the standard messages (scikit-learn's param validation, librosa's ``ParameterError``).

Every public entry point validates its numeric options here, before any model is loaded, so that a bad value
gets the same one-line :class:`~affectscope.errors.ConfigError` from the CLI, the Python API, batch and the
service: ``The 'fps' parameter of analyze must be a float in (0, 60]. Got -1 instead.`` NaN and infinities are
refused everywhere (``float('nan')`` passes every ``<``/``>`` test the other way round).

Examples
--------
>>> check_number(2, name="fps", func="analyze", low=0, high=60, low_open=True)
2.0
>>> check_number(float("nan"), name="start", func="analyze", low=0)
Traceback (most recent call last):
...
affectscope.errors.ConfigError: The 'start' parameter of analyze must be a float in [0, inf). Got nan instead.
"""

from __future__ import annotations

import math
from typing import Any

from affectscope.errors import ConfigError

__all__ = ["MAX_SECONDS", "check_int", "check_number", "check_span"]

# The longest time offset any option may name: 7 days (a week-long wearable recording), in seconds.
MAX_SECONDS = 7 * 24 * 3600.0


def _interval(low: float | None, high: float | None, low_open: bool, high_open: bool) -> str:
    lo = "-inf" if low is None else f"{low:g}"
    hi = "inf" if high is None else f"{high:g}"
    left = "(" if low_open or low is None else "["
    right = ")" if high_open or high is None else "]"
    return f"{left}{lo}, {hi}{right}"


def check_number(
    value: Any,
    *,
    name: str,
    func: str,
    low: float | None = None,
    high: float | None = None,
    low_open: bool = False,
    high_open: bool = False,
) -> float:
    """Return ``value`` as a finite float inside the interval, or raise :class:`ConfigError`.

    Parameters
    ----------
    value : object
        What the caller passed (a number, or a string that parses as one).
    name, func : str
        The parameter and the function (or command) it belongs to, for the message.
    low, high : float, optional
        Bounds (None: unbounded on that side).
    low_open, high_open : bool
        Exclude the bound itself.

    Returns
    -------
    float

    Raises
    ------
    ConfigError
        Not a number, NaN, infinite, or outside the interval.

    Examples
    --------
    >>> check_number("0.1", name="window", func="run", low=0.25, high=3600)
    Traceback (most recent call last):
    ...
    affectscope.errors.ConfigError: The 'window' parameter of run must be a float in [0.25, 3600]. Got '0.1' instead.
    """
    where = _interval(low, high, low_open, high_open)
    shown = repr(value) if isinstance(value, str) else str(value)
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    message = f"The {name!r} parameter of {func} must be a float in {where}. Got {shown} instead."
    if isinstance(value, bool):
        raise ConfigError(message)
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(message) from None
    if not math.isfinite(number):
        raise ConfigError(message)
    if low is not None and (number < low or (low_open and number == low)):
        raise ConfigError(message)
    if high is not None and (number > high or (high_open and number == high)):
        raise ConfigError(message)
    return number


def check_int(value: Any, *, name: str, func: str, low: int | None = None, high: int | None = None) -> int:
    """Return ``value`` as an int in ``[low, high]``, or raise :class:`ConfigError`.

    Examples
    --------
    >>> check_int(5, name="max_faces", func="analyze", low=1, high=100)
    5
    >>> check_int(0, name="max_faces", func="analyze", low=1, high=100)
    Traceback (most recent call last):
    ...
    affectscope.errors.ConfigError: The 'max_faces' parameter of analyze must be an int in [1, 100]. Got 0 instead.
    """
    lo = "-inf" if low is None else str(low)
    hi = "inf" if high is None else str(high)
    shown = repr(value) if isinstance(value, str) else str(value)
    message = f"The {name!r} parameter of {func} must be an int in [{lo}, {hi}]. Got {shown[:40]} instead."
    if isinstance(value, bool) or not isinstance(value, int | str | float):
        raise ConfigError(message)
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):
        raise ConfigError(message) from None
    if isinstance(value, float) and number != value:
        raise ConfigError(message)
    if (low is not None and number < low) or (high is not None and number > high):
        raise ConfigError(message)
    return number


def check_span(start: Any, end: Any, *, func: str) -> tuple[float | None, float | None]:
    """Validate a ``start``/``end`` pair in seconds: finite, ``0 <= start < end <=`` :data:`MAX_SECONDS`.

    Returns
    -------
    (float or None, float or None)

    Examples
    --------
    >>> check_span(None, 2.5, func="analyze")
    (None, 2.5)
    >>> check_span(3, 1, func="analyze")
    Traceback (most recent call last):
    ...
    affectscope.errors.ConfigError: The 'end' parameter of analyze must be after 'start' (3 s). Got 1 instead.
    """
    s = None if start is None else check_number(start, name="start", func=func, low=0, high=MAX_SECONDS)
    e = None if end is None else check_number(end, name="end", func=func, low=0, high=MAX_SECONDS, low_open=True)
    if s is not None and e is not None and e <= s:
        raise ConfigError(f"The 'end' parameter of {func} must be after 'start' ({s:g} s). Got {e:g} instead.")
    return s, e
