"""Hostile and careless EEG inputs (issue 18): broken EDF/BDF and CSV recordings, labels tables, model folders,
extreme options, and fuzzing; only AffectscopeError subclasses may escape, quickly."""

from __future__ import annotations

import contextlib
import json
import os
import time

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from affectscope.errors import AffectscopeError, ConfigError, InputError
from affectscope.recognizers.eeg import EEGClassifier, eeg_features, read_eeg, read_eeg_labels, read_labelled_eeg
from physio_signals import edf_header

pytest.importorskip("scipy")
pytestmark = pytest.mark.filterwarnings("error::pandas.errors.ParserWarning")


def _edf(path, seconds=4, rate=128, labels=("O1", "Fz")):
    pyedflib = pytest.importorskip("pyedflib")
    with pyedflib.EdfWriter(str(path), len(labels), file_type=pyedflib.FILETYPE_EDFPLUS) as w:
        w.setSignalHeaders(
            [
                {"label": name, "dimension": "uV", "sample_frequency": rate, "physical_max": 500,
                 "physical_min": -500, "digital_max": 32767, "digital_min": -32768}
                for name in labels
            ]
        )  # fmt: skip
        t = np.arange(seconds * rate) / rate
        w.writeSamples([np.sin(2 * np.pi * 10 * t) * 50 for _ in labels])
    return path


def test_broken_edf_and_bdf_recordings(tmp_path):
    pytest.importorskip("pyedflib")
    good = _edf(tmp_path / "good.edf").read_bytes()
    cases = {
        "cut.edf": (good[:-100], "is truncated or padded"),
        "random.bdf": (np.random.default_rng(1).bytes(2000), "is not a readable EDF/BDF file"),
        "none.edf": (edf_header([], 4), r"declares 0 signals"),
        "header_only.edf": (good[:700], "is truncated inside its header"),
    }
    for name, (data, message) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InputError, match=message):
            read_eeg(tmp_path / name)
    huge = tmp_path / "huge.edf"
    head = edf_header([("Fz", 4096), ("Cz", 4096)], 300_000)
    with open(huge, "wb") as f:  # sparse: 4.9 GB declared and present, nothing written
        f.write(head)
        f.truncate(len(head) + 300_000 * 8192 * 2)
    t0 = time.monotonic()
    with pytest.raises(InputError, match=r"holds 2,457,600,000 samples in the signals to read; the limit is"):
        read_eeg(huge)
    assert time.monotonic() - t0 < 5
    rec = read_eeg(tmp_path / "good.edf")
    assert rec.channels == ["O1", "Fz"]
    assert rec.data.shape == (2, 512)


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"timestamp,Fz\n0,1\n0,1\n0,1\n", "'timestamp' must be increasing seconds"),
        (b"timestamp,Fz\na,1\nb,1\nc,1\n", "'timestamp' must be increasing seconds"),
        (b"timestamp,Fz\n0,1\ninf,1\n2,1\n", "'timestamp' must be increasing seconds"),
        (b"timestamp,Fz\n0,1\n1e-300,1\n2e-300,1\n", r"the timestamps step by 1e-300 s"),
        (b"timestamp,Fz\n0,1\n0.01,inf\n0.02,1\n", r"holds infinite or huge values \(beyond ±1e9\)"),
        (b"timestamp,Fz\n0,1\n0.01,1e308\n0.02,1\n", "infinite or huge values"),
        (b"timestamp,Fz\n0,a\n0.01,b\n0.02,c\n", r"needs numeric channel columns; it has \['timestamp', 'Fz'\]"),
        (b"timestamp\n0\n0.01\n0.02\n", "needs numeric channel columns and rows"),
        (b"", r"is empty"),
        (b"\xff\xfe\x00\x01\x02", "is not a CSV table"),
        ("timestamp,Fz\n0,1\n".encode("utf-16"), "is not a CSV table"),
        (b"Fz," + b"9" * (2 * 1024**2) + b"\n", "line longer than 1 MiB"),
    ],
)
def test_broken_csv_recordings(tmp_path, body, message):
    path = tmp_path / "rec.csv"
    path.write_bytes(body)
    with pytest.raises(InputError, match=message):
        read_eeg(path)


