"""Hostile and careless wearable inputs (issue 18): bombs, broken zips, bad numbers, bad EDF headers, fuzzing.

Each must be refused with an InputError (or ConfigError for options) that says what was wrong and what is
accepted, quickly and in bounded memory; the issue's reproductions run through the real CLI in a child process
whose own peak RSS is measured.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import subprocess
import sys
import time
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import peak_rss
from affectscope.errors import AffectscopeError, ConfigError, InputError
from affectscope.media.physio import read_e4, read_e4_zip, read_physio, read_physio_csv, read_physio_edf
from physio_signals import e4_file, eda_with_scrs, edf_header, gzip_bomb, raw_zip, repeated_deflate

pytestmark = pytest.mark.filterwarnings("error::pandas.errors.ParserWarning")

E4_HEAD = b"1644227574.0\n4.0\n"
HALF = b"0.5\n" * 262144  # 1 MiB of samples


def _issue_bomb(path: Path) -> Path:
    """The issue's bomb.zip: EDA.csv.gz holding 1 GiB of '0.5' rows at 4 Hz, deflated again inside a ~5 KB zip."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("EDA.csv.gz", gzip_bomb(E4_HEAD, HALF, 1024))
    return path


def _child_rss(args: list[str], cwd: Path) -> tuple[int, str, float, float]:
    """Run ``python -c code args`` in ``cwd``: exit code, stderr, wall seconds and this child's own peak RSS in MB.

    The child measures its own peak at exit (``tests/peak_rss.py``): ``wait4``'s ``ru_maxrss`` would carry over the
    high-water mark of this pytest process.
    """
    assert args[0] == "-c"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path), peak_rss.ENV: str(cwd / "peak.txt")}
    t0 = time.monotonic()
    proc = subprocess.run(
        peak_rss.command("-c", args[1], *args[2:]),
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        timeout=60,
        check=False,
    )
    elapsed = time.monotonic() - t0
    peak = peak_rss.read_peak_mb(cwd / "peak.txt") or 0.0
    return proc.returncode, proc.stderr.decode("utf-8", "replace"), elapsed, peak


# ------------------------------------------------------------------------------------------------ item 1: bombs


def test_issue_bomb_is_refused_by_read_physio_fast_in_bounded_memory(tmp_path):
    bomb = _issue_bomb(tmp_path / "bomb.zip")
    assert bomb.stat().st_size < 20_000
    code = (
        "from affectscope.media.physio import read_physio\n"
        "from affectscope.errors import InputError\n"
        "try:\n    read_physio('bomb.zip')\nexcept InputError as e:\n    raise SystemExit('refused: ' + str(e))\n"
    )
    rc, err, elapsed, rss = _child_rss(["-c", code], tmp_path)
    assert rc == 1
    assert err.startswith("refused: EDA.csv.gz in bomb.zip holds more than 7 days of samples at 4 Hz (2,419,200 rows)")
    assert elapsed < 5, elapsed
    assert rss < 500, rss
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "peak.txt") == ["bomb.zip"]  # nothing extracted


def test_issue_bomb_through_the_cli_exits_2_with_one_line(tmp_path):
    _issue_bomb(tmp_path / "bomb.zip")
    args = ["-c", "from affectscope.cli import main; main()", "analyze", "bomb.zip", "--modality", "physio"]
    rc, err, elapsed, rss = _child_rss(args, tmp_path)
    assert rc == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    assert "EDA.csv.gz in bomb.zip holds more than 7 days" in lines[0]
    assert elapsed < 5, elapsed
    assert rss < 500, rss


def test_nothing_is_extracted_to_disk(tmp_path, monkeypatch):
    import tempfile

    def no_temp(*args, **kwargs):
        raise AssertionError("the zip reader must not write temporary files")

    folder = tmp_path / "e4"
    folder.mkdir()
    e4_file(folder, "EDA", 4, eda_with_scrs(60), gz=True)
    archive = tmp_path / "export.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(folder / "EDA.csv.gz", "session/EDA.csv.gz")
    monkeypatch.setattr(tempfile, "TemporaryDirectory", no_temp)
    monkeypatch.setattr(tempfile, "mkdtemp", no_temp)
    monkeypatch.setattr(tempfile, "NamedTemporaryFile", no_temp)
    rec = read_e4_zip(archive)
    np.testing.assert_allclose(rec.channels["eda"].samples, eda_with_scrs(60), atol=1e-6)


