r"""Wearable recordings: Empatica E4 exports and generic timestamped CSV, as named channels on one clock.

A :class:`Recording` holds channels (``eda``, ``bvp``, ``hr``, ``temp``, ``acc``; ``ibi`` as beat times) as
:class:`Channel` objects: the samples, the sampling rate and the start time (unix seconds). E4 folders hold
``EDA.csv``, ``BVP.csv``, ``HR.csv``, ``TEMP.csv``, ``ACC.csv`` and ``IBI.csv`` (gzip-compressed ``*.csv.gz``
is read too); each file starts with the start time and the rate (IBI: start time, then ``time, interval`` rows).

Every reader streams: a file, a zip member or a gzip stream is decompressed and parsed in chunks, nothing is
extracted to disk and nothing is read whole, under these limits (the module constants):

* a recording lasts at most :data:`MAX_DURATION_S` (7 days): an E4 file holds at most ``rate × 7 days`` rows
  (4 Hz: 2,419,200), a CSV's timestamps span at most 7 days, an EDF/BDF header declares at most 7 days;
* a signal file is at most :data:`MAX_FILE_BYTES` (1 GiB) uncompressed (a week of E4 BVP at 64 Hz is ~0.3 GB);
* a compressed file (``.csv.gz``, a zip member) may expand at most :data:`MAX_RATIO` (200) times its compressed
  size once past the first :data:`RATIO_GRACE_BYTES` (16 MiB); recordings compress 3-10 times, bombs 1,000+;
* a line is at most :data:`MAX_LINE_BYTES` (1 MiB); rates are in [:data:`MIN_RATE_HZ`, :data:`MAX_RATE_HZ`] Hz;
  values are finite and within ±:data:`MAX_ABS_VALUE`;
* a zip holds at most :data:`MAX_ZIP_ENTRIES` entries and one copy of each E4 file; its members are stored or
  deflate-compressed (what E4 connect writes): encrypted members and other methods (Deflate64, bzip2, LZMA...)
  are refused, as are corrupt or truncated streams (bad CRC, bad deflate/gzip data);
* an EDF/BDF header must match the file's size, and at most :data:`MAX_EDF_VALUES` samples are read.

Anything refused raises :class:`~affectscope.errors.InputError` naming the file (and the zip member), what was
wrong and what is accepted.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "EDA.csv").write_text("1644227574.0\n4.0\n0.0\n0.62\n0.63\n0.61\n")
>>> rec = read_e4(d)
>>> rec.channels["eda"].rate, len(rec.channels["eda"].samples), rec.start
(4.0, 4, 1644227574.0)
"""

from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import re
import stat
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np

from affectscope._validation import MAX_SECONDS
from affectscope.errors import ConfigError, InputError

__all__ = [
    "ACCEPTED_PHYSIO_INPUTS",
    "MAX_DURATION_S",
    "MAX_FILE_BYTES",
    "MAX_RATIO",
    "Channel",
    "Recording",
    "read_e4",
    "read_e4_zip",
    "read_physio",
    "read_physio_csv",
    "read_physio_edf",
]

ACCEPTED_PHYSIO_INPUTS = (
    "an Empatica E4 export folder (EDA.csv, BVP.csv, HR.csv, TEMP.csv, ACC.csv, IBI.csv; .csv.gz too) or its "
    ".zip (as E4 connect downloads it), a CSV "
    "with a 'timestamp' column (seconds) and channel columns named eda, bvp, hr, temp, acc_x/acc_y/acc_z, or an "
    "EDF/BDF file whose signal labels name those channels (EDA/GSR, BVP/PPG, HR, TEMP, ACC X/Y/Z)"
)
MAX_DURATION_S = MAX_SECONDS  # 7 days: the longest recording read (a week-long wearable session)
_DURATION = "7 days"
MAX_FILE_BYTES = 1024**3  # uncompressed bytes of one signal file (a week of E4 BVP at 64 Hz is ~0.3 GB)
MAX_RATIO = 200  # decompressed / compressed bytes, checked once past RATIO_GRACE_BYTES
RATIO_GRACE_BYTES = 16 * 1024**2
MAX_LINE_BYTES = 1024**2
MIN_RATE_HZ = 0.01
MAX_RATE_HZ = 10_000.0
MAX_ABS_VALUE = 1e9
MAX_START_S = 1e10  # unix seconds (year 2286)
MAX_ZIP_ENTRIES = 10_000
MAX_ZIP_DIRECTORY_BYTES = 16 * 1024**2
MAX_EDF_VALUES = 256 * 1024**2  # samples read from one EDF/BDF (2 GiB as float64)
_CHUNK_ROWS = 500_000
_ZIP_METHODS = {0: "stored", 8: "deflate"}
_ZIP_METHOD_NAMES = {9: "Deflate64", 12: "bzip2", 14: "LZMA", 93: "Zstandard", 95: "xz", 98: "PPMd", 99: "AES"}
# EDF/BDF signal labels → channel (checked in this order, on the lower-cased label without spaces/punctuation)
_EDF_LABELS = (
    ("acc", ("acc", "accel")),
    ("eda", ("eda", "gsr", "skinconductance", "electrodermal", "scl")),
    ("bvp", ("bvp", "ppg", "pleth", "bloodvolume")),
    ("temp", ("temp", "skint")),
    ("hr", ("hr", "heartrate", "pulse")),
)
_E4 = {"EDA": "eda", "BVP": "bvp", "HR": "hr", "TEMP": "temp", "ACC": "acc"}
_E4_NAMES = frozenset(f"{n}{ext}" for n in (*_E4, "IBI") for ext in (".csv", ".csv.gz"))
# What a C library or a decompressor may raise on bad bytes; turned into InputError at the reader boundary.
_FOREIGN = (OSError, EOFError, ValueError, RuntimeError, OverflowError, MemoryError, UnicodeError, IndexError,
            KeyError, TypeError, struct.error, csv.Error)  # fmt: skip


