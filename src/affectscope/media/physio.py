r"""Wearable recordings: Empatica E4 exports and generic timestamped CSV, as named channels on one clock.

A :class:`Recording` holds channels (``eda``, ``bvp``, ``hr``, ``temp``, ``acc``; ``ibi`` as beat times) as
:class:`Channel` objects: the samples, the sampling rate and the start time (unix seconds). E4 folders hold
``EDA.csv``, ``BVP.csv``, ``HR.csv``, ``TEMP.csv``, ``ACC.csv`` and ``IBI.csv`` (gzip-compressed ``*.csv.gz``
is read too); each file starts with the start time and the rate (IBI: start time, then ``time, interval`` rows).

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

import gzip
import io
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from affectscope.errors import InputError

__all__ = [
    "ACCEPTED_PHYSIO_INPUTS",
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
# EDF/BDF signal labels → channel (checked in this order, on the lower-cased label without spaces/punctuation)
_EDF_LABELS = (
    ("acc", ("acc", "accel")),
    ("eda", ("eda", "gsr", "skinconductance", "electrodermal", "scl")),
    ("bvp", ("bvp", "ppg", "pleth", "bloodvolume")),
    ("temp", ("temp", "skint")),
    ("hr", ("hr", "heartrate", "pulse")),
)
_E4 = {"EDA": "eda", "BVP": "bvp", "HR": "hr", "TEMP": "temp", "ACC": "acc"}


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


def _text(path: Path) -> str:
    try:
        raw = path.read_bytes()
        if path.suffix == ".gz":
            raw = gzip.decompress(raw)
        return raw.decode("utf-8")
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise InputError(f"Cannot read {path}: {exc}. Expected {ACCEPTED_PHYSIO_INPUTS}.") from None
    except UnicodeDecodeError:
        raise InputError(f"{path} is not a text CSV file. Expected {ACCEPTED_PHYSIO_INPUTS}.") from None


def _e4_file(folder: Path, name: str) -> Path | None:
    for candidate in (folder / f"{name}.csv", folder / f"{name}.csv.gz"):
        if candidate.is_file():
            return candidate
    return None


def _parse_e4(path: Path) -> Channel:
    try:
        table = np.loadtxt(io.StringIO(_text(path)), delimiter=",", ndmin=2)
    except ValueError as exc:
        raise InputError(f"{path} is not an E4 signal file (start time, rate, then numbers): {exc}.") from None
    if table.shape[0] < 3:
        raise InputError(f"{path} has no samples after its start-time and rate rows.")
    start, rate = float(table[0, 0]), float(table[1, 0])
    if not rate > 0:
        raise InputError(f"{path}: the second row must be the sampling rate in Hz; got {rate}.")
    samples = table[2:, 0] if table.shape[1] == 1 else table[2:]
    return Channel(samples=samples.astype(np.float64), rate=rate, start=start)


def read_e4(folder: str | os.PathLike[str]) -> Recording:
    """Read an Empatica E4 export folder.

    Raises
    ------
    InputError
        The folder holds none of the E4 signal files, or a file is malformed (the message names it).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(f"{folder} is not a folder. Expected {ACCEPTED_PHYSIO_INPUTS}.")
    rec = Recording(source=str(folder))
    for name, key in _E4.items():
        f = _e4_file(folder, name)
        if f is not None:
            rec.channels[key] = _parse_e4(f)
    ibi = _e4_file(folder, "IBI")
    if ibi is not None:
        lines = _text(ibi).strip().splitlines()
        try:
            rows = np.array([[float(v) for v in ln.split(",")[:2]] for ln in lines[1:] if ln.strip()], ndmin=2)
        except ValueError as exc:
            raise InputError(f"{ibi} is not an E4 IBI file (start time, then 'time, interval' rows): {exc}.") from None
        rec.ibi = rows if rows.size else None
    if not rec.channels:
        raise InputError(f"{folder} holds no E4 signal file. Expected {ACCEPTED_PHYSIO_INPUTS}.")
    return rec


def read_physio_csv(path: str | os.PathLike[str]) -> Recording:
    """Read a CSV with a ``timestamp`` column (seconds, unix or relative) and channel columns.

    Channels are named by their column (``eda``, ``bvp``, ``hr``, ``temp``; ``acc_x``/``acc_y``/``acc_z`` make
    ``acc``); the rate is the median step of the timestamps.
    """
    import pandas as pd

    path = Path(path)
    try:
        table = pd.read_csv(io.StringIO(_text(path)))
    except (ValueError, pd.errors.ParserError) as exc:
        raise InputError(f"{path} is not a CSV table: {exc}. Expected {ACCEPTED_PHYSIO_INPUTS}.") from None
    cols = {c.lower().strip(): c for c in table.columns}
    if "timestamp" not in cols:
        raise InputError(f"{path} needs a 'timestamp' column; it has {list(table.columns)[:10]}.")
    t = pd.to_numeric(table[cols["timestamp"]], errors="coerce").to_numpy()
    step = np.diff(t)
    if len(t) < 3 or np.isnan(t).any() or not (step > 0).all():
        raise InputError(f"{path}: 'timestamp' must be increasing numbers (seconds), without gaps in the column.")
    rate = 1.0 / float(np.median(step))
    rec = Recording(source=str(path))
    for key in ("eda", "bvp", "hr", "temp"):
        if key in cols:
            rec.channels[key] = Channel(pd.to_numeric(table[cols[key]], errors="coerce").to_numpy(), rate, float(t[0]))
    axes = [cols[a] for a in ("acc_x", "acc_y", "acc_z") if a in cols]
    if axes:
        rec.channels["acc"] = Channel(table[axes].apply(pd.to_numeric, errors="coerce").to_numpy(), rate, float(t[0]))
    if not rec.channels:
        raise InputError(
            f"{path} has no channel column (eda, bvp, hr, temp, acc_x...). Expected {ACCEPTED_PHYSIO_INPUTS}."
        )
    return rec


