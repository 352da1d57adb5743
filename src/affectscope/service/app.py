"""The FastAPI application: REST routes under ``/v1``, the web page at ``/``, OpenAPI at ``/docs``.

Examples
--------
>>> import tempfile
>>> from fastapi.testclient import TestClient
>>> from affectscope.service.settings import ServiceSettings
>>> app = create_app(ServiceSettings(data_dir=tempfile.mkdtemp(), warm_up=False))
>>> with TestClient(app, base_url="http://localhost:8000") as client:
...     client.get("/healthz").json()["status"]
'ok'
"""

from __future__ import annotations

import io
import ipaddress
import json
import logging
import secrets
import uuid
from collections.abc import Mapping, Sequence
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import FastAPI, Request, Security
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from fastapi.security import APIKeyHeader, HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from affectscope.errors import ConfigError
from affectscope.service.runner import JobRunner
from affectscope.service.settings import ServiceSettings
from affectscope.service.sniff import ACCEPTED, sniff, sniff_text
from affectscope.service.store import JobStore

__all__ = ["create_app"]

_ID = PathParam(pattern="^[0-9a-f]{32}$", description="The analysis id returned by POST /v1/analyses.")
_CHUNK = 1 << 20
_ENVELOPE = 65536  # multipart headers, boundaries and the option fields, on top of the upload itself
_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "[::1]"})
_UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_log = logging.getLogger("affectscope.service")

# The page loads its own script, style sheet and plotly.js (which sets inline styles); videos play from blob: URLs.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; "
    "media-src 'self' blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# FastAPI's /docs and /redoc pages load Swagger UI / ReDoc from their CDN with an inline bootstrap script.
_CSP_DOCS = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src 'self' data: https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com "
    "https://cdn.redoc.ly; worker-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-resource-policy", b"same-origin"),
]
_SECURITY_HEADERS = {k.decode(): v.decode() for k, v in _HEADERS} | {"content-security-policy": _CSP}


class ApiError(Exception):
    """An error answered as ``{"error": ..., "message": ...}`` (and ``details`` when given) with an HTTP status."""

    def __init__(
        self,
        status: int,
        error: str,
        message: str,
        headers: dict[str, str] | None = None,
        details: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.headers = status, error, message, headers
        self.details = details


# What each validated request field accepts, in words: pydantic's own messages name regular expressions and types.
_ACCEPTS = {
    "text": "a non-empty string (the text to analyse)",
    "evidence": "true or false",
    "labels": "'open' or absent",
    "job": "an analysis id: 32 lowercase hexadecimal digits, as returned by POST /v1/analyses",
    "name": "a file name of lowercase letters, digits, '.', '_' or '-' ending in .js or .css",
}
_LOCATIONS = frozenset({"body", "query", "path", "header", "cookie"})


def _shown(value: Any) -> str:
    """Render a rejected value shortly, on one line, for an error message."""
    if isinstance(value, str):
        return repr(value[:40] + ("..." if len(value) > 40 else ""))
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)[:40]
    return {dict: "an object", list: "a list"}.get(type(value), type(value).__name__)


