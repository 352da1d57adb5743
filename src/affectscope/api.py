"""The one-call Python API: :func:`analyze`."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import Any

from affectscope.result import Result

__all__ = ["analyze"]


@lru_cache(maxsize=4)
def _text_recognizer(model: str | None, batch_size: int, segment: str, encoding: str, num_threads: int | None):
    from affectscope.recognizers.text import TextRecognizer

    return TextRecognizer(model, batch_size=batch_size, segment=segment, encoding=encoding, num_threads=num_threads)


def analyze(
    obj: Any,
    *,
    model: str | os.PathLike[str] | None = None,
    segment: str = "sentence",
    encoding: str = "utf-8",
    batch_size: int = 64,
    num_threads: int | None = None,
) -> Result:
    """Analyse the emotion in a text or text file and return a :class:`~affectscope.Result`.

    Parameters
    ----------
    obj : str, pathlib.Path, bytes, file object or dict
        A ``str`` is the text itself; a :class:`pathlib.Path` (or other ``os.PathLike``) is a text file.
    model : str or path-like, optional
        Registry name (see ``affectscope models``) or a bundle folder.
    segment : {"sentence", "line"}
        How the text is split into rows.
    encoding : str
        Encoding of files and bytes (default UTF-8).
    batch_size : int
        Sentences per forward pass.
    num_threads : int, optional
        CPU threads (default: all cores).

    Returns
    -------
    Result
        ``frame`` (one row per sentence, indexed by (source, start, end) in characters) and ``summary``.

    Examples
    --------
    >>> import affectscope
    >>> r = affectscope.analyze("This makes me so mad.")
    >>> r.summary["label"]
    'anger'
    >>> r.frame.index[0] == ("text", 0, 21)
    True
    """
    rec = _text_recognizer(None if model is None else str(model), batch_size, segment, encoding, num_threads)
    if isinstance(obj, os.PathLike):
        return rec.process_file(Path(obj))
    return rec.process_text(obj)