def test_files_that_are_not_files_and_huge_csvs(tmp_path):
    with pytest.raises(InputError, match="is not a regular file"):
        read_eeg(tmp_path)
    os.mkfifo(tmp_path / "pipe.csv")
    with pytest.raises(InputError, match="is not a regular file"):
        read_eeg(tmp_path / "pipe.csv")
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:
        f.write(b"timestamp,Fz\n")
        f.truncate(3 * 1024**3)
    with pytest.raises(InputError, match=r"has 3,221,225,472 bytes; the limit is 1 GiB per file"):
        read_eeg(big)


def test_options_are_validated(tmp_path):
    path = tmp_path / "rec.csv"
    path.write_text("Fz,Cz\n1,2\n3,4\n", encoding="utf-8")
    for rate in (float("nan"), 0, -5, float("inf"), 1e9):
        with pytest.raises(ConfigError, match=r"The 'rate' parameter of read_eeg must be a float in \(0, 100000\]"):
            read_eeg(path, rate=rate)
    x = np.zeros((1, 1280))
    for window in (1e-300, 0, float("nan"), 1e9):
        with pytest.raises(
            ConfigError, match=r"The 'window' parameter of eeg_features must be a float in \[0\.5, 3600\]"
        ):
            eeg_features(x, 128, channels=["Fz"], window=window)
    with pytest.raises(ConfigError, match="'window' parameter of read_labelled_eeg"):
        read_labelled_eeg([{"path": "rec.csv", "label": "a", "subject": "s"}], base=tmp_path, window=1e-300)
    with pytest.raises(InputError, match="sampling rate of at least 90 Hz"):
        eeg_features(x, float("nan"), channels=["Fz"])
    with pytest.raises(InputError, match="NaN or infinite values"):
        eeg_features(np.full((1, 1280), np.nan), 128, channels=["Fz"])


def test_cli_train_with_a_tiny_window_exits_2(tmp_path):
    from typer.testing import CliRunner

    from affectscope.cli import app

    (tmp_path / "labels.csv").write_text("path,label,subject\nrec.csv,a,s1\n", encoding="utf-8")
    args = ["train", "--modality", "eeg", "--data", str(tmp_path / "labels.csv"), "--out", str(tmp_path / "m")]
    out = CliRunner().invoke(app, [*args, "--window", "1e-300"])
    assert out.exit_code == 2, out.output
    assert "'window'" in out.output
    assert "Traceback" not in out.output


def test_broken_labels_tables(tmp_path):
    cases = {
        "missing.csv": (None, "Cannot read missing.csv: No such file"),
        "binary.csv": (b"\x00\xff\xfe\x80" * 10, "Cannot read the labels table"),
        "columns.csv": (
            b"file,emotion\na.edf,x\n",
            r"needs the columns path, label, subject; missing \['label', 'path'",
        ),
        "empty.csv": (b"", "Cannot read the labels table"),
        "none.csv": (b"path,label,subject\n", "lists no recording"),
    }
    for name, (data, message) in cases.items():
        if data is not None:
            (tmp_path / name).write_bytes(data)
        with pytest.raises(InputError, match=message):
            read_eeg_labels(tmp_path / name if data is not None else name)
    with pytest.raises(InputError, match="is not a regular file"):
        read_eeg_labels(tmp_path)
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:
        f.truncate(1024**3)
    with pytest.raises(InputError, match="the limit is 16 MiB per file"):
        read_eeg_labels(big)


