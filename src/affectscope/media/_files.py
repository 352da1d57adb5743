"""Checks shared by the media normalisers."""

from __future__ import annotations

import errno
import os
import stat
import struct
import zlib
from pathlib import Path

from affectscope.errors import InputError

__all__ = ["DECODER_ERRORS", "existing_file"]

#: What decoders (libsndfile, PyAV/FFmpeg, Pillow, struct unpacking, zlib, short reads, numpy on bad headers) raise
#: on bad bytes; every reader turns these into :class:`~affectscope.errors.InputError` at its boundary.
DECODER_ERRORS: tuple[type[BaseException], ...] = (
    RuntimeError,
    ValueError,
    TypeError,
    AttributeError,
    OSError,
    EOFError,
    IndexError,
    KeyError,
    OverflowError,
    MemoryError,
    ZeroDivisionError,
    SyntaxError,
    struct.error,
    zlib.error,
)


def existing_file(
    obj: str | os.PathLike[str],
    *,
    accepted: str,
    allow_empty: bool = True,
    folder_ok: bool = False,
    folder_hint: str = "",
) -> Path:
    """Return ``obj`` as a Path to an existing regular file, or raise InputError naming what is wrong and accepted.

    A folder, a device (``/dev/zero``), a FIFO or socket, a symbolic-link loop, an unreadable file and a name
    the operating system refuses each get their own message rather than "File not found"; nothing is opened.

    Parameters
    ----------
    obj : path-like
        The user's path.
    accepted : str
        What the caller accepts, for the message.
    allow_empty : bool
        Accept a 0-byte file (``False``: refuse it as empty).
    folder_ok : bool
        Accept a folder (an E4 export) as well.
    folder_hint : str
        Appended to the message when a folder is refused (e.g. "It looks like an E4 export: ...").

    Returns
    -------
    pathlib.Path

    Raises
    ------
    InputError
        Missing, not a regular file, unreadable, or (``allow_empty=False``) empty.

    Examples
    --------
    >>> existing_file("/no/such/file.txt", accepted="a text file")
    Traceback (most recent call last):
    ...
    affectscope.errors.InputError: File not found: /no/such/file.txt. Expected a text file.
    >>> existing_file("/", accepted="a text file")
    Traceback (most recent call last):
    ...
    affectscope.errors.InputError: / is a folder, not a regular file. Expected a text file.
    """
    try:
        path = Path(obj)
        info = os.stat(path)
    except ValueError:  # an embedded NUL byte
        raise InputError(f"{obj!r} is not a valid file name. Expected {accepted}.") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise InputError(f"{obj} is a symbolic link loop, not a file. Expected {accepted}.") from None
        if exc.errno == errno.EACCES:
            raise InputError(f"{obj} cannot be read (permission denied). Expected {accepted}.") from None
        if exc.errno == errno.ENAMETOOLONG:
            raise InputError(f"The file name is too long ({len(str(obj))} characters). Expected {accepted}.") from None
        if os.path.islink(obj):
            raise InputError(f"{obj} is a broken symbolic link. Expected {accepted}.") from None
        raise InputError(f"File not found: {obj}. Expected {accepted}.") from None
    if stat.S_ISDIR(info.st_mode):
        if folder_ok:
            return path
        hint = f" {folder_hint}" if folder_hint else ""
        raise InputError(f"{path} is a folder, not a regular file. Expected {accepted}.{hint}")
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{path} is not a regular file (a device, FIFO or socket). Expected {accepted}.")
    if not os.access(path, os.R_OK):
        raise InputError(f"{path} cannot be read (permission denied). Expected {accepted}.")
    if not allow_empty and info.st_size == 0:
        raise InputError(f"{path} is empty (0 bytes). Expected {accepted}.")
    return path
