"""Grouped splits: keep every speaker / subject / dialogue on one side of a train-test cut.

Speech, face and physiological benchmarks are judged speaker- or subject-independent; a model that has heard
a speaker in training looks better than it is. These helpers wrap scikit-learn's group splitters with the
checks and messages we want, and are what training scripts use.

Examples
--------
>>> import numpy as np
>>> groups = np.array(["a", "a", "b", "b", "c", "c"])
>>> sorted(str(groups[test][0]) for _, test in grouped_kfold(groups, n_splits=3))
['a', 'b', 'c']
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from affectscope.errors import ConfigError, InputError

__all__ = ["grouped_kfold", "leave_groups_out"]


def grouped_kfold(
    groups: Sequence[Any], *, n_splits: int = 5, shuffle: bool = False, seed: int = 0
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Yield ``(train_idx, test_idx)`` for k folds in which no group is on both sides.

    Parameters
    ----------
    groups : sequence
        Group id per item (speaker, subject, dialogue).
    n_splits : int
        Number of folds, at least 2 and at most the number of distinct groups.
    shuffle : bool
        Shuffle groups before assigning folds (folds stay balanced by size when false).
    seed : int
        Seed for ``shuffle``.

    Yields
    ------
    tuple of ndarray
        Indices of the training and test items.

    Examples
    --------
    >>> folds = list(grouped_kfold(["s1", "s1", "s2", "s3"], n_splits=3))
    >>> len(folds)
    3
    """
    from affectscope.evaluate.metrics import _sk

    g = np.asarray(groups)
    n_groups = len(np.unique(g))
    if not isinstance(n_splits, int) or n_splits < 2:
        raise ConfigError(f"The 'n_splits' parameter must be an int >= 2. Got {n_splits!r} instead.")
    if n_groups < n_splits:
        raise InputError(f"{n_splits} folds need at least {n_splits} groups; got {n_groups}.")
    _sk()  # a clear DependencyError if scikit-learn is missing
    from sklearn.model_selection import GroupKFold

    kfold = GroupKFold(n_splits=n_splits, shuffle=shuffle, random_state=seed if shuffle else None)
    yield from kfold.split(np.zeros(len(g)), groups=g)


def leave_groups_out(groups: Sequence[Any], test_groups: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
    """Split items by an explicit list of held-out groups (e.g. RAVDESS actors 19-24).

    Parameters
    ----------
    groups : sequence
        Group id per item.
    test_groups : sequence
        Groups that form the test side; every one must occur in ``groups``.

    Returns
    -------
    tuple of ndarray
        ``(train_idx, test_idx)``.

    Examples
    --------
    >>> leave_groups_out(["a", "b", "a", "c"], ["a"])
    (array([1, 3]), array([0, 2]))
    """
    g = np.asarray(groups)
    test = set(test_groups)
    unknown = sorted(str(t) for t in test - set(g.tolist()))
    if unknown:
        raise InputError(f"Test groups {unknown} do not occur; groups present: {sorted(map(str, set(g.tolist())))}.")
    mask = np.isin(g, list(test))
    return np.flatnonzero(~mask), np.flatnonzero(mask)
