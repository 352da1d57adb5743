"""Lazy, cached access to the JSON files shipped in ``affectscope/labels/data``.

Nothing is read at import time: every loader runs on first use and caches its result. The files are
located with :mod:`importlib.resources`, so they are found in a source checkout, an installed wheel or a
zipped package alike.

Examples
--------
>>> from affectscope.labels._data import load_json, resource_names
>>> "space_ekman7.json" in resource_names()
True
>>> load_json("space_ekman7.json")["name"]
'ekman7'
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import cache
from importlib.resources import files
from importlib.resources.abc import Traversable
from typing import Any

from affectscope.errors import ConfigError

__all__ = ["choice_error", "load_json", "resource_names"]

_PACKAGE = "affectscope.labels"


def _data_dir() -> Traversable:
    return files(_PACKAGE).joinpath("data")


@cache
def resource_names() -> tuple[str, ...]:
    """Return the sorted names of the JSON files in the data directory.

    Returns
    -------
    tuple of str
        File names such as ``'space_ekman7.json'``.

    Examples
    --------
    >>> from affectscope.labels._data import resource_names
    >>> "vad_coordinates.json" in resource_names()
    True
    """
    return tuple(sorted(p.name for p in _data_dir().iterdir() if p.name.endswith(".json")))


@cache
def load_json(name: str) -> dict[str, Any]:
    """Read and parse one data file (cached; callers must not mutate the result).

    Parameters
    ----------
    name : str
        File name inside ``affectscope/labels/data``.

    Returns
    -------
    dict
        The parsed JSON object.

    Raises
    ------
    ConfigError
        If the file is missing or is not a valid JSON object.

    Examples
    --------
    >>> from affectscope.labels._data import load_json
    >>> load_json("space_plutchik8.json")["kind"]
    'categorical'
    """
    path = _data_dir().joinpath(name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"Label data file {name!r} is missing from {_PACKAGE}/data.") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(f"Label data file {name!r} is not valid JSON: {exc}.") from exc
    if not isinstance(data, dict):
        raise ConfigError(f"Label data file {name!r} must hold a JSON object, not {type(data).__name__}.")
    return data


def choice_error(param: str, func: str, choices: Iterable[object], got: object) -> ConfigError:
    """Build the scikit-learn style error for a parameter outside its allowed values.

    Parameters
    ----------
    param : str
        Parameter name, e.g. ``'target'``.
    func : str
        Name of the function that received it, e.g. ``'convert'``.
    choices : iterable
        The allowed values, listed in the message.
    got : object
        The rejected value.

    Returns
    -------
    ConfigError
        The error, ready to raise.

    Examples
    --------
    >>> from affectscope.labels._data import choice_error
    >>> str(choice_error("reduce", "convert", ["max", "sum"], "mean"))
    "The 'reduce' parameter of convert must be one of ['max', 'sum']. Got 'mean' instead."
    """
    return ConfigError(f"The {param!r} parameter of {func} must be one of {list(choices)!r}. Got {got!r} instead.")
