"""Checks shared by the media normalisers."""

from __future__ import annotations

import os
from pathlib import Path

from affectscope.errors import InputError


def existing_file(obj: str | os.PathLike[str], *, accepted: str) -> Path:
    """Return ``obj`` as a Path to an existing regular file, or raise InputError naming what is accepted.

    Examples
    --------
    >>> existing_file("/no/such/file.txt", accepted="a text file")
    Traceback (most recent call last):
    ...
    affectscope.errors.InputError: File not found: /no/such/file.txt. Expected a text file.
    """
    path = Path(obj)
    if not path.exists():
        raise InputError(f"File not found: {path}. Expected {accepted}.")
    if not path.is_file():
        raise InputError(f"{path} is not a regular file (a folder?). Expected {accepted}.")
    return path
