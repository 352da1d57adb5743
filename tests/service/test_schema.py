"""Schemathesis: requests generated from the OpenAPI spec never get a server error (bounded examples)."""

from __future__ import annotations

import hypothesis
import pytest
import schemathesis  # in the dev extra, which CI installs: a missing install fails here instead of skipping


@pytest.fixture(scope="module")
def service_app(tmp_path_factory):
    from contextlib import asynccontextmanager

    from affectscope.service.app import create_app
    from affectscope.service.settings import ServiceSettings

    @asynccontextmanager
    async def no_workers(app):
        yield

    # workers stay stopped: the fuzzing checks request handling, not model runs; small limits keep bodies cheap.
    # schemathesis's ASGI client calls the app as "testserver", which the host allow-list must name.
    settings = ServiceSettings(
        data_dir=tmp_path_factory.mktemp("fuzz"), max_upload_mb=1, queue_size=10_000, allowed_hosts=["testserver"]
    )
    app = create_app(settings)
    app.router.lifespan_context = no_workers
    return app


def test_no_server_errors_on_generated_requests(service_app):
    from schemathesis.checks import not_a_server_error

    schema = schemathesis.openapi.from_asgi("/openapi.json", service_app)
    failures = []
    ran = 0
    for operation in schema.get_all_operations():
        op = operation.ok()

        @hypothesis.settings(
            max_examples=25,
            deadline=None,
            suppress_health_check=list(hypothesis.HealthCheck),
            database=None,
            derandomize=True,
        )
        @hypothesis.given(case=op.as_strategy())
        def check(case):
            nonlocal ran
            ran += 1
            response = case.call()
            try:
                case.validate_response(response, checks=(not_a_server_error,))
            except Exception as exc:  # collect every failure with its request
                failures.append(f"{case.method} {case.formatted_path}: {exc}")
                raise

        check()
    assert ran >= 50
    assert not failures