def _edf_channel(label: str) -> str | None:
    key = "".join(ch for ch in label.lower() if ch.isalnum())
    for name, stems in _EDF_LABELS:
        if any(key.startswith(s) for s in stems):
            return name
    return None


def read_physio_edf(path: str | os.PathLike[str]) -> Recording:
    """Read an EDF/EDF+/BDF file of wearable signals (pyedflib, in the ``[physio]`` extra).

    Signals are matched to channels by label: ``EDA``/``GSR``/``SC...`` → eda, ``BVP``/``PPG``/``Pleth`` → bvp,
    ``HR``/``Heart rate`` → hr, ``TEMP`` → temp, ``ACC X``/``ACC_Y``/``accel z`` → the axes of acc. Each signal
    keeps its own rate; the file's start date and time is the clock. Other signals (e.g. EEG) are ignored.

    Raises
    ------
    InputError
        The file is unreadable or has no signal with a recognised label (the message lists the labels found).
    """
    p = Path(path)
    try:
        import pyedflib
    except ImportError:
        from affectscope.errors import ConfigError

        raise ConfigError("Reading EDF/BDF needs pyedflib: pip install 'affectscope[physio]'.") from None
    try:
        with pyedflib.EdfReader(str(p)) as f:
            labels = [str(s).strip() for s in f.getSignalLabels()]
            start = f.getStartdatetime().timestamp()
            rates = [float(f.getSampleFrequency(i)) for i in range(f.signals_in_file)]
            found: dict[str, list[int]] = {}
            for i, label in enumerate(labels):
                name = _edf_channel(label)
                if name is not None:
                    found.setdefault(name, []).append(i)
            signals = {i: f.readSignal(i) for idx in found.values() for i in idx}
    except OSError as exc:
        raise InputError(f"{p} is not a readable EDF/BDF file ({exc}). Expected {ACCEPTED_PHYSIO_INPUTS}.") from None
    rec = Recording(source=str(p))
    for name, idx in found.items():
        if name == "acc":
            idx = sorted(idx, key=lambda i: labels[i].lower())[:3]
            n = min(len(signals[i]) for i in idx)
            rec.channels["acc"] = Channel(np.column_stack([signals[i][:n] for i in idx]), rates[idx[0]], start)
        else:
            rec.channels[name] = Channel(np.asarray(signals[idx[0]], dtype=float), rates[idx[0]], start)
    if not rec.channels:
        raise InputError(
            f"{p} has no wearable signal among its labels {labels[:12]}. Expected {ACCEPTED_PHYSIO_INPUTS}."
        )
    return rec


MAX_ZIP_MEMBER_BYTES = 2 * 1024**3  # a week of E4 signals is ~0.5 GB of CSV; more is taken for a zip bomb


def read_e4_zip(path: str | os.PathLike[str]) -> Recording:
    """Read a zipped E4 export (the E4 signal files anywhere inside; other members are ignored).

    Only the members named like E4 signal files are extracted, flat, into a temporary folder (no member path is
    used, so nothing is written outside it); a member larger than 2 GB uncompressed is refused.

    Raises
    ------
    InputError
        Not a zip file, no E4 signal file inside, a member too large, or a malformed signal file.
    """
    import tempfile
    import zipfile

    p = Path(path)
    names = {f"{n}{ext}" for n in (*_E4, "IBI") for ext in (".csv", ".csv.gz")}
    try:
        with zipfile.ZipFile(p) as z, tempfile.TemporaryDirectory(prefix="affectscope-e4-") as tmp:
            members = [m for m in z.infolist() if not m.is_dir() and Path(m.filename).name in names]
            if not members:
                raise InputError(f"{p} holds no E4 signal file. Expected {ACCEPTED_PHYSIO_INPUTS}.")
            for m in members:
                if m.file_size > MAX_ZIP_MEMBER_BYTES:
                    raise InputError(f"{p}: {m.filename} unpacks to {m.file_size / 1e9:.1f} GB; the limit is 2 GB.")
                (Path(tmp) / Path(m.filename).name).write_bytes(z.read(m))
            try:
                rec = read_e4(tmp)
            except InputError as exc:  # name the zip, not the temporary folder
                raise InputError(str(exc).replace(tmp, f"{p}:")) from None
    except (zipfile.BadZipFile, OSError) as exc:
        raise InputError(f"{p} is not a readable zip file ({exc}). Expected {ACCEPTED_PHYSIO_INPUTS}.") from None
    rec.source = str(p)
    return rec


def read_physio(source: str | os.PathLike[str]) -> Recording:
    """Read a wearable recording: an E4 folder or zip, a timestamped CSV or an EDF/BDF file."""
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
