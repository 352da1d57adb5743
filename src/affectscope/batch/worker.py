"""The work of one batch part: run the right recognizer on each input, write the part, report what happened.

:class:`PartProcessor` is a callable class, so the same object serves the local engine (one per worker process)
and Ray Data's ``map_batches`` (one per actor): models are loaded once, on first use, and reused for every part.
A failing input becomes an error record; the rest of the part goes on.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time
from typing import Any

import numpy as np
import pandas as pd

from affectscope.batch.inputs import BatchItem
from affectscope.batch.store import ERROR_COLUMNS, SUMMARY_COLUMNS, OutputStore

__all__ = ["Part", "PartProcessor"]

Part = tuple[str, list[BatchItem]]  # (name, items)
# batch input kinds → the modality the router reads them as
_MODALITY = {
    "text": "text",
    "dialogue": "conversation",
    "audio": "speech",
    "image": "face",
    "video": "video",
    "music": "music",
    "physio": "physio",
}


def _jsonable(v: Any) -> Any:
    from affectscope.result import _jsonable as to_json

    return to_json(v)


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


class PartProcessor:
    """Process batch parts into an output folder.

    Parameters
    ----------
    out : path-like
        The output folder.
    config : dict
        The run's options: ``spec`` (the fields of an :class:`~affectscope.pipeline.AnalysisSpec`) and the kinds
        (see :func:`affectscope.batch.run_batch`); they also guard the folder.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from affectscope.batch.inputs import BatchItem
    >>> out = pathlib.Path(tempfile.mkdtemp())
    >>> proc = PartProcessor(out, {"spec": {"evidence": False, "transcript": False, "fps": 2.0, "num_threads": 1}})
    >>> proc.process(("part-a", [BatchItem("t1", "text", text="What a lovely day!")]))["ok"]
    1
    >>> sorted(p.name for p in (out / "parts" / "part-a").iterdir())
    ['errors.parquet', 'rows.parquet', 'summary.parquet']
    """

    def __init__(self, out: str | os.PathLike[str], config: dict[str, Any]) -> None:
        from affectscope.pipeline import AnalysisSpec, RecognizerCache

        self.store = OutputStore(out, config)
        self.config = config
        self.spec = AnalysisSpec.from_dict(config.get("spec", {}), func="batch")
        self.cache = RecognizerCache()

    # --- one part -----------------------------------------------------------------------------------------
    def _results(self, items: list[BatchItem]) -> list[tuple[BatchItem, Any, BaseException | None]]:
        """(item, Result or None, error or None) for every item, in order: each file through the router."""
        from pathlib import Path

        from affectscope.pipeline import run

        out: list[tuple[BatchItem, Any, BaseException | None]] = []
        texts = [i for i in items if i.path is None]
        if texts:
            out.extend(self._texts(texts))
        for item in items:
            if item.path is None:
                continue
            try:
                spec = self.spec.replace(modality=_MODALITY[item.kind])
                out.append((item, run(Path(item.path), spec, cache=self.cache), None))
            except Exception as exc:
                out.append((item, None, exc))
        return out

    def _texts(self, items: list[BatchItem]) -> list[tuple[BatchItem, Any, BaseException | None]]:
        """Texts of a manifest, scored together (one frame), then summarised one by one."""
        from itertools import chain

        from affectscope.errors import InputError
        from affectscope.pipeline.router import _finish
        from affectscope.result import Result

        rec = self.cache.get("text", self.spec)
        segments, failed = [], {}
        for item in items:
            try:
                segments.append(list(rec._segments(item.text, source=item.id)))
            except Exception as exc:  # e.g. an empty text: recorded, the part goes on
                failed[item.id] = exc
        frame = rec._frame(chain.from_iterable(segments))
        by_source = dict(iter(frame.groupby(level="source", sort=False))) if len(frame) else {}
        out: list[tuple[BatchItem, Any, BaseException | None]] = []
        for item in items:
            rows = by_source.get(item.id)
            if item.id in failed or rows is None:
                error = failed.get(item.id) or InputError(f"{item.id}: no text to analyse.")
                out.append((item, None, error))
            else:
                out.append((item, _finish(Result(rows, rec.summarize(rows)), self.spec), None))
        return out

    def process(self, part: Part) -> dict[str, Any]:
        """Process one part and write it; return counts, time, process id and peak memory.

        Parameters
        ----------
        part : (str, list of BatchItem)
            The part's name and its inputs.

        Returns
        -------
        dict
            ``{"part", "items", "ok", "failed", "rows", "written", "seconds", "pid", "peak_rss_mb"}``.
        """
        name, items = part
        t0 = time.perf_counter()
        frames, summaries, errors = [], [], []
        for item, result, exc in self._results(items):
            if exc is not None:
                message = str(exc) or type(exc).__name__
                errors.append({"input": item.id, "kind": item.kind, "error": type(exc).__name__, "message": message})
                continue
            frame = result.frame.reset_index()
            frame["source"] = item.id
            frames.append(frame)
            s = result.summary
            summaries.append(
                {
                    "input": item.id,
                    "kind": item.kind,
                    "modality": str(s.get("modality", item.kind)),
                    "label": s.get("label"),
                    "confidence": float(s["confidence"]) if s.get("confidence") is not None else np.nan,
                    "n_rows": len(frame),
                    "note": str(s["note"]) if s.get("note") is not None else None,
                    "summary_json": json.dumps(_jsonable(s), ensure_ascii=False, sort_keys=True),
                }
            )
        rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame({"source": pd.Series(dtype=object)})
        summary = pd.DataFrame(summaries, columns=list(SUMMARY_COLUMNS))
        summary["confidence"] = summary["confidence"].astype("float64")
        written = self.store.write_part(name, rows, summary, pd.DataFrame(errors, columns=list(ERROR_COLUMNS)))
        return {
            "part": name,
            "items": len(items),
            "ok": len(summaries),
            "failed": len(errors),
            "rows": len(rows),
            "written": written,
            "seconds": time.perf_counter() - t0,
            "pid": os.getpid(),
            "peak_rss_mb": round(_peak_rss_mb(), 1),
        }

    def __call__(self, batch: dict[str, Any]) -> dict[str, Any]:
        """Ray Data entry: ``batch["part"]`` names and ``batch["items"]`` (JSON lists of items) → stats columns."""
        stats = []
        for name, payload in zip(batch["part"], batch["items"], strict=True):
            items = [BatchItem(**d) for d in json.loads(payload)]
            stats.append(self.process((str(name), items)))
        return {k: [s[k] for s in stats] for k in stats[0]} if stats else {}
