"""The model registry: frozen, JSON-described bundles shipped inside the package (or on the user's disk).

A bundle is a folder holding ``bundle.json`` (metadata), its weight files and a ``MODEL_CARD.md``. The same
registry backs ``affectscope models``, the Python API and (later) the REST ``/models`` route.

Examples
--------
>>> from affectscope.models import list_models, get_bundle
>>> "text-minilm-goemotions" in list_models()
True
>>> get_bundle("text-minilm-goemotions").modality
'text'

Every bundle records the licence of each training set (``licence_id``) and whether it permits commercial use
(``commercial_use``); a *profile* chooses which models may be used. ``AFFECTSCOPE_PROFILE=commercial`` (or
``profile="commercial"``) makes every default a commercially usable model and refuses the others:

>>> resolve_model("text", profile="commercial").name
'text-minilm-goemotions'
>>> get_bundle("speech-whisper-ser").commercial_use
False
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from affectscope.errors import ConfigError, ModelError

__all__ = [
    "PROFILES",
    "ModelBundle",
    "current_profile",
    "default_model",
    "get_bundle",
    "list_models",
    "resolve_model",
    "using_profile",
]

_REQUIRED = ("name", "modality", "task", "heads", "files", "licence", "training_data", "citation", "metrics")

#: Profiles chosen with ``AFFECTSCOPE_PROFILE`` or ``profile=``: ``default`` allows every model, ``commercial``
#: only those whose every training set permits commercial use.
PROFILES = ("default", "commercial")
PROFILE_ENV = "AFFECTSCOPE_PROFILE"
#: Licences (short, SPDX-like ids) of a bundle's own weights that permit commercial use; used for a bundle that
#: lists no training data.
_PERMISSIVE = frozenset(
    {"Apache-2.0", "MIT", "BSD-2-Clause", "BSD-3-Clause", "ISC", "CC0-1.0", "CC-BY-4.0", "CC-BY-SA-4.0", "ODbL-1.0"}
)


@dataclass(frozen=True)
class ModelBundle:
    """Metadata of one model bundle and the folder that holds its files.

    Attributes
    ----------
    name : str
        Registry name, e.g. ``"text-minilm-goemotions"``.
    modality : str
        ``"text"``, ``"speech"``, ``"face"``, ...
    task : str
        What the model predicts, in words.
    heads : dict
        Output head name → ``{"space": label space name, "kind": "multi_label"|"single_label"|"regression",
        ...}``. Head order is the order of the model's outputs.
    files : dict
        Role → file name inside :attr:`path` (e.g. ``{"onnx": "model.int8.onnx"}``).
    licence : str
        Licence of the weights as shipped.
    training_data : list of dict
        ``{"name", "licence", "split", "licence_id", "commercial_use"}`` for every data set the weights saw
        (optionally ``short_name`` and ``commercial_note``). ``licence_id`` is a short, SPDX-like id
        (``"CC-BY-4.0"``, ``"research-only"``, ...); ``commercial_use`` is true, false or null (unknown, e.g. a
        bundle trained by the user).
    citation : str
        How to cite the model.
    metrics : dict
        Held-out figures, each ``{"value", "dataset", "split", "command"}``.
    path : pathlib.Path
        Folder of the bundle.
    extra : dict
        Every other key of ``bundle.json`` (thresholds, normalisation constants, ...).

    Examples
    --------
    >>> b = get_bundle("text-minilm-goemotions")
    >>> b.heads["goemotions"]["space"]
    'goemotions28'
    """

    name: str
    modality: str
    task: str
    heads: dict[str, dict[str, Any]]
    files: dict[str, str]
    licence: str
    training_data: list[dict[str, str]]
    citation: str
    metrics: dict[str, dict[str, Any]]
    path: Path
    extra: dict[str, Any] = field(default_factory=dict)

    def file(self, role: str) -> Path:
        """Return the path of the file with the given role, checking that it exists.

        Parameters
        ----------
        role : str
            Key of :attr:`files`, e.g. ``"onnx"``.

        Returns
        -------
        pathlib.Path

        Examples
        --------
        >>> get_bundle("text-minilm-goemotions").file("tokenizer").name
        'tokenizer.json'
        """
        if role not in self.files:
            raise ModelError(f"Model '{self.name}' has no file with role '{role}'; it has {sorted(self.files)}.")
        p = self.path / self.files[role]
        if not p.is_file():
            raise ModelError(
                f"Model '{self.name}' is missing its file {p}. Reinstall affectscope, or re-run the training "
                "script named in the model card."
            )
        return p

    @property
    def size_bytes(self) -> int:
        """Total size of the bundle's weight files in bytes."""
        return sum((self.path / f).stat().st_size for f in self.files.values() if (self.path / f).is_file())

    @property
    def data_licences(self) -> list[str]:
        """Short licence ids of the training sets, in order (``"unknown"`` where a set states none).

        Examples
        --------
        >>> get_bundle("text-minilm-goemotions").data_licences
        ['CC-BY-4.0', 'CC-BY-SA-4.0']
        """
        return [str(d.get("licence_id") or "unknown") for d in self.training_data]

    @property
    def commercial_use(self) -> bool | None:
        """Whether the model may be used commercially: true only when every training set permits it.

        False when any training set forbids it, None (unknown) when none forbids it but one does not say. A
        bundle with no training data is judged by the licence of its own weights (``licence_id``).

        Examples
        --------
        >>> get_bundle("physio-stress-e4").commercial_use, get_bundle("face-cnn-fer").commercial_use
        (True, False)
        """
        if not self.training_data:
            lid = self.extra.get("licence_id")
            return None if lid is None else lid in _PERMISSIVE
        flags = [d.get("commercial_use") for d in self.training_data]
        if any(f is False for f in flags):
            return False
        return True if all(f is True for f in flags) else None

    @property
    def card(self) -> Path:
        """Path of the bundle's ``MODEL_CARD.md``."""
        return self.path / "MODEL_CARD.md"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable description (what ``affectscope models --format json`` prints).

        Examples
        --------
        >>> d = get_bundle("text-minilm-goemotions").to_dict()
        >>> sorted(d)[:3]
        ['citation', 'commercial_use', 'data_licences']
        >>> d["data_licences"], d["commercial_use"]
        (['CC-BY-4.0', 'CC-BY-SA-4.0'], True)
        """
        return {
            "name": self.name,
            "modality": self.modality,
            "task": self.task,
            "heads": self.heads,
            "files": self.files,
            "licence": self.licence,
            "training_data": self.training_data,
            "data_licences": self.data_licences,
            "commercial_use": self.commercial_use,
            "citation": self.citation,
            "metrics": self.metrics,
            "size_bytes": self.size_bytes,
        }


def _load(folder: Path, *, shipped: bool = False) -> ModelBundle:
    meta_path = folder / "bundle.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ModelError(f"{folder} is not a model bundle: it has no bundle.json.") from exc
    except json.JSONDecodeError as exc:
        raise ModelError(f"{meta_path} is not valid JSON: {exc}.") from exc
    missing = [k for k in _REQUIRED if k not in meta]
    if missing:
        raise ModelError(f"{meta_path} lacks the required keys {missing}.")
    _check_training_data(meta, meta_path, shipped=shipped)
    known = {k: meta[k] for k in _REQUIRED}
    extra = {k: v for k, v in meta.items() if k not in _REQUIRED}
    return ModelBundle(**known, path=folder, extra=extra)


def _check_training_data(meta: dict[str, Any], meta_path: Path, *, shipped: bool) -> None:
    """Every training set states ``commercial_use`` (true/false; null = unknown, only in the user's bundles)."""
    data = meta["training_data"]
    name = str(meta.get("name"))[:80]
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data):
        raise ModelError(f"Model '{name}' ({meta_path.name}): 'training_data' must be a list of objects.")
    for d in data:
        what = str(d.get("short_name") or d.get("name"))[:80]
        if shipped and not isinstance(d.get("commercial_use"), bool):
            raise ModelError(
                f"Model '{name}': training set {what!r} must state 'commercial_use' (true or false) and "
                f"'licence_id'. Got {d.get('commercial_use')!r} instead."
            )
        if d.get("commercial_use") is not None and not isinstance(d.get("commercial_use"), bool):
            raise ModelError(
                f"Model '{name}': 'commercial_use' of training set {what!r} must be true, false or null (unknown). "
                f"Got {d.get('commercial_use')!r} instead."
            )
        if shipped and not (isinstance(d.get("licence_id"), str) and d["licence_id"]):
            raise ModelError(f"Model '{name}': training set {what!r} must state its 'licence_id'.")