def _field_errors(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Pydantic's validation errors as ``{"field", "message"}``: the field, what it accepts and what was sent.

    Parameters
    ----------
    errors
        ``RequestValidationError.errors()`` or ``pydantic.ValidationError.errors()`` (the first 10 are kept).

    Returns
    -------
    list of dict
        One entry per error; ``field`` is the dotted name without its location (``job``, not ``path.job``), or
        ``body`` for the request body as a whole.
    """
    out = []
    for e in list(errors)[:10]:
        loc = [str(x) for x in e.get("loc", ())]
        if loc and loc[0] in _LOCATIONS:
            loc = loc[1:]
        field = ".".join(loc)
        accepts = _ACCEPTS.get(loc[-1]) if loc else None
        got = _shown(e.get("input"))
        if not field:
            message = f'The body must be a JSON object such as {{"text": "..."}}; got {got}.'
        elif e.get("type") == "missing":
            message = f"'{field}' is required" + (f": {accepts}." if accepts else ".")
        elif accepts:
            message = f"'{field}' must be {accepts}; got {got}."
        else:
            message = f"'{field}': {str(e.get('msg', 'invalid value')).rstrip('.')}; got {got}."
        out.append({"field": field or "body", "message": message})
    return out


def _invalid_request(errors: Sequence[Mapping[str, Any]]) -> ApiError:
    """Build a 422 ``ValidationError``: the first field error in words as its message, every one in ``details``."""
    details = _field_errors(errors) or [{"field": "body", "message": "The request is invalid."}]
    more = len(details) - 1
    message = details[0]["message"]
    if more > 0:
        message = f"{message.rstrip('.')} (and {more} more in 'details')."
    return ApiError(422, "ValidationError", message, details=details)


class TextRequest(BaseModel):
    """A pasted text and the analysis options."""

    text: str = Field(..., min_length=1, description="The text to analyse.")
    evidence: bool = Field(True, description="Cite the words behind each label.")
    labels: str | None = Field(None, pattern="^open$", description="'open' adds open-vocabulary words.")
    model: str | None = Field(None, description="A text model of the registry (GET /v1/models); default its own.")
    segment: str = Field("sentence", pattern="^(sentence|line)$", description="Rows per 'sentence' or 'line'.")
    uncertain_below: float | None = Field(
        None, ge=0, le=1, description="Flag rows and the summary whose confidence is below this."
    )
    profile: str | None = Field(
        None, pattern="^(default|commercial)$", description="'commercial': only commercially usable models."
    )


class Accepted(BaseModel):
    """The answer to a new analysis."""

    id: str
    status: str
    links: dict[str, str]


class FieldError(BaseModel):
    """One invalid field of a request."""

    field: str = Field(description="The field, e.g. 'text', 'evidence' or 'job'; 'body' for the body as a whole.")
    message: str = Field(description="What was wrong with it and what it accepts.")


class ErrorBody(BaseModel):
    """Every error of the API."""

    error: str = Field(description="The error's type, e.g. ValidationError, InputError, TooLarge.")
    message: str = Field(description="One line: what was wrong and what is accepted.")
    details: list[FieldError] | None = Field(
        None, description="ValidationError of a JSON body or a path: one entry per invalid field."
    )


class Analysis(BaseModel):
    """An analysis: its state, and its Result when done."""

    id: str
    status: str = Field(description="queued, running, done or failed")
    progress: float
    stage: str | None = None
    kind: str
    filename: str | None = None
    created: float
    updated: float
    expires: float
    error: dict[str, str] | None = None
    result: dict[str, Any] | None = Field(None, description="Result.serialize(): summary, segments, failures")


_ERRORS = {
    400: {"model": ErrorBody},
    401: {"model": ErrorBody},
    403: {"model": ErrorBody},
    404: {"model": ErrorBody},
    409: {"model": ErrorBody},
    413: {"model": ErrorBody},
    415: {"model": ErrorBody},
    422: {"model": ErrorBody},
    429: {"model": ErrorBody},
}

_POST_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {
                        "file": {"type": "string", "format": "binary", "description": ACCEPTED},
                        "evidence": {"type": "boolean", "default": True},
                        "transcript": {"type": "boolean", "default": True},
                        "fps": {"type": "number", "default": 2.0, "exclusiveMinimum": 0, "maximum": 30},
                        "labels": {"type": "string", "enum": ["open"]},
                        "modality": {
                            "type": "string",
                            "enum": ["auto", "text", "conversation", "speech", "face", "video", "music", "physio"],
                            "default": "auto",
                            "description": "auto: detected from the content (a CSV/JSON with speaker and text is a "
                            "dialogue); music: a song (audio, or a video's audio); physio: a wearable recording "
                            "(EDF/BDF, a zipped E4 export, or a CSV with a timestamp column)",
                        },
                        "model": {
                            "type": "string",
                            "description": "a model of the registry (GET /v1/models) for the input's modality",
                        },
                        "profile": {"type": "string", "enum": ["default", "commercial"]},
                        "conversation": {
                            "type": "boolean",
                            "default": False,
                            "description": "read a dialogue, or the transcript of audio/video, turn by turn",
                        },
                        "streaming": {"type": "boolean", "default": False},
                        "language": {"type": "string", "description": "ISO 639-1 code or 'auto' (audio/video)"},
                        "baseline": {"type": "string", "enum": ["auto", "always", "never"]},
                        "max_faces": {"type": "integer", "default": 5, "minimum": 1, "maximum": 100},
                        "min_face_size": {"type": "integer", "default": 48, "minimum": 8, "maximum": 4096},
                        "face_crop": {"type": "string", "enum": ["auto", "always", "never"]},
                        "start": {"type": "number", "minimum": 0, "description": "seconds (audio/video/physio)"},
                        "end": {"type": "number", "exclusiveMinimum": 0, "description": "seconds"},
                        "segment": {"type": "string", "enum": ["sentence", "line"]},
                        "window": {"type": "string", "description": "video fusion: 'utterance' or seconds"},
                        "uncertain_below": {"type": "number", "minimum": 0, "maximum": 1},
                    },
                }
            },
            "application/json": {"schema": TextRequest.model_json_schema()},
        },
    }
}


def create_app(settings: ServiceSettings | None = None) -> FastAPI:
    """Build the service.

    Parameters
    ----------
    settings : ServiceSettings, optional
        Limits, data dir, API key (default: from the environment).

    Returns
    -------
    fastapi.FastAPI
    """
    settings = settings or ServiceSettings()
    data = Path(settings.data_dir).absolute()
    uploads = data / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    jobs = JobStore(data / "jobs.sqlite")
    runner = JobRunner(jobs, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        runner.start()
        if settings.warm_up:
            # the models and modules just loaded live as long as the service: keep them out of the garbage
            # collector's full passes, which otherwise pause every request for tens of milliseconds
            import gc

            gc.collect()
            gc.freeze()
        yield
        runner.stop()

    app = FastAPI(
        title="affectscope",
        version=_version(),
        description="Emotion in text, speech, faces and video: upload, watch it work, read the timeline and the "
        "reasons. Analyses run in the background: POST returns 202 and an id; poll GET until `done`.",
        lifespan=lifespan,
    )
    app.state.settings, app.state.jobs, app.state.runner = settings, jobs, runner
    app.add_middleware(_Guard, hosts=_allowed_hosts(settings.allowed_hosts))

    # --- errors: one JSON shape ---------------------------------------------------------------------------
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        body: dict[str, Any] = {"error": exc.error, "message": exc.message}
        if exc.details:
            body["details"] = exc.details
        return JSONResponse(body, exc.status, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        names = {404: "NotFound", 405: "MethodNotAllowed"}
        return JSONResponse(
            {"error": names.get(exc.status_code, "HTTPError"), "message": str(exc.detail)}, exc.status_code
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return await _api_error(request, _invalid_request(exc.errors()))  # the typed body, never pydantic's text

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # the traceback goes to the server log (uvicorn logs it as well); the client learns nothing internal
        _log.error("unexpected error on %s %s: %s", request.method, request.url.path, type(exc).__name__)
        body = {"error": "InternalError", "message": "The service failed on this request; the error is in its log."}
        return JSONResponse(body, 500, headers=_SECURITY_HEADERS)  # sent outside the middleware: add them here

    # --- security -----------------------------------------------------------------------------------------
    expected = settings.api_key.get_secret_value().encode() if settings.api_key is not None else None
    if expected is not None and len(expected) == 0:  # settings validation refuses this; never compare "" to ""
        raise ConfigError("AFFECTSCOPE_API_KEY is empty; set a key of at least 16 characters or unset it.")
    expected_digest = _digest(expected.decode()) if expected is not None else b""

    async def require_key(  # async: pure CPU, so no hop to a worker thread
        key: Annotated[str | None, Security(_KEY_HEADER)] = None,
        bearer: Annotated[HTTPAuthorizationCredentials | None, Security(_BEARER)] = None,
    ) -> None:
        if expected is None:
            return
        given = key or (bearer.credentials if bearer is not None else "") or ""
        # compare_digest over equal-length digests: constant time, whatever the length sent
        if not given or not secrets.compare_digest(_digest(given), expected_digest):
            raise ApiError(401, "Unauthorized", "Send the API key in the X-API-Key header (or Authorization: Bearer).")

    auth = [Security(require_key)]

    # --- routes -------------------------------------------------------------------------------------------
    @app.get("/healthz", tags=["service"])
    def healthz() -> dict[str, Any]:
        """Liveness and the number of jobs per status."""
        return {"status": "ok", "version": _version(), "jobs": jobs.counts()}

    @app.get("/v1/models", tags=["models"], dependencies=auth, responses=_ERRORS)
    def models() -> list[dict[str, Any]]:
        """List the model registry: name, modality, label spaces, licence, size and held-out metrics."""
        from affectscope.models import get_bundle, list_models

        return [get_bundle(n).to_dict() for n in list_models()]

    @app.post(
        "/v1/analyses",
        tags=["analyses"],
        status_code=202,
        dependencies=auth,
        response_model=Accepted,
        responses=_ERRORS,
        openapi_extra=_POST_BODY,
    )
    async def create(request: Request) -> JSONResponse:
        """Start an analysis of an uploaded file (multipart field ``file``) or a pasted text (JSON ``text``).

        The file's type is read from its content, not its name. Answers 202 with the id; poll
        ``GET /v1/analyses/{id}``.
        """
        ctype = request.headers.get("content-type", "")
        length = request.headers.get("content-length")
        declared = int(length) if length and length.isdigit() else None
        if ctype.startswith("application/json"):
            if declared is not None and declared > json_limit:
                raise ApiError(413, "TooLarge", text_too_large)
            job = await _from_json(request)
        elif ctype.startswith("multipart/form-data"):
            if declared is not None and declared > settings.max_upload_bytes + _ENVELOPE:
                raise ApiError(413, "TooLarge", upload_too_large)
            if await run_in_threadpool(jobs.count, "queued") >= settings.queue_size:  # before reading the upload
                raise queue_full()
            job = await _from_upload(request)
        else:
            raise ApiError(
                415, "UnsupportedMediaType", "Send multipart/form-data with a 'file' field, or JSON {\"text\": ...}."
            )
        runner.notify()
        body = {"id": job, "status": "queued", "links": _links(job)}
        return JSONResponse(body, 202, headers={"Location": f"/v1/analyses/{job}"})

    def queue_full() -> ApiError:
        return ApiError(
            429, "QueueFull", f"{settings.queue_size} analyses are waiting; retry later.", {"Retry-After": "10"}
        )

    async def _queue(**job: Any) -> str:
        """Insert the job unless the queue is full (one thread hop: the count and the insert are one step)."""
        made = await run_in_threadpool(lambda: jobs.create(**job, ttl_s=_ttl(), max_queued=settings.queue_size))
        if made is None:
            raise queue_full()
        return made

    # A JSON body may spell each character as an escape (up to 12 bytes for a surrogate pair): bound the bytes too.
    json_limit = min(settings.max_upload_bytes, 12 * settings.max_text_chars) + _ENVELOPE
    text_too_large = f"Texts are limited to {settings.max_text_chars} characters."
    upload_too_large = f"Uploads are limited to {settings.max_upload_mb:g} MB."

    async def _from_json(request: Request) -> str:
        body = await _read_limited(request, json_limit, text_too_large)
        try:
            payload = TextRequest.model_validate(json.loads(body))
        except ValidationError as exc:  # before ValueError, its base: field errors in words
            raise _invalid_request(exc.errors(include_url=False)) from None
        except (ValueError, TypeError, RecursionError) as exc:  # RecursionError: deeply nested arrays
            detail = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)[:300]
            raise ApiError(422, "ValidationError", f'Invalid JSON body: {detail}. Send {{"text": "..."}}.') from None
        if len(payload.text) > settings.max_text_chars:
            raise ApiError(413, "TooLarge", text_too_large)
        if not payload.text.strip():
            raise ApiError(422, "InputError", "The text is empty.")
        fields = payload.model_dump(exclude={"text"}, exclude_none=True)
        spec = remote_spec(fields | {"modality": "text"})
        return await _queue(kind="text", filename=None, media=None, options={"text": payload.text, "spec": spec})

    async def _from_upload(request: Request) -> str:
        # count the body as it streams (chunked uploads have no Content-Length): nothing past the limit is spooled
        limited = Request(request.scope, _counting(request.receive, settings.max_upload_bytes + _ENVELOPE))
        try:
            form = await limited.form(max_files=1, max_fields=32, max_part_size=65536)
        except _BodyTooLargeError:
            raise ApiError(413, "TooLarge", upload_too_large) from None
        except Exception as exc:  # starlette raises MultiPartException / HTTPException on malformed bodies
            detail = getattr(exc, "detail", None) or getattr(exc, "message", None) or type(exc).__name__
            raise ApiError(422, "ValidationError", f"Malformed multipart body: {str(detail)[:200]}") from None
        try:
            return await _store_upload(form)
        finally:
            await form.close()

    async def _store_upload(form: Any) -> str:
        upload = form.get("file")
        if upload is None or isinstance(upload, str):
            raise ApiError(422, "ValidationError", "The multipart body needs a 'file' field holding the upload.")
        options = _options(form)
        tmp = uploads / f"{uuid.uuid4().hex}.part"
        size = 0
        head = b""
        try:
            with open(tmp, "wb") as out:
                while chunk := await upload.read(_CHUNK):
                    size += len(chunk)
                    if size > settings.max_upload_bytes:
                        raise ApiError(413, "TooLarge", upload_too_large)
                    if len(head) < 4096:
                        head = (head + chunk)[:4096]
                    out.write(chunk)
            if size == 0:
                raise ApiError(422, "InputError", "The uploaded file is empty.")
            kind_suffix = sniff(head[:64])
            if kind_suffix is None:
                raise ApiError(415, "UnsupportedMediaType", f"This file is none of: {ACCEPTED}.")
            kind, suffix = kind_suffix
            modality = options.pop("modality")
            if kind == "text" and modality not in ("text", "physio"):  # a dialogue, subtitles or a wearable CSV?
                text_kind, text_suffix = sniff_text(head)
                if text_kind in ("dialogue", "physio", "subtitles"):
                    kind, suffix = text_kind, text_suffix
            if modality == "conversation" and kind == "text":
                kind = "dialogue"  # 'Speaker: text' lines
            if modality == "music":
                if kind not in ("audio", "video"):
                    raise ApiError(422, "ValidationError", f"modality=music needs audio or video; this is {kind}.")
                kind = "music"
            elif modality == "physio":
                if kind not in ("physio", "archive", "text"):
                    raise ApiError(
                        422,
                        "ValidationError",
                        f"modality=physio needs EDF/BDF, a zipped E4 export or a CSV; this is {kind}.",
                    )
                suffix = {"text": ".csv"}.get(kind, suffix)
                kind = "physio"
            elif kind == "archive":
                suffix = ".zip"
                kind = "physio"  # the router reads its content: an E4 export, or a clear error
            media = tmp.with_suffix(suffix)
            tmp.rename(media)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        try:
            await run_in_threadpool(_check_duration, media, kind)
            if kind in ("text", "dialogue", "subtitles") and size > settings.max_text_chars:
                await run_in_threadpool(_check_chars, media)
        except BaseException:
            media.unlink(missing_ok=True)
            raise
        name = _display_name(getattr(upload, "filename", None))
        try:
            return await _queue(kind=kind, filename=name, media=str(media), options=options)
        except BaseException:
            media.unlink(missing_ok=True)
            raise

    def _options(form: Any) -> dict[str, Any]:
        """Return the upload's analysis spec from the form fields (all but ``file``), as the job stores it."""
        fields = {k: form.get(k) for k in form if k != "file"}
        fields = {k: v for k, v in fields.items() if isinstance(v, str) and v != ""}
        spec = remote_spec(fields)
        return {"spec": spec, "modality": spec["modality"]}

    def _check_duration(media: Path, kind: str) -> None:
        if kind not in ("audio", "video", "music"):
            return
        seconds = _duration(media, kind)
        if seconds is None:
            raise ApiError(422, "InputError", f"The upload looks like {kind} but could not be decoded.")
        if seconds > settings.max_duration_s:
            raise ApiError(
                422,
                "TooLong",
                f"The {kind} lasts {seconds:.0f} s; this service accepts up to {settings.max_duration_s:g} s.",
            )

    def _check_chars(media: Path) -> None:
        chars = _utf8_chars(media)
        if chars > settings.max_text_chars:
            limit = settings.max_text_chars
            raise ApiError(413, "TooLarge", f"The text file holds {chars} characters; texts are limited to {limit}.")

    def _ttl() -> float:
        return settings.result_ttl_hours * 3600

    def _job(job: str) -> dict[str, Any]:
        row = jobs.get(job)
        if row is None:
            raise ApiError(404, "NotFound", f"No analysis {job} (it may have expired or been deleted).")
        return row

    @app.get("/v1/analyses/{job}", tags=["analyses"], dependencies=auth, response_model=Analysis, responses=_ERRORS)
    async def read(job: Annotated[str, _ID]) -> dict[str, Any]:
        """Return the analysis: status (queued, running, done, failed), progress, and the Result when done."""
        # on the event loop: a primary-key read on this thread's own WAL reader takes microseconds, less than the
        # hop to a worker thread that polling clients would otherwise pay on every request
        row = _job(job)
        return {k: row[k] for k in Analysis.model_fields}

    @app.get(
        "/v1/analyses/{job}/timeline.csv",
        tags=["analyses"],
        dependencies=auth,
        response_class=PlainTextResponse,
        responses={**_ERRORS, 200: {"content": {"text/csv": {}}}},
    )
    def timeline(job: Annotated[str, _ID]) -> Response:
        """Return the Result's rows as CSV (one row per segment, face frame or fused window)."""
        import pandas as pd

        row = _job(job)
        if row["status"] != "done":
            raise ApiError(409, "NotReady", f"The analysis is {row['status']}; the timeline exists once it is done.")
        buf = io.StringIO()
        pd.DataFrame(row["result"]["segments"]).to_csv(buf, index=False)
        return Response(
            buf.getvalue(), media_type="text/csv", headers={"Content-Disposition": f'attachment; filename="{job}.csv"'}
        )

    @app.delete("/v1/analyses/{job}", tags=["analyses"], status_code=204, dependencies=auth, responses=_ERRORS)
    def remove(job: Annotated[str, _ID]) -> Response:
        """Delete the analysis, its result and its uploaded file; a running analysis is stopped."""
        row = _job(job)
        runner.cancel(job)
        if row["media"]:
            Path(row["media"]).unlink(missing_ok=True)
        jobs.delete(job)
        return Response(status_code=204)

    # --- the web page -------------------------------------------------------------------------------------
    web = resources.files("affectscope.service") / "web"

    @app.get("/", include_in_schema=False)
    def index() -> Response:
        return Response((web / "index.html").read_bytes(), media_type="text/html; charset=utf-8")

    @app.get("/static/{name}", include_in_schema=False)
    def static(name: Annotated[str, PathParam(pattern=r"^[a-z0-9_.-]+\.(js|css)$")]) -> Response:
        if name == "plotly.min.js":
            return FileResponse(_plotly_js(), media_type="text/javascript", headers={"Cache-Control": "max-age=86400"})
        f = web / name
        if not f.is_file():
            raise ApiError(404, "NotFound", f"No static file {name}.")
        kind = "text/javascript" if name.endswith(".js") else "text/css"
        return Response(f.read_bytes(), media_type=kind)

    return app


_KEY_HEADER = APIKeyHeader(
    name="X-API-Key", auto_error=False, description="The service's API key, when it has one (AFFECTSCOPE_API_KEY)."
)
_BEARER = HTTPBearer(auto_error=False, description="The same API key as a bearer token.")


def _digest(key: str) -> bytes:
    import hashlib

    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).digest()


