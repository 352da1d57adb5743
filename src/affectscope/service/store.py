"""Jobs and results in SQLite (one file under the data dir), safe to share between the API and worker threads.

Examples
--------
>>> import tempfile, pathlib
>>> jobs = JobStore(pathlib.Path(tempfile.mkdtemp()) / "jobs.sqlite")
>>> job = jobs.create(kind="text", filename=None, media=None, options={"text": "hi"}, ttl_s=60)
>>> jobs.get(job)["status"]
'queued'
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from pathlib import Path
from typing import Any

__all__ = ["JobStore"]

_SCHEMA = """
create table if not exists jobs (
    id text primary key,
    status text not null,            -- queued | running | done | failed
    kind text not null,              -- text | audio | music | image | video | physio
    filename text,                   -- the client's file name, for display only (never used as a path)
    media text,                      -- our stored upload (random name under the data dir), null once deleted
    options text not null,           -- JSON
    progress real not null default 0,
    stage text,
    error text,                      -- JSON {"error", "message"} when failed
    result text,                     -- JSON Result.serialize() when done
    created real not null,
    updated real not null,
    expires real not null
);
create index if not exists jobs_status on jobs(status);
create index if not exists jobs_expires on jobs(expires);
"""


_COLUMNS = {
    "status",
    "kind",
    "filename",
    "media",
    "options",
    "progress",
    "stage",
    "error",
    "result",
    "updated",
    "expires",
}


class JobStore:
    """The jobs table.

    Parameters
    ----------
    path : path-like
        SQLite file (created).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()  # one writer connection, shared by the threads
        self._readers = threading.local()
        self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        self._db.row_factory = sqlite3.Row
        with self._lock:
            self._db.execute("pragma journal_mode=wal")
            # WAL + synchronous=normal: a commit is not fsynced on its own (a crash of the service loses nothing;
            # a power cut may lose the last commits, never the database). Under a burst of POSTs, an fsync per
            # insert, serialized by the lock, was most of the POST latency.
            self._db.execute("pragma synchronous=normal")
            self._db.execute("pragma secure_delete=on")  # a deleted job's text and result are overwritten on disk
            self._db.executescript(_SCHEMA)

    def _exec(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def _read(self, sql: str, args: tuple = ()) -> list[sqlite3.Row]:
        """Run a query on this thread's own read connection: in WAL mode reads wait for no lock and no writer."""
        db = getattr(self._readers, "db", None)
        if db is None:  # closed with the thread (or this store) by garbage collection
            db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
            db.row_factory = sqlite3.Row
            self._readers.db = db
        return db.execute(sql, args).fetchall()

    def create(
        self,
        *,
        kind: str,
        filename: str | None,
        media: str | None,
        options: dict[str, Any],
        ttl_s: float,
        max_queued: int | None = None,
    ) -> str | None:
        """Add a queued job; return its id (random, unguessable), or None when ``max_queued`` jobs already wait."""
        job = uuid.uuid4().hex
        now = time.time()
        row = (job, kind, filename, media, json.dumps(options), now, now, now + ttl_s)
        with self._lock:  # count and insert at once: concurrent requests cannot both take the last place
            if max_queued is not None:
                n = self._db.execute("select count(*) from jobs where status = 'queued'").fetchone()[0]
                if n >= max_queued:
                    return None
            self._db.execute(
                "insert into jobs (id, status, kind, filename, media, options, created, updated, expires) "
                "values (?, 'queued', ?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        return job

    def get(self, job: str) -> dict[str, Any] | None:
        """Return the job as a dict (``options``/``error``/``result`` decoded), or None."""
        rows = self._read("select * from jobs where id = ?", (job,))
        if not rows:
            return None
        d = dict(rows[0])
        for key in ("options", "error", "result"):
            d[key] = json.loads(d[key]) if d[key] else None
        return d

    def update(self, job: str, **fields: Any) -> None:
        """Set fields (dicts are stored as JSON) and the update time."""
        for key in ("error", "result", "options"):
            if key in fields and fields[key] is not None:
                fields[key] = json.dumps(fields[key])
        fields["updated"] = time.time()
        unknown = set(fields) - _COLUMNS
        if unknown:
            raise ValueError(f"unknown job fields {sorted(unknown)}")
        cols = ", ".join(f"{k} = ?" for k in fields)  # names from the allow-list above, values bound
        self._exec(f"update jobs set {cols} where id = ?", (*fields.values(), job))

    def delete(self, job: str) -> None:
        """Remove a job row."""
        self._exec("delete from jobs where id = ?", (job,))

    def unfinished(self) -> list[str]:
        """Ids of queued or running jobs, oldest first (a restart re-queues them)."""
        return [
            r["id"] for r in self._read("select id from jobs where status in ('queued', 'running') order by created")
        ]

    def expired(self, now: float | None = None) -> list[dict[str, Any]]:
        """Jobs past their expiry time."""
        rows = self._read("select id, media from jobs where expires < ?", (now or time.time(),))
        return [dict(r) for r in rows]

    def count(self, status: str) -> int:
        """Jobs with this status (one indexed count: cheap enough for every POST)."""
        return self._read("select count(*) as n from jobs where status = ?", (status,))[0]["n"]

    def media_paths(self) -> list[str]:
        """Return the stored uploads that jobs still refer to."""
        return [r["media"] for r in self._read("select media from jobs where media is not null")]

    def counts(self) -> dict[str, int]:
        """Jobs per status."""
        return {r["status"]: r["n"] for r in self._read("select status, count(*) as n from jobs group by status")}

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
