"""Valence-arousal-dominance (VAD) coordinates of categorical labels, and Russell quadrants.

Every categorical label has a point on the three VAD axes, each on ``[-1, 1]`` (0 is the scale
midpoint). The points come from published word norms, recorded per label in
``data/vad_coordinates.json`` together with the word that was looked up and the raw rating; see
``docs/labels.md`` for the sources and their licences. ``neutral`` sits at the origin by definition.

Examples
--------
>>> from affectscope.labels import russell_quadrant, vad_of
>>> valence, arousal, dominance = vad_of("fear", space="ekman7")
>>> valence < 0 < arousal
True
>>> russell_quadrant(valence, arousal)
'q2_angry'
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from affectscope.errors import ConfigError, InputError
from affectscope.labels._data import choice_error, load_json
from affectscope.labels._inputs import as_matrix
from affectscope.labels.spaces import LabelSpace, get_space, list_spaces, resolve_space

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = ["expected_vad", "russell_quadrant", "vad_of"]

VAD_FILE = "vad_coordinates.json"
DIMENSIONS = ("valence", "arousal", "dominance")


@cache
def _coordinates() -> dict[str, tuple[float, float, float]]:
    data = load_json(VAD_FILE)
    table: dict[str, tuple[float, float, float]] = {}
    for label, entry in data.get("coordinates", {}).items():
        try:
            point = tuple(float(entry[d]) for d in DIMENSIONS)
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{VAD_FILE}: the entry for {label!r} needs numeric {list(DIMENSIONS)}.") from exc
        if not all(-1.0 <= x <= 1.0 for x in point):
            raise ConfigError(f"{VAD_FILE}: the coordinates of {label!r} must lie in [-1, 1]; got {point}.")
        table[label] = point  # type: ignore[assignment]
    return table


def _categorical_space(space: str | LabelSpace, *, func: str) -> LabelSpace:
    resolved = resolve_space(space, param="space", func=func)
    if resolved.kind != "categorical":
        categorical = [n for n in list_spaces() if get_space(n).kind == "categorical"]
        raise choice_error("space", func, categorical, resolved.name)
    return resolved


def _point(label: str, space: LabelSpace) -> tuple[float, float, float]:
    table = _coordinates()
    if label not in table:
        raise ConfigError(
            f"No VAD coordinates for label {label!r} of space {space.name!r}; add an entry to "
            f"affectscope/labels/data/{VAD_FILE}."
        )
    return table[label]


def coordinate_matrix(space: str | LabelSpace) -> np.ndarray:
    """Return the VAD coordinates of all labels of a categorical space (internal helper).

    Parameters
    ----------
    space : str or LabelSpace
        A categorical space.

    Returns
    -------
    numpy.ndarray
        Shape ``(len(space), 3)``, columns valence, arousal, dominance.

    Examples
    --------
    >>> from affectscope.labels.vad import coordinate_matrix
    >>> coordinate_matrix("ekman7").shape
    (7, 3)
    """
    import numpy as np

    resolved = _categorical_space(space, func="coordinate_matrix")
    return np.array([_point(label, resolved) for label in resolved.labels], dtype=float)


def vad_of(label: str, *, space: str | LabelSpace) -> tuple[float, float, float]:
    """Return the ``(valence, arousal, dominance)`` point of one label, each on ``[-1, 1]``.

    Parameters
    ----------
    label : str
        A label of ``space``.
    space : str or LabelSpace
        A categorical label space (see :func:`~affectscope.labels.list_spaces`).

    Returns
    -------
    tuple of float
        Valence, arousal and dominance.

    Raises
    ------
    ConfigError
        If ``space`` is unknown or not categorical, or ``label`` is not one of its labels.

    Examples
    --------
    >>> from affectscope.labels import vad_of
    >>> vad_of("joy", space="ekman7")
    (0.8025, 0.1375, 0.5)
    >>> vad_of("neutral", space="goemotions28")
    (0.0, 0.0, 0.0)
    """
    resolved = _categorical_space(space, func="vad_of")
    if label not in resolved:
        raise choice_error("label", "vad_of", resolved.labels, label)
    return _point(label, resolved)


def expected_vad(probs: Any, *, space: str | LabelSpace) -> pd.DataFrame:
    """Return the probability-weighted mean VAD point of each row of scores.

    Scores are normalised per row to sum to 1 before weighting the label coordinates, so both a
    distribution (single-label model) and independent per-label scores (multi-label model) give a point
    inside the hull of the label points. A row of all zeros maps to the neutral point ``(0, 0, 0)``.

    Parameters
    ----------
    probs : DataFrame, array-like, Mapping or Series
        Non-negative scores over the labels of ``space``: a DataFrame whose columns are the labels, a 2-D
        array with columns in label order, or a 1-D array / mapping for one item.
    space : str or LabelSpace
        The categorical space the scores are over.

    Returns
    -------
    pandas.DataFrame
        Columns ``valence``, ``arousal``, ``dominance``, one row per input row (a DataFrame's index is
        kept).

    Raises
    ------
    ConfigError
        If ``space`` is unknown or not categorical.
    InputError
        If the scores do not match the space or are negative, NaN or infinite.

    Examples
    --------
    >>> from affectscope.labels import expected_vad
    >>> expected_vad({"joy": 1.0}, space="ekman7").round(4).to_dict("records")
    [{'valence': 0.8025, 'arousal': 0.1375, 'dominance': 0.5}]
    >>> expected_vad({"joy": 0.5, "sadness": 0.5}, space="ekman7").round(4).to_dict("records")
    [{'valence': 0.0762, 'arousal': -0.205, 'dominance': 0.105}]
    """
    import numpy as np
    import pandas as pd

    resolved = _categorical_space(space, func="expected_vad")
    values, index = as_matrix(probs, resolved, func="expected_vad")
    coords = coordinate_matrix(resolved)
    totals = values.sum(axis=1, keepdims=True)
    weights = np.divide(values, totals, out=np.zeros_like(values), where=totals > 0)
    return pd.DataFrame(weights @ coords, index=index, columns=list(DIMENSIONS))


def russell_quadrant(valence: Any, arousal: Any) -> Any:
    """Return the Russell circumplex quadrant label of a valence/arousal point (or of many).

    Quadrants follow the 4Q convention: ``q1_happy`` (valence >= 0, arousal >= 0), ``q2_angry``
    (valence < 0, arousal >= 0), ``q3_sad`` (valence < 0, arousal < 0), ``q4_calm`` (valence >= 0,
    arousal < 0). A coordinate exactly at 0 counts as positive valence / high arousal.

    Parameters
    ----------
    valence, arousal : float or array-like
        Coordinates on ``[-1, 1]`` (only the sign matters). Arrays are broadcast against each other.

    Returns
    -------
    str or numpy.ndarray
        A label of the ``'russell4'`` space for scalar input, else an array of labels of the broadcast
        shape.

    Raises
    ------
    InputError
        If a coordinate is NaN, infinite or not numeric, or the shapes cannot be broadcast.

    Examples
    --------
    >>> from affectscope.labels import russell_quadrant
    >>> russell_quadrant(0.6, 0.4), russell_quadrant(-0.5, -0.2)
    ('q1_happy', 'q3_sad')
    >>> russell_quadrant([0.3, -0.3], [-0.9, 0.9]).tolist()
    ['q4_calm', 'q2_angry']
    """
    import numpy as np

    try:
        v, a = np.broadcast_arrays(np.asarray(valence, dtype=float), np.asarray(arousal, dtype=float))
    except (TypeError, ValueError) as exc:
        raise InputError(f"russell_quadrant expects numeric valence and arousal of compatible shapes: {exc}.") from exc
    if not (np.all(np.isfinite(v)) and np.all(np.isfinite(a))):
        raise InputError("russell_quadrant received NaN or infinite coordinates.")
    q1, q2, q3, q4 = get_space("russell4").labels
    out = np.where(v >= 0, np.where(a >= 0, q1, q4), np.where(a >= 0, q2, q3))
    return str(out) if out.ndim == 0 else out