def test_plain_deflate_bombs_are_refused(tmp_path):
    # an honest header: 1 GiB of zeros from ~1 MB of deflate, refused from the directory before any byte is inflated
    data, crc, size = repeated_deflate(E4_HEAD, b"0\n" * 524288, 1024)
    honest = tmp_path / "honest.zip"
    honest.write_bytes(raw_zip([{"name": "EDA.csv", "data": data, "crc": crc, "size": size}]))
    t0 = time.monotonic()
    with pytest.raises(InputError, match=r"EDA\.csv in .*honest\.zip unpacks to 1\.1 GB; the limit is 1 GiB"):
        read_physio(honest)
    # a lying header (12 MB declared, under the ratio grace): the stream is cut at the declared size, the rows
    # budget or the CRC catches it
    liar = tmp_path / "liar.zip"
    liar.write_bytes(raw_zip([{"name": "EDA.csv", "data": data, "crc": crc, "size": 12_000_000}]))
    with pytest.raises(InputError, match=r"EDA\.csv in .*liar\.zip (holds more than 7 days|is corrupt)"):
        read_physio(liar)
    # a high ratio under 1 GiB: refused by the ratio once past the 16 MiB grace
    data, crc, size = repeated_deflate(E4_HEAD, b"0\n" * 524288, 200)
    dense = tmp_path / "dense.zip"
    dense.write_bytes(raw_zip([{"name": "EDA.csv", "data": data, "crc": crc, "size": size}]))
    with pytest.raises(InputError, match=r"declares 209,715,217 bytes from .* at most 200:1 is accepted"):
        read_physio(dense)
    assert time.monotonic() - t0 < 5


def test_gzip_bombs_on_disk_are_refused(tmp_path):
    folder = tmp_path / "e4"
    folder.mkdir()
    (folder / "EDA.csv.gz").write_bytes(gzip_bomb(E4_HEAD, HALF, 1024))
    t0 = time.monotonic()
    with pytest.raises(InputError, match=r"EDA\.csv\.gz holds more than 7 days of samples at 4 Hz"):
        read_physio(folder)
    # blank lines (skipped by a CSV parser) expand a thousand times: refused by the ratio, not parsed for minutes
    csv_bomb = tmp_path / "band.csv.gz"
    csv_bomb.write_bytes(gzip_bomb(b"timestamp,eda\n0,1\n", b"\n" * 1048576, 1024))
    with pytest.raises(InputError, match=r"band\.csv\.gz expands to more than 200 times its .* compressed bytes"):
        read_physio(csv_bomb)
    # one endless line: refused at 1 MiB
    (folder / "EDA.csv.gz").write_bytes(gzip_bomb(b"1644227574.0\n4.0\n", b"7" * 1048576, 64))
    with pytest.raises(InputError, match="line longer than 1 MiB"):
        read_physio(folder)
    assert time.monotonic() - t0 < 5


def test_huge_files_are_refused_before_reading(tmp_path):
    """A 10-GB CSV (sparse: no disk used) is refused from its size, not read into memory."""
    big = tmp_path / "big.csv"
    with open(big, "wb") as f:
        f.write(b"timestamp,eda\n")
        f.truncate(10 * 1024**3)
    t0 = time.monotonic()
    with pytest.raises(InputError, match=r"big\.csv has 10,737,418,240 bytes; the limit is 1 GiB per file"):
        read_physio(big)
    folder = tmp_path / "e4"
    folder.mkdir()
    with open(folder / "BVP.csv", "wb") as f:
        f.truncate(5 * 1024**3)
    with pytest.raises(InputError, match=r"BVP\.csv has .* bytes; the limit is 1 GiB"):
        read_physio(folder)
    assert time.monotonic() - t0 < 2