@dataclass
class Channel:
    """One signal: samples (n,) or (n, axes), its rate in Hz and its start time (unix seconds)."""

    samples: np.ndarray
    rate: float
    start: float

    @property
    def duration(self) -> float:
        """Length in seconds."""
        return len(self.samples) / self.rate if self.rate > 0 else 0.0


@dataclass
class Recording:
    """Channels of one recording, and beat-to-beat intervals when the device gave them.

    Attributes
    ----------
    channels : dict
        Name (``eda``, ``bvp``, ``hr``, ``temp``, ``acc``) → :class:`Channel`.
    ibi : ndarray of shape (n, 2), optional
        Beat time (seconds from ``start``) and interval (seconds).
    source : str
        Where it was read from.
    """

    channels: dict[str, Channel] = field(default_factory=dict)
    ibi: np.ndarray | None = None
    source: str = "recording"

    @property
    def start(self) -> float:
        """The earliest channel start (unix seconds)."""
        return min(c.start for c in self.channels.values())

    @property
    def end(self) -> float:
        """The latest channel end (unix seconds)."""
        return max(c.start + c.duration for c in self.channels.values())


# ---------------------------------------------------------------------------------------------------- streams


def _shown(name: str, limit: int = 120) -> str:
    """Return a member or column name fit to print: no control characters, bounded length."""
    text = "".join(c if c.isprintable() else "?" for c in str(name))
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _reason(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 160 else text[:157] + "..."


def _mib(n: float) -> str:
    return f"{n / 1024**3:g} GiB" if n >= 1024**3 else f"{n / 1024**2:g} MiB"


class _Guarded(io.RawIOBase):
    """A read-only byte stream under budgets: total bytes, expansion ratio, line length.

    Errors of the stream below (bad CRC, bad deflate or gzip data, a truncated member) and exceeded budgets raise
    :class:`InputError` naming ``where``.
    """

    def __init__(self, raw: IO[bytes], where: str, *, compressed: int | None, limit: int = MAX_FILE_BYTES) -> None:
        super().__init__()
        self._raw, self.where, self._compressed, self._limit = raw, where, compressed, limit
        self.total = 0
        self._line = 0  # bytes since the last newline

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        try:
            data = self._raw.read(len(b))
        except InputError:
            raise
        except (*_FOREIGN, Exception) as exc:  # zlib.error, zipfile.BadZipFile (bad CRC), gzip.BadGzipFile...
            raise InputError(
                f"{self.where} is corrupt or truncated; it cannot be decompressed ({_reason(exc)})."
            ) from None
        n = len(data)
        if not n:
            return 0
        b[:n] = data
        self.total += n
        if self.total > self._limit:
            raise InputError(
                f"{self.where} is larger than {_mib(self._limit)} uncompressed; the limit is {_mib(self._limit)} per "
                "file."
            )
        if self._compressed is not None and self.total > max(RATIO_GRACE_BYTES, MAX_RATIO * self._compressed):
            raise InputError(
                f"{self.where} expands to more than {MAX_RATIO} times its {self._compressed:,} compressed bytes (a "
                f"decompression bomb?); recordings compress 3-10 times, and at most {MAX_RATIO}:1 is accepted."
            )
        cut = data.rfind(b"\n")
        self._line = n - 1 - cut if cut >= 0 else self._line + n
        if self._line > MAX_LINE_BYTES:
            raise InputError(
                f"{self.where} has a line longer than {_mib(MAX_LINE_BYTES)}; accepted: CSV text with lines ending "
                "in \\n or \\r\\n."
            )
        return n


@contextlib.contextmanager
def _open_file(path: Path, where: str | None = None, *, limit: int = MAX_FILE_BYTES) -> Iterator[io.BufferedReader]:
    """Open a file on disk (``.gz``: gunzipped on the fly) as a guarded buffered stream of at most ``limit`` bytes."""
    import gzip

    where = where or str(path)
    gz = path.name.lower().endswith(".gz")
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise InputError(f"{where} is not a regular file (a folder, device or pipe); expected a file.")
        size = st.st_size
        if not gz and size > limit:
            raise InputError(f"{where} has {size:,} bytes; the limit is {_mib(limit)} per file.")
        fh = open(path, "rb")  # noqa: SIM115 - closed by the ExitStack below
    except OSError as exc:
        raise InputError(f"Cannot read {where}: {exc.strerror or _reason(exc)}.") from None
    with contextlib.ExitStack() as stack:
        stack.enter_context(fh)
        raw: IO[bytes] = stack.enter_context(gzip.GzipFile(fileobj=fh, mode="rb")) if gz else fh
        yield io.BufferedReader(_Guarded(raw, where, compressed=size if gz else None, limit=limit), 1 << 16)


def _line(buf: io.BufferedReader, where: str) -> str | None:
    """Return the next line (without its end), or None at the end of the stream."""
    raw = buf.readline(MAX_LINE_BYTES + 1)
    if not raw:
        return None
    try:
        return raw.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError:
        raise InputError(f"{where} is not a UTF-8 text CSV file. Expected {ACCEPTED_PHYSIO_INPUTS}.") from None


def _parse_error(where: str, exc: BaseException, *, skipped: int, what: str) -> InputError:
    """Word a pandas/numpy parse error as an InputError, its line numbers counted from the file's first line."""
    if isinstance(exc, UnicodeError):
        return InputError(f"{where} is not a UTF-8 text CSV file. Expected {what}.")
    text = re.sub(r"^Error tokenizing data\. C error: ", "", _reason(exc))
    text = re.sub(r"line (\d+)", lambda m: f"line {int(m.group(1)) + skipped}", text)
    return InputError(f"{where} is not {what}: {text}.")


def _numbers(
    buf: io.BufferedReader, where: str, *, ncols: int, max_rows: int, skipped: int, what: str, values: str
) -> np.ndarray:
    """Parse the rest of ``buf`` as comma-separated numbers, ``ncols`` per row, in chunks; at most ``max_rows``.

    Each chunk is checked as it comes (finite, within ±:data:`MAX_ABS_VALUE`; ``values`` names them in the
    message), so the peak memory is about two float64 copies of the result (16 bytes per value).
    """
    import pandas as pd

    parts: list[np.ndarray] = []
    rows = 0
    try:
        reader = pd.read_csv(  # the first data row sets the fields per row; a later row with more is an error
            buf,
            header=None,
            dtype=np.float64,
            skipinitialspace=True,
            quoting=csv.QUOTE_NONE,
            encoding="utf-8",
            engine="c",
            chunksize=_CHUNK_ROWS,
            nrows=max_rows + 1,
        )
        with reader:
            for chunk in reader:
                if chunk.shape[1] != ncols:
                    raise InputError(
                        f"{where}: its data rows hold {chunk.shape[1]} fields; {what} has {ncols} per row."
                    )
                rows += len(chunk)
                if rows > max_rows:
                    break
                part = chunk.to_numpy(dtype=np.float64)
                _check_values(
                    part, where, first_line=skipped + 1, offset=rows - len(part), allow_nan=False, what=values
                )
                parts.append(part)
    except InputError:
        raise
    except pd.errors.EmptyDataError:
        return np.zeros((0, ncols))
    except (*_FOREIGN, pd.errors.ParserError) as exc:
        raise _parse_error(where, exc, skipped=skipped, what=what) from None
    if rows > max_rows:
        raise _TooLongError(rows)
    return np.concatenate(parts) if parts else np.zeros((0, ncols))


class _TooLongError(Exception):
    """More rows than the budget (the caller words the message)."""


def _check_values(x: np.ndarray, where: str, *, first_line: int, offset: int = 0, allow_nan: bool, what: str) -> None:
    """Refuse infinities, values beyond ±:data:`MAX_ABS_VALUE` and (unless ``allow_nan``) NaN, naming the row."""
    bad = ~(np.abs(x) <= MAX_ABS_VALUE)  # NaN compares False: refused unless allowed
    if allow_nan:
        bad &= ~np.isnan(x)
    if bad.any():
        row = int(np.flatnonzero(bad.any(axis=1) if bad.ndim > 1 else bad)[0])
        value = x[row][bad[row]][0] if bad.ndim > 1 else x[row]
        kind = "an empty or non-numeric field" if np.isnan(value) else f"{value:g}"
        raise InputError(
            f"{where}: data row {offset + row + 1} (line {offset + row + first_line}) holds {kind}; {what} hold "
            f"finite numbers within ±{MAX_ABS_VALUE:g}."
        )


# ---------------------------------------------------------------------------------------------------------- E4


def _e4_row(buf: io.BufferedReader, where: str, what: str) -> list[str]:
    line = _line(buf, where)
    if line is None or not line.strip():
        raise InputError(f"{where} has no {what} row; an E4 signal file starts with the start time, then the rate.")
    return [v.strip() for v in line.split(",")]


def _e4_number(fields: list[str], where: str, what: str, low: float, high: float) -> float:
    try:
        value = float(fields[0])
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and low <= value <= high):
        raise InputError(
            f"{where}: the {what} row must hold a number in [{low:g}, {high:g}]; got {_shown(fields[0], 40)!r}. An "
            "E4 signal file starts with the start time (unix seconds), then the sampling rate (Hz)."
        )
    return value