def test_broken_model_folders(tmp_path):
    def folder(name, meta, head=None):
        d = tmp_path / name
        d.mkdir()
        (d / "bundle.json").write_text(meta if isinstance(meta, str) else json.dumps(meta), encoding="utf-8")
        if head is not None:
            (d / "head.npz").write_bytes(head)
        return d

    ok = {"modality": "eeg", "heads": {"emotion": {"labels": ["a", "b"]}}, "features": ["Fz:power_alpha"]}
    cases = [
        folder("list", "[1, 2]"),
        folder("json", "{not json"),
        folder("nested", "[" * 100_000 + "]" * 100_000),
        folder("keys", {"modality": "eeg"}),
        folder("nohead", ok),
        folder("badnpz", ok, b"PK\x03\x04 not a zip"),
    ]
    for d in cases:
        with pytest.raises(ConfigError, match="is not an EEG model folder written by affectscope train"):
            EEGClassifier.load(d)
    with pytest.raises(ConfigError, match="holds a music model, not an EEG model"):
        EEGClassifier.load(folder("music", {"modality": "music"}))


# ----------------------------------------------------------------------------------------------- fuzzing

FUZZ = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _only_affectscope_errors(fn, *args, **kwargs):
    t0 = time.monotonic()
    with contextlib.suppress(AffectscopeError):
        fn(*args, **kwargs)
    assert time.monotonic() - t0 < 5


_cells = st.sampled_from(["0", "0.01", "1", "-3.5", "nan", "inf", "1e308", "", "x", '"1"', "1;2"])
_rows = st.lists(st.lists(_cells, min_size=1, max_size=4).map(",".join), max_size=25).map("\n".join)


@FUZZ
@given(
    header=st.sampled_from(["timestamp,Fz,Cz", "Fz,Cz", "time,label,Fz", "TIMESTAMP"]),
    body=st.one_of(_rows, st.text(max_size=200)),
    rate=st.sampled_from([None, 128.0]),
    suffix=st.sampled_from([".csv", ".tsv"]),
)
def test_fuzz_eeg_csv(tmp_path_factory, header, body, rate, suffix):
    path = tmp_path_factory.mktemp("eeg") / f"rec{suffix}"
    path.write_text(header + "\n" + body, encoding="utf-8")
    _only_affectscope_errors(read_eeg, path, rate=rate)


@FUZZ
@given(data=st.binary(max_size=400), suffix=st.sampled_from([".csv", ".edf", ".bdf"]))
def test_fuzz_eeg_random_bytes(tmp_path_factory, data, suffix):
    path = tmp_path_factory.mktemp("eeg") / f"rec{suffix}"
    path.write_bytes(data)
    _only_affectscope_errors(read_eeg, path, rate=256)


@pytest.fixture(scope="module")
def valid_edf(tmp_path_factory):
    return _edf(tmp_path_factory.mktemp("edf") / "valid.edf", seconds=2).read_bytes()


@FUZZ
@given(
    mutations=st.lists(st.tuples(st.integers(0, 1500), st.binary(min_size=1, max_size=4)), min_size=1, max_size=6),
    cut=st.one_of(st.none(), st.integers(0, 2000)),
)
def test_fuzz_eeg_edf_mutated(tmp_path_factory, valid_edf, mutations, cut):
    data = bytearray(valid_edf)
    for at, chunk in mutations:
        at = at % len(data)
        data[at : at + len(chunk)] = chunk
    path = tmp_path_factory.mktemp("edf") / "rec.edf"
    path.write_bytes(bytes(data[:cut]))
    _only_affectscope_errors(read_eeg, path)


@FUZZ
@given(body=st.one_of(st.binary(max_size=300), _rows.map(lambda r: "path,label,subject\n" + r).map(str.encode)))
def test_fuzz_labels_tables(tmp_path_factory, body):
    path = tmp_path_factory.mktemp("labels") / "labels.csv"
    path.write_bytes(body)
    _only_affectscope_errors(read_eeg_labels, path)
