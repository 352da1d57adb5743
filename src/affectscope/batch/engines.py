"""Engines that run batch parts: worker processes on this machine, or Ray Data on a local Ray / a cluster.

Both yield one stats dict per finished part (in completion order) and leave the writing to
:class:`~affectscope.batch.worker.PartProcessor`, so they produce the same parts and the same rows.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from pathlib import Path
from typing import Any

from affectscope.batch.worker import Part, PartProcessor
from affectscope.errors import ConfigError

__all__ = ["run_local", "run_ray"]

_PROCESSOR: PartProcessor | None = None


def _init_worker(out: str, config: dict[str, Any]) -> None:
    global _PROCESSOR  # one processor (and one copy of the models) per worker process
    _PROCESSOR = PartProcessor(out, config)


def _process(part: Part) -> dict[str, Any]:
    assert _PROCESSOR is not None
    return _PROCESSOR.process(part)


_THREAD_VARS = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


@contextmanager
def _thread_env(threads: int) -> Iterator[None]:
    """Cap OpenMP/BLAS threads for the workers (unless the user set them).

    Without it, the OpenMP runtime of CTranslate2 (Whisper) keeps a second core busy spinning, so a 1-thread worker
    uses two cores and a second worker brings no speed.
    """
    saved = {v: os.environ.get(v) for v in _THREAD_VARS}
    for v in _THREAD_VARS:
        os.environ.setdefault(v, str(threads))
    try:
        yield
    finally:
        for v, old in saved.items():
            if old is None:
                os.environ.pop(v, None)
            else:
                os.environ[v] = old


def run_local(
    parts: list[Part], out: Path, config: dict[str, Any], *, workers: int, address: str | None = None
) -> Iterator[dict[str, Any]]:
    """Process parts in ``workers`` processes (``spawn``; models loaded once per process).

    Even one worker is a separate process: its OpenMP/BLAS threads are capped before those libraries load, so a
    worker uses the cores it is given, and the calling process only coordinates.

    A worker that dies (a crash in a decoder, the kernel's OOM killer) is replaced and its part retried once; if
    the part kills a worker again, its inputs are recorded as failed (``WorkerCrashed``) and the run goes on.
    Ctrl-C stops the workers; parts in flight are not written (their staging folders are cleared next run).
    """
    if address is not None:
        raise ConfigError("--address applies to --engine ray.")
    with _thread_env(int(config.get("threads") or 1)):
        yield from _pool(parts, out, config, min(workers, len(parts)))


def _pool(
    parts: list[Part], out: Path, config: dict[str, Any], workers: int, fn: Any = None
) -> Iterator[dict[str, Any]]:
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool

    ctx = mp.get_context("spawn")  # no fork of a process holding ONNX Runtime / MediaPipe threads

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(str(out), config)
        )

    pool = new_pool()
    queue = list(parts)
    suspects: list[Part] = []  # parts in flight when a worker died: re-run one at a time to find the culprit
    tries: dict[str, int] = {}
    running: dict[Any, Part] = {}
    try:
        while queue or suspects or running:
            if suspects and not running:
                part = suspects.pop(0)
                running[pool.submit(fn or _process, part)] = part
            while not suspects and queue and len(running) < 2 * workers:
                part = queue.pop(0)
                running[pool.submit(fn or _process, part)] = part
            finished, _ = wait(running, return_when=FIRST_COMPLETED)
            broken = False
            for f in finished:
                part = running.pop(f)
                try:
                    yield f.result()
                except BrokenProcessPool:
                    broken = True
                    if len(finished) == 1 and not running:  # it ran alone: it is the culprit
                        tries[part[0]] = tries.get(part[0], 0) + 1
                        if tries[part[0]] >= 2:
                            yield _crashed(part, out, config)
                            continue
                    suspects.append(part)
            if broken:  # every part in flight is lost with the pool
                suspects.extend(running.values())
                running.clear()
                pool.shutdown(wait=False, cancel_futures=True)
                pool = new_pool()
    except BaseException:
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.terminate()  # do not wait for parts in flight
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def _crashed(part: Part, out: Path, config: dict[str, Any]) -> dict[str, Any]:
    """Record the inputs of a part that killed its worker twice as failed, and report it like a processed part."""
    import pandas as pd

    from affectscope.batch.store import ERROR_COLUMNS, SUMMARY_COLUMNS, OutputStore

    name, items = part
    message = (
        "The worker process died twice while analysing the part holding this input (a crash in a decoder or the "
        "system running out of memory). Run it alone with `affectscope analyze` to see the error."
    )
    errors = pd.DataFrame(
        [{"input": i.id, "kind": i.kind, "error": "WorkerCrashed", "message": message} for i in items],
        columns=list(ERROR_COLUMNS),
    )
    summary = pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    written = OutputStore(out, config).write_part(name, pd.DataFrame({"source": []}), summary, errors)
    return {
        "part": name,
        "items": len(items),
        "ok": 0,
        "failed": len(items),
        "rows": 0,
        "written": written,
        "seconds": 0.0,
        "pid": os.getpid(),
        "peak_rss_mb": 0.0,
    }


def _take(it: Iterator[Part], n: int) -> list[Part]:
    out = []
    for _ in range(n):
        try:
            out.append(next(it))
        except StopIteration:
            break
    return out


def run_ray(
    parts: list[Part], out: Path, config: dict[str, Any], *, workers: int, address: str | None = None
) -> Iterator[dict[str, Any]]:
    """Process parts with Ray Data: ``map_batches`` over the parts with :class:`PartProcessor` as a callable class.

    Each of the ``workers`` actors loads the models once. Without ``address`` a local Ray is started (and shut
    down at the end); with one, the run joins that cluster, whose nodes must see ``out`` (a shared file system).
    Ray Data's own progress bars are off while it runs: progress is :func:`~affectscope.batch.run_batch`'s.
    """
    try:
        import ray
    except ImportError:
        raise ConfigError(
            "--engine ray needs Ray: pip install 'affectscope[ray]'. The local engine needs nothing more."
        ) from None
    started = False
    if not ray.is_initialized():
        kwargs: dict[str, Any] = {"include_dashboard": False, "log_to_driver": False}
        if address is None:
            kwargs["num_cpus"] = workers * int(config.get("threads") or 1)
        else:
            kwargs["address"] = address
        ray.init(**kwargs)
        started = True
    data_ctx, bars = None, None
    try:
        # run_batch reports progress itself (quiet unless asked): Ray Data's own bars would draw over it on stderr
        data_ctx = ray.data.DataContext.get_current()
        bars = getattr(data_ctx, "enable_progress_bars", None)
        data_ctx.enable_progress_bars = False
        rows = [{"part": name, "items": json.dumps([asdict(i) for i in items])} for name, items in parts]
        ds = ray.data.from_items(rows, override_num_blocks=len(rows)).map_batches(
            PartProcessor,
            fn_constructor_args=(str(out), config),
            batch_size=1,
            concurrency=workers,
            num_cpus=int(config.get("threads") or 1),
        )
        for batch in ds.iter_batches(batch_size=1, batch_format="default"):
            yield {k: (v[0].item() if hasattr(v[0], "item") else v[0]) for k, v in batch.items()}
    finally:
        if data_ctx is not None and bars is not None:
            data_ctx.enable_progress_bars = bars
        if started:
            ray.shutdown()