@cache
def _shipped() -> dict[str, ModelBundle]:
    root = Path(str(resources.files("affectscope.models")))
    bundles = {}
    for meta in sorted(root.glob("*/bundle.json")):
        b = _load(meta.parent, shipped=True)
        bundles[b.name] = b
    return bundles


def list_models(*, modality: str | None = None) -> list[str]:
    """Return the names of the shipped models, optionally only those of one modality.

    Parameters
    ----------
    modality : str, optional
        Keep only models of this modality (``"text"``, ...).

    Returns
    -------
    list of str

    Examples
    --------
    >>> list_models(modality="text")
    ['text-minilm-goemotions']
    """
    return [n for n, b in _shipped().items() if modality is None or b.modality == modality]


def get_bundle(name: str | os.PathLike[str]) -> ModelBundle:
    """Return a bundle by registry name, or load one from a folder on disk that holds a ``bundle.json``.

    Parameters
    ----------
    name : str or path-like
        A name from :func:`list_models`, or a bundle folder.

    Returns
    -------
    ModelBundle

    Raises
    ------
    ConfigError
        If the name is unknown (the message lists the choices).

    Examples
    --------
    >>> get_bundle("nope")
    Traceback (most recent call last):
    ...
    affectscope.errors.ConfigError: The 'model' parameter must be one of ['conversation-minilm-context', 'face-cnn-fer', 'fusion-loglinear', 'music-4q-quadrants', 'physio-stress-e4', 'speech-whisper-ser', 'speech-whisper-ser-cremad', 'text-minilm-goemotions'] or a bundle folder. Got 'nope' instead.
    """  # noqa: E501
    shipped = _shipped()
    if isinstance(name, str) and name in shipped:
        return shipped[name]
    p = Path(name)
    if p.is_dir():
        return _load(p)
    raise ConfigError(
        f"The 'model' parameter must be one of {sorted(shipped)} or a bundle folder. Got {str(name)!r} instead."
    )


