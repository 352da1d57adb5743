"""One batch run per output folder: an exclusive lock on ``OUT/.batch.lock``.

Two runs writing into one folder would clear each other's staging and plan the same parts twice, so
:func:`~affectscope.batch.run_batch` takes this lock before it touches the folder (before the options check and
``clear_staging``) and holds it until the consolidated tables are written.

How it works
------------
* The lock is :func:`fcntl.flock` (exclusive, non-blocking) on ``OUT/.batch.lock``. The kernel releases it when
  the holding process exits *in any way* (``kill -9`` included), so a killed run never leaves a stale lock behind
  on a local file system: the next run simply gets it.
* The holder writes a small JSON record into the file (``pid``, ``host``, ``started``, ``heartbeat``) and
  rewrites the heartbeat every :data:`HEARTBEAT_SECONDS` from a daemon thread. The record is only for the
  message (who holds it, since when) and for file systems where the lock cannot be trusted (below). It is emptied
  on a clean release; the file itself is never deleted (deleting a locked file lets a third run lock a new file
  of the same name while the second still holds the old one).
* A run that gets the lock and finds a record of a run that did not release it says so (one line on stderr, and
  :attr:`OutputLock.took_over`): that run was killed; its half-written parts are cleared as usual.

Shared file systems (NFS, Ray clusters)
----------------------------------------
On NFSv4, and on NFSv3 with the lock manager, ``flock`` is emulated with a byte-range lock held by the server, so
it also excludes runs on other hosts. Some mounts (``nolock``, ``local_lock=flock``, some FUSE file systems) keep
``flock`` local to each client: a run on another host is then invisible to the lock. For that case the record
decides: a record of **another host** whose heartbeat is younger than :data:`STALE_SECONDS` is treated as a live
run and refused, even when ``flock`` succeeded; after that time it is taken over. If ``flock`` is not supported at
all (``ENOLCK``, ``EOPNOTSUPP``; or there is no :mod:`fcntl`, on Windows), the record alone decides (a live pid
on this host, or a fresh heartbeat from another host, refuses). This assumes the hosts' clocks agree to well
within ``STALE_SECONDS`` (NTP). With Ray, only the driver (the process that called ``run_batch``) holds the lock;
the workers write parts under it.

Examples
--------
>>> import tempfile
>>> d = tempfile.mkdtemp()
>>> with OutputLock(d):
...     try:
...         OutputLock(d).acquire()
...     except OutputBusyError as exc:
...         print(str(exc).split(" (")[0])
Another batch run is writing into this output folder
"""

from __future__ import annotations

import contextlib
import errno
import json
import math
import os
import socket
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from affectscope.errors import ConfigError, InputError

__all__ = ["HEARTBEAT_SECONDS", "LOCK_NAME", "STALE_SECONDS", "OutputBusyError", "OutputLock"]

LOCK_NAME = ".batch.lock"
# The holder rewrites its heartbeat this often; another host's record older than STALE_SECONDS is a dead run.
HEARTBEAT_SECONDS = 30.0
STALE_SECONDS = 600.0


class OutputBusyError(ConfigError):
    """Another batch run holds the output folder (exit code 2 from the CLI)."""


def _pid_alive(pid: Any) -> bool:
    if not isinstance(pid, int) or isinstance(pid, bool) or pid <= 0:  # 0 and -1 would name process groups
        return False
    try:
        os.kill(pid, 0)
    except PermissionError:  # alive, another user's
        return True
    except (OSError, OverflowError):  # ProcessLookupError: gone
        return False
    return True


