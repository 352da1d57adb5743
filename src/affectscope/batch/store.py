"""The output folder of a batch: atomic parts, what is done, and the consolidated tables.

Layout of ``OUT``::

    OUT/_batch.json                  the options the folder was written with (a re-run must match them)
    OUT/parts/<part>/rows.parquet    Result rows of the part's inputs (index as columns: source, start, end)
    OUT/parts/<part>/summary.parquet one row per input that succeeded
    OUT/parts/<part>/errors.parquet  one row per input that failed: input, kind, error, message
    OUT/summary.parquet              all parts' summaries (rewritten at the end of every run)
    OUT/errors.parquet               all parts' errors
    OUT/.staging/                    parts being written (never read; cleared at the start of a run)

A part is written into ``.staging`` and then moved into ``parts/`` with one ``rename`` of its folder, which is
atomic on POSIX and Windows file systems: a part is either complete and visible or not there at all, whatever
moment a run is killed. The inputs of the parts present are done; a re-run skips them.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path
from typing import Any

import pandas as pd

from affectscope.errors import ConfigError, InputError

__all__ = ["OutputStore"]

#: ``note``: the summary's note (e.g. "no face detected" for an image without a face; None when there is none)
SUMMARY_COLUMNS = ("input", "kind", "modality", "label", "confidence", "n_rows", "note", "summary_json")
ERROR_COLUMNS = ("input", "kind", "error", "message")


def _empty(columns: tuple[str, ...]) -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="float64" if c in ("confidence",) else "object") for c in columns})


def _flat(config: Any) -> dict[str, Any]:
    if not isinstance(config, dict):
        return {"options": config}
    out: dict[str, Any] = {}
    for k, v in config.items():
        if k == "spec" and isinstance(v, dict):
            out.update(v)
        else:
            out[k] = v
    return out


def _differences(old: Any, new: dict[str, Any]) -> str:
    """Name the options that differ: ``fps 2.0 in the folder, 3.0 now; ...`` (a folder of an older version: all)."""
    if not isinstance(old, dict) or ("spec" in new and "spec" not in old):
        return f"it was written by another version of affectscope with {old}"
    a, b = _flat(old), _flat(new)
    names = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return "; ".join(f"{k} {a.get(k)!r} in the folder, {b.get(k)!r} now" for k in names)


class OutputStore:
    """Read and write one batch output folder.

    Parameters
    ----------
    root : path-like
        The output folder (created if missing).
    config : dict
        The options that shape the outputs (modalities, recognizer options). A folder written with other options
        is refused, so one folder never mixes two kinds of results.

    Examples
    --------
    >>> import tempfile
    >>> store = OutputStore(tempfile.mkdtemp(), {"evidence": True})
    >>> store.done_inputs()
    set()
    """

    def __init__(self, root: str | os.PathLike[str], config: dict[str, Any]) -> None:
        self.root = Path(root)
        if self.root.exists() and not self.root.is_dir():
            raise InputError(f"The output {self.root} exists and is not a folder.")
        self.parts = self.root / "parts"
        self.staging = self.root / ".staging"
        self.parts.mkdir(parents=True, exist_ok=True)
        meta = self.root / "_batch.json"
        if meta.is_file():
            try:
                old = json.loads(meta.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                old = None
            if old != config:
                raise ConfigError(
                    f"{self.root} holds results written with other options ({_differences(old, config)}). Re-run "
                    "with the same options to resume, or write to a new folder."
                )
        else:
            tmp = meta.with_suffix(".tmp")
            tmp.write_text(json.dumps(config, indent=1, sort_keys=True), encoding="utf-8")
            os.replace(tmp, meta)
        self.config = config

    def clear_staging(self) -> None:
        """Remove parts that a killed run left half-written."""
        shutil.rmtree(self.staging, ignore_errors=True)

    def part_names(self) -> list[str]:
        """Names of the complete parts."""
        return sorted(p.name for p in self.parts.iterdir() if p.is_dir())

    def _read(self, name: str, table: str) -> pd.DataFrame:
        return pd.read_parquet(self.parts / name / f"{table}.parquet")

    def done_inputs(self) -> set[str]:
        """Ids of every input in a complete part (succeeded or failed)."""
        done: set[str] = set()
        for name in self.part_names():
            for table in ("summary", "errors"):
                done.update(self._read(name, table)["input"].astype(str))
        return done

    def write_part(self, name: str, rows: pd.DataFrame, summary: pd.DataFrame, errors: pd.DataFrame) -> bool:
        """Write one part atomically; return False if a part of that name is already complete (nothing written)."""
        final = self.parts / name
        if final.exists():
            return False
        tmp = self.staging / f"{name}.{uuid.uuid4().hex}"
        tmp.mkdir(parents=True)
        rows.to_parquet(tmp / "rows.parquet", index=False)
        summary.to_parquet(tmp / "summary.parquet", index=False)
        errors.to_parquet(tmp / "errors.parquet", index=False)
        for f in tmp.iterdir():  # on disk before the part becomes visible
            with open(f, "rb") as fh:
                os.fsync(fh.fileno())
        try:
            os.rename(tmp, final)
        except OSError:  # another worker finished the same part first
            shutil.rmtree(tmp, ignore_errors=True)
            return False
        return True

    def consolidate(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Write ``summary.parquet`` and ``errors.parquet`` from the complete parts; return them.

        Raises
        ------
        AssertionError
            If an input appears in two parts (it would mean a bug in the planner).
        """
        names = self.part_names()
        summary = [self._read(n, "summary") for n in names]
        errors = [self._read(n, "errors") for n in names]
        s = pd.concat(summary, ignore_index=True) if summary else _empty(SUMMARY_COLUMNS)
        e = pd.concat(errors, ignore_index=True) if errors else _empty(ERROR_COLUMNS)
        if "note" not in s.columns:  # parts written before the column existed
            s.insert(s.columns.get_loc("summary_json"), "note", None)
        s = s.sort_values("input", kind="stable").reset_index(drop=True)
        e = e.sort_values("input", kind="stable").reset_index(drop=True)
        both = pd.concat([s["input"], e["input"]])
        assert both.is_unique, f"inputs in two parts: {sorted(both[both.duplicated()])[:5]}"
        for df, name in ((s, "summary"), (e, "errors")):
            tmp = self.root / f".{name}.parquet.tmp"
            df.to_parquet(tmp, index=False)
            os.replace(tmp, self.root / f"{name}.parquet")
        return s, e

    def rows(self) -> pd.DataFrame:
        """All rows of the complete parts (for tests and small outputs; use DuckDB or pyarrow for big ones)."""
        frames = [self._read(n, "rows") for n in self.part_names()]
        frames = [f for f in frames if len(f)]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
