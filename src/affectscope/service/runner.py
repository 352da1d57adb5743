"""Worker threads that run queued analyses, and the clean-up of expired jobs.

The queue is the jobs table itself: a worker claims the oldest ``queued`` job, so jobs survive a restart (a job
that was ``running`` when the service stopped is queued again) and the bound on waiting jobs is a count.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from affectscope.service.settings import ServiceSettings
from affectscope.service.store import JobStore

__all__ = ["JobRunner"]


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

    # --- lifecycle ----------------------------------------------------------------------------------------
    def start(self) -> None:
        """Re-queue jobs a previous run left unfinished, then start the workers and the janitor."""
        for job in self.jobs.unfinished():
            self.jobs.update(job, status="queued", progress=0.0, stage="queued (service restarted)")
        for i in range(self.settings.workers):
            t = threading.Thread(target=self._work, name=f"affectscope-worker-{i}", daemon=True)
            t.start()
            self._threads.append(t)
        t = threading.Thread(target=self._janitor, name="affectscope-janitor", daemon=True)
        t.start()
        self._threads.append(t)
        self._wake.set()

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the threads to stop (a running analysis finishes or is re-queued at the next start)."""
        self._stop.set()
        self._wake.set()
        for t in self._threads:
            t.join(timeout)

    def notify(self) -> None:
        """Wake a worker: a job was queued."""
        self._wake.set()

    # --- work ---------------------------------------------------------------------------------------------
    def _next(self) -> str | None:
        with self._claim:
            rows = self.jobs._exec("select id from jobs where status = 'queued' order by created limit 1")
            if not rows:
                return None
            job = rows[0]["id"]
            self.jobs.update(job, status="running", progress=0.1, stage="loading models")
            return job

    def _work(self) -> None:
        while not self._stop.is_set():
            job = self._next()
            if job is None:
                self._wake.wait(1.0)
                self._wake.clear()
                continue
            self._run(job)

    def _recognizer(self, kind: str, options: dict[str, Any]) -> Any:
        cache = self._local.__dict__.setdefault("recognizers", {})
        key = (kind, options.get("evidence", True), options.get("transcript", True), options.get("fps", 2.0))
        if key not in cache:
            threads = self.settings.model_threads
            if kind == "text":
                from affectscope.recognizers.text import TextRecognizer

                cache[key] = TextRecognizer(evidence=key[1], num_threads=threads)
            elif kind == "audio":
                from affectscope.recognizers.speech import SpeechRecognizer

                cache[key] = SpeechRecognizer(transcript=key[2], num_threads=threads)
            elif kind == "image":
                from affectscope.recognizers.face import FaceRecognizer

                cache[key] = FaceRecognizer(num_threads=threads)
            elif kind == "music":
                from affectscope.recognizers.music import MusicRecognizer

                cache[key] = MusicRecognizer(num_threads=threads)
            elif kind == "physio":
                from affectscope.recognizers.physio import PhysioRecognizer

                cache[key] = PhysioRecognizer(num_threads=threads)
            else:
                from affectscope.recognizers.video import VideoRecognizer

                cache[key] = VideoRecognizer(fps=key[3], transcript=key[2], evidence=key[1], num_threads=threads)
        return cache[key]

    def _run(self, job: str) -> None:
        row = self.jobs.get(job)
        if row is None:  # deleted meanwhile
            return
        options, media = row["options"], row["media"]
        try:
            rec = self._recognizer(row["kind"], options)
            self.jobs.update(job, progress=0.3, stage="analysing")
            if media is None:
                result = rec.process_text(options["text"], source="text")
            elif row["kind"] == "video":
                last = [0.0]

                def progress(share: float) -> None:  # the analysing stage spans 0.3-0.99 of the bar
                    now = time.monotonic()
                    if now - last[0] >= 0.5:
                        last[0] = now
                        self.jobs.update(job, progress=round(0.3 + 0.69 * share, 3))

                result = rec.process_file(Path(media), progress=progress)
            else:
                result = rec.process_file(Path(media))
            if options.get("labels") == "open":
                from affectscope.labels.open_vocabulary import add_open_words

                result = add_open_words(result)
            payload = result.serialize()
        except Exception as exc:  # every failure is reported to the client; the service goes on
            self._finish(job, media, status="failed", error={"error": type(exc).__name__, "message": str(exc)})
            return
        self._finish(job, media, status="done", result=payload)

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


def _remove(path: str | None) -> None:
    if path:
        Path(path).unlink(missing_ok=True)
