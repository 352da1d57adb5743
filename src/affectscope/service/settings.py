"""Service settings, read from the environment (``AFFECTSCOPE_*``) or a ``.env`` file, with safe defaults.

Examples
--------
>>> s = ServiceSettings(data_dir="/tmp/affectscope-doc", max_upload_mb=5)
>>> s.max_upload_bytes
5242880
>>> load_settings(api_key="short")  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
affectscope.errors.ConfigError: AFFECTSCOPE_API_KEY is too short (5 characters): use at least 16 random characters, ...
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from affectscope.errors import ConfigError

__all__ = ["MIN_API_KEY_CHARS", "ServiceSettings", "load_settings"]

MIN_API_KEY_CHARS = 16
_KEY_HINT = 'e.g. the output of: python -c "import secrets; print(secrets.token_urlsafe(24))"'


class ServiceSettings(BaseSettings):
    """Limits, storage and security of ``affectscope serve``.

    Every field can be set as an environment variable, e.g. ``AFFECTSCOPE_API_KEY``,
    ``AFFECTSCOPE_MAX_UPLOAD_MB=200``, ``AFFECTSCOPE_DATA_DIR=/var/lib/affectscope``,
    ``AFFECTSCOPE_ALLOWED_HOSTS=affect.example.org,10.0.0.5``.
    """

    model_config = SettingsConfigDict(env_prefix="AFFECTSCOPE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(Path("affectscope-data"), description="Jobs database, uploads and results live here.")
    api_key: SecretStr | None = Field(
        None,
        description="Required in X-API-Key (or Authorization: Bearer) when set; mandatory off loopback; at least "
        f"{MIN_API_KEY_CHARS} characters (an empty or short key is refused at start).",
    )
    allowed_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host names (besides localhost, 127.0.0.1, [::1] and IP addresses) the service answers to; "
        "others get 400 (DNS rebinding). Comma-separated in the environment.",
    )
    max_upload_mb: float = Field(200.0, gt=0, description="Largest upload accepted (413 above).")
    max_duration_s: float = Field(3600.0, gt=0, description="Longest audio/video/song accepted (422 above).")
    max_physio_hours: float = Field(24.0, gt=0, description="Longest wearable recording analysed (fails above).")
    max_text_chars: int = Field(1_000_000, gt=0, description="Longest text accepted, pasted or uploaded (413 above).")
    queue_size: int = Field(64, gt=0, description="Jobs waiting at most; more are refused with 429 and Retry-After.")
    workers: int = Field(1, gt=0, description="Analyses run at the same time.")
    job_timeout_s: float = Field(
        600.0, gt=0, description="Time budget of one analysis; past it the job fails with error Timeout."
    )
    worker_nice: int = Field(
        10,
        ge=0,
        le=19,
        description="Niceness of the analysis threads (Linux), so that requests are answered first; 0 keeps them "
        "at normal priority.",
    )
    threads: int | None = Field(
        None, gt=0, description="CPU threads per model (default: all cores but one, so the API stays responsive)."
    )
    warm_up: bool = Field(
        True, description="Load the text model before serving, so the first requests do not wait for the loading."
    )
    keep_media: bool = Field(False, description="Keep uploads after analysis (else they are deleted at once).")
    result_ttl_hours: float = Field(168.0, gt=0, description="Results (and kept media) are deleted after this.")

    @field_validator("api_key")
    @classmethod
    def _strong_key(cls, v: SecretStr | None) -> SecretStr | None:
        if v is None:
            return v
        n = len(v.get_secret_value())
        if n == 0:
            raise ConfigError(
                "AFFECTSCOPE_API_KEY is set but empty, which would turn authentication off: unset it (loopback "
                f"only) or set at least {MIN_API_KEY_CHARS} random characters, {_KEY_HINT}."
            )
        if n < MIN_API_KEY_CHARS:
            raise ConfigError(
                f"AFFECTSCOPE_API_KEY is too short ({n} characters): use at least {MIN_API_KEY_CHARS} random "
                f"characters, {_KEY_HINT}."
            )
        return v

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, v: Any) -> Any:
        if isinstance(v, str):
            v = v.split(",")
        if isinstance(v, list | tuple):
            return [str(h).strip().lower() for h in v if str(h).strip()]
        return v

    @property
    def model_threads(self) -> int:
        """Threads each model uses: ``threads``, else all cores but one (at least one)."""
        import os

        return self.threads or max(1, (os.cpu_count() or 2) - 1)

    @property
    def max_upload_bytes(self) -> int:
        """The upload limit in bytes."""
        return int(self.max_upload_mb * 1024 * 1024)


def load_settings(**overrides: Any) -> ServiceSettings:
    """Read :class:`ServiceSettings` (environment, ``.env``, then ``overrides``); a bad value is one ConfigError.

    Raises
    ------
    ConfigError
        A setting is invalid; the message names the ``AFFECTSCOPE_*`` variable and what is accepted (never the
        value of the API key).

    Examples
    --------
    >>> load_settings(data_dir="/tmp/affectscope-doc", workers=2).workers
    2
    >>> load_settings(workers=0)
    Traceback (most recent call last):
    ...
    affectscope.errors.ConfigError: AFFECTSCOPE_WORKERS is invalid: Input should be greater than 0 (got 0).
    """
    try:
        return ServiceSettings(**overrides)
    except ValidationError as exc:
        err = exc.errors()[0]
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, ConfigError):
            raise ConfigError(str(cause)) from None
        name = "AFFECTSCOPE_" + "_".join(str(x) for x in err["loc"][:1]).upper()
        shown = "" if "api_key" in err["loc"] else f" (got {str(err.get('input'))[:40]})"
        raise ConfigError(f"{name} is invalid: {err['msg']}{shown}.") from None
