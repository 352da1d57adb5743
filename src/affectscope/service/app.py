"""The FastAPI application: REST routes under ``/v1``, the web page at ``/``, OpenAPI at ``/docs``.

Examples
--------
>>> import tempfile
>>> from fastapi.testclient import TestClient
>>> from affectscope.service.settings import ServiceSettings
>>> with TestClient(create_app(ServiceSettings(data_dir=tempfile.mkdtemp()))) as client:
...     client.get("/healthz").json()["status"]
'ok'
"""

from __future__ import annotations

import io
import json
import secrets
import uuid
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from affectscope.service.runner import JobRunner
from affectscope.service.settings import ServiceSettings
from affectscope.service.sniff import ACCEPTED, sniff
from affectscope.service.store import JobStore

__all__ = ["create_app"]

_ID = PathParam(pattern="^[0-9a-f]{32}$", description="The analysis id returned by POST /v1/analyses.")
_CHUNK = 1 << 20


class ApiError(Exception):
    """An error answered as ``{"error": ..., "message": ...}`` with an HTTP status."""

    def __init__(self, status: int, error: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.error, self.message, self.headers = status, error, message, headers


class TextRequest(BaseModel):
    """A pasted text and the analysis options."""

    text: str = Field(..., min_length=1, description="The text to analyse.")
    evidence: bool = Field(True, description="Cite the words behind each label.")
    labels: str | None = Field(None, pattern="^open$", description="'open' adds open-vocabulary words.")


class Accepted(BaseModel):
    """The answer to a new analysis."""

    id: str
    status: str
    links: dict[str, str]


class ErrorBody(BaseModel):
    """Every error of the API."""

    error: str
    message: str


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
                            "enum": ["speech", "music", "physio"],
                            "description": "audio (or a video's audio): a voice (default) or a song; physio: a "
                            "wearable recording (EDF/BDF, a zipped E4 export, or a CSV with a timestamp column)",
                        },
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
    data = Path(settings.data_dir)
    uploads = data / "uploads"
    uploads.mkdir(parents=True, exist_ok=True)
    jobs = JobStore(data / "jobs.sqlite")
    runner = JobRunner(jobs, settings)

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        runner.start()
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

    # --- errors: one JSON shape ---------------------------------------------------------------------------
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse({"error": exc.error, "message": exc.message}, exc.status, headers=exc.headers)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        names = {404: "NotFound", 405: "MethodNotAllowed"}
        return JSONResponse(
            {"error": names.get(exc.status_code, "HTTPError"), "message": str(exc.detail)}, exc.status_code
        )

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        where = "; ".join(f"{'.'.join(str(x) for x in e['loc'])}: {e['msg']}" for e in exc.errors()[:5])
        return JSONResponse({"error": "ValidationError", "message": f"Invalid request: {where}."}, 422)

    # --- security -----------------------------------------------------------------------------------------
    def require_key(request: Request) -> None:
        if settings.api_key is None:
            return
        given = request.headers.get("x-api-key") or ""
        auth = request.headers.get("authorization") or ""
        if auth.lower().startswith("bearer "):
            given = given or auth[7:]
        if not secrets.compare_digest(given.encode(), settings.api_key.get_secret_value().encode()):
            raise ApiError(401, "Unauthorized", "Send the API key in the X-API-Key header (or Authorization: Bearer).")

    auth = [Depends(require_key)]

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
        if (await run_in_threadpool(jobs.counts)).get("queued", 0) >= settings.queue_size:
            raise ApiError(
                429, "QueueFull", f"{settings.queue_size} analyses are waiting; retry later.", {"Retry-After": "10"}
            )
        length = request.headers.get("content-length")
        if length and length.isdigit() and int(length) > settings.max_upload_bytes + 65536:
            raise ApiError(413, "TooLarge", f"Uploads are limited to {settings.max_upload_mb:g} MB.")
        ctype = request.headers.get("content-type", "")
        if ctype.startswith("application/json"):
            job = await _from_json(request)
        elif ctype.startswith("multipart/form-data"):
            job = await _from_upload(request)
        else:
            raise ApiError(
                415, "UnsupportedMediaType", "Send multipart/form-data with a 'file' field, or JSON {\"text\": ...}."
            )
        runner.notify()
        body = {"id": job, "status": "queued", "links": _links(job)}
        return JSONResponse(body, 202, headers={"Location": f"/v1/analyses/{job}"})

    async def _from_json(request: Request) -> str:
        try:
            payload = TextRequest.model_validate(json.loads(await request.body()))
        except (ValueError, TypeError) as exc:
            raise ApiError(422, "ValidationError", f"Invalid JSON body: {str(exc)[:300]}") from None
        if len(payload.text) > settings.max_text_chars:
            raise ApiError(413, "TooLarge", f"Texts are limited to {settings.max_text_chars} characters.")
        if not payload.text.strip():
            raise ApiError(422, "InputError", "The text is empty.")
        options = {"text": payload.text, "evidence": payload.evidence, "labels": payload.labels}
        return await run_in_threadpool(
            jobs.create, kind="text", filename=None, media=None, options=options, ttl_s=_ttl()
        )

    async def _from_upload(request: Request) -> str:
        try:
            form = await request.form(max_files=1, max_fields=10, max_part_size=settings.max_upload_bytes)
        except Exception as exc:  # starlette raises MultiPartException / HTTPException on malformed bodies
            raise ApiError(422, "ValidationError", f"Malformed multipart body: {exc}") from None
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
                        raise ApiError(413, "TooLarge", f"Uploads are limited to {settings.max_upload_mb:g} MB.")
                    if len(head) < 64:
                        head = (head + chunk)[:64]
                    out.write(chunk)
            if size == 0:
                raise ApiError(422, "InputError", "The uploaded file is empty.")
            kind_suffix = sniff(head)
            if kind_suffix is None:
                raise ApiError(415, "UnsupportedMediaType", f"This file is none of: {ACCEPTED}.")
            kind, suffix = kind_suffix
            modality = options.pop("modality", None)
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
                raise ApiError(
                    415, "UnsupportedMediaType", "A zip is taken only as a wearable export: send modality=physio."
                )
            media = tmp.with_suffix(suffix)
            tmp.rename(media)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        try:
            await run_in_threadpool(_check_duration, media, kind)
        except ApiError:
            media.unlink(missing_ok=True)
            raise
        name = _display_name(getattr(upload, "filename", None))
        return await run_in_threadpool(
            jobs.create, kind=kind, filename=name, media=str(media), options=options, ttl_s=_ttl()
        )

    def _options(form: Any) -> dict[str, Any]:
        def flag(name: str, default: bool) -> bool:
            v = form.get(name)
            if v is None or v == "":
                return default
            if str(v).lower() in ("true", "1", "yes", "on"):
                return True
            if str(v).lower() in ("false", "0", "no", "off"):
                return False
            raise ApiError(422, "ValidationError", f"'{name}' must be true or false; got {str(v)[:40]!r}.")

        fps = form.get("fps") or "2"
        try:
            fps_v = float(fps)
        except ValueError:
            fps_v = -1.0
        if not 0 < fps_v <= 30:
            raise ApiError(422, "ValidationError", f"'fps' must be a number in (0, 30]; got {str(fps)[:40]!r}.")
        labels = form.get("labels") or None
        if labels not in (None, "open"):
            raise ApiError(422, "ValidationError", f"'labels' must be 'open' or absent; got {str(labels)[:40]!r}.")
        modality = form.get("modality") or None
        if modality not in (None, "speech", "music", "physio"):
            raise ApiError(
                422, "ValidationError", f"'modality' must be speech, music or physio; got {str(modality)[:40]!r}."
            )
        return {
            "evidence": flag("evidence", True),
            "transcript": flag("transcript", True),
            "fps": fps_v,
            "labels": labels,
            "modality": modality,
        }

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

    def _ttl() -> float:
        return settings.result_ttl_hours * 3600

    def _job(job: str) -> dict[str, Any]:
        row = jobs.get(job)
        if row is None:
            raise ApiError(404, "NotFound", f"No analysis {job} (it may have expired or been deleted).")
        return row

    @app.get("/v1/analyses/{job}", tags=["analyses"], dependencies=auth, response_model=Analysis, responses=_ERRORS)
    def read(job: Annotated[str, _ID]) -> dict[str, Any]:
        """Return the analysis: status (queued, running, done, failed), progress, and the Result when done."""
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
        """Delete the analysis, its result and its uploaded file."""
        row = _job(job)
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