def _parse_e4(buf: io.BufferedReader, where: str, name: str) -> Channel:
    """Parse an E4 signal file: start-time row, rate row, then one sample per row (ACC: x, y, z)."""
    what = "an E4 signal file (start time, rate, then numbers)"
    head = _e4_row(buf, where, "start-time")
    start = _e4_number(head, where, "first (start time)", 0, MAX_START_S)
    rate = _e4_number(_e4_row(buf, where, "rate"), where, "second (sampling rate)", MIN_RATE_HZ, MAX_RATE_HZ)
    ncols = 3 if name == "ACC" else 1
    if len(head) != ncols:
        expected = "3 columns (x, y, z)" if ncols == 3 else "1 column"
        raise InputError(f"{where} must have {expected}; its first row has {len(head)}. Expected {what}.")
    max_rows = int(rate * MAX_DURATION_S)
    try:
        table = _numbers(buf, where, ncols=ncols, max_rows=max_rows, skipped=2, what=what, values="E4 signal files")
    except _TooLongError:
        raise InputError(
            f"{where} holds more than {_DURATION} of samples at {rate:g} Hz ({max_rows:,} rows); the limit is "
            f"{_DURATION} per recording (a longer file is taken for a decompression bomb or a wrong rate row)."
        ) from None
    if not len(table):
        raise InputError(f"{where} has no samples after its start-time and rate rows.")
    samples = table[:, 0] if ncols == 1 else table
    return Channel(samples=np.ascontiguousarray(samples, dtype=np.float64), rate=rate, start=start)


