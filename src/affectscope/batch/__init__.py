"""Batch at scale: whole corpora on one machine (worker processes) or a Ray cluster, resumable, nothing lost.

:func:`run_batch` finds the inputs (:func:`~affectscope.batch.inputs.discover`), skips those already in the
output folder, groups the rest into *parts* of one kind, and has an engine process them:

* ``engine="local"``: ``workers`` processes on this machine, each loading its models once;
* ``engine="ray"``: the same :class:`~affectscope.batch.worker.PartProcessor` as a Ray Data callable class in
  ``map_batches`` (one model copy per actor), on a local Ray or an existing cluster (``address``).

Each part is written atomically (:mod:`affectscope.batch.store`), so a run killed at any moment loses at most
the parts in flight, and re-running the same command resumes: finished inputs are skipped and no input is
written twice. At the end ``summary.parquet`` (one row per input that succeeded) and ``errors.parquet`` (one row
per input that failed, with the error type and message) are rewritten from the parts.

The plan is deterministic: inputs sorted by id, grouped by kind, cut into parts of ``part_size``. A resumed run
cuts the remaining inputs the same way, so its parts hold the same inputs as in an uninterrupted run and the
outputs are identical.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "in").mkdir()
>>> _ = (d / "in" / "a.txt").write_text("What a wonderful surprise!", encoding="utf-8")
>>> _ = (d / "in" / "b.txt").write_bytes(bytes([255, 254, 0, 65]))  # not UTF-8
>>> report = run_batch(d / "in", d / "out", evidence=False, progress=False)
>>> report.ok, report.failed, sorted(p.name for p in (d / "out").glob("*.parquet"))
(1, 1, ['errors.parquet', 'summary.parquet'])
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import groupby, islice
from pathlib import Path
from typing import Any

from affectscope._validation import check_int, check_number
from affectscope.batch.inputs import KINDS, BatchItem, discover
from affectscope.batch.lock import OutputBusyError, OutputLock
from affectscope.batch.store import OutputStore
from affectscope.batch.worker import Part, PartProcessor
from affectscope.errors import ConfigError
from affectscope.progress import Progress, as_progress

__all__ = [
    "BatchItem",
    "BatchReport",
    "OutputBusyError",
    "OutputLock",
    "OutputStore",
    "PartProcessor",
    "batch_spec",
    "discover",
    "plan_parts",
    "run_batch",
]

ENGINES = ("local", "ray")
# Bounds of the numeric options (the CLI and the Python API share them; see affectscope._validation)
MAX_WORKERS = 256
MAX_PART_SIZE = 100_000

_log = logging.getLogger(__name__)


@dataclass
class BatchReport:
    """What a batch run did.

    Attributes
    ----------
    total : int
        Inputs found.
    skipped_done : int
        Inputs already in the output folder (earlier runs).
    ok, failed : int
        Inputs in ``summary.parquet`` / ``errors.parquet`` after this run (all runs together).
    processed : int
        Inputs this run processed.
    unreadable : list of str
        Files found but not of a kind the batch reads.
    interrupted : bool
        The run was stopped (Ctrl-C) before the end; re-run to resume.
    seconds : float
        Wall time of this run's processing.
    peak_rss_mb : dict
        Peak resident memory of each worker process (MB), by process id.
    lock_taken_over : str or None
        The run (pid, host, start) whose lock this run took over because it had been killed; else None.
    no_face : list of str
        Images analysed without error in which no face was found (no rows; ``note`` in ``summary.parquet``).
    """

    total: int = 0
    skipped_done: int = 0
    ok: int = 0
    failed: int = 0
    processed: int = 0
    unreadable: list[str] = field(default_factory=list)
    interrupted: bool = False
    seconds: float = 0.0
    peak_rss_mb: dict[int, float] = field(default_factory=dict)
    lock_taken_over: str | None = None
    no_face: list[str] = field(default_factory=list)

    @property
    def items_per_second(self) -> float:
        """Inputs processed per second by this run."""
        return self.processed / self.seconds if self.seconds > 0 else 0.0


def plan_parts(items: Iterable[BatchItem], *, part_size: int) -> list[Part]:
    """Cut inputs into parts of one kind and at most ``part_size`` inputs, named by their content.

    Parameters
    ----------
    items : iterable of BatchItem
        Inputs sorted by id (as :func:`discover` returns them).
    part_size : int
        Inputs per part.

    Returns
    -------
    list of (str, list of BatchItem)
        Part names are ``<kind>-<sha1 of the ids>``: the same inputs always make the same part.

    Examples
    --------
    >>> items = [BatchItem(f"t{i}", "text", text="x") for i in range(5)]
    >>> [(n.split("-")[0], len(p)) for n, p in plan_parts(items, part_size=2)]
    [('text', 2), ('text', 2), ('text', 1)]
    """
    part_size = check_int(part_size, name="part_size", func="plan_parts", low=1, high=MAX_PART_SIZE)
    by_kind = sorted(items, key=lambda i: (KINDS.index(i.kind), i.id))
    parts: list[Part] = []
    for kind, group in groupby(by_kind, key=lambda i: i.kind):
        it: Iterator[BatchItem] = iter(group)
        while chunk := list(islice(it, part_size)):
            digest = hashlib.sha1("\n".join(i.id for i in chunk).encode("utf-8")).hexdigest()[:16]
            parts.append((f"{kind}-{digest}", chunk))
    return parts


def batch_spec(
    spec: Any = None, *, evidence: bool | None = None, transcript: bool = False, fps: float = 2.0, threads: int = 1
) -> Any:
    """Return the :class:`~affectscope.pipeline.AnalysisSpec` of a batch: its defaults, the keywords, then ``spec``.

    A batch transcribes nothing and reads videos at 2 fps unless told otherwise (corpora are large); the fields
    of ``spec`` (a spec or a dict of its fields) win over the keywords.

    Examples
    --------
    >>> s = batch_spec({"models": {"face": "face-cnn-fer"}, "fps": 1})
    >>> s.fps, s.transcript, s.models
    (1.0, False, {'face': 'face-cnn-fer'})
    """
    from affectscope.pipeline import AnalysisSpec

    fields: dict[str, Any] = {"evidence": evidence, "transcript": transcript, "fps": fps, "num_threads": threads}
    if isinstance(spec, AnalysisSpec):
        fields |= {k: v for k, v in spec.to_dict().items() if v != getattr(AnalysisSpec(), k)}
    elif spec is not None:
        fields |= dict(spec)
    out = AnalysisSpec.from_dict(fields, func="run_batch")
    if out.modality != "auto":
        raise ConfigError("The 'modality' of a batch spec must be 'auto'; choose input kinds with 'modalities'.")
    if out.conversation or out.subtitles is not None or out.start is not None or out.end is not None:
        raise ConfigError(
            "A batch spec cannot set conversation, subtitles, start or end (they apply to one input at a time)."
        )
    return out


def _config(spec: Any, kinds: list[str]) -> dict[str, Any]:
    return {"spec": spec.to_dict(), "kinds": kinds}


def run_batch(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    *,
    engine: str = "local",
    workers: int | None = None,
    modalities: Iterable[str] | None = None,
    column: str | None = None,
    part_size: int = 16,
    evidence: bool | None = None,
    transcript: bool = False,
    fps: float = 2.0,
    threads_per_worker: int = 1,
    address: str | None = None,
    spec: Any = None,
    progress: bool | Progress | Callable[[int, int], None] = False,
) -> BatchReport:
    """Analyse every input of a folder, list or manifest into a resumable Parquet output folder.

    Parameters
    ----------
    source : path-like
        A folder (recursive), a ``.txt``/``.lst`` file of paths, or a CSV/TSV/Parquet manifest (``path`` or
        ``text`` column).
    out : path-like
        Output folder (created; re-use it to resume).
    engine : {"local", "ray"}
        Worker processes here, or Ray Data (needs the ``ray`` extra).
    workers : int, optional
        Parallel workers (default: the machine's CPU count).
    modalities : iterable of str, optional
        Only these input kinds: ``text``, ``speech``, ``face``, ``video`` (default: all).
    column : str, optional
        Manifest column (default ``path``, else ``text``).
    part_size : int
        Inputs per part (the unit of atomic writing and of resuming).
    evidence : bool, optional
        Cite the words behind each label (slower; see ``TextRecognizer``); by default as ``affectscope analyze``:
        on for texts, off for dialogues.
    transcript : bool
        Audio/video: transcribe speech (Whisper; much slower). Off by default in batches.
    fps : float
        Video: frames analysed per second.
    threads_per_worker : int
        CPU threads of each worker's models (workers × threads should not exceed the cores).
    address : str, optional
        Ray: the address of an existing cluster (``ray://host:10001`` or ``auto``); default a local Ray.
    spec : AnalysisSpec or dict, optional
        More analysis options (models, language, face crops, labels, ...; see :func:`batch_spec`). The whole
        spec is recorded in ``OUT/_batch.json``; a resumed run must use the same one.
    progress : bool, Progress or callable
        ``True``: report progress on stderr after each part (see :mod:`affectscope.progress`): a rich bar
        (count, items/s, time left) on a terminal, else a line at most every 5 s and one at the end; a
        :class:`~affectscope.progress.Progress` is used as given (its total is filled in); a callable
        ``(done, total)`` is called after each part. Default: quiet.

    Returns
    -------
    BatchReport

    Raises
    ------
    ConfigError
        Bad options (``workers`` and ``threads_per_worker`` in [1, 256], ``part_size`` in [1, 100000], ``fps``
        in (0, 60]), or ``out`` written with other options.
    OutputBusyError
        Another run is writing into ``out`` (a :class:`ConfigError`; see :mod:`affectscope.batch.lock`).
    InputError
        The source cannot be read, or ``out`` is a file.

    Notes
    -----
    The run holds an exclusive lock on ``out`` (:class:`~affectscope.batch.lock.OutputLock`) from before it reads
    the folder until the tables are consolidated. The lock of a run that was killed is taken over (a warning on
    stderr says whose, and :attr:`BatchReport.lock_taken_over`).
    """
    import time

    if engine not in ENGINES:
        raise ConfigError(
            f"The 'engine' parameter of run_batch must be one of {list(ENGINES)}. Got {engine!r} instead."
        )
    if address is not None and engine != "ray":
        raise ConfigError("The 'address' parameter of run_batch applies to engine='ray' (--engine ray) only.")
    if workers is not None:
        workers = check_int(workers, name="workers", func="run_batch", low=1, high=MAX_WORKERS)
    part_size = check_int(part_size, name="part_size", func="run_batch", low=1, high=MAX_PART_SIZE)
    fps = check_number(fps, name="fps", func="run_batch", low=0, high=60, low_open=True)
    threads_per_worker = check_int(
        threads_per_worker, name="threads_per_worker", func="run_batch", low=1, high=MAX_WORKERS
    )
    n_workers = workers or (os.cpu_count() or 1)
    items, unreadable = discover(source, modalities=modalities, column=column)
    kinds = sorted({i.kind for i in items})
    the_spec = batch_spec(spec, evidence=evidence, transcript=transcript, fps=fps, threads=threads_per_worker)
    config = _config(the_spec, sorted(set(modalities or KINDS)))
    report = BatchReport(total=len(items), unreadable=unreadable)
    # One run per folder: locked before the options check and before clearing another run's staging
    with OutputLock(out) as lock:
        if lock.took_over:
            report.lock_taken_over = lock.took_over
            _log.warning(
                "affectscope batch: took over the lock of %s from a run that stopped without releasing it (%s); "
                "its unfinished parts are redone.",
                out,
                lock.took_over,
            )
        store = OutputStore(out, config)
        store.clear_staging()
        done = store.done_inputs()
        todo = [i for i in items if i.id not in done]
        parts = plan_parts(todo, part_size=part_size)
        report.skipped_done = len(items) - len(todo)
        t0 = time.perf_counter()
        try:
            if parts:
                from affectscope.batch.engines import run_local, run_ray

                runner = run_ray if engine == "ray" else run_local
                on_part = _Progress(progress, len(todo), kinds)
                with on_part as tick:
                    for stats in runner(parts, Path(out), config, workers=n_workers, address=address):
                        report.processed += stats["items"]
                        report.peak_rss_mb[stats["pid"]] = max(
                            report.peak_rss_mb.get(stats["pid"], 0.0), stats["peak_rss_mb"]
                        )
                        tick(stats["items"])
        except KeyboardInterrupt:
            report.interrupted = True
        finally:
            report.seconds = time.perf_counter() - t0
            summary, errors = store.consolidate()
            report.ok, report.failed = len(summary), len(errors)
            faceless = summary[(summary["kind"] == "image") & (summary["n_rows"] == 0)]
            report.no_face = faceless["input"].astype(str).tolist()
    return report


class _Progress:
    """A context manager yielding ``tick(n)``: a :class:`~affectscope.progress.Progress`, a callback, or nothing."""

    def __init__(self, progress: bool | Progress | Callable[[int, int], None], total: int, kinds: list[str]) -> None:
        self.progress, self.total, self.done = progress, total, 0
        self._reporter: Progress | None = None
        if isinstance(progress, Progress | bool) or progress is None:
            self._reporter = as_progress(progress, total=total, description=f"batch {', '.join(kinds)}")

    def __enter__(self) -> Callable[[int], None]:
        if self._reporter is not None:
            self._reporter.__enter__()
        return self._tick

    def _tick(self, n: int) -> None:
        self.done += n
        if self._reporter is not None:
            self._reporter.advance(n)
        elif callable(self.progress):
            self.progress(self.done, self.total)

    def __exit__(self, *exc: Any) -> None:
        if self._reporter is not None:
            self._reporter.__exit__(*exc)
