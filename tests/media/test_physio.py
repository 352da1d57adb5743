"""Wearable readers (E4 folders, gzip, timestamped CSV) and window features on synthetic EDA/BVP signals."""

from __future__ import annotations

import numpy as np
import pytest

from affectscope.errors import InputError
from affectscope.media.physio import read_e4, read_physio, read_physio_csv
from physio_signals import START, bvp, e4_file, eda_with_scrs, write_stress_session


def test_read_an_e4_folder_plain_and_gzipped(tmp_path):
    e4_file(tmp_path, "EDA", 4, eda_with_scrs(), gz=True)
    e4_file(tmp_path, "BVP", 64, bvp())
    e4_file(tmp_path, "HR", 1, np.full(600, 72.0))
    e4_file(tmp_path, "ACC", 32, np.tile([0, 0, 64], (600 * 32, 1)))
    (tmp_path / "IBI.csv").write_text(f"{START}, IBI\n1.0,0.83\n1.83,0.83\n", encoding="utf-8")
    rec = read_e4(tmp_path)
    assert set(rec.channels) == {"eda", "bvp", "hr", "acc"}
    assert rec.channels["acc"].samples.shape == (600 * 32, 3)
    assert rec.channels["eda"].duration == pytest.approx(600)
    assert rec.ibi.shape == (2, 2)
    assert read_physio(tmp_path).start == START


def test_scrs_and_heart_rate_are_measured():
    pytest.importorskip("neurokit2")
    from affectscope.media.physio import Channel, Recording
    from affectscope.recognizers.physio.features import FEATURE_NAMES, recording_features

    rec = Recording({"eda": Channel(eda_with_scrs(), 4.0, START), "bvp": Channel(bvp(), 64.0, START)})
    x, ev = recording_features(rec, [(60, 120), (120, 180), (240, 300), (390, 450)])
    col = FEATURE_NAMES.index("scr_rate_per_min")
    assert x[2, col] == 0  # a quiet minute
    assert x[3, col] >= 4  # five responses in 390-450 s
    assert x[3, col] > x[1, col] > 0
    hr = FEATURE_NAMES.index("hr_mean")
    np.testing.assert_allclose(x[:, hr], 72, atol=1.5)
    assert ev[3]["scr_per_min"] == x[3, col]
    assert ev[0]["hr_bpm"] == pytest.approx(72, abs=1.5)


