"""Label spaces: named, ordered sets of emotion labels defined by JSON files.

A label space is described by one file ``data/space_<name>.json`` holding ``name``, ``kind``
(``'categorical'`` or ``'dimensional'``), ``multi_label``, ``labels``, ``description`` and ``citation``
(and, for dimensional spaces, ``range``). Dropping such a file into the data directory adds a space.

Examples
--------
>>> from affectscope.labels import get_space
>>> ekman = get_space("ekman7")
>>> len(ekman), ekman.index("joy"), ekman.multi_label
(7, 3, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from affectscope.errors import ConfigError
from affectscope.labels._data import choice_error, load_json, resource_names

__all__ = ["LabelSpace", "get_space", "list_spaces"]

_PREFIX = "space_"
_KINDS = ("categorical", "dimensional")


@dataclass(frozen=True)
class LabelSpace:
    """An ordered set of emotion labels with its provenance.

    Parameters
    ----------
    name : str
        Identifier used everywhere in the API, e.g. ``'goemotions28'``.
    kind : {'categorical', 'dimensional'}
        Categorical spaces hold discrete emotion classes; dimensional spaces hold continuous axes
        (``'vad'``: valence, arousal, dominance).
    multi_label : bool
        Whether several labels may apply to one item (scores are then independent, not a distribution).
    labels : tuple of str
        The labels, in the canonical column order used by :func:`~affectscope.labels.convert`.
    description : str
        What the labels mean and where they come from.
    citation : str
        Reference for the label set.
    value_range : tuple of float or None
        For dimensional spaces, the range every axis is expressed on (``(-1.0, 1.0)`` for ``'vad'``).

    Examples
    --------
    >>> from affectscope.labels import get_space
    >>> space = get_space("plutchik8")
    >>> space.labels[:3]
    ('joy', 'trust', 'fear')
    >>> "trust" in space, "neutral" in space
    (True, False)
    """

    name: str
    kind: str
    multi_label: bool
    labels: tuple[str, ...]
    description: str = ""
    citation: str = ""
    value_range: tuple[float, float] | None = None

    def __len__(self) -> int:
        return len(self.labels)

    def __contains__(self, label: object) -> bool:
        return label in self.labels

    def index(self, label: str) -> int:
        """Return the position of ``label`` in :attr:`labels`.

        Parameters
        ----------
        label : str
            A label of this space.

        Returns
        -------
        int
            Zero-based column index.

        Raises
        ------
        ConfigError
            If ``label`` is not in this space; the message lists the valid labels.

        Examples
        --------
        >>> from affectscope.labels import get_space
        >>> get_space("goemotions28").index("neutral")
        27
        """
        try:
            return self.labels.index(label)
        except ValueError:
            raise choice_error("label", f"LabelSpace.index ({self.name})", self.labels, label) from None


def _space_from_json(data: dict[str, Any], filename: str) -> LabelSpace:
    expected = filename[len(_PREFIX) : -len(".json")]
    missing = [k for k in ("name", "kind", "multi_label", "labels") if k not in data]
    if missing:
        raise ConfigError(f"Label space file {filename!r} lacks the required keys {missing}.")
    name, kind, labels = data["name"], data["kind"], data["labels"]
    if name != expected:
        raise ConfigError(f"Label space file {filename!r} declares name {name!r}; expected {expected!r}.")
    if kind not in _KINDS:
        raise ConfigError(f"Label space {name!r}: 'kind' must be one of {list(_KINDS)}. Got {kind!r} instead.")
    if not isinstance(data["multi_label"], bool):
        raise ConfigError(f"Label space {name!r}: 'multi_label' must be true or false.")
    if not (isinstance(labels, list) and labels and all(isinstance(x, str) and x for x in labels)):
        raise ConfigError(f"Label space {name!r}: 'labels' must be a non-empty list of non-empty strings.")
    if len(set(labels)) != len(labels):
        raise ConfigError(f"Label space {name!r}: 'labels' contains duplicates.")
    value_range = None
    if "range" in data:
        low, high = (float(x) for x in data["range"])
        if not low < high:
            raise ConfigError(f"Label space {name!r}: 'range' must be [low, high] with low < high.")
        value_range = (low, high)
    return LabelSpace(
        name=name,
        kind=kind,
        multi_label=data["multi_label"],
        labels=tuple(labels),
        description=str(data.get("description", "")),
        citation=str(data.get("citation", "")),
        value_range=value_range,
    )


def list_spaces() -> list[str]:
    """Return the names of all available label spaces, sorted.

    Returns
    -------
    list of str
        One name per ``data/space_<name>.json`` file.

    Examples
    --------
    >>> from affectscope.labels import list_spaces
    >>> list_spaces()[:5]
    ['carer6', 'ekman7', 'ekman7_calm', 'emorynlp7', 'goemotions28']
    """
    return [n[len(_PREFIX) : -len(".json")] for n in resource_names() if n.startswith(_PREFIX)]


@cache
def _load_space(name: str) -> LabelSpace:
    filename = f"{_PREFIX}{name}.json"
    return _space_from_json(load_json(filename), filename)


def resolve_space(value: str | LabelSpace, *, param: str, func: str) -> LabelSpace:
    """Return the space named ``value``, reporting errors against ``param`` of ``func`` (internal).

    Parameters
    ----------
    value : str or LabelSpace
        A space name or a space.
    param : str
        Name of the caller's parameter, used in the error message.
    func : str
        Name of the caller, used in the error message.

    Returns
    -------
    LabelSpace
        The resolved space.

    Examples
    --------
    >>> from affectscope.labels.spaces import resolve_space
    >>> resolve_space("ekman7", param="source", func="convert").name
    'ekman7'
    """
    if isinstance(value, LabelSpace):
        return value
    names = list_spaces()
    if value not in names:
        raise choice_error(param, func, names, value)
    return _load_space(value)


def get_space(name: str | LabelSpace) -> LabelSpace:
    """Return the label space called ``name``.

    Parameters
    ----------
    name : str or LabelSpace
        A name from :func:`list_spaces` (a :class:`LabelSpace` is returned unchanged).

    Returns
    -------
    LabelSpace
        The space, loaded lazily from its JSON file and cached.

    Raises
    ------
    ConfigError
        If no space has that name; the message lists the available ones.

    Examples
    --------
    >>> from affectscope.labels import get_space
    >>> get_space("russell4").labels
    ('q1_happy', 'q2_angry', 'q3_sad', 'q4_calm')
    >>> get_space("vad").value_range
    (-1.0, 1.0)
    """
    return resolve_space(name, param="name", func="get_space")
