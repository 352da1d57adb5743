"""docs/batch.md says what a batch with a failed input does: exit 1, a count, and DuckDB queries that run."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from affectscope.cli import app

DOC = Path(__file__).resolve().parents[2] / "docs" / "batch.md"


def test_a_batch_with_a_failed_input_exits_1_and_the_documented_duckdb_queries_run(tmp_path, monkeypatch, capsys):
    duckdb = pytest.importorskip("duckdb")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("I am so happy today. This is awful.", encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_bytes(b"\xff\xfe\x00bad")  # not UTF-8: this input fails
    monkeypatch.chdir(tmp_path)
    r = CliRunner().invoke(app, ["batch", "in", "-o", "out", "--workers", "1", "--no-evidence"])
    assert r.exit_code == 1, r.output  # as docs/batch.md and the README say: some inputs failed, the rest written
    assert "2 inputs: 1 analysed, 1 failed (see out/errors.parquet)" in r.stdout

    section = DOC.read_text(encoding="utf-8").split("## Querying the output with DuckDB", 1)[1]
    (block,) = re.findall(r"```python\n(.*?)```", section.split("\n## ", 1)[0], flags=re.DOTALL)
    assert "import duckdb" in block
    capsys.readouterr()
    scope: dict = {}
    exec(compile(block, str(DOC), "exec"), scope)
    shown = capsys.readouterr().out
    assert "InputError" in shown  # the errors query
    assert "joy" in shown  # the rows and summary queries
    assert scope["summary"].shape[0] == 1
    assert scope["duckdb"] is duckdb