class _BodyTooLargeError(Exception):
    """The request body passed its byte limit while streaming."""


def _counting(receive: Any, limit: int) -> Any:
    """Wrap an ASGI ``receive`` so that the body raises :class:`_BodyTooLargeError` once it passes ``limit`` bytes."""
    seen = 0

    async def counted() -> dict[str, Any]:
        nonlocal seen
        message = await receive()
        if message["type"] == "http.request":
            seen += len(message.get("body", b""))
            if seen > limit:
                raise _BodyTooLargeError
        return message

    return counted


async def _read_limited(request: Request, limit: int, message: str) -> bytes:
    """Return the request body; refuse it with 413 as soon as it passes ``limit`` bytes."""
    parts, seen = [], 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > limit:
            raise ApiError(413, "TooLarge", message)
        parts.append(chunk)
    return b"".join(parts)


_CONTINUATION = bytes(range(0x80, 0xC0))


def _utf8_chars(path: Path) -> int:
    """Characters in a UTF-8 file (bytes that start a character), read in 1-MB blocks."""
    n = 0
    with open(path, "rb") as f:
        while block := f.read(_CHUNK):
            n += len(block.translate(None, _CONTINUATION))
    return n


def _allowed_hosts(extra: list[str]) -> frozenset[str]:
    """Loopback names and the configured ones, without ports, lower case."""
    names = set(_LOOPBACK_NAMES)
    for h in extra:
        names.add(_host_name(h.strip().lower()) or h.strip().lower())
    return frozenset(names)