def test_zips_with_many_members_nested_paths_and_duplicates(tmp_path):
    eda = E4_HEAD + b"".join(b"%.3f\n" % v for v in eda_with_scrs(30))
    nested = tmp_path / "nested.zip"
    with zipfile.ZipFile(nested, "w", zipfile.ZIP_DEFLATED) as z:
        for i in range(300):
            z.writestr("/".join(f"d{j}" for j in range(i % 40)) + f"/note{i}.txt", "x")
        z.writestr("a/b/c/d/e/f/g/h/i/j/k/EDA.csv", eda)
        z.writestr("..\\..\\windows\\HR.csv", b"1644227574.0\n1.0\n70\n71\n")
    rec = read_physio(nested)
    assert sorted(rec.channels) == ["eda", "hr"]
    assert len(rec.channels["eda"].samples) == 120
    twice = tmp_path / "twice.zip"
    with zipfile.ZipFile(twice, "w") as z:
        z.writestr("s1/EDA.csv", eda)
        z.writestr("s2/EDA.csv.gz", gzip.compress(eda))
    with pytest.raises(InputError, match=r"holds EDA twice \(s1/EDA\.csv, s2/EDA\.csv\.gz\)"):
        read_physio(twice)
    many = tmp_path / "many.zip"
    members = [{"name": f"m{i}", "data": b"", "crc": 0, "size": 0, "method": 0} for i in range(10_001)]
    many.write_bytes(raw_zip(members))
    t0 = time.monotonic()
    with pytest.raises(InputError, match=r"lists 10,001 entries .* at most 10,000 entries are accepted"):
        read_physio(many)
    assert time.monotonic() - t0 < 2
    # a member name that would print escape sequences on a terminal is shown tamed
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("\x1b]0;owned\x07/EDA.csv", E4_HEAD + b"inf\n")
    with pytest.raises(InputError) as info:
        read_physio(evil)
    assert "\x1b" not in str(info.value)
    assert "?]0;owned?/EDA.csv in" in str(info.value)


# --------------------------------------------------------------------------- item 6: broken zips and members


def _member(tmp_path, name="EDA.csv", **fields):
    data, crc, size = repeated_deflate(E4_HEAD, b"0.5\n", 10)
    member = {"name": name, "data": data, "crc": crc, "size": size, **fields}
    path = tmp_path / "broken.zip"
    path.write_bytes(raw_zip([member]))
    return path