_PROFILE_IN_SCOPE: ContextVar[str | None] = ContextVar("affectscope_profile", default=None)


@contextmanager
def using_profile(profile: str | None) -> Iterator[None]:
    """Make ``profile`` the one in force inside the block (the analysis spec's ``profile``); None changes nothing.

    It is a context variable, so threads and tasks that run other analyses are not affected.

    Examples
    --------
    >>> with using_profile("commercial"):
    ...     current_profile()
    'commercial'
    """
    if profile is None:
        yield
        return
    current_profile(profile)  # an unknown profile fails here
    token = _PROFILE_IN_SCOPE.set(profile)
    try:
        yield
    finally:
        _PROFILE_IN_SCOPE.reset(token)


def current_profile(profile: str | None = None) -> str:
    """Return the profile in force: ``profile``, else :func:`using_profile`'s, else the environment's.

    In order: ``profile`` when given, the one of an enclosing :func:`using_profile`, ``$AFFECTSCOPE_PROFILE``,
    ``"default"``.

    The environment is read at each call, so a change takes effect for the next model resolved.

    Parameters
    ----------
    profile : str, optional
        ``"default"`` (every model) or ``"commercial"`` (only commercially usable models).

    Returns
    -------
    str

    Raises
    ------
    ConfigError
        If the profile is unknown (the message lists the choices).

    Examples
    --------
    >>> current_profile("commercial")
    'commercial'
    >>> current_profile("cheap")
    Traceback (most recent call last):
    ...
    affectscope.errors.ConfigError: The 'profile' parameter (or AFFECTSCOPE_PROFILE) must be one of ['default', 'commercial']. Got 'cheap' instead.
    """  # noqa: E501
    if profile is None:
        profile = _PROFILE_IN_SCOPE.get()
    value = profile if profile is not None else (os.environ.get(PROFILE_ENV) or "default")
    if value not in PROFILES:
        raise ConfigError(
            f"The 'profile' parameter (or {PROFILE_ENV}) must be one of {list(PROFILES)}. Got {str(value)[:80]!r} "
            "instead."
        )
    return value


def _why_not(b: ModelBundle) -> str:
    """``face-cnn-fer was trained on FER2013 (research-only)``: the training sets that block commercial use."""
    if not b.training_data:
        return f"{b.name} has weights licensed {b.extra.get('licence_id') or 'without a stated licence id'}"
    bad = [d for d in b.training_data if d.get("commercial_use") is not True]
    parts = [
        f"{d.get('short_name') or d.get('name')} ({d.get('licence_id') or 'licence unknown'}"
        + (", commercial use unknown" if d.get("commercial_use") is None else "")
        + ")"
        for d in bad
    ]
    return f"{b.name} was trained on {', '.join(parts)}"


