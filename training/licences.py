"""The licence fields of every shipped model bundle, written by the scripts that (re)write its ``bundle.json``.

Every bundle records the licence of each training set (``licence_id``, an SPDX-like id) and whether it permits
commercial use (``commercial_use``); the registry (``affectscope.models.registry``) derives the model's own
``commercial_use`` from them, and the commercial profile (``AFFECTSCOPE_PROFILE=commercial``) refuses a model whose
training data do not all permit it. The fields live in ``training/licences.json``: per model, ``licence`` (one line,
with the data caveat), ``licence_id`` (of our own weights), an optional ``licence_note`` and ``training_data`` (per
data set: ``name``, ``split``, ``licence``, ``short_name``, ``licence_id``, ``commercial_use``, optional
``commercial_note``). The export and training scripts call :func:`stamp` on the bundle they write, so re-running
training reproduces the shipped licence metadata instead of dropping it; ``tests/models/test_training_licences.py``
checks that the JSON equals the shipped ``bundle.json`` files.

Use from a script run as ``python training/<model>/<script>.py``::

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # training/
    from licences import stamp

    stamp(meta, "speech-whisper-ser")
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["LICENCES_JSON", "licences", "stamp"]

LICENCES_JSON = Path(__file__).with_name("licences.json")


def licences() -> dict[str, dict[str, Any]]:
    """Return the licence fields of every shipped model, by registry name (a fresh copy on every call)."""
    return json.loads(LICENCES_JSON.read_text(encoding="utf-8"))


def stamp(meta: dict[str, Any], name: str) -> dict[str, Any]:
    """Write the licence fields of the shipped model ``name`` into ``meta`` (in place) and return it.

    Parameters
    ----------
    meta
        The bundle metadata about to be written as ``bundle.json``.
    name
        The model's registry name, a key of ``training/licences.json``.

    Returns
    -------
    dict
        ``meta``, with ``licence``, ``licence_id``, ``training_data`` (and ``licence_note`` where the shipped
        bundle has one) set to the shipped values.
    """
    known = licences()
    if name not in known:
        raise SystemExit(f"no licence fields for {name!r} in {LICENCES_JSON}; known: {sorted(known)}")
    meta.update(known[name])
    return meta