def test_encrypted_deflate64_bzip2_and_corrupt_members_are_refused(tmp_path):
    with pytest.raises(InputError, match=r"EDA\.csv in .*broken\.zip is encrypted; accepted: an unencrypted zip"):
        read_physio(_member(tmp_path, flags=1))
    with pytest.raises(InputError, match=r"compressed with Deflate64 \(zip method 9\); accepted: stored or deflate"):
        read_physio(_member(tmp_path, method=9))
    with pytest.raises(InputError, match=r"zip method 77\); accepted: stored or deflate"):
        read_physio(_member(tmp_path, method=77))
    bz = tmp_path / "bz.zip"
    with zipfile.ZipFile(bz, "w", zipfile.ZIP_BZIP2) as z:
        z.writestr("EDA.csv", E4_HEAD + b"0.5\n")
    with pytest.raises(InputError, match=r"compressed with bzip2 \(zip method 12\)"):
        read_physio(bz)
    with pytest.raises(InputError, match=r"EDA\.csv in .*broken\.zip is corrupt or truncated.*CRC"):
        read_physio(_member(tmp_path, crc=1234))
    with pytest.raises(InputError, match=r"EDA\.csv in .*broken\.zip is corrupt or truncated"):
        read_physio(_member(tmp_path, data=b"\xff\xfe\xfd" * 10))
    # a gzip member whose deflate data is damaged, one truncated, one that is not gzip at all
    good = gzip.compress(E4_HEAD + b"0.5\n" * 1000)
    for label, payload in [("damaged", good[:30] + bytes(40) + good[70:]), ("cut", good[:-12]), ("not", b"hello")]:
        path = tmp_path / f"{label}.zip"
        with zipfile.ZipFile(path, "w") as z:
            z.writestr("x/EDA.csv.gz", payload)
        with pytest.raises(InputError, match=rf"x/EDA\.csv\.gz in .*{label}\.zip is corrupt or truncated"):
            read_physio(path)
    # a truncated zip, a zip that is not one
    data = _member(tmp_path).read_bytes()
    (tmp_path / "cut.zip").write_bytes(data[: len(data) // 2])
    with pytest.raises(InputError, match=r"cut\.zip is not a readable zip file"):
        read_physio(tmp_path / "cut.zip")


# ------------------------------------------------------------------------------- item 6: bad numbers and files


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("name", "body", "message"),
    [
        (
            "EDA",
            "1644227574.0\n0\n0.5\n",
            r"second \(sampling rate\) row must hold a number in \[0\.01, 10000\]; got '0'",
        ),
        ("EDA", "1644227574.0\n-4\n0.5\n", r"sampling rate\) row .* got '-4'"),
        ("EDA", "1644227574.0\nnan\n0.5\n", r"sampling rate\) row .* got 'nan'"),
        ("EDA", "1644227574.0\ninf\n0.5\n", r"sampling rate\) row .* got 'inf'"),
        ("EDA", "1644227574.0\n1e308\n0.5\n", r"sampling rate\) row .* got '1e308'"),
        ("EDA", "nan\n4.0\n0.5\n", r"first \(start time\) row must hold a number in \[0, 1e\+10\]; got 'nan'"),
        ("EDA", "1644227574.0\n4.0\n", "has no samples after its start-time and rate rows"),
        ("EDA", "", "has no start-time row"),
        (
            "EDA",
            "1644227574.0\n4.0\n0.5\ninf\n",
            r"data row 2 \(line 4\) holds inf; E4 signal files hold finite numbers",
        ),
        (
            "EDA",
            "1644227574.0\n4.0\n0.5\n1e308\n",
            r"holds 1e\+308; E4 signal files hold finite numbers within ±1e\+09",
        ),
        ("EDA", "1644227574.0\n4.0\n0.5\nnan\n", "holds an empty or non-numeric field"),
        ("EDA", "1644227574.0\n4.0\n0.5\n0.6,0.7\n", r"is not an E4 signal file .*Expected 1 fields in line 4, saw 2"),
        (
            "EDA",
            "1644227574.0\n4.0\n0.6,0.7\n0.5\n",
            r"its data rows hold 2 fields; an E4 signal file .* has 1 per row",
        ),
        (
            "EDA",
            "1644227574.0\n4.0\n0.5\nabc\n",
            r"is not an E4 signal file .*could not convert string to float: 'abc'",
        ),
        (
            "ACC",
            "1644227574.0, 1644227574.0\n32, 32\n1, 2\n",
            r"ACC\.csv must have 3 columns \(x, y, z\); its first row has 2",
        ),
        (
            "ACC",
            "1644227574, 1644227574, 1644227574\n32, 32, 32\n1, 2, 3\n1, 2\n",
            "data row 2 .* empty or non-numeric",
        ),
        ("HR", "1644227574.0, 1644227574.0\n1, 1\n70, 70\n", r"HR\.csv must have 1 column; its first row has 2"),
    ],
)
def test_malformed_e4_files(tmp_path, name, body, message):
    _write(tmp_path / f"{name}.csv", body)
    with pytest.raises(InputError, match=message):
        read_e4(tmp_path)


def test_e4_files_of_different_sessions_and_binary_bytes(tmp_path):
    _write(tmp_path / "EDA.csv", "1644227574.0\n4.0\n0.5\n0.6\n")
    _write(tmp_path / "HR.csv", "0\n1.0\n70\n71\n")
    with pytest.raises(InputError, match=r"its signals span 19,030\.4 days .* lie within 7 days"):
        read_e4(tmp_path)
    (tmp_path / "HR.csv").unlink()
    (tmp_path / "EDA.csv").write_bytes(b"\xff\xfe1\x00.\x00")
    with pytest.raises(InputError, match=r"EDA\.csv is not a UTF-8 text CSV file"):
        read_e4(tmp_path)
    (tmp_path / "EDA.csv").write_bytes(b"1644227574.0\n4.0\n0.5\n\xff\xfe\n")
    with pytest.raises(InputError, match=r"EDA\.csv is not a UTF-8 text CSV file"):
        read_e4(tmp_path)
    (tmp_path / "EDA.csv").unlink()
    _write(tmp_path / "IBI.csv", "1644227574.0, IBI\n1.0,0.8\n")
    with pytest.raises(InputError, match="holds no E4 signal file"):
        read_e4(tmp_path)


def _csv(tmp_path, header, rows, name="band.csv"):
    return _write(tmp_path / name, header + "\n" + "\n".join(rows) + "\n")


@pytest.mark.parametrize(
    ("header", "rows", "message"),
    [
        ("timestamp,eda", ["0,1", "0.25,1", "0.25,1"], r"'timestamp' does not increase at data row 3"),
        ("timestamp,eda", ["0,1", "1,1", "0.5,1"], r"'timestamp' does not increase at data row 3"),
        ("timestamp,eda", ["0,1", "inf,1", "2,1"], r"'timestamp' on data row 2 is not a number of seconds"),
        ("timestamp,eda", ["a,1", "b,1", "c,1"], r"'timestamp' on data row 1 is not a number of seconds"),
        ("timestamp,eda", ["0,1", "1e308,1", "2e308,1"], r"'timestamp' on data row 2 is not a number"),
        ("timestamp,eda", ["0,1", "1,1"], "has 2 data rows; a recording needs at least 3"),
        ("timestamp,eda", ["0,", "1,", "2,nan"], r"the 'eda' column holds no number \(all empty or NaN\)"),
        ("timestamp,eda,hr", ["0,1,70", "1,inf,70", "2,1,70"], r"\('eda'\): data row 2 \(line 3\) holds inf"),
        ("timestamp,eda", ["0,1", "1,1e308", "2,1"], r"holds 1e\+308; channels hold finite numbers within ±1e\+09"),
        ("timestamp,eda", ["0,1", "600000,1", "700000,1"], r"timestamps span more than 7 days \(8\.1 days"),
        ("timestamp,eda", ["0,1", "250,1", "500,1"], r"step by 250 s .* \(milliseconds\? divide by 1000\)"),
        ("time,eda", ["0,1", "1,1", "2,1"], r"needs a 'timestamp' column; it has \['time', 'eda'\]"),
        ("timestamp,notes", ["0,a", "1,b", "2,c"], r"has no channel column \(eda, bvp, hr, temp, acc_x\.\.\.\)"),
    ],
)
def test_malformed_physio_csv(tmp_path, header, rows, message):
    with pytest.raises(InputError, match=message):
        read_physio_csv(_csv(tmp_path, header, rows))


def test_physio_csv_gaps_extra_columns_and_encodings(tmp_path):
    rows = [f"{i * 0.25},{'' if i % 7 == 3 else 2 + i * 0.01},note {i},{i % 3}" for i in range(40)]
    rec = read_physio_csv(_csv(tmp_path, "Timestamp , EDA,label,acc_x", rows))
    eda = rec.channels["eda"].samples
    assert np.isnan(eda).sum() == 6
    assert eda[0] == 2.0
    assert rec.channels["acc"].samples.shape == (40, 1)
    ragged = read_physio_csv(_csv(tmp_path, "timestamp,eda,hr", ["0,1,70", "1,1,70,", "2,1", "3,1,70"], "r.csv"))
    np.testing.assert_array_equal(ragged.channels["hr"].samples, [70, 70, np.nan, 70])  # a short row is a gap
    gz = tmp_path / "band.csv.gz"
    gz.write_bytes(gzip.compress((tmp_path / "band.csv").read_bytes()))
    np.testing.assert_array_equal(read_physio(gz).channels["eda"].samples, eda)
    (tmp_path / "u16.csv").write_bytes("timestamp,eda\n0,1\n1,1\n2,1\n".encode("utf-16"))
    with pytest.raises(InputError, match=r"u16\.csv is not a UTF-8 text CSV file"):
        read_physio(tmp_path / "u16.csv")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(InputError, match=r"empty\.csv is empty"):
        read_physio(tmp_path / "empty.csv")
    (tmp_path / "wide.csv").write_bytes(b"timestamp," + b"x" * (2 * 1024**2) + b"\n0\n")
    with pytest.raises(InputError, match="line longer than 1 MiB"):
        read_physio(tmp_path / "wide.csv")
    os.mkfifo(tmp_path / "pipe.csv")
    with pytest.raises(InputError, match="is not a physiological recording"):
        read_physio(tmp_path / "pipe.csv")


def _long_csv(path: Path, rate: float, minutes: float, columns=("eda", "bvp")) -> Path:
    t = np.arange(int(minutes * 60 * rate)) / rate
    cols = {"eda": 2 + 0.01 * np.sin(t / 30), "bvp": np.sin(2 * np.pi * 1.2 * t), "hr": 70 + 0 * t}
    table = np.column_stack([t] + [cols[c] for c in columns])
    np.savetxt(path, table, delimiter=",", header="timestamp," + ",".join(columns), comments="", fmt="%.4f")
    return path


def test_recognizer_refuses_slow_bvp_and_eda_and_bad_spans(tmp_path):
    """BVP below 16 Hz (a scipy ValueError before): refused with what is needed, before any feature runs."""
    from affectscope.recognizers.physio import PhysioRecognizer

    rec = PhysioRecognizer()
    slow = _long_csv(tmp_path / "slow.csv", 4.0, 12)
    with pytest.raises(
        InputError, match=r"BVP needs a rate above 16 Hz for beat detection; this recording's BVP is 4 Hz"
    ):
        rec.process_file(slow)
    very_slow = _long_csv(tmp_path / "very_slow.csv", 0.5, 12, columns=("eda", "hr"))
    with pytest.raises(InputError, match=r"EDA needs at least 1 Hz .* EDA is 0\.5 Hz"):
        rec.process_file(very_slow)
    for start, end, message in [
        (float("nan"), None, r"The 'start' parameter of analyze must be a float in \[0, 604800\]\. Got nan instead\."),
        (None, float("inf"), r"The 'end' parameter of analyze must be a float in \(0, 604800\]\. Got inf instead\."),
        (-1, None, r"'start' parameter of analyze .* Got -1 instead"),
        (5, 2, r"'end' parameter of analyze must be after 'start' \(5 s\)"),
    ]:
        with pytest.raises(ConfigError, match=message):
            rec.process_file(tmp_path / "no-such-file.csv", start=start, end=end)  # checked before reading
    short = _long_csv(tmp_path / "short.csv", 4.0, 1, columns=("eda",))
    with pytest.raises(InputError, match=r"holds 1\.0 min of signal"):
        rec.process_file(short)


def test_recognizer_reads_a_csv_with_gaps_and_no_bvp(tmp_path):
    pytest.importorskip("neurokit2")
    from affectscope.recognizers.physio import PhysioRecognizer

    path = _long_csv(tmp_path / "gappy.csv", 4.0, 12, columns=("eda", "hr"))
    lines = path.read_text().splitlines()
    lines[100:140] = [f"{ln.split(',')[0]},," for ln in lines[100:140]]  # 10 s without EDA or HR
    path.write_text("\n".join(lines) + "\n")
    result = PhysioRecognizer().process_file(path)
    assert len(result.frame) >= 6
    assert result.frame["eda_tonic_mean"].between(1.9, 2.1).all()  # the gap is not read as 0 µS


def test_cli_start_nan_for_physio_exits_2(tmp_path):
    from typer.testing import CliRunner

    from affectscope.cli import app

    folder = tmp_path / "e4"
    folder.mkdir()
    e4_file(folder, "EDA", 4, eda_with_scrs(60))
    out = CliRunner().invoke(app, ["analyze", str(folder), "--modality", "physio", "--start", "nan"])
    assert out.exit_code == 2, out.output
    assert "'start'" in out.output
    assert "nan" in out.output
    assert "Traceback" not in out.output


# ----------------------------------------------------------------------------------------------- item 3: EDF


def test_malformed_edf_and_bdf_files(tmp_path):
    pytest.importorskip("pyedflib")
    good = edf_header([("EDA", 4), ("HR", 1)], 10) + bytes(2 * 5 * 10)
    cases = {
        "truncated.edf": (
            good[:-7],
            r"truncated or padded: its header declares 10 records \(868 bytes\) but the file has 861",
        ),
        "padded.edf": (good + b"\0\0", "truncated or padded"),
        "random.edf": (np.random.default_rng(0).bytes(3000), "is not a readable EDF/BDF file"),
        "tiny.bdf": (b"\xffBIOSEMI", r"is not a readable EDF/BDF file \(only 8 bytes\)"),
        "none.edf": (edf_header([], 10), r"declares 0 signals; an EDF/BDF file holds 1-4096"),
        "unfinished.edf": (edf_header([("EDA", 4)], -1), "declares -1 data records"),
        "garbage.edf": (good[:236] + b"ten     " + good[244:], r"a malformed header field"),
        "fast.edf": (edf_header([("EDA", 99_999)], 1, duration=0.001) + bytes(2 * 99_999), r"rate of 9\.9999e\+07 Hz"),
        "long.edf": (edf_header([("EDA", 1)], 700_000) + bytes(1_400_000), r"declares 8\.1 days of signal"),
    }
    for name, (data, message) in cases.items():
        (tmp_path / name).write_bytes(data)
        with pytest.raises(InputError, match=message):
            read_physio_edf(tmp_path / name)


def test_edf_claiming_billions_of_samples_is_refused_before_reading(tmp_path):
    """A header whose size matches a (sparse) 12-GB file: refused by the sample budget, nothing allocated."""
    pytest.importorskip("pyedflib")
    path = tmp_path / "huge.edf"
    head = edf_header([("EDA", 10_000)], 600_000)
    with open(path, "wb") as f:
        f.write(head)
        f.truncate(len(head) + 600_000 * 10_000 * 2)
    t0 = time.monotonic()
    with pytest.raises(InputError, match=r"holds 6,000,000,000 samples in the signals to read; the limit is"):
        read_physio_edf(path)
    assert time.monotonic() - t0 < 5


# ------------------------------------------------------------------------------- item 4: property-based tests


FUZZ = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _only_affectscope_errors(fn, *args):
    t0 = time.monotonic()
    with contextlib.suppress(AffectscopeError):
        fn(*args)
    assert time.monotonic() - t0 < 5


_line_parts = st.sampled_from(["0.5", "1644227574.0", "4", "nan", "inf", "-1", "1e308", "", "abc", "1,2", "1,2,3"])
_lines = st.lists(st.one_of(_line_parts, st.text(max_size=12)), max_size=30).map(lambda ls: "\n".join(ls))


@FUZZ
@given(
    body=st.one_of(st.binary(max_size=300), _lines.map(str.encode)),
    gz=st.booleans(),
    name=st.sampled_from(["EDA", "ACC", "IBI"]),
)
def test_fuzz_e4_folder_files(tmp_path_factory, body, gz, name):
    folder = tmp_path_factory.mktemp("e4")
    target = folder / (f"{name}.csv.gz" if gz else f"{name}.csv")
    target.write_bytes(gzip.compress(body) if gz and body[:1] != b"\x1f" else body)
    _only_affectscope_errors(read_physio, folder)


@FUZZ
@given(
    header=st.sampled_from(
        ["timestamp,eda", "timestamp,eda,bvp,acc_x,acc_y,acc_z", "TIMESTAMP;eda", '"timestamp","hr"']
    ),
    body=st.one_of(st.binary(max_size=300), _lines.map(str.encode)),
)
def test_fuzz_physio_csv(tmp_path_factory, header, body):
    path = tmp_path_factory.mktemp("csv") / "band.csv"
    path.write_bytes(header.encode() + b"\n" + body)
    _only_affectscope_errors(read_physio, path)


def _valid_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("s/EDA.csv", E4_HEAD + b"0.5\n0.6\n0.7\n" * 20)
        z.writestr("s/HR.csv.gz", gzip.compress(b"1644227574.0\n1.0\n70\n71\n72\n"))
        z.writestr("s/IBI.csv", b"1644227574.0, IBI\n1.0,0.8\n")
    return buf.getvalue()


VALID_ZIP = _valid_zip()


@FUZZ
@given(
    mutations=st.lists(st.tuples(st.integers(0, len(VALID_ZIP) - 1), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.one_of(st.none(), st.integers(0, len(VALID_ZIP))),
)
def test_fuzz_e4_zip_mutated(tmp_path_factory, mutations, cut):
    data = bytearray(VALID_ZIP)
    for at, value in mutations:
        data[at] = value
    path = tmp_path_factory.mktemp("zip") / "export.zip"
    path.write_bytes(bytes(data[:cut]))
    _only_affectscope_errors(read_physio, path)


@FUZZ
@given(data=st.binary(max_size=400))
def test_fuzz_e4_zip_random_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("zip") / "export.zip"
    path.write_bytes(b"PK\x03\x04" + data if data[:1] == b"P" else data)
    _only_affectscope_errors(read_physio, path)


def _valid_edf(tmp_path_factory) -> bytes:
    pyedflib = pytest.importorskip("pyedflib")
    path = tmp_path_factory.mktemp("edf") / "valid.edf"
    with pyedflib.EdfWriter(str(path), 2, file_type=pyedflib.FILETYPE_EDFPLUS) as w:
        w.setSignalHeaders(
            [
                {"label": label, "dimension": "", "sample_frequency": rate, "physical_min": -100,
                 "physical_max": 100, "digital_min": -32768, "digital_max": 32767}
                for label, rate in (("EDA", 4), ("PPG", 32))
            ]
        )  # fmt: skip
        w.writeSamples([np.ones(40), np.sin(np.arange(320) / 5)])
    return path.read_bytes()


@pytest.fixture(scope="module")
def valid_edf(tmp_path_factory):
    return _valid_edf(tmp_path_factory)


@FUZZ
@given(
    mutations=st.lists(st.tuples(st.integers(0, 2000), st.binary(min_size=1, max_size=4)), min_size=1, max_size=6),
    cut=st.one_of(st.none(), st.integers(0, 3000)),
    suffix=st.sampled_from([".edf", ".bdf"]),
)
def test_fuzz_edf_mutated(tmp_path_factory, valid_edf, mutations, cut, suffix):
    data = bytearray(valid_edf)
    for at, chunk in mutations:
        at = at % len(data)
        data[at : at + len(chunk)] = chunk
    path = tmp_path_factory.mktemp("edf") / f"rec{suffix}"
    path.write_bytes(bytes(data[:cut]))
    _only_affectscope_errors(read_physio, path)


def test_valid_edf_of_the_fuzz_is_read(tmp_path, valid_edf):
    (tmp_path / "valid.edf").write_bytes(valid_edf)
    rec = read_physio(tmp_path / "valid.edf")
    assert sorted(rec.channels) == ["bvp", "eda"]
    assert rec.channels["bvp"].rate == 32
    assert len(rec.channels["bvp"].samples) == 320


def test_fuzz_helpers_build_valid_streams():
    """The bomb builders used above make valid streams (checked on small ones)."""
    assert gzip.decompress(gzip_bomb(b"a\n", b"b\n", 3)) == b"a\nb\nb\nb\n"
    data, crc, size = repeated_deflate(b"h", b"xy", 4)
    assert zlib.decompress(data, -15) == b"hxyxyxyxy"
    assert size == 9
    path = io.BytesIO(raw_zip([{"name": "EDA.csv", "data": data, "crc": crc, "size": size}]))
    assert zipfile.ZipFile(path).read("EDA.csv") == b"hxyxyxyxy"