def test_timestamped_csv_and_malformed_exports(tmp_path):
    t = START + np.arange(0, 120, 0.25)
    csv = tmp_path / "band.csv"
    rows = "\n".join(f"{a:.2f},{2 + 0.01 * i:.3f},36.5" for i, a in enumerate(t))
    csv.write_text("timestamp,eda,temp\n" + rows + "\n", encoding="utf-8")
    rec = read_physio_csv(csv)
    assert rec.channels["eda"].rate == pytest.approx(4.0)
    assert set(rec.channels) == {"eda", "temp"}
    bad = tmp_path / "bad.csv"
    bad.write_text("time,eda\n1,2\n", encoding="utf-8")
    with pytest.raises(InputError, match="'timestamp' column"):
        read_physio_csv(bad)
    (tmp_path / "e4").mkdir()
    with pytest.raises(InputError, match="no E4 signal file"):
        read_e4(tmp_path / "e4")
    (tmp_path / "e4" / "EDA.csv").write_text("not,a,number\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"EDA\.csv"):
        read_e4(tmp_path / "e4")
    (tmp_path / "e4" / "EDA.csv").write_text(f"{START}\n0\n1.0\n", encoding="utf-8")
    with pytest.raises(InputError, match="sampling rate"):
        read_e4(tmp_path / "e4")
    (tmp_path / "e4" / "EDA.csv.gz").unlink(missing_ok=True)
    (tmp_path / "e4" / "EDA.csv").unlink()
    (tmp_path / "e4" / "BVP.csv.gz").write_bytes(b"not gzip")
    with pytest.raises(InputError, match=r"BVP\.csv\.gz"):
        read_e4(tmp_path / "e4")
    with pytest.raises(InputError, match="not found"):
        read_physio(tmp_path / "missing")


def test_stress_block_reads_higher_than_rest(tmp_path):
    """20 minutes: calm, then 6 minutes with rising skin conductance, frequent SCRs and a faster heart, then calm."""
    pytest.importorskip("neurokit2")
    from affectscope.recognizers.physio import PhysioRecognizer

    write_stress_session(tmp_path)
    r = PhysioRecognizer().process_file(tmp_path)
    p = r.frame["stress2:stress"]
    start = r.frame.index.get_level_values("start")
    during = p[(start >= 540) & (start < 780)].mean()
    before = p[start < 420].mean()
    after = p[start >= 900].mean()
    assert during > before + 0.3
    assert during > after + 0.3
    assert r.summary["peak"]["start"] >= 420
    assert r.frame["evidence"].str.contains("SCR/min").all()
    assert r.frame["rationale"].str.startswith("Cues:").all()
    # without the movement channel (a CSV export may lack it) the block still stands out
    (tmp_path / "ACC.csv").unlink()
    q = PhysioRecognizer().process_file(tmp_path).frame["stress2:stress"]
    assert q[(start >= 540) & (start < 780)].mean() > max(q[start < 420].mean(), q[start >= 900].mean()) + 0.1
    with pytest.raises(InputError, match="at least"):
        PhysioRecognizer().process_file(tmp_path, end=200)
    import json

    from typer.testing import CliRunner

    from affectscope.cli import app

    out = CliRunner().invoke(app, ["analyze", str(tmp_path), "--modality", "physio", "-f", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["summary"]["modality"] == "physio"
    table = CliRunner().invoke(app, ["analyze", str(tmp_path), "--modality", "physio"], env={"COLUMNS": "200"})
    assert "P(stress)" in table.stdout


def _write_edf(path, signals):
    """signals: list of (label, rate, samples, (phys_min, phys_max)); one data record per second."""
    pyedflib = pytest.importorskip("pyedflib")
    with pyedflib.EdfWriter(str(path), len(signals), file_type=pyedflib.FILETYPE_EDFPLUS) as w:
        w.setSignalHeaders(
            [
                {
                    "label": label,
                    "dimension": "",
                    "sample_frequency": rate,
                    "physical_min": lo,
                    "physical_max": hi,
                    "digital_min": -32768,
                    "digital_max": 32767,
                }
                for label, rate, _, (lo, hi) in signals
            ]
        )
        w.writeSamples([np.ascontiguousarray(s, dtype=float) for _, _, s, _ in signals])


def test_edf_wearable_export(tmp_path):
    """EDF+: channels found by label at their own rates (an EEG lead is ignored), SCRs survive; bad files say why."""
    pytest.importorskip("pyedflib")
    from affectscope.media.physio import read_physio_edf

    seconds = 600
    eda = eda_with_scrs(seconds, 4.0)
    acc = np.random.default_rng(0).normal(0, 1, (seconds * 32, 3)) + np.array([0.0, 0.0, 64.0])
    path = tmp_path / "wrist.edf"
    _write_edf(
        path,
        [
            ("GSR", 4, eda, (0, 40)),
            ("PPG", 64, bvp(seconds), (-2, 2)),
            ("ACC X", 32, acc[:, 0], (-128, 128)),
            ("ACC Y", 32, acc[:, 1], (-128, 128)),
            ("ACC Z", 32, acc[:, 2], (-128, 128)),
            ("EEG Fz", 128, np.zeros(seconds * 128), (-500, 500)),
        ],
    )
    rec = read_physio(path)
    assert sorted(rec.channels) == ["acc", "bvp", "eda"]
    assert rec.channels["eda"].rate == 4.0
    assert rec.channels["bvp"].rate == 64.0
    assert rec.channels["acc"].samples.shape == (seconds * 32, 3)
    np.testing.assert_allclose(rec.channels["eda"].samples, eda, atol=1e-3)
    assert rec.end - rec.start == pytest.approx(seconds)
    pytest.importorskip("neurokit2")
    from affectscope.recognizers.physio.features import FEATURE_NAMES, recording_features

    x, _ = recording_features(rec, [(80.0, 200.0), (220.0, 380.0)])
    scr = FEATURE_NAMES.index("scr_rate_per_min")
    assert x[0, scr] >= 1.0  # the SCRs at 100-160 s are found in the EDF signal, none where there are none
    assert x[1, scr] == 0.0
    assert x[0, FEATURE_NAMES.index("hr_mean")] == pytest.approx(72, abs=3)

    eeg_only = tmp_path / "eeg.edf"
    _write_edf(eeg_only, [("Fp1", 128, np.zeros(128 * 20), (-500, 500))])
    with pytest.raises(InputError, match=r"no wearable signal among its labels \['Fp1'\]"):
        read_physio_edf(eeg_only)
    broken = tmp_path / "broken.bdf"
    broken.write_bytes(b"0" * 300)
    with pytest.raises(InputError, match="not a readable EDF/BDF"):
        read_physio(broken)


def test_zipped_e4_export(tmp_path):
    """E4 connect downloads a zip: its signal files are read wherever they sit; nothing else is extracted."""
    import zipfile

    folder = tmp_path / "e4"
    folder.mkdir()
    e4_file(folder, "EDA", 4, eda_with_scrs())
    e4_file(folder, "BVP", 64, bvp())
    archive = tmp_path / "A01B23_export.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(folder / "EDA.csv", "export/EDA.csv")
        z.write(folder / "BVP.csv", "export/BVP.csv")
        z.writestr("../../evil.csv", "not extracted")
        z.writestr("info.txt", "E4 export")
    rec = read_physio(archive)
    assert sorted(rec.channels) == ["bvp", "eda"]
    assert rec.source == str(archive)
    np.testing.assert_allclose(rec.channels["eda"].samples, read_e4(folder).channels["eda"].samples)
    assert not (tmp_path.parent / "evil.csv").exists()
    empty = tmp_path / "empty.zip"
    with zipfile.ZipFile(empty, "w") as z:
        z.writestr("readme.txt", "no signals")
    with pytest.raises(InputError, match="holds no E4 signal file"):
        read_physio(empty)
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("EDA.csv", "1644227574.0\n4.0\nnot numbers\n")
    with pytest.raises(InputError, match=r"EDA\.csv in .*bad\.zip is not an E4 signal file"):
        read_physio(bad)
    (tmp_path / "fake.zip").write_bytes(b"PK but not really")
    with pytest.raises(InputError, match="not a readable zip"):
        read_physio(tmp_path / "fake.zip")