def _host_name(host: str) -> str | None:
    """``host[:port]`` → the host part (IPv6 in brackets), or None when malformed."""
    if host.startswith("["):
        end = host.find("]")
        if end < 0:
            return None
        name, rest = host[: end + 1], host[end + 1 :]
    else:
        name, _, port = host.partition(":")
        rest = ":" + port if port else ""
    if rest and not (rest.startswith(":") and rest[1:].isdigit()):
        return None
    return name.rstrip(".")


def _host_allowed(host: str, allowed: frozenset[str]) -> bool:
    """Whether a ``Host`` header names this service.

    IP literals are always accepted: DNS rebinding needs a host *name* the attacker controls.

    Examples
    --------
    >>> hosts = _allowed_hosts(["affect.example.org"])
    >>> [_host_allowed(h, hosts) for h in ("localhost:8000", "[::1]:80", "10.1.2.3", "evil.example")]
    [True, True, True, False]
    """
    name = _host_name(host.strip().lower())
    if not name:
        return False
    if name in allowed or "*" in allowed:
        return True
    try:
        ipaddress.ip_address(name.strip("[]"))
        return True
    except ValueError:
        return False


def _same_origin(origin: str, host: str) -> bool:
    """Whether an ``Origin`` header is this service's own origin (same host and port as ``Host``).

    Examples
    --------
    >>> _same_origin("http://localhost:8000", "localhost:8000"), _same_origin("http://evil.example", "localhost:8000")
    (True, False)
    >>> _same_origin("https://affect.example.org", "affect.example.org:443"), _same_origin("null", "localhost")
    (True, False)
    """
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(origin.strip().lower())
        netloc = parts.netloc
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not netloc or not host:
        return False
    default = {"http": ":80", "https": ":443"}[parts.scheme]

    def strip(n: str) -> str:
        return n[: -len(default)] if n.endswith(default) else n

    return strip(netloc) == strip(host.strip().lower())


