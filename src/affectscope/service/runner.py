"""Worker threads that run queued analyses, and the clean-up of expired jobs.

The queue is the jobs table itself: a worker claims the oldest ``queued`` job, so jobs survive a restart (a job
that was ``running`` when the service stopped is queued again) and the bound on waiting jobs is a count.

Each job runs inside a :func:`~affectscope._cancel.cancel_scope` whose token carries the ``job_timeout_s``
deadline; ``DELETE`` cancels it, and the recognizers stop at their next batch, segment, frame or window.
"""

from __future__ import annotations

import logging
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

from affectscope._cancel import CancelToken, cancel_scope
from affectscope.errors import CancelledError, InputError, TimeLimitError
from affectscope.service.settings import ServiceSettings
from affectscope.service.store import JobStore

__all__ = ["JobRunner", "scrub_paths"]

_log = logging.getLogger("affectscope.service")


class JobRunner:
    """Run jobs from a :class:`JobStore` in ``settings.workers`` threads; delete expired jobs every minute.

    Parameters
    ----------
    jobs : JobStore
        The jobs table.
    settings : ServiceSettings
        Limits and options.
    """

    def __init__(self, jobs: JobStore, settings: ServiceSettings) -> None:
        self.jobs = jobs
        self.settings = settings
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._claim = threading.Lock()
        self._threads: list[threading.Thread] = []
        self._local = threading.local()
        self._tokens: dict[str, CancelToken] = {}
        self._tokens_lock = threading.Lock()
        self.uploads = Path(settings.data_dir).absolute() / "uploads"

    # --- lifecycle ----------------------------------------------------------------------------------------
    def start(self) -> None:
        """Remove half-written uploads, re-queue jobs a previous run left unfinished, start workers and janitor."""
        self.purge_partial()
        for job in self.jobs.unfinished():
            self.jobs.update(job, status="queued", progress=0.0, stage="queued (service restarted)")
        ready = []
        for i in range(self.settings.workers):
            warm = threading.Event()
            t = threading.Thread(target=self._work, args=(warm,), name=f"affectscope-worker-{i}", daemon=True)
            t.start()
            self._threads.append(t)
            ready.append(warm)
        t = threading.Thread(target=self._janitor, name="affectscope-janitor", daemon=True)
        t.start()
        self._threads.append(t)
        for warm in ready:  # loading in the workers themselves: each keeps its own recognizers
            warm.wait(120.0)
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the threads to stop; a running analysis stops at its next check and is re-queued at the next start."""
        self._stop.set()
        self._wake.set()
        with self._tokens_lock:
            for token in self._tokens.values():
                token.cancel("the service is stopping")
        for t in self._threads:
            t.join(timeout)

    def notify(self) -> None:
        """Wake a worker: a job was queued."""
        self._wake.set()

    def cancel(self, job: str) -> bool:
        """Ask a running job to stop at its next check; return whether it was running."""
        with self._tokens_lock:
            token = self._tokens.get(job)
        if token is None:
            return False
        token.cancel("the analysis was deleted")
        return True

    def purge_partial(self) -> int:
        """Delete ``uploads/*.part`` (uploads cut by a crash) and uploads no job refers to; return how many."""
        if not self.uploads.is_dir():
            return 0
        known = {str(Path(m).absolute()) for m in self.jobs.media_paths()}
        gone = 0
        for f in self.uploads.iterdir():
            if f.is_file() and (f.suffix == ".part" or str(f.absolute()) not in known):
                f.unlink(missing_ok=True)
                gone += 1
        return gone

    # --- work ---------------------------------------------------------------------------------------------
    def _next(self) -> str | None:
        with self._claim:
            rows = self.jobs._exec("select id from jobs where status = 'queued' order by created limit 1")
            if not rows:
                return None
            job = rows[0]["id"]
            self.jobs.update(job, status="running", progress=0.1, stage="loading models")
            return job

    def _warm_up(self) -> None:
        """Import the media libraries and load the text model, so that neither happens under the first requests."""
        try:
            import soundfile  # noqa: F401  (the duration check of uploads)

            from affectscope.pipeline import AnalysisSpec

            self._cache().get("text", AnalysisSpec(num_threads=self.settings.model_threads))
        except Exception as exc:  # a broken model is reported by the first job that needs it
            _log.warning("warm-up failed: %s", exc)

    def _work(self, ready: threading.Event | None = None) -> None:
        _lower_priority(self.settings.worker_nice)
        if ready is not None:
            if self.settings.warm_up:
                self._warm_up()
            ready.set()
        while not self._stop.is_set():
            job = self._next()
            if job is None:
                self._wake.wait(1.0)
                self._wake.clear()
                continue
            self._run(job)

    def _cache(self) -> Any:
        """Return this worker thread's recognizers (each thread has its own; a recognizer serves one job at a time)."""
        cache = self._local.__dict__.get("cache")
        if cache is None:
            from affectscope.pipeline import RecognizerCache

            cache = self._local.cache = RecognizerCache()
        return cache

    def _spec(self, options: dict[str, Any]) -> Any:
        """Return the job's analysis spec with the server's threads (older jobs: built from their options)."""
        from affectscope.pipeline import AnalysisSpec

        fields = options.get("spec")
        if fields is None:  # a job queued before specs: evidence, transcript, fps, labels, modality
            fields = {k: options[k] for k in ("evidence", "transcript", "fps", "labels") if options.get(k) is not None}
            if options.get("modality"):
                fields["modality"] = options["modality"]
        return AnalysisSpec.from_dict(dict(fields) | {"num_threads": self.settings.model_threads}, func="the service")

    def _run(self, job: str) -> None:
        row = self.jobs.get(job)
        if row is None:  # deleted meanwhile
            return
        token = CancelToken(timeout=self.settings.job_timeout_s)
        with self._tokens_lock:
            self._tokens[job] = token
        try:
            with cancel_scope(token):
                payload = self._analyse(job, row, token)
        except CancelledError as exc:
            if self._stop.is_set() and not isinstance(exc, TimeLimitError):
                return  # the service is stopping: the job stays 'running' and is re-queued at the next start
            if isinstance(exc, TimeLimitError):
                error = {
                    "error": "Timeout",
                    "message": f"The analysis ran past the service's time budget of {self.settings.job_timeout_s:g} s "
                    "per job (job_timeout_s) and was stopped; send a shorter input.",
                }
            else:
                error = {"error": "Cancelled", "message": str(exc)}
            self._finish(job, row["media"], status="failed", error=error)
            return
        except Exception as exc:  # every failure is reported to the client; the service goes on
            message = scrub_paths(str(exc), row["media"], _shown(row), self.uploads.parent)
            self._finish(job, row["media"], status="failed", error={"error": type(exc).__name__, "message": message})
            return
        finally:
            with self._tokens_lock:
                self._tokens.pop(job, None)
        self._finish(job, row["media"], status="done", result=payload)

    def _analyse(self, job: str, row: dict[str, Any], token: CancelToken) -> dict[str, Any]:
        from affectscope.pipeline import run

        options, media, kind = row["options"], row["media"], row["kind"]
        spec = self._spec(options)
        cache = self._cache()
        token.check()
        self.jobs.update(job, progress=0.3, stage="analysing")
        if media is None:
            result = run(options["text"], spec, cache=cache, source="text")
        else:
            if kind == "music":
                spec = spec.replace(modality="music")
            elif kind == "physio":
                spec = spec.replace(modality="physio")
                self._check_physio_hours(Path(media))
                token.check()
            last = [0.0]

            def progress(share: float) -> None:  # the analysing stage spans 0.3-0.99 of the bar
                token.check()
                now = time.monotonic()
                if now - last[0] >= 0.5:
                    last[0] = now
                    self.jobs.update(job, progress=round(0.3 + 0.69 * share, 3))

            result = run(Path(media), spec, cache=cache, progress=progress)
        token.check()
        payload = result.serialize()
        if media is not None:
            payload = _replace_in(payload, media, _shown(row))
        return payload

    def _check_physio_hours(self, media: Path) -> None:
        from affectscope.media.physio import read_physio

        recording = read_physio(media)
        hours = (recording.end - recording.start) / 3600 if recording.channels else 0.0
        if hours > self.settings.max_physio_hours:
            raise InputError(
                f"The recording spans {hours:.1f} h; this service analyses wearable recordings of up to "
                f"{self.settings.max_physio_hours:g} h (max_physio_hours)."
            )

    def _finish(self, job: str, media: str | None, **fields: Any) -> None:
        if self.jobs.get(job) is None:  # deleted while running: drop the result, remove the file
            _remove(media)
            return
        if media is not None and not self.settings.keep_media:
            _remove(media)
            fields["media"] = None
        self.jobs.update(job, progress=1.0, stage=fields["status"], **fields)

    # --- expiry -------------------------------------------------------------------------------------------
    def purge_expired(self, now: float | None = None) -> int:
        """Delete expired jobs and their files; return how many."""
        gone = self.jobs.expired(now)
        for row in gone:
            _remove(row["media"])
            self.jobs.delete(row["id"])
        return len(gone)

    def _janitor(self) -> None:
        while not self._stop.wait(60.0):
            self.purge_expired(time.time())


def _lower_priority(nice: int) -> None:
    """Lower this thread's CPU priority (Linux: niceness is per thread, and model threads started here inherit it).

    Requests are then answered first while an analysis computes, and analyses still get every idle cycle.
    """
    if nice <= 0 or not sys.platform.startswith("linux"):  # elsewhere setpriority would name a process, not this thread
        return
    try:
        tid = threading.get_native_id()
        os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
    except OSError as exc:  # e.g. a sandbox without the permission: run at normal priority
        _log.info("could not lower the priority of %s: %s", threading.current_thread().name, exc)


def _remove(path: str | None) -> None:
    if path:
        Path(path).unlink(missing_ok=True)


def _shown(row: dict[str, Any]) -> str:
    """Return the name a job's upload is shown under: the client's file name, else ``upload.<suffix>``."""
    return row.get("filename") or "upload" + (Path(row["media"]).suffix if row.get("media") else "")


def _replace_in(obj: Any, old: str, new: str) -> Any:
    """Replace ``old`` by ``new`` in every string of a JSON-like object."""
    if isinstance(obj, str):
        return obj.replace(old, new) if old in obj else obj
    if isinstance(obj, dict):
        return {k: _replace_in(v, old, new) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_replace_in(v, old, new) for v in obj]
    return obj


def scrub_paths(message: str, media: str | None, shown: str, data_dir: str | Path) -> str:
    """Return ``message`` without server paths: the upload's path becomes its display name, others ``<server>``.

    Examples
    --------
    >>> scrub_paths("Cannot decode /srv/d/uploads/1f.wav: bad header", "/srv/d/uploads/1f.wav", "talk.wav", "/srv/d")
    'Cannot decode talk.wav: bad header'
    >>> scrub_paths("Wrote /srv/d/tmp/x.wav", None, "upload", "/srv/d")
    'Wrote <server file>'
    """
    if media:
        for form in {str(media), str(Path(media).absolute()), str(Path(media).resolve())}:
            message = message.replace(form, shown)
    roots = {str(Path(data_dir).absolute()), str(Path(data_dir).resolve()), tempfile.gettempdir()}
    for root in sorted(roots, key=len, reverse=True):
        if len(root) > 1:
            message = re.sub(re.escape(root) + r"[^\s'\",;)]*", "<server file>", message)
    return message
