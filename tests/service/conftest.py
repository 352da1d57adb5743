"""Service fixtures: an app on a temporary data dir, and waiting for an analysis to finish."""

from __future__ import annotations

import time

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("pydantic_settings")


@pytest.fixture
def make_client(tmp_path):
    """Build a TestClient for settings overrides; ``run=False`` leaves the workers stopped (jobs stay queued)."""
    from fastapi.testclient import TestClient

    from affectscope.service.app import create_app
    from affectscope.service.settings import ServiceSettings

    opened = []

    def make(*, run: bool = True, **overrides):
        settings = ServiceSettings(**{"data_dir": tmp_path / "data", "threads": 2, "warm_up": False, **overrides})
        client = TestClient(create_app(settings), base_url="http://localhost")
        if run:
            client.__enter__()  # runs the lifespan: workers start
            opened.append(client)
        return client

    yield make
    for c in opened:
        c.__exit__(None, None, None)


def _wait_done(client, job: str, *, timeout: float = 120.0, headers=None) -> dict:
    """Poll an analysis until it is done or failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        d = client.get(f"/v1/analyses/{job}", headers=headers or {}).json()
        if d["status"] in ("done", "failed"):
            return d
        time.sleep(0.1)
    raise AssertionError(f"analysis {job} still {d['status']} after {timeout} s")


@pytest.fixture
def wait_done():
    """The polling helper: ``wait_done(client, job_id)`` → the finished analysis."""
    return _wait_done