def _parse_ibi(buf: io.BufferedReader, where: str) -> np.ndarray | None:
    what = "an E4 IBI file (start time, then 'time, interval' rows)"
    _e4_number(_e4_row(buf, where, "start-time"), where, "first (start time)", 0, MAX_START_S)
    max_rows = int(4 * MAX_DURATION_S)  # 240 beats per minute for 7 days
    try:
        rows = _numbers(buf, where, ncols=2, max_rows=max_rows, skipped=1, what=what, values="E4 IBI files")
    except _TooLongError:
        raise InputError(f"{where} lists more than {max_rows:,} beats ({_DURATION} at 240 bpm).") from None
    return rows if len(rows) else None


def _e4_file(folder: Path, name: str) -> Path | None:
    for candidate in (folder / f"{name}.csv", folder / f"{name}.csv.gz"):
        if candidate.is_file():
            return candidate
    return None


def _check_session(rec: Recording, where: str) -> None:
    span = rec.end - rec.start
    if span > MAX_DURATION_S + 1:
        raise InputError(
            f"{where}: its signals span {span / 86400:,.1f} days (start times "
            f"{min(c.start for c in rec.channels.values()):.0f}-{max(c.start for c in rec.channels.values()):.0f});"
            f" the files of one recording lie within {_DURATION}."
        )


