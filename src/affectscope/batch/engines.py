"""Engines that run batch parts: worker processes on this machine, or Ray Data on a local Ray / a cluster.

Both yield one stats dict per finished part (in completion order) and leave the writing to
:class:`~affectscope.batch.worker.PartProcessor`, so they produce the same parts and the same rows.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
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


def run_local(
    parts: list[Part], out: Path, config: dict[str, Any], *, workers: int, address: str | None = None
) -> Iterator[dict[str, Any]]:
    """Process parts in ``workers`` processes (``spawn``; models loaded once per process), or here if 1.

    Ctrl-C stops the workers; parts in flight are not written (their staging folders are cleared next run).
    """
    if address is not None:
        raise ConfigError("--address applies to --engine ray.")
    if workers == 1 or len(parts) == 1:
        proc = PartProcessor(out, config)
        for part in parts:
            yield proc.process(part)
        return
    import multiprocessing as mp
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait

    ctx = mp.get_context("spawn")  # no fork of a process holding ONNX Runtime / MediaPipe threads
    pool = ProcessPoolExecutor(
        max_workers=workers, mp_context=ctx, initializer=_init_worker, initargs=(str(out), config)
    )
    try:
        pending = iter(parts)
        running = {pool.submit(_process, p) for p in _take(pending, 2 * workers)}
        while running:
            finished, running = wait(running, return_when=FIRST_COMPLETED)
            for f in finished:
                yield f.result()
            running |= {pool.submit(_process, p) for p in _take(pending, len(finished))}
    except BaseException:
        for proc in list(getattr(pool, "_processes", {}).values()):
            proc.terminate()  # do not wait for parts in flight
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


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
    try:
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
        if started:
            ray.shutdown()
