"""Coerce the accepted forms of a score table into a float matrix in a space's label order.

Accepted forms, for a space with ``n`` labels:

* a :class:`pandas.DataFrame` whose columns are exactly the space's labels (any order; the index is kept);
* a 2-D array-like of shape ``(rows, n)`` with columns in the space's label order;
* a 1-D array-like of length ``n`` (one item);
* a mapping or :class:`pandas.Series` from label to score (one item; absent labels count as 0).

Scores must be finite and non-negative.

Examples
--------
>>> from affectscope.labels import get_space
>>> from affectscope.labels._inputs import as_matrix
>>> values, index = as_matrix({"joy": 0.5}, get_space("ekman7"), func="convert")
>>> values.shape, float(values[0, 3]), index
((1, 7), 0.5, None)
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from affectscope.errors import InputError

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

    from affectscope.labels.spaces import LabelSpace

__all__ = ["as_matrix"]


def as_matrix(probs: Any, space: LabelSpace, *, func: str) -> tuple[np.ndarray, pd.Index | None]:
    """Return ``(values, index)`` with ``values`` of shape ``(rows, len(space))``.

    Parameters
    ----------
    probs : DataFrame, array-like, Mapping or Series
        Scores in one of the accepted forms (see the module docstring).
    space : LabelSpace
        The space the columns belong to.
    func : str
        Name of the calling function, for error messages.

    Returns
    -------
    values : numpy.ndarray
        Float matrix, columns in ``space.labels`` order.
    index : pandas.Index or None
        The DataFrame's index, or ``None`` for the other input forms.

    Raises
    ------
    InputError
        If columns or keys do not match the space, the shape is wrong, or a score is negative, NaN,
        infinite or not numeric.

    Examples
    --------
    >>> from affectscope.labels import get_space
    >>> from affectscope.labels._inputs import as_matrix
    >>> as_matrix([[0.2, 0.8, 0, 0]], get_space("russell4"), func="f")[0].tolist()
    [[0.2, 0.8, 0.0, 0.0]]
    """
    import numpy as np
    import pandas as pd

    labels = list(space.labels)
    index: pd.Index | None = None
    if isinstance(probs, pd.DataFrame):
        columns = list(probs.columns)
        unknown = [c for c in columns if c not in space]
        missing = [lab for lab in labels if lab not in columns]
        if unknown or missing or len(columns) != len(set(columns)):
            raise InputError(
                f"The columns of the DataFrame passed to {func} must be the {len(labels)} labels of "
                f"{space.name!r} ({labels}), each once. Unknown columns: {unknown}; missing: {missing}."
            )
        frame = probs.loc[:, labels]
        index = probs.index
        try:
            values = frame.to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:
            raise InputError(f"The scores passed to {func} must be numeric: {exc}.") from exc
    elif isinstance(probs, (Mapping, pd.Series)):
        items = dict(probs.items())
        unknown = [k for k in items if k not in space]
        if unknown:
            raise InputError(
                f"The keys of the scores passed to {func} must be labels of {space.name!r} ({labels}). "
                f"Unknown: {unknown}."
            )
        values = np.zeros((1, len(labels)), dtype=float)
        try:
            for key, score in items.items():
                values[0, labels.index(key)] = float(score)
        except (TypeError, ValueError) as exc:
            raise InputError(f"The scores passed to {func} must be numeric: {exc}.") from exc
    else:
        try:
            values = np.asarray(probs, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InputError(
                f"{func} expects a DataFrame, an array, or a mapping of label to score; could not read "
                f"{type(probs).__name__}: {exc}."
            ) from exc
        if values.ndim == 1:
            values = values[np.newaxis, :]
        if values.ndim != 2 or values.shape[1] != len(labels):
            raise InputError(
                f"An array passed to {func} must have shape (n_items, {len(labels)}) or ({len(labels)},), "
                f"columns in the label order of {space.name!r} ({labels}). Got shape {np.shape(probs)}."
            )
    if not np.all(np.isfinite(values)):
        raise InputError(f"The scores passed to {func} contain NaN or infinite values.")
    if np.any(values < 0):
        raise InputError(f"The scores passed to {func} must be non-negative.")
    return values, index