def read_e4(folder: str | os.PathLike[str]) -> Recording:
    r"""Read an Empatica E4 export folder (files are streamed under the module's limits).

    Raises
    ------
    InputError
        The folder holds none of the E4 signal files, or a file is malformed or over a limit (the message names it).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "HR.csv").write_text("1644227574.0\n0\n70\n")
    >>> read_e4(d)
    Traceback (most recent call last):
    ...
    affectscope.errors.InputError: ...HR.csv: the second (sampling rate) row must hold a number in [0.01, 10000]...
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder. Expected {ACCEPTED_PHYSIO_INPUTS}.")
    rec = Recording(source=str(folder))
    for name, key in _E4.items():
        f = _e4_file(folder, name)
        if f is not None:
            with _open_file(f) as buf:
                rec.channels[key] = _parse_e4(buf, str(f), name)
    ibi = _e4_file(folder, "IBI")
    if ibi is not None:
        with _open_file(ibi) as buf:
            rec.ibi = _parse_ibi(buf, str(ibi))
    if not rec.channels:
        raise InputError(f"{folder} holds no E4 signal file. Expected {ACCEPTED_PHYSIO_INPUTS}.")
    _check_session(rec, str(folder))
    return rec


def _zip_directory(fh: IO[bytes], size: int, where: str) -> None:
    """Refuse a zip whose central directory is too large to list before :mod:`zipfile` reads it whole."""
    tail_len = min(size, 22 + 65535)
    fh.seek(size - tail_len)
    tail = fh.read(tail_len)
    i = tail.rfind(b"PK\x05\x06")
    if i < 0 or len(tail) - i < 22:
        return  # not a zip: zipfile says so
    entries, cd_size = struct.unpack("<HI", tail[i + 10 : i + 16])
    if (entries == 0xFFFF or cd_size == 0xFFFFFFFF) and i >= 20 and tail[i - 20 : i - 16] == b"PK\x06\x07":
        (offset,) = struct.unpack("<Q", tail[i - 12 : i - 4])
        if offset + 56 <= size:
            fh.seek(offset)
            record = fh.read(56)
            if record[:4] == b"PK\x06\x06":
                entries, cd_size = struct.unpack("<QQ", record[32:48])
    if entries > MAX_ZIP_ENTRIES or cd_size > MAX_ZIP_DIRECTORY_BYTES:
        raise InputError(
            f"{where} lists {entries:,} entries ({cd_size:,} bytes of directory); a zipped E4 export holds a few "
            f"files, and at most {MAX_ZIP_ENTRIES:,} entries are accepted."
        )


@contextlib.contextmanager
def _open_member(z: Any, info: Any, where: str) -> Iterator[io.BufferedReader]:
    import gzip

    if info.flag_bits & 0x1 or info.compress_type == 99:
        raise InputError(f"{where} is encrypted; accepted: an unencrypted zip (as E4 connect downloads it).")
    if info.compress_type not in _ZIP_METHODS:
        method = _ZIP_METHOD_NAMES.get(info.compress_type, "an unknown method")
        raise InputError(
            f"{where} is compressed with {method} (zip method {info.compress_type}); accepted: stored or deflate "
            "(what E4 connect and common zip tools write)."
        )
    gz = info.filename.lower().endswith(".gz")
    if not gz and info.file_size > MAX_FILE_BYTES:
        raise InputError(
            f"{where} unpacks to {info.file_size / 1e9:.1f} GB; the limit is {_mib(MAX_FILE_BYTES)} per file (a "
            f"week of E4 signals at 64 Hz is about 0.3 GB)."
        )
    if not gz and info.file_size > max(RATIO_GRACE_BYTES, MAX_RATIO * info.compress_size):
        raise InputError(
            f"{where} declares {info.file_size:,} bytes from {info.compress_size:,} compressed (a decompression "
            f"bomb?); recordings compress 3-10 times, and at most {MAX_RATIO}:1 is accepted."
        )
    try:
        member = z.open(info)
    except (*_FOREIGN, Exception) as exc:  # zipfile.BadZipFile, NotImplementedError
        raise InputError(f"{where} cannot be opened ({_reason(exc)}); the zip is damaged.") from None
    with contextlib.ExitStack() as stack:
        stack.enter_context(member)
        raw: IO[bytes] = stack.enter_context(gzip.GzipFile(fileobj=member, mode="rb")) if gz else member
        yield io.BufferedReader(_Guarded(raw, where, compressed=info.compress_size), 1 << 16)


def read_e4_zip(path: str | os.PathLike[str]) -> Recording:
    r"""Read a zipped E4 export (the E4 signal files anywhere inside; other members are ignored).

    Nothing is extracted: each E4 member is decompressed and parsed as a stream (a ``.csv.gz`` member is
    gunzipped on the fly too), under the module's limits: 7 days of samples, 1 GiB per file, at most 200:1
    expansion past the first 16 MiB, at most 10,000 zip entries, one copy of each E4 file, stored or deflate
    members only, unencrypted.

    Raises
    ------
    InputError
        Not a zip file, no E4 signal file inside, an encrypted, corrupt or over-limit member (the message names
        the zip and the member), or a malformed signal file.

    Examples
    --------
    >>> import io, pathlib, tempfile, zipfile
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "export.zip"
    >>> with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
    ...     z.writestr("session/EDA.csv", "1644227574.0\n4.0\n0.61\n0.62\n")
    >>> read_e4_zip(p).channels["eda"].samples.tolist()
    [0.61, 0.62]
    """
    import zipfile

    p = Path(path)
    rec = Recording(source=str(p))
    try:
        with open(p, "rb") as fh:
            _zip_directory(fh, os.fstat(fh.fileno()).st_size, str(p))
            with zipfile.ZipFile(fh) as z:
                members: dict[str, Any] = {}
                for m in z.infolist():
                    base = m.filename.replace("\\", "/").rsplit("/", 1)[-1]
                    if m.is_dir() or base not in _E4_NAMES:
                        continue
                    stem = base.split(".", 1)[0]
                    if stem in members:
                        raise InputError(
                            f"{p} holds {stem} twice ({_shown(members[stem].filename)}, {_shown(m.filename)}); a "
                            "zipped E4 export holds one recording."
                        )
                    members[stem] = m
                if not members:
                    raise InputError(f"{p} holds no E4 signal file. Expected {ACCEPTED_PHYSIO_INPUTS}.")
                for stem, m in members.items():
                    where = f"{_shown(m.filename)} in {p}"
                    with _open_member(z, m, where) as buf:
                        if stem == "IBI":
                            rec.ibi = _parse_ibi(buf, where)
                        else:
                            rec.channels[_E4[stem]] = _parse_e4(buf, where, stem)
    except InputError:
        raise
    except (*_FOREIGN, zipfile.BadZipFile, zipfile.LargeZipFile) as exc:
        raise InputError(
            f"{p} is not a readable zip file ({_reason(exc)}). Expected {ACCEPTED_PHYSIO_INPUTS}."
        ) from None
    if not rec.channels:
        raise InputError(f"{p} holds no E4 signal file (only IBI). Expected {ACCEPTED_PHYSIO_INPUTS}.")
    _check_session(rec, str(p))
    return rec


# --------------------------------------------------------------------------------------------------------- CSV

_CSV_CHANNELS = ("eda", "bvp", "hr", "temp", "acc_x", "acc_y", "acc_z")


def _csv_column(chunk: Any, col: int) -> np.ndarray:
    import pandas as pd

    s = chunk[col]
    if s.dtype.kind not in "fiu":
        s = pd.to_numeric(s.astype(str).str.strip().str.strip("\"'"), errors="coerce")
    return s.to_numpy(dtype=np.float64, na_value=np.nan)


def read_physio_csv(path: str | os.PathLike[str]) -> Recording:
    r"""Read a CSV with a ``timestamp`` column (seconds, unix or relative) and channel columns.

    Channels are named by their column (``eda``, ``bvp``, ``hr``, ``temp``; ``acc_x``/``acc_y``/``acc_z`` make
    ``acc``); other columns are skipped; the rate is the median step of the timestamps. ``.csv.gz`` is gunzipped
    on the fly. The file is parsed in chunks: timestamps must be finite, increasing and span at most 7 days;
    an empty cell is a gap (NaN); a channel column without any number, or with ``inf`` or values beyond ±1e9, is
    refused.

    Raises
    ------
    InputError
        No ``timestamp`` column or channel column, bad timestamps, a rate outside [0.01, 10000] Hz, bad values,
        or a file over a limit.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "band.csv"
    >>> _ = f.write_text("timestamp,eda\n0,0.5\n0.25,\n0.5,0.52\n0.75,0.53\n")
    >>> rec = read_physio_csv(f)
    >>> rec.channels["eda"].rate, rec.channels["eda"].samples.tolist()
    (4.0, [0.5, nan, 0.52, 0.53])
    """
    import pandas as pd

    p = Path(path)
    where = str(p)
    what = f"a CSV table with a 'timestamp' column. Expected {ACCEPTED_PHYSIO_INPUTS}"
    with _open_file(p) as buf:
        header = _line(buf, where)
        if header is None or not header.strip():
            raise InputError(f"{where} is empty. Expected {ACCEPTED_PHYSIO_INPUTS}.")
        try:
            names = next(csv.reader([header]))
        except csv.Error as exc:
            raise InputError(f"{where}: its header row is not CSV ({_reason(exc)}).") from None
        cols: dict[str, int] = {}
        for i, n in enumerate(names):
            cols.setdefault(n.lower().strip(), i)
        if "timestamp" not in cols:
            shown = [_shown(n, 40) for n in names[:10]]
            raise InputError(f"{where} needs a 'timestamp' column; it has {shown}. Expected {ACCEPTED_PHYSIO_INPUTS}.")
        present = [k for k in _CSV_CHANNELS if k in cols]
        if not present:
            raise InputError(
                f"{where} has no channel column (eda, bvp, hr, temp, acc_x...). Expected {ACCEPTED_PHYSIO_INPUTS}."
            )
        use = [cols["timestamp"], *(cols[k] for k in present)]
        times: list[np.ndarray] = []
        values: dict[str, list[np.ndarray]] = {k: [] for k in present}
        rows, first, last = 0, None, None
        try:
            reader = pd.read_csv(
                buf,
                header=None,
                names=list(range(len(names))),
                usecols=use,
                index_col=False,
                skipinitialspace=True,
                quoting=csv.QUOTE_NONE,
                encoding="utf-8",
                engine="c",
                chunksize=_CHUNK_ROWS,
            )
            with reader:
                for chunk in reader:
                    t = _csv_column(chunk, cols["timestamp"])
                    bad = ~np.isfinite(t) | (np.abs(np.nan_to_num(t)) > MAX_START_S)
                    if bad.any():
                        row = rows + int(np.flatnonzero(bad)[0])
                        raise InputError(
                            f"{where}: 'timestamp' on data row {row + 1} is not a number of seconds; the column must "
                            "hold increasing numbers (seconds, unix or relative), without gaps."
                        )
                    steps = np.diff(t) if last is None else np.diff(np.concatenate([[last], t]))
                    if len(steps) and not (steps > 0).all():
                        row = rows + int(np.flatnonzero(steps <= 0)[0]) + (0 if last is None else -1) + 1
                        raise InputError(
                            f"{where}: 'timestamp' does not increase at data row {row + 1}; the column must hold "
                            "increasing numbers (seconds, unix or relative)."
                        )
                    first = t[0] if first is None else first
                    last = t[-1]
                    if last - first > MAX_DURATION_S:
                        raise InputError(
                            f"{where}: its timestamps span more than {_DURATION} ({(last - first) / 86400:,.1f} days "
                            f"by data row {rows + len(t)}); the limit is {_DURATION} per recording ('timestamp' is "
                            "in seconds)."
                        )
                    for k in present:
                        x = _csv_column(chunk, cols[k])
                        _check_values(x, f"{where} ({k!r})", first_line=2, offset=rows, allow_nan=True, what="channels")
                        values[k].append(x)
                    rows += len(t)
                    times.append(t)
        except InputError:
            raise
        except pd.errors.EmptyDataError:
            pass
        except (*_FOREIGN, pd.errors.ParserError) as exc:
            raise _parse_error(where, exc, skipped=1, what=what) from None
    if rows < 3:
        raise InputError(f"{where} has {rows} data rows; a recording needs at least 3 (and 10 minutes work best).")
    t = np.concatenate(times)
    rate = 1.0 / float(np.median(np.diff(t)))
    if not MIN_RATE_HZ <= rate <= MAX_RATE_HZ:
        raise InputError(
            f"{where}: the timestamps step by {1 / rate:g} s (a rate of {rate:g} Hz); accepted: "
            f"{MIN_RATE_HZ:g}-{MAX_RATE_HZ:g} Hz, with 'timestamp' in seconds (milliseconds? divide by 1000)."
        )
    rec = Recording(source=where)
    data = {k: np.concatenate(v) for k, v in values.items()}
    for k, x in data.items():
        if np.isnan(x).all():
            raise InputError(
                f"{where}: the {k!r} column holds no number (all empty or NaN); fill it or remove the column."
            )
    for key in ("eda", "bvp", "hr", "temp"):
        if key in data:
            rec.channels[key] = Channel(data[key], rate, float(t[0]))
    axes = [data[a] for a in ("acc_x", "acc_y", "acc_z") if a in data]
    if axes:
        rec.channels["acc"] = Channel(np.column_stack(axes), rate, float(t[0]))
    return rec


# ------------------------------------------------------------------------------------------------------ EDF/BDF


def _edf_channel(label: str) -> str | None:
    key = "".join(ch for ch in label.lower() if ch.isalnum())
    for name, stems in _EDF_LABELS:
        if any(key.startswith(s) for s in stems):
            return name
    return None


def _edf_header(p: Path, what: str) -> dict[str, Any]:
    """Check an EDF/BDF header against the file before a C library reads it (sizes, duration, rates).

    Returns the number of signals, data records, record duration and samples per record of each signal.
    """
    try:
        size = p.stat().st_size
        with open(p, "rb") as fh:
            head = fh.read(256)
            if len(head) < 256:
                raise InputError(f"{p} is not a readable EDF/BDF file (only {len(head)} bytes). Expected {what}.")
            bdf = head[:8] == b"\xffBIOSEMI"
            if head[:8] != b"0       " and not bdf:
                raise InputError(
                    f"{p} is not a readable EDF/BDF file (its first bytes are not an EDF/BDF version). Expected {what}."
                )
            try:
                header_bytes = int(head[184:192].decode("ascii").strip())
                records = int(head[236:244].decode("ascii").strip())
                duration = float(head[244:252].decode("ascii").strip())
                ns = int(head[252:256].decode("ascii").strip())
            except (ValueError, UnicodeError):
                raise InputError(
                    f"{p} is not a readable EDF/BDF file (a malformed header field). Expected {what}."
                ) from None
            if not 1 <= ns <= 4096:
                raise InputError(f"{p} declares {ns} signals; an EDF/BDF file holds 1-4096. Expected {what}.")
            if header_bytes != 256 * (ns + 1):
                raise InputError(
                    f"{p} is not a readable EDF/BDF file (its header size field is wrong). Expected {what}."
                )
            signals = fh.read(256 * ns)
        if len(signals) < 256 * ns:
            raise InputError(f"{p} is truncated inside its header. Expected {what}.")
        base = ns * 216
        try:
            spr = [int(signals[base + 8 * i : base + 8 * i + 8].decode("ascii").strip()) for i in range(ns)]
        except (ValueError, UnicodeError):
            raise InputError(
                f"{p} is not a readable EDF/BDF file (a malformed samples field). Expected {what}."
            ) from None
    except OSError as exc:
        raise InputError(f"Cannot read {p}: {exc.strerror or _reason(exc)}.") from None
    if records < 1 or not math.isfinite(duration) or duration < 0 or min(spr) < 1:
        raise InputError(
            f"{p} declares {records} data records of {duration:g} s ({min(spr)} samples); a finished EDF/BDF "
            f"recording has at least one record. Expected {what}."
        )
    expected = header_bytes + records * sum(spr) * (3 if bdf else 2)
    if expected != size:
        raise InputError(
            f"{p} is truncated or padded: its header declares {records:,} records ({expected:,} bytes) but the file "
            f"has {size:,} bytes. Expected {what}."
        )
    if records * duration > MAX_DURATION_S:
        raise InputError(
            f"{p} declares {records * duration / 86400:,.1f} days of signal; the limit is {_DURATION} per recording."
        )
    return {"records": records, "duration": duration, "spr": spr}


def _edf_read(
    p: Path, what: str, pick: Any, *, extra: str = "physio", max_rate: float = MAX_RATE_HZ
) -> tuple[list[str], list[float], float, dict[int, np.ndarray]]:
    """Open an EDF/BDF with pyedflib (after :func:`_edf_header`) and read the signals ``pick(labels, rates)`` names.

    Returns labels, rates, the start time (unix seconds) and the signals read. Whatever pyedflib raises on bad
    bytes becomes an :class:`InputError` naming the file.
    """
    try:
        import pyedflib
    except ImportError:
        raise ConfigError(f"Reading EDF/BDF needs pyedflib: pip install 'affectscope[{extra}]'.") from None
    _edf_header(p, what)
    try:
        with pyedflib.EdfReader(str(p)) as f:
            n = f.signals_in_file
            if n < 1:
                raise InputError(f"{p} holds no signal (only annotations). Expected {what}.")
            labels = [str(s).strip() for s in f.getSignalLabels()]
            rates = [float(f.getSampleFrequency(i)) for i in range(n)]
            for label, r in zip(labels, rates, strict=True):
                if not MIN_RATE_HZ <= r <= max_rate:
                    raise InputError(
                        f"{p}: signal {_shown(label, 40)!r} has a rate of {r:g} Hz; accepted: "
                        f"{MIN_RATE_HZ:g}-{max_rate:g} Hz."
                    )
            start = f.getStartdatetime().timestamp()
            chosen = list(pick(labels, rates))
            counts = f.getNSamples()
            total = int(sum(int(counts[i]) for i in chosen))
            if total > MAX_EDF_VALUES:
                raise InputError(
                    f"{p} holds {total:,} samples in the signals to read; the limit is {MAX_EDF_VALUES:,} per file."
                )
            signals = {i: np.asarray(f.readSignal(i), dtype=np.float64) for i in chosen}
    except (InputError, ConfigError):
        raise
    except _FOREIGN as exc:
        raise InputError(f"{p} is not a readable EDF/BDF file ({_reason(exc)}). Expected {what}.") from None
    for i, x in signals.items():
        if not np.isfinite(x).all():
            raise InputError(f"{p}: signal {_shown(labels[i], 40)!r} holds non-finite values. Expected {what}.")
    return labels, rates, start, signals


def read_physio_edf(path: str | os.PathLike[str]) -> Recording:
    """Read an EDF/EDF+/BDF file of wearable signals (pyedflib, in the ``[physio]`` extra).

    Signals are matched to channels by label: ``EDA``/``GSR``/``SC...`` → eda, ``BVP``/``PPG``/``Pleth`` → bvp,
    ``HR``/``Heart rate`` → hr, ``TEMP`` → temp, ``ACC X``/``ACC_Y``/``accel z`` → the axes of acc. Each signal
    keeps its own rate; the file's start date and time is the clock. Other signals (e.g. EEG) are ignored. The
    header is checked against the file's size before anything is read (a truncated file, or one whose header
    declares more samples than it holds, is refused); at most 7 days and 2**28 samples are read.

    Raises
    ------
    InputError
        The file is unreadable, truncated, over a limit, or has no signal with a recognised label (the message
        lists the labels found).

    Examples
    --------
    >>> import pathlib, tempfile
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "wrist.edf"
    >>> _ = f.write_bytes(b"0       " + b" " * 100)
    >>> read_physio_edf(f)
    Traceback (most recent call last):
    ...
    affectscope.errors.InputError: ...wrist.edf is not a readable EDF/BDF file (only 108 bytes). Expected ...
    """
    p = Path(path)
    found: dict[str, list[int]] = {}

    def pick(labels: list[str], rates: list[float]) -> list[int]:
        for i, label in enumerate(labels):
            name = _edf_channel(label)
            if name is not None:
                found.setdefault(name, []).append(i)
        return [i for idx in found.values() for i in idx]

    labels, rates, start, signals = _edf_read(p, ACCEPTED_PHYSIO_INPUTS, pick)
    rec = Recording(source=str(p))
    for name, idx in found.items():
        if name == "acc":
            idx = sorted(idx, key=lambda i: labels[i].lower())[:3]
            n = min(len(signals[i]) for i in idx)
            rec.channels["acc"] = Channel(np.column_stack([signals[i][:n] for i in idx]), rates[idx[0]], start)
        else:
            rec.channels[name] = Channel(signals[idx[0]], rates[idx[0]], start)
    if not rec.channels:
        shown = [_shown(label, 40) for label in labels[:12]]
        raise InputError(f"{p} has no wearable signal among its labels {shown}. Expected {ACCEPTED_PHYSIO_INPUTS}.")
    return rec


def read_physio(source: str | os.PathLike[str]) -> Recording:
    """Read a wearable recording: an E4 folder or zip, a timestamped CSV (``.csv``, ``.csv.gz``) or an EDF/BDF file.

    Examples
    --------
    >>> read_physio("no/such/recording.csv")
    Traceback (most recent call last):
    ...
    affectscope.errors.InputError: Physiological recording not found: no/such/recording.csv.
    """
    p = Path(source)
    if p.is_dir():
        return read_e4(p)
    if p.is_file() and p.suffix.lower() == ".zip":
        return read_e4_zip(p)
    if p.is_file() and p.name.lower().endswith((".csv", ".csv.gz")):
        return read_physio_csv(p)
    if p.is_file() and p.suffix.lower() in (".edf", ".bdf"):
        return read_physio_edf(p)
    if not p.exists():
        raise InputError(f"Physiological recording not found: {p}.")
    raise InputError(f"{p} is not a physiological recording. Expected {ACCEPTED_PHYSIO_INPUTS}.")
