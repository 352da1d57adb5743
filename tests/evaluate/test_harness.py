import json

import numpy as np
import pytest
from typer.testing import CliRunner

from affectscope.cli import app
from affectscope.evaluate import evaluate, score
from affectscope.evaluate.datasets import EvalData


def test_evaluate_goemotions_fixture_with_the_shipped_model(tmp_path):
    (tmp_path / "dev.tsv").write_text(
        "Thank you so much for the help!\t15\ta\nThis makes me so mad.\t2\tb\nI am terrified of spiders.\t14\tc\n",
        encoding="utf-8",
    )
    r = evaluate("goemotions", tmp_path, split="dev", labels="ekman7")
    assert set(r) == {"dataset", "split", "model", "n", "labels", "metrics", "per_class", "confusion", "reliability"}
    assert sum(b["count"] for b in r["reliability"]) == 3 * 7
    assert r["n"] == 3
    assert r["metrics"]["macro_f1"] == pytest.approx(1.0)
    assert r["confusion"]["joy"]["tp"] == 1
    json.dumps(r)


def test_single_label_scoring_normalises_and_confuses():
    d = EvalData(
        "toy",
        "dev",
        "text",
        "single_label",
        "ekman7",
        ["anger", "joy", "neutral"],
        ["a", "b", "c"],
        np.array([0, 1, 1]),
    )
    pred = {"ekman7": np.array([[0.8, 0.8, 0.0], [0.1, 0.9, 0.0], [0.9, 0.1, 0.0]])}
    r = score(d, pred)
    assert r["metrics"]["accuracy"] == pytest.approx(2 / 3, abs=1e-4)
    assert r["confusion"]["joy"]["anger"] == 1
    assert 0 <= r["metrics"]["ece"] <= 1


def test_cli_eval_json_and_errors(tmp_path):
    (tmp_path / "val.txt").write_text("i feel so happy today;joy\ni am terrified;fear\n", encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(app, ["eval", "--dataset", "carer", "--path", str(tmp_path), "--split", "dev", "--json", "-"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["metrics"]["accuracy"] == 1.0
    r = runner.invoke(app, ["eval", "--dataset", "carer", "--path", str(tmp_path), "--split", "test"])
    assert r.exit_code == 2
    assert "test.txt" in r.output
    assert "Traceback" not in r.output


def test_html_report_is_self_contained(tmp_path):
    (tmp_path / "val.txt").write_text(
        "i feel so happy today;joy\ni am terrified;fear\ni am so angry;anger\n", encoding="utf-8"
    )
    out = tmp_path / "r.html"
    r = CliRunner().invoke(
        app, ["eval", "--dataset", "carer", "--path", str(tmp_path), "--split", "dev", "--report", str(out)]
    )
    assert r.exit_code == 0, r.output
    page = out.read_text(encoding="utf-8")
    assert "Confusion matrix" in page
    assert "Reliability diagram" in page
    assert 'src="http' not in page  # plotly.js is embedded (no CDN script), the report opens offline
    assert len(page) > 1_000_000


def test_report_rejects_bad_paths(tmp_path):
    from affectscope.errors import ConfigError, InputError
    from affectscope.evaluate.report import write_report

    rep = {"dataset": "d", "split": "s", "model": "m", "n": 1, "labels": "x", "metrics": {}}
    with pytest.raises(ConfigError, match=r"\.html"):
        write_report(rep, tmp_path / "r.pdf")
    with pytest.raises(InputError, match="does not exist"):
        write_report(rep, tmp_path / "no" / "r.html")


def test_cli_eval_generic_csv(tmp_path):
    p = tmp_path / "mine.csv"
    p.write_text("body,emotion\nThank you so much!,joy\nThis makes me so mad.,anger\n", encoding="utf-8")
    r = CliRunner().invoke(
        app,
        [
            "eval",
            "--dataset",
            "csv",
            "--path",
            str(p),
            "--split",
            "all",
            "--text-column",
            "body",
            "--label-column",
            "emotion",
            "--json",
            "-",
        ],
    )
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["metrics"]["accuracy"] == 1.0
