"""Mappings between label spaces, and conversion of score tables from one space to another.

A mapping lists, for every label of the source space, the target labels it corresponds to (an empty
list means "no counterpart"). Mappings are stored as ``data/mapping_<source>__<target>.json``; mappings
to ``'russell4'`` are derived from the labels' VAD coordinates, and every categorical space maps to
itself by identity.

Examples
--------
>>> from affectscope.labels import convert, get_mapping
>>> get_mapping("goemotions28", "ekman7").map["gratitude"]
('joy',)
>>> convert({"gratitude": 1.0}, source="goemotions28", target="ekman7").to_dict("records")
[{'anger': 0.0, 'disgust': 0.0, 'fear': 0.0, 'joy': 1.0, 'sadness': 0.0, 'surprise': 0.0, 'neutral': 0.0}]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING, Any

from affectscope.errors import ConfigError, InputError
from affectscope.labels._data import choice_error, load_json, resource_names
from affectscope.labels._inputs import as_matrix
from affectscope.labels.spaces import LabelSpace, get_space, list_spaces, resolve_space
from affectscope.labels.vad import coordinate_matrix, russell_quadrant

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import pandas as pd

__all__ = ["REDUCTIONS", "LabelMapping", "convert", "get_mapping", "list_mappings"]

REDUCTIONS = ("max", "sum", "noisy_or")
_PREFIX = "mapping_"
_DERIVED_TARGET = "russell4"


@dataclass(frozen=True, eq=False)
class LabelMapping:
    """How the labels of one space correspond to the labels of another.

    Parameters
    ----------
    source, target : str
        Names of the two label spaces.
    map : dict of str to tuple of str
        For every source label, the target labels it corresponds to; ``()`` means no counterpart.
    citation : str
        Where the correspondence comes from.
    notes : str
        Rationale, including every choice that is ours rather than the cited authors'.
    weights : dict of str to tuple of float, optional
        How a source label's probability is split among its targets when ``reduce='sum'``; by default it
        is split equally.
    derived : bool
        True when computed (from VAD coordinates, or identity) rather than read from a file.

    Examples
    --------
    >>> from affectscope.labels import get_mapping
    >>> m = get_mapping("goemotions28", "plutchik8")
    >>> m.map["love"], m.map["neutral"]
    (('joy', 'trust'), ())
    """

    source: str
    target: str
    map: dict[str, tuple[str, ...]]
    citation: str = ""
    notes: str = ""
    weights: dict[str, tuple[float, ...]] | None = None
    derived: bool = False
    rationale: dict[str, str] = field(default_factory=dict)

    def matrix(self, *, split: bool) -> np.ndarray:
        """Return the correspondence as a ``(len(source), len(target))`` matrix.

        Parameters
        ----------
        split : bool
            If true, each row holds the share of the source label's probability given to each target
            (rows of labels with a counterpart sum to 1); if false, rows are 0/1 indicators.

        Returns
        -------
        numpy.ndarray
            The matrix, rows and columns in the spaces' label order.

        Examples
        --------
        >>> from affectscope.labels import get_mapping
        >>> m = get_mapping("goemotions28", "plutchik8")
        >>> m.matrix(split=True).sum(axis=1)[:3].tolist()
        [1.0, 1.0, 1.0]
        """
        import numpy as np

        src, tgt = get_space(self.source), get_space(self.target)
        out = np.zeros((len(src), len(tgt)), dtype=float)
        for i, label in enumerate(src.labels):
            targets = self.map.get(label, ())
            if not targets:
                continue
            if split and self.weights and label in self.weights:
                shares = self.weights[label]
            elif split:
                shares = (1.0 / len(targets),) * len(targets)
            else:
                shares = (1.0,) * len(targets)
            for t, share in zip(targets, shares, strict=True):
                out[i, tgt.index(t)] += share
        return out


def _stored_pairs() -> list[tuple[str, str]]:
    pairs = []
    for name in resource_names():
        if name.startswith(_PREFIX) and name.endswith(".json") and "__" in name:
            source, target = name[len(_PREFIX) : -len(".json")].split("__", 1)
            pairs.append((source, target))
    return pairs


def list_mappings() -> list[tuple[str, str]]:
    """Return every supported ``(source, target)`` pair, sorted.

    Supported are the stored mappings, the VAD-derived mappings from every categorical space to
    ``'russell4'``, and the identity mapping of every categorical space.

    Returns
    -------
    list of tuple of str
        The pairs accepted by :func:`get_mapping` and :func:`convert`.

    Examples
    --------
    >>> from affectscope.labels import list_mappings
    >>> ("goemotions28", "ekman7") in list_mappings(), ("ekman7", "russell4") in list_mappings()
    (True, True)
    """
    categorical = [n for n in list_spaces() if get_space(n).kind == "categorical"]
    pairs = set(_stored_pairs())
    pairs.update((n, _DERIVED_TARGET) for n in categorical)
    pairs.update((n, n) for n in categorical)
    return sorted(pairs)


def _validate(mapping: LabelMapping, src: LabelSpace, tgt: LabelSpace, where: str) -> LabelMapping:
    missing = [lab for lab in src.labels if lab not in mapping.map]
    extra = [lab for lab in mapping.map if lab not in src]
    if missing or extra:
        raise ConfigError(
            f"{where}: the map must have exactly one entry per label of {src.name!r}. "
            f"Missing: {missing}; not in the space: {extra}."
        )
    for label, targets in mapping.map.items():
        bad = [t for t in targets if t not in tgt]
        if bad:
            raise ConfigError(f"{where}: {label!r} maps to {bad}, which are not labels of {tgt.name!r}.")
        if len(set(targets)) != len(targets):
            raise ConfigError(f"{where}: {label!r} lists a target twice.")
        if mapping.weights and label in mapping.weights:
            shares = mapping.weights[label]
            if len(shares) != len(targets) or any(w < 0 for w in shares) or abs(sum(shares) - 1) > 1e-9:
                raise ConfigError(
                    f"{where}: the weights of {label!r} must be {len(targets)} non-negative numbers summing to 1."
                )
    return mapping


@cache
def _load_stored(source: str, target: str) -> LabelMapping:
    filename = f"{_PREFIX}{source}__{target}.json"
    data = load_json(filename)
    if data.get("source") != source or data.get("target") != target:
        raise ConfigError(f"{filename}: 'source'/'target' must be {source!r}/{target!r}.")
    if not isinstance(data.get("map"), dict):
        raise ConfigError(f"{filename}: 'map' must be an object of source label -> list of target labels.")
    weights = data.get("weights")
    mapping = LabelMapping(
        source=source,
        target=target,
        map={k: tuple(v) for k, v in data["map"].items()},
        citation=str(data.get("citation", "")),
        notes=str(data.get("notes", "")),
        weights={k: tuple(float(w) for w in v) for k, v in weights.items()} if weights else None,
        rationale=dict(data.get("rationale", {})),
    )
    return _validate(mapping, get_space(source), get_space(target), filename)


@cache
def _derived_russell(source: str) -> LabelMapping:
    src = get_space(source)
    coords = coordinate_matrix(src)
    table: dict[str, tuple[str, ...]] = {}
    for label, (valence, arousal, _) in zip(src.labels, coords, strict=True):
        table[label] = () if valence == 0 and arousal == 0 else (russell_quadrant(valence, arousal),)
    russell = get_space(_DERIVED_TARGET)
    return LabelMapping(
        source=source,
        target=_DERIVED_TARGET,
        map=table,
        citation=russell.citation,
        notes="Derived from the labels' VAD coordinates (data/vad_coordinates.json): each label goes to the "
        "quadrant given by the signs of its valence and arousal (0 counts as positive/high). A label at "
        "the origin ('neutral') has no counterpart.",
        derived=True,
    )


def _identity(source: str) -> LabelMapping:
    src = get_space(source)
    return LabelMapping(
        source=source,
        target=source,
        map={lab: (lab,) for lab in src.labels},
        citation=src.citation,
        notes="Identity.",
        derived=True,
    )


def _get_mapping(source: str | LabelSpace, target: str | LabelSpace, func: str) -> LabelMapping:
    src = resolve_space(source, param="source", func=func)
    tgt = resolve_space(target, param="target", func=func)
    pair = (src.name, tgt.name)
    if pair in _stored_pairs():
        return _load_stored(*pair)
    if src.kind == "categorical" and tgt.name == _DERIVED_TARGET:
        return _derived_russell(src.name)
    if src.kind == "categorical" and src.name == tgt.name:
        return _identity(src.name)
    raise choice_error("(source, target)", func, list_mappings(), pair)


def get_mapping(source: str | LabelSpace, target: str | LabelSpace) -> LabelMapping:
    """Return the mapping from the labels of ``source`` to the labels of ``target``.

    Parameters
    ----------
    source, target : str or LabelSpace
        Space names from :func:`~affectscope.labels.list_spaces`.

    Returns
    -------
    LabelMapping
        The stored, VAD-derived (target ``'russell4'``) or identity mapping.

    Raises
    ------
    ConfigError
        If a name is unknown, or the pair is not supported; the message lists the valid choices.

    Examples
    --------
    >>> from affectscope.labels import get_mapping
    >>> get_mapping("carer6", "ekman7").map["love"]
    ('joy',)
    >>> get_mapping("ekman7", "russell4").map["anger"]
    ('q2_angry',)
    """
    return _get_mapping(source, target, "get_mapping")


def convert(
    probs: Any,
    *,
    source: str | LabelSpace,
    target: str | LabelSpace,
    reduce: str | None = None,
) -> pd.DataFrame:
    """Convert scores over the labels of ``source`` into scores over the labels of ``target``.

    Each target label collects the scores of the source labels that map to it (see
    :func:`get_mapping`):

    * ``'max'`` -- the largest of those scores. Default for multi-label sources, whose scores are
      independent per label; a target score stays a valid probability.
    * ``'sum'`` -- their sum, a source label's score being split equally among its targets (or by the
      mapping's weights). Default for single-label sources, whose scores form a distribution. Mass on
      labels without a counterpart is dropped, then each row whose source scores summed to 1 is
      renormalised to sum to 1 (a row whose mass was all dropped stays all zero).
    * ``'noisy_or'`` -- ``1 - prod(1 - p)``: the probability that at least one of the source labels
      applies, treating them as independent. Scores must lie in ``[0, 1]``.

    Parameters
    ----------
    probs : DataFrame, array-like, Mapping or Series
        Non-negative scores: a DataFrame whose columns are the source labels (index kept), a 2-D array
        with columns in the source's label order, or a 1-D array / mapping of label to score for one item
        (absent labels count as 0).
    source, target : str or LabelSpace
        The spaces to convert between; see :func:`list_mappings` for the supported pairs.
    reduce : {'max', 'sum', 'noisy_or'}, optional
        How several source scores combine into one target score; defaults as described above.

    Returns
    -------
    pandas.DataFrame
        One row per input row, one column per target label in the target's order.

    Raises
    ------
    ConfigError
        If a space name, the pair or ``reduce`` is not supported; the message lists the valid choices.
    InputError
        If the scores do not match the source space, are negative, NaN or infinite, or exceed 1 with
        ``reduce='noisy_or'``.

    Examples
    --------
    >>> import numpy as np
    >>> from affectscope.labels import convert
    >>> scores = {"anger": 0.2, "annoyance": 0.6, "joy": 0.1}
    >>> convert(scores, source="goemotions28", target="ekman7")[["anger", "joy"]].round(2).to_dict("records")
    [{'anger': 0.6, 'joy': 0.1}]
    >>> convert(scores, source="goemotions28", target="ekman7", reduce="noisy_or")["anger"].round(2).tolist()
    [0.68]
    >>> out = convert(np.array([0.7, 0.1, 0.1, 0.1]), source="russell4", target="russell4")
    >>> out.round(2)["q1_happy"].tolist()
    [0.7]
    """
    import numpy as np
    import pandas as pd

    mapping = _get_mapping(source, target, "convert")
    src, tgt = get_space(mapping.source), get_space(mapping.target)
    if reduce is None:
        reduce = "max" if src.multi_label else "sum"
    if reduce not in REDUCTIONS:
        raise choice_error("reduce", "convert", REDUCTIONS, reduce)
    values, index = as_matrix(probs, src, func="convert")
    if reduce == "noisy_or" and np.any(values > 1):
        raise InputError("With reduce='noisy_or' the scores passed to convert must lie in [0, 1].")

    if reduce == "sum":
        out = values @ mapping.matrix(split=True)
        source_totals = values.sum(axis=1)
        out_totals = out.sum(axis=1)
        rescale = np.isclose(source_totals, 1.0, atol=1e-6) & (out_totals > 0)
        out[rescale] /= out_totals[rescale, np.newaxis]
    else:
        member = mapping.matrix(split=False).astype(bool)  # (n_source, n_target)
        out = np.zeros((values.shape[0], len(tgt)), dtype=float)
        for j in range(len(tgt)):
            cols = values[:, member[:, j]]
            if cols.shape[1] == 0:
                continue
            out[:, j] = cols.max(axis=1) if reduce == "max" else 1.0 - np.prod(1.0 - cols, axis=1)
    return pd.DataFrame(out, index=index, columns=list(tgt.labels))