def _allowed(modality: str) -> list[str]:
    return [n for n, b in _shipped().items() if b.modality == modality and b.commercial_use is True]


def _refuse(b: ModelBundle, modality: str, *, default: bool) -> ConfigError:
    allowed = _allowed(modality)
    head = (
        f"The commercial profile allows no {modality} model: "
        if default and not allowed
        else f"The commercial profile does not allow {b.name}: "
    )
    hint = (
        " (or state 'commercial_use' of its training data in its bundle.json)"
        if any(d.get("commercial_use") is None for d in b.training_data)
        else ""
    )
    return ConfigError(
        f"{head}{_why_not(b)}. Allowed {modality} models: {', '.join(allowed) or 'none'}. "
        f"Unset {PROFILE_ENV} or pass a commercially usable model{hint}."
    )


def default_model(modality: str, *, profile: str | None = None) -> str:
    """Return the registry name of the default model for a modality.

    Under the ``commercial`` profile the default is a commercially usable model: the modality's default when it
    is one, else the first such model of the modality.

    Parameters
    ----------
    modality : str
        ``"text"``, ...
    profile : str, optional
        ``"default"`` or ``"commercial"``; ``$AFFECTSCOPE_PROFILE`` (else ``"default"``) when omitted.

    Returns
    -------
    str

    Raises
    ------
    ConfigError
        If the modality is unknown, or the profile allows no model of it (the message names the allowed ones).

    Examples
    --------
    >>> default_model("text")
    'text-minilm-goemotions'
    >>> default_model("face", profile="commercial")
    Traceback (most recent call last):
    ...
    affectscope.errors.ConfigError: The commercial profile allows no face model: face-cnn-fer was trained on FER2013 (research-only). Allowed face models: none. Unset AFFECTSCOPE_PROFILE or pass a commercially usable model.
    """  # noqa: E501
    chosen = current_profile(profile)
    for name, b in _shipped().items():
        if b.modality == modality and b.extra.get("default", False):
            if chosen == "commercial" and b.commercial_use is not True:
                allowed = _allowed(modality)
                if not allowed:
                    raise _refuse(b, modality, default=True)
                return allowed[0]
            return name
    choices = sorted({b.modality for b in _shipped().values()})
    raise ConfigError(f"The 'modality' parameter must be one of {choices}. Got {modality!r} instead.")


def resolve_model(
    modality: str, name: str | os.PathLike[str] | None = None, *, profile: str | None = None
) -> ModelBundle:
    """Return the bundle to use for a modality: the named one, or the default, as the profile allows.

    This is where recognizers, fusion and the EEG reader pick their model. Under the ``commercial`` profile a
    model not known to permit commercial use (its training data forbid it, or a bundle of your own does not say)
    is refused, whether it is the default or named. The bundle's modality is not checked here.

    Parameters
    ----------
    modality : str
        ``"text"``, ``"speech"``, ``"face"``, ...
    name : str or path-like, optional
        A name from :func:`list_models` or a bundle folder; the modality's default when omitted.
    profile : str, optional
        ``"default"`` or ``"commercial"``; ``$AFFECTSCOPE_PROFILE`` (else ``"default"``) when omitted.

    Returns
    -------
    ModelBundle

    Raises
    ------
    ConfigError
        If the name or profile is unknown, or the profile refuses the model (the message names the modality and
        the models it allows).

    Examples
    --------
    >>> resolve_model("physio", profile="commercial").name
    'physio-stress-e4'
    >>> resolve_model("speech", "speech-whisper-ser", profile="commercial")
    Traceback (most recent call last):
    ...
    affectscope.errors.ConfigError: The commercial profile does not allow speech-whisper-ser: speech-whisper-ser was trained on RAVDESS (CC-BY-NC-SA-4.0), TESS (CC-BY-NC-ND-4.0). Allowed speech models: speech-whisper-ser-cremad. Unset AFFECTSCOPE_PROFILE or pass a commercially usable model.
    """  # noqa: E501
    chosen = current_profile(profile)
    bundle = get_bundle(name if name is not None else default_model(modality, profile=chosen))
    if chosen == "commercial" and bundle.commercial_use is not True:
        raise _refuse(bundle, modality, default=name is None)
    return bundle