def _when(ts: Any) -> str:
    try:
        return datetime.fromtimestamp(float(ts), tz=UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (TypeError, ValueError, OverflowError, OSError):
        return "an unknown time"


def _clean(value: Any) -> str:
    """Return a record field as one short printable word (the file is plain JSON anyone could edit)."""
    return "".join(ch if ch.isprintable() else "?" for ch in str(value))[:64]


def _describe(record: dict[str, Any]) -> str:
    pid, host = _clean(record.get("pid", "?")), _clean(record.get("host", "?"))
    return f"pid {pid} on host {host}, since {_when(record.get('started'))}"


class OutputLock:
    """The exclusive lock of one batch output folder (a context manager).

    Parameters
    ----------
    root : path-like
        The output folder (created if missing).

    Attributes
    ----------
    took_over : str or None
        After :meth:`acquire`: a description of the killed run whose lock this one took over, else None.

    Raises
    ------
    OutputBusyError
        From :meth:`acquire`: another run holds the folder (the message names its pid, host and start time).
    InputError
        ``root`` exists and is not a folder, or cannot be created.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)
        self.path = self.root / LOCK_NAME
        self.took_over: str | None = None
        self._fd: int | None = None
        self._record: dict[str, Any] = {}
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    # -- record ----------------------------------------------------------------------------------------------
    def _read_record(self, fd: int) -> dict[str, Any]:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            raw = os.read(fd, 4096)
            record = json.loads(raw.decode("utf-8")) if raw.strip() else {}
        except (OSError, ValueError):
            return {}
        return record if isinstance(record, dict) else {}

    def _write_record(self) -> None:
        assert self._fd is not None
        data = json.dumps(self._record, sort_keys=True).encode("utf-8")
        os.lseek(self._fd, 0, os.SEEK_SET)
        os.write(self._fd, data)  # write, then cut: a reader never sees an empty record meanwhile
        os.ftruncate(self._fd, len(data))
        os.fsync(self._fd)

    def _live_elsewhere(self, record: dict[str, Any], *, flocked: bool) -> bool:
        """Whether the record names a run that may still be running although this process could lock."""
        if not record or "pid" not in record:
            return False
        if record.get("host") == socket.gethostname():
            # flock is authoritative between processes of one host; without it, ask the kernel about the pid
            return not flocked and _pid_alive(record["pid"])
        try:
            age = time.time() - float(record.get("heartbeat", record.get("started", 0)))
        except (TypeError, ValueError, OverflowError):
            return False
        return math.isfinite(age) and age < STALE_SECONDS

    # -- public --------------------------------------------------------------------------------------------
    def acquire(self) -> OutputLock:
        """Take the lock, or raise :class:`OutputBusyError` at once (never waits)."""
        try:
            import fcntl
        except ImportError:  # not POSIX (Windows): the record alone decides
            fcntl = None  # type: ignore[assignment]

        if self.root.exists() and not self.root.is_dir():
            raise InputError(f"The output {self.root} exists and is not a folder; pass a folder (it is created).")
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
        except OSError as exc:
            raise InputError(
                f"Cannot create the output folder {self.root} ({exc.strerror}); pass a writable folder."
            ) from None
        flocked = fcntl is not None
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            record = self._read_record(fd)
            os.close(fd)
            who = f" ({_describe(record)})" if record else ""
            raise OutputBusyError(
                f"Another batch run is writing into this output folder{who}: {self.root}. Wait for it to finish "
                "(re-running the same command then resumes), or write to another folder."
            ) from None
        except OSError as exc:
            if exc.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
                os.close(fd)
                raise InputError(f"Cannot lock the output folder {self.root} ({exc.strerror}).") from None
            flocked = False  # no lock support here: the record alone decides (see the module doc)
        record = self._read_record(fd)
        if self._live_elsewhere(record, flocked=flocked):
            os.close(fd)
            raise OutputBusyError(
                f"Another batch run is writing into this output folder ({_describe(record)}, last seen "
                f"{_when(record.get('heartbeat'))}): {self.root}. Wait for it to finish, or if it is no longer "
                f"running, wait {STALE_SECONDS / 60:.0f} minutes after its last heartbeat or delete "
                f"{self.path}."
            )
        if record.get("pid") is not None:
            self.took_over = _describe(record)
        self._fd = fd
        now = time.time()
        self._record = {"pid": os.getpid(), "host": socket.gethostname(), "started": now, "heartbeat": now}
        self._write_record()
        self._stop.clear()
        self._beat = threading.Thread(target=self._heartbeat, name="affectscope-batch-lock", daemon=True)
        self._beat.start()
        return self

    def _heartbeat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            try:
                self._record["heartbeat"] = time.time()
                self._write_record()
            except (OSError, AssertionError):  # released meanwhile, or the disk went away: the lock still holds
                return

    def release(self) -> None:
        """Empty the record and release the lock (idempotent)."""
        self._stop.set()
        if self._beat is not None:
            self._beat.join(timeout=5)
            self._beat = None
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):  # a clean exit leaves no record: the next run has nothing to take over
            os.ftruncate(fd, 0)
        os.close(fd)  # closing the last descriptor releases the flock

    def __enter__(self) -> OutputLock:
        return self if self._fd is not None else self.acquire()

    def __exit__(self, *exc: Any) -> None:
        self.release()