class _Guard:
    """ASGI middleware: refuse foreign ``Host`` names (400) and cross-site state changes (403); add security headers."""

    def __init__(self, app: Any, *, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope.get("headers", ())}
        host = headers.get("host")
        csp = _CSP_DOCS if scope.get("path") in ("/docs", "/redoc", "/docs/oauth2-redirect") else _CSP
        extra = [*_HEADERS, (b"content-security-policy", csp.encode())]

        async def send_with_headers(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", ()), *extra]
            await send(message)

        refusal = None
        if host is not None and not _host_allowed(host, self.hosts):
            shown = "".join(c for c in host if c.isprintable())[:100]
            refusal = (
                400,
                "BadHost",
                f"This service does not answer to the host name {shown!r} (a defence against DNS rebinding); "
                "use localhost, an IP address, or add the name to AFFECTSCOPE_ALLOWED_HOSTS.",
            )
        elif scope["method"] in _UNSAFE_METHODS:
            origin = headers.get("origin")
            site = headers.get("sec-fetch-site", "")
            if (origin is not None and not _same_origin(origin, host or "")) or (
                origin is None and site in ("cross-site", "same-site")
            ):
                refusal = (
                    403,
                    "CrossOrigin",
                    "Requests that change data must come from this service's own page or a non-browser client; "
                    "this one came from another web site.",
                )
        if refusal is not None:
            status, error, text = refusal
            response = JSONResponse({"error": error, "message": text}, status)
            await response(scope, receive, send_with_headers)
            return
        await self.app(scope, receive, send_with_headers)


#: The analysis options a client may set (the rest — files on the server, threads, batch sizes — are the server's).
REMOTE_FIELDS = (
    "modality",
    "model",
    "profile",
    "conversation",
    "streaming",
    "segment",
    "transcript",
    "language",
    "baseline",
    "fps",
    "max_faces",
    "min_face_size",
    "face_crop",
    "start",
    "end",
    "evidence",
    "window",
    "uncertain_below",
    "labels",
)
_SERVICE_MAX_FPS = 30.0


def remote_spec(fields: dict[str, Any]) -> dict[str, Any]:
    """Validate a client's analysis options into the fields of an :class:`~affectscope.pipeline.AnalysisSpec`.

    Only :data:`REMOTE_FIELDS` are accepted; ``model`` must be a registry name (never a path on the server);
    ``fps`` is at most 30 and 2 by default. A bad option is an :class:`ApiError` 422 with the standard message.

    Examples
    --------
    >>> remote_spec({"modality": "music", "fps": "1"})["fps"]
    1.0
    >>> remote_spec({"model": "/etc"})
    Traceback (most recent call last):
    ...
    affectscope.service.app.ApiError: 'model' must be a model of the registry (GET /v1/models); got '/etc'.
    """
    from affectscope.errors import ConfigError
    from affectscope.models import list_models
    from affectscope.pipeline import AnalysisSpec

    unknown = [k for k in fields if k not in REMOTE_FIELDS]
    if unknown:
        raise ApiError(
            422,
            "ValidationError",
            f"Unknown field {str(unknown[0])[:40]!r}. Accepted: file, {', '.join(REMOTE_FIELDS)}.",
        )
    model = fields.get("model")
    if model is not None and model not in list_models():
        raise ApiError(
            422,
            "ValidationError",
            f"'model' must be a model of the registry (GET /v1/models); got {str(model)[:60]!r}.",
        )
    try:
        spec = AnalysisSpec.from_dict({"fps": 2.0} | fields, func="the service")
    except ConfigError as exc:
        raise ApiError(422, "ValidationError", str(exc)) from None
    if spec.fps > _SERVICE_MAX_FPS:
        raise ApiError(422, "ValidationError", f"'fps' must be a number in (0, 30]; got {fields.get('fps')!r}.")
    return spec.to_dict()


def _links(job: str) -> dict[str, str]:
    return {"self": f"/v1/analyses/{job}", "timeline": f"/v1/analyses/{job}/timeline.csv"}


def _display_name(name: str | None) -> str | None:
    """Return the client's file name for display: its last path part, printable, at most 120 characters."""
    if not name:
        return None
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    clean = "".join(c for c in base if c.isprintable())[:120]
    return clean or None


def _duration(media: Path, kind: str) -> float | None:
    """Seconds of an audio/video file, or None if it cannot be read."""
    try:
        if kind == "video":
            from affectscope.media.video import probe_video

            return float(probe_video(media).duration)
        import soundfile as sf

        try:
            return float(sf.info(str(media)).duration)
        except Exception:  # mp3/m4a without libsndfile support: ask FFmpeg
            import av

            with av.open(str(media)) as c:
                return float(c.duration or 0) / 1_000_000
    except Exception:
        return None


def _plotly_js() -> Path:
    try:
        import plotly
    except ImportError:
        raise ApiError(
            500, "MissingDependency", "The web page needs plotly: pip install 'affectscope[service]'."
        ) from None
    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("affectscope")
    except PackageNotFoundError:  # pragma: no cover - source checkout without install
        return "0+unknown"
