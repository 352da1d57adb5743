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
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from affectscope.errors import ConfigError, ModelError

__all__ = ["ModelBundle", "default_model", "get_bundle", "list_models"]

_REQUIRED = ("name", "modality", "task", "heads", "files", "licence", "training_data", "citation", "metrics")


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
        ``{"name", "licence", "split"}`` for every data set the weights saw.
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
    def card(self) -> Path:
        """Path of the bundle's ``MODEL_CARD.md``."""
        return self.path / "MODEL_CARD.md"

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable description (what ``affectscope models --format json`` prints).

        Examples
        --------
        >>> d = get_bundle("text-minilm-goemotions").to_dict()
        >>> sorted(d)[:3]
        ['citation', 'files', 'heads']
        """
        return {
            "name": self.name,
            "modality": self.modality,
            "task": self.task,
            "heads": self.heads,
            "files": self.files,
            "licence": self.licence,
            "training_data": self.training_data,
            "citation": self.citation,
            "metrics": self.metrics,
            "size_bytes": self.size_bytes,
        }


def _load(folder: Path) -> ModelBundle:
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
    known = {k: meta[k] for k in _REQUIRED}
    extra = {k: v for k, v in meta.items() if k not in _REQUIRED}
    return ModelBundle(**known, path=folder, extra=extra)


@cache
def _shipped() -> dict[str, ModelBundle]:
    root = Path(str(resources.files("affectscope.models")))
    bundles = {}
    for meta in sorted(root.glob("*/bundle.json")):
        b = _load(meta.parent)
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
    affectscope.errors.ConfigError: The 'model' parameter must be one of ['conversation-minilm-context', 'face-cnn-fer', 'fusion-loglinear', 'music-4q-quadrants', 'physio-stress-e4', 'speech-whisper-ser', 'text-minilm-goemotions'] or a bundle folder. Got 'nope' instead.
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


def default_model(modality: str) -> str:
    """Return the registry name of the default model for a modality.

    Parameters
    ----------
    modality : str
        ``"text"``, ...

    Returns
    -------
    str

    Examples
    --------
    >>> default_model("text")
    'text-minilm-goemotions'
    """
    for name, b in _shipped().items():
        if b.modality == modality and b.extra.get("default", False):
            return name
    choices = sorted({b.modality for b in _shipped().values()})
    raise ConfigError(f"The 'modality' parameter must be one of {choices}. Got {modality!r} instead.")
