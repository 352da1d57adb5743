"""The one exception hierarchy of affectscope.

Every error the toolkit raises on purpose derives from :class:`AffectscopeError`, so callers can catch
everything with one ``except`` and still tell input problems from model or configuration problems.

Examples
--------
>>> from affectscope.errors import AffectscopeError, InputError
>>> issubclass(InputError, AffectscopeError) and issubclass(InputError, ValueError)
True
"""

from __future__ import annotations

__all__ = [
    "AffectscopeError",
    "CancelledError",
    "ConfigError",
    "DependencyError",
    "InputError",
    "ModelError",
    "NotFittedError",
    "TimeLimitError",
]


class AffectscopeError(Exception):
    """Base class of every error raised by affectscope."""


class InputError(AffectscopeError, ValueError):
    """The input (text, file, media, array) is missing, empty, corrupt or of an unsupported form."""


class ConfigError(AffectscopeError, ValueError):
    """A parameter, option or name (label space, model, format) is invalid."""


class ModelError(AffectscopeError, RuntimeError):
    """A model bundle is missing, corrupt, or failed while running."""


class DependencyError(AffectscopeError, ImportError):
    """An optional dependency needed for this feature is not installed; the message names the extra."""


class NotFittedError(AffectscopeError, AttributeError):
    """An estimator was used before ``fit`` was called (scikit-learn contract)."""


class CancelledError(AffectscopeError):
    """The work was cancelled before it finished (see :mod:`affectscope._cancel`)."""


class TimeLimitError(CancelledError):
    """The work ran past its time budget and was stopped (see :mod:`affectscope._cancel`)."""
